from cms.quiz import services
from config.celery_app import idempotent_task


@idempotent_task
def finish_overdue_plays():
    """Score the plays abandoned mid-way whose time is up (finishing twice is harmless)."""
    return services.finish_overdue_plays()


@idempotent_task
def purge_personal_details():
    """Erase players' names and phones once a quiz's retention period is over."""
    return services.purge_personal_details()

from config.celery_app import idempotent_task
from training import services


@idempotent_task
def purge_old_study_sessions():
    return services.purge_old_study_sessions()

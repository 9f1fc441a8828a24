from accounts import services
from config.celery_app import idempotent_task


@idempotent_task
def clear_expired_sessions():
    """Nightly housekeeping (see CELERY_BEAT_SCHEDULE); deleting twice is harmless."""
    return services.sessions_clear_expired()


@idempotent_task
def purge_old_login_records():
    """Nightly: sign-in records past their retention period go (see CELERY_BEAT_SCHEDULE)."""
    return services.login_records_purge()

from config.celery_app import idempotent_task
from exams import attempts, services


@idempotent_task(soft_time_limit=1800, time_limit=1900)
def run_import_job(job_id):
    """Check or import one uploaded question file (a large file takes minutes)."""
    services.import_job_run(job_id=job_id)


@idempotent_task
def prepare_session_attempts(session_id):
    """Draw the papers of a session's candidates ahead of its start."""
    return attempts.prepare_attempts(session_id=session_id)

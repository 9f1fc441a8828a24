from config.celery_app import idempotent_task
from exams import services


@idempotent_task(soft_time_limit=1800, time_limit=1900)
def run_import_job(job_id):
    """Check or import one uploaded question file (a large file takes minutes)."""
    services.import_job_run(job_id=job_id)

from config.celery_app import idempotent_task
from exams import attempts, bookings, checkin, delivery, services, ticket_pdf


@idempotent_task(soft_time_limit=1800, time_limit=1900)
def run_import_job(job_id):
    """Check or import one uploaded question file (a large file takes minutes)."""
    services.import_job_run(job_id=job_id)


@idempotent_task
def prepare_session_attempts(session_id):
    """Draw the papers of a session's candidates ahead of its start."""
    return attempts.prepare_attempts(session_id=session_id)


@idempotent_task
def render_admission_ticket(booking_id):
    """Render a booking's admission ticket (准考证) and keep it, replacing an earlier one."""
    ticket_pdf.store_ticket(booking_id=booking_id)


@idempotent_task
def purge_check_in_photos():
    """Nightly: check-in photos past their retention period, and printed sessions' PDFs, go."""
    ticket_pdf.purge_session_ticket_files()
    return checkin.purge_check_in_photos()


@idempotent_task(soft_time_limit=600, time_limit=660)
def render_session_tickets(session_id, token):
    """A session's admission tickets as one PDF, for the centre to print."""
    ticket_pdf.store_session_tickets(session_id=session_id, token=token)


@idempotent_task
def mark_no_shows():
    """Bookings not checked in when check-in closes become no-shows (缺考); every minute."""
    counts = checkin.mark_no_shows()
    bookings.close_finished_sessions()
    return {str(room): count for room, count in counts.items()}


@idempotent_task
def close_overdue_attempts():
    """Submit and grade attempts whose time ran out more than a grace period ago."""
    return delivery.close_overdue()

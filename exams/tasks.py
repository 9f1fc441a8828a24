import datetime

from django.conf import settings

from config.celery_app import idempotent_task, queue_is_empty
from exams import attempts, bookings, certificates, checkin, delivery, services, ticket_pdf


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
    certificates.purge_unreferenced_pdfs()  # and certificate PDFs a killed worker left behind
    # and sessions' certificate ZIPs older than a day (imported here: the ZIP
    # job reads centre scopes, which import the booking rules, which import us)
    from exams.certificate_zip import purge_old_zips

    purge_old_zips()
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


@idempotent_task(soft_time_limit=600, time_limit=660)
def zip_session_certificates(session_id, token):
    """A session's certificates as one ZIP, for the centre to download (kept for a day)."""
    from exams import certificate_zip

    certificate_zip.store_session_zip(session_id=session_id, token=token)


@idempotent_task
def issue_certificate(attempt_id):
    """A graded pass gets its certificate and the certificate its PDF; a second run finds both."""
    certificates.issue_and_render(attempt_id=attempt_id)


@idempotent_task
def queue_missing_certificates():
    """Passes graded while the broker was down get their certificates once it is back."""
    if not queue_is_empty("documents"):
        return 0
    return certificates.queue_missing(
        older_than=datetime.timedelta(seconds=settings.CATCH_UP_SECONDS)
    )


@idempotent_task
def render_certificate(certificate_id, by_id=None):
    """Render a certificate's PDF again (after a design change), and record it."""
    certificates.store_pdf(certificate_id=certificate_id, by=by_id and _user(by_id), record=True)


@idempotent_task
def rerender_certificates(certificate_ids, by_id=None):
    """The bulk re-render: one task per certificate, so that workers share the load."""
    for certificate_id in certificate_ids:
        render_certificate.delay(certificate_id, by_id)


@idempotent_task(soft_time_limit=600, time_limit=660)
def generate_monthly_report(month=None, by_id=None):
    """
    The bureau's monthly report of `month` (an ISO date, its first day), or
    by default of the month just ended: the beat runs it on the 1st.
    """
    from exams.statistics import report

    day = datetime.date.fromisoformat(month) if month else report.month_just_ended()
    report.store_report(month=day.replace(day=1), by=by_id and _user(by_id))


@idempotent_task(soft_time_limit=240, time_limit=300)
def warm_dashboards():
    """Compute the dashboard's usual views ahead, so that the bureau's opens at once."""
    from django.utils import translation

    from exams.statistics import selectors, views

    with translation.override(settings.LANGUAGE_CODE):
        for filters in selectors.usual_views():
            selectors.dashboard_figures(filters, employers=views.EMPLOYERS_SHOWN + 1, refresh=True)


def _user(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()

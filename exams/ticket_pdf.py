"""
Admission tickets (准考证) as PDF, rendered by WeasyPrint.

A ticket carries what the candidate and the check-in desk need: name, masked
ID number, registered photo, exam, centre, room, seat, time, ticket number, the
instructions, and a QR code holding the signed token of `exams.tickets`. It is
Chinese first whatever the candidate's language, like the paper it replaces,
and is rendered from local files only (CSS from disk, QR and photo as data
URIs): WeasyPrint fetches nothing over the network.

The candidate's ticket is kept with the booking (`Booking.ticket_pdf`, private
storage); a centre prints a whole session's tickets as one PDF, rendered on
the spot so that it always shows the current seats.
"""

import base64
import mimetypes
import secrets

import segno
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.utils import timezone, translation

from exams.choices import BookingStatus
from exams.models import Booking, ExamSession
from exams.session_files import SessionFileJob, purge_old_files
from exams.tickets import ticket_token

TICKET_LANGUAGE = "zh-hans"
# A booking has a ticket while it may still be, or has been, checked in.
TICKET_HOLDING = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


def _css():
    with open(finders.find("css/ticket.css"), encoding="utf-8") as css:
        return css.read()


def _qr_data_uri(booking):
    # Level M survives a crease or a smudge and keeps the code small enough
    # (version 6) to read from a phone screen too.
    return segno.make(ticket_token(booking), error="m").svg_data_uri(scale=4, border=4)


def _photo_data_uri(user):
    if not user.photo:
        return None
    try:
        with user.photo.open("rb") as photo:
            data = photo.read()
    except OSError:  # the file is gone: print the placeholder rather than no ticket
        return None
    mime_type = mimetypes.guess_type(user.photo.name)[0] or "image/jpeg"
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def _render(bookings):
    from weasyprint import HTML  # loads Pango; only the processes that render need it

    tickets = [
        {"booking": b, "qr": _qr_data_uri(b), "photo": _photo_data_uri(b.candidate)}
        for b in bookings
    ]
    with translation.override(TICKET_LANGUAGE):
        html = render_to_string(
            "exams/ticket.html",
            {"tickets": tickets, "css": _css(), "issued_at": timezone.now()},
        )
    return HTML(string=html).write_pdf()


def _with_details(bookings):
    return bookings.select_related("candidate", "session__exam", "session__centre", "session__room")


def render_ticket(booking):
    """One booking's admission ticket: a one-page PDF."""
    return _render([_with_details(Booking.objects.filter(pk=booking.pk)).get()])


def session_ticket_holders(session):
    return _with_details(session.bookings.filter(status__in=TICKET_HOLDING)).order_by("seat")


def render_session_tickets(session):
    """Every ticket of a session in seat order, one a page, for the centre to print."""
    return _render(session_ticket_holders(session))


def store_ticket(*, booking_id):
    """
    Render a booking's ticket and keep it with the booking, replacing an
    earlier one. A cancelled or moved booking gets none. Returns the booking,
    or None when there is nothing to render.
    """
    booking = Booking.objects.filter(pk=booking_id, status__in=TICKET_HOLDING).first()
    if booking is None:
        return None
    pdf = render_ticket(booking)
    earlier = booking.ticket_pdf.name
    # A random name: the file's address must not be guessable from the booking.
    booking.ticket_pdf.save(f"{secrets.token_hex(16)}.pdf", ContentFile(pdf), save=False)
    Booking.objects.filter(pk=booking.pk).update(ticket_pdf=booking.ticket_pdf.name)
    if earlier:
        booking.ticket_pdf.storage.delete(earlier)
    return booking


# ---------------------------------------------------------------------------
# A session's tickets as one PDF, made by the worker
# ---------------------------------------------------------------------------

FOLDER = "tickets/sessions"
# {"session", "user", "status", "file", "count"}, followed by the printing page.
print_jobs = SessionFileJob("session-tickets", seconds=60 * 60)


def print_job_start(*, session, user):
    """Queue the rendering of a session's tickets; return the job's token."""
    token = print_jobs.start(session=session, user=user, count=0)
    from exams import tasks

    tasks.render_session_tickets.delay_on_commit(session.pk, token)
    return token


def store_session_tickets(*, session_id, token):
    """Render a session's tickets into one private file and say so in the job."""
    job = print_jobs.get(token)
    if job is None:  # expired: nobody is waiting for it
        return None
    print_jobs.save(token, {**job, "status": "running"})
    session = ExamSession.objects.get(pk=session_id)
    holders = session_ticket_holders(session)
    pdf = _render(holders)
    name = storages["private"].save(f"{FOLDER}/{secrets.token_hex(16)}.pdf", ContentFile(pdf))
    job = {**job, "status": "done", "file": name, "count": holders.count()}
    print_jobs.save(token, job)
    return job


def purge_session_ticket_files(now=None):
    """Printed sessions' PDFs (personal data) are deleted after a day."""
    return purge_old_files(FOLDER, now)

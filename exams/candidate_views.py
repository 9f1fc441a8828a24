"""
The candidate's pages: sessions open for booking, booking a seat, my
bookings (with cancel) and my admission ticket. Phone first, no JavaScript.

Every write goes through exams.bookings; a refusal is shown in the
candidate's words on the page they came from, with their filter kept. Results
come with the exam-delivery pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from exams import bookings, ticket_pdf
from exams.choices import SEAT_HOLDING, BookingStatus
from exams.models import Booking, Exam, ExamSession
from exams.selectors import bookings_of, open_sessions

PER_PAGE = 20


def _back_to(request, fallback):
    """Where a form said to return (the page it was on, with its filter), if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def session_list(request):
    sessions = open_sessions()
    exam_id = request.GET.get("exam", "")
    if exam_id:
        sessions = sessions.filter(exam_id=exam_id) if exam_id.isdigit() else sessions.none()
    held = set()
    if request.user.is_authenticated:
        held = set(
            request.user.bookings.filter(status__in=SEAT_HOLDING).values_list(
                "session_id", flat=True
            )
        )
    page = Paginator(sessions, PER_PAGE).get_page(request.GET.get("page"))
    for session in page:
        session.seats_left = max(0, session.capacity - session.seats_taken)
        session.booked_by_me = session.pk in held
    return TemplateResponse(
        request,
        "exams/candidate/session_list.html",
        {
            "sessions": page,
            "exams": Exam.objects.filter(pk__in=open_sessions().values("exam_id")),
            "exam_id": exam_id,
        },
    )


@require_POST
def book(request, session_id):
    sessions_url = reverse("exams:sessions")
    if not request.user.is_authenticated:
        return redirect_to_login(sessions_url)
    session = get_object_or_404(ExamSession, pk=session_id)
    try:
        booking = bookings.book(session=session, candidate=request.user, by=request.user)
    except bookings.BookingRefused as refused:
        messages.error(
            request,
            _("You could not book this session: %(reasons)s")
            % {"reasons": " ".join(refused.reasons)},
        )
        return redirect(_back_to(request, sessions_url))
    messages.success(
        request,
        _(
            "Booked: seat %(seat)s, admission ticket number %(number)s. "
            "Download your ticket below and bring it to the test centre."
        )
        % {"seat": booking.seat_label, "number": booking.ticket_number},
    )
    return redirect("exams:my-bookings")


@never_cache
@login_required
def my_bookings(request):
    page = Paginator(bookings_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for booking in page:
        booking.has_ticket = booking.status in ticket_pdf.TICKET_HOLDING
        # A candidate cancels while booking is open; later, the centre does.
        booking.may_cancel = booking.status == BookingStatus.BOOKED and (
            booking.session.booking_is_open(now)
        )
    return TemplateResponse(request, "exams/candidate/my_bookings.html", {"bookings": page})


@require_POST
@login_required
def cancel(request, booking_id):
    booking = get_object_or_404(Booking, pk=booking_id, candidate=request.user)
    try:
        bookings.cancel(booking=booking, by=request.user)
    except bookings.BookingChangeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your booking is cancelled and its seat is free again."))
    return redirect(_back_to(request, reverse("exams:my-bookings")))


@never_cache
@login_required
def ticket(request, booking_id):
    """The candidate's own admission ticket; anyone else's is not found."""
    booking = get_object_or_404(
        Booking,
        pk=booking_id,
        candidate=request.user,
        status__in=ticket_pdf.TICKET_HOLDING,
    )
    if not booking.ticket_pdf or not booking.ticket_pdf.storage.exists(booking.ticket_pdf.name):
        # Not rendered yet (the worker is busy, or the file was lost): render it now.
        booking = ticket_pdf.store_ticket(booking_id=booking.pk)
        if booking is None:  # cancelled meanwhile
            raise Http404
    return FileResponse(
        booking.ticket_pdf.open("rb"),
        as_attachment=True,
        filename=f"准考证-{booking.ticket_number}.pdf",
        content_type="application/pdf",
    )

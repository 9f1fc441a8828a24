"""
Bookings in the Wagtail admin: the list (filters, search by name or full ID
card number, Excel export), a booking with its audit trail and the centre's
changes to it (seat, cancel, move), and booking a list of people from Excel.

Every change goes through exams.bookings, whose refusals are shown as they
are given. People see the bookings of the sessions they may see
(exams.centre_selectors) and change those of the centres they administer.
ID numbers are shown masked; a full one searched for is not echoed back.
"""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.paginator import WagtailPaginator

from accounts import idcard, person_import
from accounts.models import User
from accounts.person_import_admin import PeopleFileForm, import_and_keep, kept_report
from accounts.services import user_find_by_id_number
from config import xlsx
from exams import booking_exporters, booking_import, bookings
from exams.centre_selectors import (
    administered_sessions,
    bookings_for,
    may_book_into,
    may_change_bookings_of,
    sessions_for,
    with_seats_taken,
)
from exams.choices import SEAT_HOLDING, BookingStatus, SessionStatus
from exams.models import Exam
from exams.ticket_admin import may_print_tickets

BOOKINGS_PER_PAGE = 50
ROWS_PER_PAGE = 100
IMPORT_TEMPLATE = "exams/admin/book_from_excel.html"


# ---------------------------------------------------------------------------
# The list and its export
# ---------------------------------------------------------------------------


class BookingFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    session = forms.ModelChoiceField(
        label=gettext_lazy("Exam session"), queryset=None, required=False
    )
    exam = forms.ModelChoiceField(
        label=gettext_lazy("Exam"), queryset=Exam.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *BookingStatus.choices],
        required=False,
    )
    date = forms.DateField(
        label=gettext_lazy("Date of the session"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Set by a search for a full ID card number, which then leaves the URL.
    candidate = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions_for(user).order_by("-starts_at")

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def id_number(self):
        """The full ID card number searched for, when the search is shaped like one."""
        number = idcard.normalise(self.cleaned_data["q"])
        return number if idcard.SHAPE.match(number) else None

    def filter(self, bookings):
        data = self.cleaned_data
        if data["session"]:
            bookings = bookings.filter(session=data["session"])
        if data["exam"]:
            bookings = bookings.filter(session__exam=data["exam"])
        if data["status"]:
            bookings = bookings.filter(status=data["status"])
        if data["date"]:
            bookings = bookings.filter(session__starts_at__date=data["date"])
        if data["candidate"] is not None:
            bookings = bookings.filter(candidate_id=data["candidate"])
        if number := self.id_number():
            # Found by the number's digest: ID numbers are stored encrypted.
            person = user_find_by_id_number(number)
            bookings = bookings.filter(candidate=person) if person else bookings.none()
        elif query := data["q"]:
            bookings = bookings.filter(
                Q(candidate__real_name__icontains=query)
                | Q(ticket_number=query)
                | Q(candidate__phone=query)
            )
        return bookings.order_by("-session__starts_at", "session_id", "seat", "pk")


def _filtered(request):
    form = BookingFilterForm(request.GET, user=request.user)
    found = bookings_for(request.user)
    return form, form.filter(found) if form.is_valid() else found.none()


@permission_required("exams.view_booking", raise_exception=True)
def booking_list(request):
    form, found = _filtered(request)
    number = form.id_number() if form.is_valid() else None
    person = user_find_by_id_number(number) if number else None
    if person and bookings_for(request.user).filter(candidate=person).exists():
        # Shown as that person's bookings, so that the number is in no link of the page.
        # Only someone booked at the person's own centres: whether anyone else is
        # registered at all is not this screen's to tell.
        query = request.GET.copy()
        for name in ("q", "p"):
            query.pop(name, None)
        query["candidate"] = person.pk
        return redirect(f"{request.path}?{query.urlencode()}")
    paginator = WagtailPaginator(found, BOOKINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    data = form.cleaned_data if form.is_valid() else {}
    session = data.get("session")
    candidate = None
    if data.get("candidate") is not None:
        # Named only when they have a booking this person may see.
        candidate = User.objects.filter(
            pk=data["candidate"], bookings__in=bookings_for(request.user)
        ).first()
    return TemplateResponse(
        request,
        "exams/admin/bookings.html",
        {
            "form": form,
            "bookings": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "searched_id": idcard.mask_id_number(number) if number else None,
            "query": "" if number else data.get("q", ""),
            "candidate": candidate,
            "session": session,
            "seats_taken": (
                session.bookings.filter(status__in=SEAT_HOLDING).count() if session else None
            ),
            "may_book": session is not None and may_book_into(request.user, session),
            "may_print": session is not None and may_print_tickets(request.user, session),
            "export_query": "" if number else request.GET.urlencode(),
        },
    )


@permission_required("exams.view_booking", raise_exception=True)
def export_bookings(request):
    _form, found = _filtered(request)
    # On disk rather than in memory: every booking of a district's year is a
    # big file. FileResponse closes it once it has been sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    booking_exporters.write_bookings(file, found)
    file.seek(0)
    filename = f"{_('Bookings')}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(file, as_attachment=True, filename=filename, content_type=xlsx.CONTENT_TYPE)


# ---------------------------------------------------------------------------
# One booking: its audit trail and the centre's changes
# ---------------------------------------------------------------------------


def reason_field(**options):
    return forms.CharField(label=gettext_lazy("Reason"), max_length=255, **options)


class SeatForm(forms.Form):
    seat = forms.IntegerField(label=gettext_lazy("New seat"), min_value=1)
    reason = reason_field(required=False)


class CancelForm(forms.Form):
    reason = reason_field(
        help_text=gettext_lazy("Kept in the booking's history, e.g. “ill, asked by phone”.")
    )


class MoveForm(forms.Form):
    to_session = forms.ModelChoiceField(
        label=gettext_lazy("Move to"),
        queryset=None,
        widget=forms.Select(attrs={"style": "width: 100%"}),
    )
    reason = reason_field(required=False)

    def __init__(self, *args, booking, user, **kwargs):
        super().__init__(*args, **kwargs)
        targets = administered_sessions(user).filter(
            exam=booking.session.exam_id,
            starts_at__gt=timezone.now(),
            status__in=[SessionStatus.SCHEDULED, SessionStatus.CHECK_IN],
        )
        field = self.fields["to_session"]
        field.queryset = with_seats_taken(targets.exclude(pk=booking.session_id)).order_by(
            "starts_at"
        )
        field.label_from_instance = lambda session: (
            _("%(session)s (%(taken)d of %(capacity)d seats taken)")
            % {"session": session, "taken": session.seats_taken, "capacity": session.capacity}
        )


def _change(action, booking, data, user):
    """Make the change through exams.bookings; return the booking as it now is, and a message."""
    if action == "seat":
        changed = bookings.change_seat(
            booking=booking, seat=data["seat"], by=user, reason=data["reason"]
        )
        return changed, _("Seat changed to %(seat)s.") % {"seat": changed.seat_label}
    if action == "cancel":
        changed = bookings.cancel(booking=booking, by=user, reason=data["reason"])
        return changed, _("The booking is cancelled.")
    changed = bookings.reschedule(
        booking=booking, to_session=data["to_session"], by=user, reason=data["reason"]
    )
    return changed, _("Moved: the candidate now has seat %(seat)s and a new admission ticket.") % {
        "seat": changed.seat_label
    }


@permission_required("exams.view_booking", raise_exception=True)
def booking_detail(request, booking_id):
    booking = get_object_or_404(bookings_for(request.user), pk=booking_id)
    may_change = may_change_bookings_of(request.user, booking.session)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not may_change:
        raise PermissionDenied
    data = request.POST if action else None
    changes = {}
    if may_change and booking.status == BookingStatus.BOOKED:
        changes = {
            "seat": SeatForm(data if action == "seat" else None, prefix="seat"),
            "cancel": CancelForm(data if action == "cancel" else None, prefix="cancel"),
            "move": MoveForm(
                data if action == "move" else None,
                prefix="move",
                booking=booking,
                user=request.user,
            ),
        }
    form = changes.get(action)
    if form is not None and form.is_valid():
        try:
            changed, done = _change(action, booking, form.cleaned_data, request.user)
        except bookings.BookingRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        except bookings.BookingChangeRefused as refused:
            form.add_error(None, str(refused.message))
        else:
            messages.success(request, done)
            return redirect("exams_booking", changed.pk)
    elif action is not None and form is None:
        messages.error(request, _("This booking can no longer be changed."))
    return TemplateResponse(
        request,
        "exams/admin/booking.html",
        {
            "booking": booking,
            "candidate": booking.candidate,
            "session": booking.session,
            "changes": changes,
            "trail": _trail(booking),
        },
    )


def _trail(booking):
    """The booking's events, oldest first, with what changed in words and links."""
    rows = []
    for event in booking.events.select_related("by"):
        row = {"event": event, "change": "", "link": None}
        if seats := event.details.get("seat"):
            row["change"] = _("Seat %(old)02d → %(new)02d") % {"old": seats[0], "new": seats[1]}
        elif other := event.details.get("to_booking"):
            row["change"], row["link"] = (
                _("To the new booking"),
                reverse("exams_booking", args=[other]),
            )
        elif other := event.details.get("from_booking"):
            row["change"], row["link"] = (
                _("From the earlier booking"),
                reverse("exams_booking", args=[other]),
            )
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Booking a list of people from Excel
# ---------------------------------------------------------------------------


class BookingImportForm(PeopleFileForm):
    file_help_text = gettext_lazy(
        "One person a row, under the header 姓名, 身份证号, 手机号, 工作单位 "
        "(and, if you like, 行业 and 考试项目), as in the template."
    )
    valid_rows_help_text = gettext_lazy("Off: a file with any error books nobody.")


@permission_required("exams.add_booking", raise_exception=True)
def book_from_excel(request, session_id):
    session = get_object_or_404(administered_sessions(request.user), pk=session_id)
    context = {"session": session, "outcomes": booking_import.RowOutcome}
    scope = f"session:{session.pk}"
    shown = kept_report(
        request, booking_import.BookingReport, scope=scope, rows_per_page=ROWS_PER_PAGE
    )
    if shown is not None:
        return TemplateResponse(request, IMPORT_TEMPLATE, {**context, **shown})

    form = BookingImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = import_and_keep(
            request,
            form,
            lambda file, import_valid_rows: booking_import.book_from_workbook(
                session=session,
                uploaded_file=file,
                booked_by=request.user,
                import_valid_rows=import_valid_rows,
            ),
            scope=scope,
            report_url=reverse("exams_book_from_excel", args=[session.pk]),
        )
        if response is not None:
            return response
    return TemplateResponse(request, IMPORT_TEMPLATE, {**context, "form": form})


@permission_required("exams.add_booking", raise_exception=True)
def booking_template(request, session_id):
    """A list to fill in for the session: the header and an example row, numbers kept as text."""
    session = get_object_or_404(administered_sessions(request.user), pk=session_id)
    content = person_import.template_workbook(
        sheet_title="考试报名名单",
        columns=booking_import.TEMPLATE_COLUMNS,
        example_row={
            **person_import.EXAMPLE_ROW,
            "industry": "危险化学品",
            "exam": session.exam.title,
        },
        widths=booking_import.TEMPLATE_COLUMN_WIDTH,
    )
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="booking-template.xlsx"'
    return response

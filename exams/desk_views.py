"""
The check-in desk pages, for the proctors and admins of a test centre: my
sessions, and a session's desk, where the webcam reads the tickets' QR codes
(static/js/checkin_desk.js, through the desk API in exams/api/desk_views.py)
and the proctor compares the registered photo with one taken now; and the
room, where the proctor follows the session's attempts and pauses, extends or
terminates one (through exams.delivery, as the proctor API does).

Registered photos are sensitive personal information kept in private storage:
they are served here, one at a time, to the desk staff of the candidate's
session only, and never cached.
"""

import mimetypes

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.errors import DomainError
from exams import checkin, delivery
from exams.models import AttemptEvent

# A room seats up to 300: a page is a block of rows the proctor can scan.
ATTEMPTS_PER_PAGE = 50
# What the proctor typed into a refused or unconfirmed action, for the next page view.
KEPT_INPUT = "desk_attempt_input"


def _desk_staff_only(request):
    if not checkin.is_desk_staff(request.user):
        raise PermissionDenied


@login_required
def session_list(request):
    _desk_staff_only(request)
    sessions = Paginator(checkin.sessions_for_desk(request.user), 30).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(request, "exams/desk/session_list.html", {"sessions": sessions})


@login_required
def session_desk(request, session_id):
    _desk_staff_only(request)
    session = get_object_or_404(
        checkin.desk_sessions(request.user).select_related("exam", "centre", "room"),
        pk=session_id,
    )
    return TemplateResponse(
        request,
        "exams/desk/session_desk.html",
        {
            "session": session,
            "counts": checkin.desk_counts(session),
            "check_in_opens_at": checkin.check_in_opens_at(session),
        },
    )


@require_GET
@never_cache
@login_required
def registered_photo(request, booking_id):
    _desk_staff_only(request)
    booking = get_object_or_404(
        checkin.bookings_for_desk(request.user).select_related("candidate"), pk=booking_id
    )
    photo = booking.candidate.photo
    if not photo:
        raise Http404
    content_type = mimetypes.guess_type(photo.name)[0] or "image/jpeg"
    return FileResponse(photo.open("rb"), content_type=content_type)


# ---------------------------------------------------------------------------
# The room: the session's attempts and the proctor's controls
# ---------------------------------------------------------------------------


def _reason_field(*, required):
    return forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=required,
        error_messages={"required": gettext_lazy("Give a reason: it is kept on the timeline.")},
    )


class ControlForm(forms.Form):
    reason = _reason_field(required=False)


class ExtraTimeForm(forms.Form):
    out_of_range = lazy(
        lambda: (
            _("Extra time is between 1 and %(max)s minutes.") % {"max": delivery.EXTRA_MINUTES_MAX}
        ),
        str,
    )()
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"),
        min_value=1,
        max_value=delivery.EXTRA_MINUTES_MAX,
        error_messages={
            "required": out_of_range,
            "invalid": out_of_range,
            "min_value": out_of_range,
            "max_value": out_of_range,
        },
    )
    reason = _reason_field(required=True)


class TerminateForm(forms.Form):
    reason = _reason_field(required=True)
    # Terminating cannot be undone: the first press asks, the second does it.
    confirmed = forms.BooleanField(required=False)


ACTIONS = {
    "pause": (ControlForm, delivery.pause),
    "resume": (ControlForm, delivery.resume),
    "extra-time": (ExtraTimeForm, delivery.add_time),
    "terminate": (TerminateForm, delivery.terminate),
}


def _done(action, attempt, data):
    name = attempt.candidate
    if action == "pause":
        return _("%(name)s's clock is paused.") % {"name": name}
    if action == "resume":
        return _("%(name)s's clock runs again.") % {"name": name}
    if action == "extra-time":
        return _("%(name)s has %(minutes)s more minutes.") % {
            "name": name,
            "minutes": data["minutes"],
        }
    return _("%(name)s's attempt is terminated.") % {"name": name}


def _room_attempts(user, session):
    """The session's attempts by seat, with their answers counted and their timelines."""
    return (
        checkin.attempts_for_desk(user)
        .filter(booking__session=session)
        .select_related("candidate", "booking")
        .annotate(
            answered=Count("questions", filter=~Q(questions__selected=[])),
            question_count=Count("questions"),
        )
        .prefetch_related(Prefetch("events", queryset=AttemptEvent.objects.select_related("by")))
        .order_by("booking__seat", "pk")
    )


def _clock(seconds):
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _room_url(session_id, page, attempt_id=None):
    url = reverse("exams:desk-attempts", args=[session_id])
    if page > 1:
        url += f"?page={page}"
    if attempt_id is not None:
        url += f"#attempt-{attempt_id}"
    return url


@login_required
def session_attempts(request, session_id):
    _desk_staff_only(request)
    session = get_object_or_404(
        checkin.desk_sessions(request.user).select_related("exam", "centre", "room"),
        pk=session_id,
    )
    page = Paginator(_room_attempts(request.user, session), ATTEMPTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for attempt in page:
        seconds = attempt.remaining_seconds(now) if attempt.is_open else None
        attempt.time_left = None if seconds is None else _clock(seconds)
    kept = request.session.pop(KEPT_INPUT, None)
    if kept and kept.get("session") != session.pk:
        kept = None
    return TemplateResponse(
        request,
        "exams/desk/session_attempts.html",
        {"session": session, "attempts": page, "kept": kept, "now": now},
    )


def _back_to_room(request, attempt, action, page, refusals=(), *, confirm=False):
    """Back to the room, with the refusals shown and what was typed kept in its form."""
    for refusal in refusals:
        messages.error(request, refusal)
    request.session[KEPT_INPUT] = {
        "session": attempt.booking.session_id,
        "attempt": attempt.pk,
        "action": action,
        "minutes": request.POST.get("minutes", "")[:8],
        "reason": request.POST.get("reason", "")[:200],
        "confirm": confirm,
    }
    return redirect(_room_url(attempt.booking.session_id, page, attempt.pk))


@require_POST
@login_required
def attempt_action(request, attempt_id, action):
    """Pause, resume, extend or terminate one attempt, then back to the room."""
    _desk_staff_only(request)
    if action not in ACTIONS:
        raise Http404
    attempt = get_object_or_404(
        checkin.attempts_for_desk(request.user).select_related("booking", "candidate"),
        pk=attempt_id,
    )
    try:
        page = max(1, int(request.POST.get("page", 1)))
    except ValueError:
        page = 1
    form_class, act = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        refusals = [message for errors in form.errors.values() for message in errors]
        return _back_to_room(request, attempt, action, page, refusals)
    data = form.cleaned_data
    if action == "terminate" and not data.pop("confirmed"):
        return _back_to_room(request, attempt, action, page, confirm=True)
    try:
        act(attempt_id=attempt.pk, by=request.user, **data)
    except DomainError as error:
        return _back_to_room(request, attempt, action, page, [error.message])
    except ValidationError as error:
        return _back_to_room(request, attempt, action, page, error.messages)
    messages.success(request, _done(action, attempt, data))
    return redirect(_room_url(attempt.booking.session_id, page, attempt.pk))

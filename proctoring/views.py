"""
Proctoring pages: the proctor's live board of a session (its data comes from
the board API every few seconds, static/js/proctoring_board.js), the review
queue after the session, the check-in photo for the board, and the
candidate's own snapshots ("what is kept of me").

The board and the queue are for the proctors and admins of the session's
centre and for the bureau (exams.checkin's desk scope); anyone else gets
"not found" for a session or attempt, and 403 for the pages themselves.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.errors import DomainError
from exams import checkin
from exams.choices import AttemptStatus
from exams.models import Attempt
from proctoring import selectors, services
from proctoring.choices import Decision, IrregularityCategory
from proctoring.evidence import render_evidence
from proctoring.models import Incident, Snapshot, SnapshotView


def _staff_only(request):
    if not checkin.is_desk_staff(request.user):
        raise PermissionDenied


@login_required
@require_GET
def board(request, session_id):
    _staff_only(request)
    session = get_object_or_404(
        checkin.desk_sessions(request.user).select_related("exam", "centre", "room"),
        pk=session_id,
    )
    return TemplateResponse(
        request,
        "proctoring/board.html",
        {
            "session": session,
            "poll_seconds": settings.PROCTORING_BOARD_POLL_SECONDS,
            "categories": IrregularityCategory.choices,
        },
    )


@never_cache
@login_required
@require_GET
def check_in_photo(request, booking_id):
    """The photo taken at the desk, for the board's side-by-side comparison."""
    booking = get_object_or_404(checkin.bookings_for_desk(request.user), pk=booking_id)
    if not booking.check_in_photo:
        raise Http404
    return FileResponse(booking.check_in_photo.open("rb"), content_type="image/jpeg")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (Decision.CONFIRMED, Decision.CONFIRMED.label),
            (Decision.DISMISSED, Decision.DISMISSED.label),
        ],
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    void = forms.BooleanField(
        label=gettext_lazy("Void the attempt: the note is the reason the candidate is told"),
        required=False,
    )


@login_required
def review_queue(request):
    """Attempts with flags still to decide, the most serious first."""
    _staff_only(request)
    attempts = (
        selectors.attempts_for_proctor(request.user)
        .annotate(
            open_flags=Count("incidents", filter=Q(incidents__decision=Decision.OPEN)),
            worst=Max("incidents__severity", filter=Q(incidents__decision=Decision.OPEN)),
        )
        .filter(open_flags__gt=0)
        .select_related("candidate", "exam", "booking__session__centre")
        .order_by("-worst", "-open_flags", "pk")[:200]
    )
    sessions = checkin.sessions_for_desk(request.user)[:20]
    return TemplateResponse(
        request, "proctoring/review_queue.html", {"attempts": attempts, "sessions": sessions}
    )


@login_required
def review_attempt(request, attempt_id):
    _staff_only(request)
    attempt = get_object_or_404(
        selectors.attempts_for_proctor(request.user).select_related("candidate", "exam", "booking"),
        pk=attempt_id,
    )
    if request.method == "POST":
        form = DecisionForm(request.POST)
        incident = get_object_or_404(Incident, pk=request.POST.get("incident"), attempt=attempt)
        if form.is_valid():
            try:
                services.decide(incident_id=incident.pk, by=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as refused:
                messages.error(
                    request, getattr(refused, "message", None) or " ".join(refused.messages)
                )
            else:
                messages.success(request, _("Decision recorded."))
            return redirect("proctoring:review-attempt", attempt.pk)
    return TemplateResponse(
        request,
        "proctoring/review_attempt.html",
        {
            "attempt": attempt,
            "incidents": selectors.timeline(attempt),
            "snapshots": attempt.snapshots.order_by("sequence"),
            "form": DecisionForm(),
        },
    )


@never_cache
@login_required
@require_GET
def evidence(request, attempt_id):
    """The attempt's evidence report (PDF), for the centre's staff and the bureau."""
    _staff_only(request)
    attempt = get_object_or_404(
        selectors.attempts_for_proctor(request.user).select_related(
            "candidate", "exam", "booking__session__centre", "booking__session__room"
        ),
        pk=attempt_id,
    )
    pdf = render_evidence(attempt, viewer=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evidence-{attempt.pk}.pdf"'
    return response


@login_required
@require_GET
def my_snapshots(request, attempt_id):
    """What is kept of me: the candidate's own snapshots of one attempt, and until when."""
    attempt = get_object_or_404(Attempt, pk=attempt_id, candidate=request.user)
    voided = attempt.events.filter(to_status=AttemptStatus.VOIDED).last()
    return TemplateResponse(
        request,
        "proctoring/my_snapshots.html",
        {
            "attempt": attempt,
            "voided": voided,
            "snapshots": attempt.snapshots.order_by("sequence"),
            "incidents": selectors.timeline(attempt),
            "retention_days": settings.PROCTORING_RETENTION_DAYS,
        },
    )


@never_cache
@login_required
@require_GET
def my_snapshot_image(request, snapshot_id):
    snapshot = get_object_or_404(Snapshot, pk=snapshot_id, attempt__candidate=request.user)
    SnapshotView.objects.create(
        attempt_id=snapshot.attempt_id,
        snapshot=snapshot,
        snapshot_sequence=snapshot.sequence,
        viewer=request.user,
    )
    return FileResponse(snapshot.image.open("rb"), content_type="image/jpeg")

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
from django.core.paginator import Paginator
from django.db.models import Case, Count, Max, Q, When
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
from proctoring.choices import AppealStatus, Decision, IrregularityCategory
from proctoring.evidence import render_evidence
from proctoring.models import Appeal, Incident, Snapshot, SnapshotView

PER_PAGE = 50


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
    booking = get_object_or_404(
        checkin.bookings_for_desk(request.user).select_related("attempt"), pk=booking_id
    )
    if not booking.check_in_photo:
        raise Http404
    if attempt := getattr(booking, "attempt", None):
        SnapshotView.objects.create(
            attempt=attempt,
            image=SnapshotView.Image.CHECK_IN_PHOTO,
            snapshot_sequence=0,
            viewer=request.user,
        )
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
        .order_by("-worst", "-open_flags", "pk")
    )
    sessions = checkin.sessions_for_desk(request.user)[:20]
    return TemplateResponse(
        request,
        "proctoring/review_queue.html",
        {
            "attempts": Paginator(attempts, PER_PAGE).get_page(request.GET.get("page")),
            "sessions": sessions,
            "appeals_waiting": (
                Appeal.objects.filter(status=AppealStatus.PENDING).count()
                if request.user.is_bureau
                else None
            ),
        },
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


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=gettext_lazy("Why the decision should be changed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What happened, in your words. The bureau reads it with the proctoring record."
        ),
        error_messages={"required": gettext_lazy("Say why the decision should be changed.")},
    )


@login_required
def my_snapshots(request, attempt_id):
    """
    What is kept of me: the candidate's own snapshots of one attempt, and until
    when; for a voided attempt, why, and the appeal (made once, here).
    """
    attempt = get_object_or_404(Attempt, pk=attempt_id, candidate=request.user)
    voided = attempt.events.filter(to_status=AttemptStatus.VOIDED).last()
    appeal = Appeal.objects.filter(attempt=attempt).first()
    form = AppealForm(request.POST or None) if services.appeal_open(attempt) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.lodge_appeal(
                    attempt_id=attempt.pk,
                    candidate=request.user,
                    grounds=form.cleaned_data["grounds"],
                )
            except (DomainError, ValidationError) as refused:
                messages.error(
                    request, getattr(refused, "message", None) or " ".join(refused.messages)
                )
            else:
                messages.success(
                    request, _("Your appeal is sent. The bureau's decision will be shown here.")
                )
            return redirect("proctoring:my-snapshots", attempt.pk)
    return TemplateResponse(
        request,
        "proctoring/my_snapshots.html",
        {
            "attempt": attempt,
            "voided": voided,
            "appeal": appeal,
            "appeal_form": form,
            "appeal_deadline": services.appeal_deadline(attempt),
            "snapshots": attempt.snapshots.order_by("sequence"),
            "incidents": selectors.timeline(attempt),
            "retention_days": settings.PROCTORING_RETENTION_DAYS,
        },
    )


def _bureau_only(request):
    if not request.user.is_bureau:
        raise PermissionDenied


@login_required
@require_GET
def appeals(request):
    """The appeals against voided attempts: those waiting first, oldest first."""
    _bureau_only(request)
    found = Appeal.objects.select_related(
        "attempt__candidate", "attempt__exam", "attempt__booking__session__centre"
    ).order_by(Case(When(status=AppealStatus.PENDING, then=0), default=1), "submitted_at", "pk")
    return TemplateResponse(
        request,
        "proctoring/appeals.html",
        {"appeals": Paginator(found, PER_PAGE).get_page(request.GET.get("page"))},
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("uphold", gettext_lazy("Uphold: the attempt counts again")),
            ("reject", gettext_lazy("Reject: the attempt stays voided")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Reasons for the decision (the candidate reads them)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
def appeal_detail(request, appeal_id):
    _bureau_only(request)
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "attempt__candidate", "attempt__exam", "attempt__booking__session__centre"
        ),
        pk=appeal_id,
    )
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_appeal(
                appeal_id=appeal.pk,
                by=request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                note=form.cleaned_data["note"],
            )
        except (DomainError, ValidationError) as refused:
            messages.error(request, getattr(refused, "message", None) or " ".join(refused.messages))
        else:
            messages.success(request, _("Decision recorded: the candidate sees it on their page."))
        return redirect("proctoring:appeal", appeal.pk)
    attempt = appeal.attempt
    return TemplateResponse(
        request,
        "proctoring/appeal.html",
        {
            "appeal": appeal,
            "attempt": attempt,
            "voided": attempt.events.filter(to_status=AttemptStatus.VOIDED).last(),
            "incidents": selectors.timeline(attempt),
            "form": form,
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

"""
Every write of proctoring: consent, snapshots, incidents, the analysis of a
snapshot, the proctor's messages and irregularities, review decisions, and
retention.

An incident is grouped, not repeated: the same kind on the same attempt within
PROCTORING_GROUP_MINUTES of its last occurrence counts up on the open incident
(and points at the newest snapshot) instead of adding a row, so that a
candidate who looks away for two minutes is one line on the timeline, not
eight.
"""

import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from exams.attempts import move
from exams.choices import AttemptStatus
from exams.models import Attempt, Certificate, CertificateStatus
from proctoring import analysis, selectors
from proctoring.choices import (
    BROWSER_EVENTS,
    SEVERITY,
    AppealStatus,
    Decision,
    IncidentKind,
    IrregularityCategory,
    Severity,
    SnapshotKind,
)
from proctoring.images import reencode_frame
from proctoring.models import Appeal, CandidateMessage, Consent, Incident, Snapshot


class ConsentRequired(DomainError):
    code = "consent_required"
    status = 403
    default_message = gettext_lazy(
        "This exam is proctored by webcam: read the notice and give your consent before it starts."
    )


class PolicyChanged(DomainError):
    code = "policy_changed"
    status = 409
    default_message = gettext_lazy(
        "The proctoring notice has changed since this page was opened: read it again."
    )


class NotProctored(DomainError):
    code = "not_proctored"
    status = 409
    default_message = gettext_lazy("This attempt is not proctored.")


class SnapshotRefused(DomainError):
    code = "snapshot_refused"
    status = 409


def _locked(attempt_id, candidate=None):
    attempts = Attempt.objects.select_for_update(of=("self",)).select_related("booking")
    if candidate is not None:
        attempts = attempts.filter(candidate=candidate)
    return attempts.get(pk=attempt_id)


# ---------------------------------------------------------------------------
# Consent
# ---------------------------------------------------------------------------


@transaction.atomic
def give_consent(*, attempt_id, candidate, policy_version, now=None):
    """
    Record the candidate's consent to the policy they were shown. Raises
    PolicyChanged when that is no longer the one in force. Consenting again
    keeps the first record.
    """
    attempt = _locked(attempt_id, candidate)
    if attempt.practice:
        raise NotProctored()
    policy = selectors.current_policy(now)
    if policy is None:
        raise NotProctored()
    if policy.version != policy_version:
        raise PolicyChanged()
    consent, _created = Consent.objects.get_or_create(
        attempt=attempt,
        defaults={
            "policy": policy,
            "policy_version": policy.version,
            "given_at": now or timezone.now(),
        },
    )
    return consent


class CameraCheckRequired(DomainError):
    code = "camera_check_required"
    status = 403
    default_message = gettext_lazy(
        "Pass the camera check first: the exam starts once the camera sees your face clearly."
    )


def check_ready(attempt):
    """
    Called by exams.delivery before a sitting starts: a proctored sitting
    needs the candidate's consent and a passed camera check (its identity
    photo is what the proctor compares), whatever the page did or skipped.
    """
    if not selectors.is_proctored(attempt):
        return
    if not selectors.has_consented(attempt):
        raise ConsentRequired()
    if not attempt.snapshots.filter(kind=SnapshotKind.CHECK).exists():
        raise CameraCheckRequired()


# ---------------------------------------------------------------------------
# Snapshots and incidents
# ---------------------------------------------------------------------------


@transaction.atomic
def store_snapshot(*, attempt_id, candidate, image, sequence, taken_at, kind, event=""):
    """
    Keep one webcam frame of the candidate's attempt (re-encoded, under a
    random name, in private storage) and queue its analysis. A retried upload
    (same sequence) returns the stored one. `event`, for a frame taken at a
    browser event, records that event as an incident with this frame.
    """
    from proctoring import tasks

    # Decoded and re-encoded before the attempt's row is locked: the exam's
    # answer saves take the same lock and need not wait for the image work.
    clean = reencode_frame(image)
    attempt = _locked(attempt_id, candidate)
    if not selectors.has_consented(attempt):
        raise ConsentRequired()
    stored = Snapshot.objects.filter(attempt=attempt, sequence=sequence).first()
    if stored is not None:
        return stored, False
    allowed = (AttemptStatus.PREPARED, AttemptStatus.STARTED)
    if attempt.status not in allowed:
        raise SnapshotRefused(_("This exam is over: no more snapshots are taken."))
    if attempt.snapshots.count() >= settings.PROCTORING_SNAPSHOTS_PER_ATTEMPT:
        raise SnapshotRefused(_("This exam has all the snapshots it may have."))
    snapshot = Snapshot(attempt=attempt, kind=kind, sequence=sequence, taken_at=taken_at)
    snapshot.image.save(clean.name, clean, save=False)
    snapshot.save()
    if event:
        record_event(
            attempt=attempt, kind=event, at=_on_server_clock(attempt, taken_at), snapshot=snapshot
        )
    tasks.analyse_snapshot.delay_on_commit(snapshot.pk)
    return snapshot, True


def record_event(*, attempt, kind, at=None, snapshot=None):
    """A browser event reported by the exam page, as an incident."""
    if kind not in BROWSER_EVENTS:
        raise ValidationError(_("Unknown event."))
    return record_incident(
        attempt=attempt,
        kind=kind,
        reason=IncidentKind(kind).label,
        at=at,
        snapshot=snapshot,
    )


@transaction.atomic
def report_event(*, attempt_id, candidate, kind, at=None):
    """A browser event without a frame (the camera is lost, or the upload is queued)."""
    attempt = _locked(attempt_id, candidate)
    if not selectors.has_consented(attempt):
        raise ConsentRequired()
    if attempt.status != AttemptStatus.STARTED:
        raise SnapshotRefused(_("This exam is over."))
    return record_event(attempt=attempt, kind=kind, at=_on_server_clock(attempt, at))


def _on_server_clock(attempt, at):
    """
    The page's time for an event, kept between the attempt's start and now by
    the server's clock: a page cannot backdate an incident or scatter it into
    the future to dodge grouping.
    """
    now = timezone.now()
    if at is None:
        return now
    earliest = attempt.started_at or attempt.prepared_at
    return min(max(at, earliest), now)


def record_incident(
    *,
    attempt,
    kind,
    reason,
    confidence=None,
    at=None,
    snapshot=None,
    severity=None,
    category="",
    by=None,
):
    """
    Add an incident to the attempt's timeline, or count up the open one of the
    same kind seen within PROCTORING_GROUP_MINUTES. The caller holds the
    attempt's lock, so two reports of one kind cannot both add a row.
    """
    at = at or timezone.now()
    severity = severity or SEVERITY[kind]
    window = timezone.timedelta(minutes=settings.PROCTORING_GROUP_MINUTES)
    if kind != IncidentKind.IRREGULARITY:
        recent = (
            Incident.objects.filter(
                attempt=attempt, kind=kind, decision=Decision.OPEN, last_at__gte=at - window
            )
            .order_by("-last_at")
            .first()
        )
        if recent is not None:
            recent.count = F("count") + 1
            recent.last_at = max(recent.last_at, at)
            recent.severity = max(recent.severity, severity)
            if confidence is not None:
                recent.confidence = max(recent.confidence or 0, confidence)
            recent.snapshot = snapshot or recent.snapshot
            recent.save(update_fields=["count", "last_at", "severity", "confidence", "snapshot"])
            recent.refresh_from_db()
            return recent
    return Incident.objects.create(
        attempt=attempt,
        kind=kind,
        category=category,
        severity=severity,
        reason=reason[:255],
        confidence=confidence,
        first_at=at,
        last_at=at,
        snapshot=snapshot,
        recorded_by=by,
    )


# The camera check says what is wrong in words a candidate can act on.
CHECK_ADVICE = {
    IncidentKind.NO_FACE: gettext_lazy("We cannot see your face: sit facing the camera."),
    IncidentKind.SEVERAL_FACES: gettext_lazy(
        "We see more than one person: only you may be in view."
    ),
    IncidentKind.DARK: gettext_lazy(
        "The picture is too dark: turn on a light or uncover the camera."
    ),
    IncidentKind.BLURRED: gettext_lazy("The picture is blurred: wipe the lens and keep still."),
    IncidentKind.FACE_SMALL: gettext_lazy("You are too far away: come closer to the camera."),
    IncidentKind.FACE_CUT_OFF: gettext_lazy("Your face is at the edge: move to the middle."),
    IncidentKind.NOT_SAME_PERSON: gettext_lazy(
        "Your face does not match your check-in photo well: face the camera in good light."
    ),
}


@transaction.atomic
def camera_check(*, attempt_id, candidate, image, now=None):
    """
    Analyse one frame at once (not in the worker: the candidate is waiting)
    and say what is wrong. A frame that passes is kept as the candidate's
    identity photo for the proctor (a snapshot of kind "check").
    Returns (problems, snapshot or None).
    """
    attempt = _locked(attempt_id, candidate)
    if not selectors.has_consented(attempt):
        raise ConsentRequired()
    if attempt.status not in (AttemptStatus.PREPARED, AttemptStatus.STARTED):
        raise SnapshotRefused(_("This exam is over: no more snapshots are taken."))
    clean = reencode_frame(image)
    measured = analysis.measure(analysis.decode(clean.read()), model=_model_for(attempt))
    problems = [str(CHECK_ADVICE[flag.kind]) for flag in measured.flags]
    if problems:
        return problems, None
    if attempt.snapshots.count() >= settings.PROCTORING_SNAPSHOTS_PER_ATTEMPT:
        raise SnapshotRefused(_("This exam has all the snapshots it may have."))
    sequence = (
        attempt.snapshots.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    now = now or timezone.now()
    snapshot = Snapshot(
        attempt=attempt,
        kind=SnapshotKind.CHECK,
        sequence=max(sequence, CHECK_SEQUENCES),
        taken_at=now,
        analysed_at=now,
        face_count=measured.face_count,
        brightness=measured.brightness,
        sharpness=measured.sharpness,
        identity_distance=measured.identity_distance,
        measurements=measured.as_json(),
    )
    clean.seek(0)
    snapshot.image.save(clean.name, clean, save=False)
    snapshot.save()
    return [], snapshot


# The page numbers its own snapshots from 1; camera checks take numbers far
# above, so that the two never collide.
CHECK_SEQUENCES = 90_000


# ---------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------


def _read(field):
    if not field:
        return None
    try:
        with field.open("rb") as file:
            return analysis.decode(file.read())
    except (FileNotFoundError, OSError):
        return None


def requeue_unanalysed(*, older_than, now=None, batch=500):
    """
    Queue again the analysis of snapshots stored more than `older_than` ago
    (a timedelta) and still not analysed: their task was lost, queued while
    the broker was down. Only the last day's: an older frame whose file is
    gone would be queued for ever. Returns how many were queued.
    """
    from proctoring import tasks

    now = now or timezone.now()
    lost = (
        Snapshot.objects.filter(
            analysed_at__isnull=True,
            received_at__lt=now - older_than,
            received_at__gt=now - timezone.timedelta(days=1),
        )
        .order_by("-received_at")
        .values_list("pk", flat=True)[:batch]
    )
    queued = 0
    for snapshot_id in lost:
        tasks.analyse_snapshot.delay_on_commit(snapshot_id)
        queued += 1
    return queued


# Enough for the largest room (500 seats) and some: a room's snapshots arrive
# in a near-cyclic order, so a cache smaller than the room rebuilds a model for
# almost every frame, as costly as the analysis itself (bench/snapshot_latency.py).
# A model is two face histograms, some 130 KB: 600 of them are ~80 MB a worker.
@functools.lru_cache(maxsize=600)
def _identity_model(booking_id, check_in_name, photo_name):
    """A candidate's LBPH model from their check-in and registered photos (cached per worker)."""
    from exams.models import Booking

    booking = Booking.objects.select_related("candidate").get(pk=booking_id)
    frames = [_read(booking.check_in_photo), _read(booking.candidate.photo)]
    return analysis.identity_model(analysis.reference_faces(frames))


def _model_for(attempt):
    booking = attempt.booking
    if booking is None:
        return None
    return _identity_model(booking.pk, booking.check_in_photo.name, booking.candidate.photo.name)


def analyse_snapshot(snapshot_id):
    """
    Measure one snapshot and flag what is wrong. Runs once: a second run (a
    redelivered task) finds it analysed and does nothing.
    """
    snapshot = (
        Snapshot.objects.select_related("attempt__booking__candidate")
        .filter(pk=snapshot_id)
        .first()
    )
    if snapshot is None or snapshot.analysed_at is not None:
        return None
    frame = _read(snapshot.image)
    if frame is None:
        # The file is gone or does not decode: nothing to measure, ever. Marked
        # as looked at (and why), so that the catch-up sweep does not queue it
        # again every few minutes.
        Snapshot.objects.filter(pk=snapshot.pk, analysed_at__isnull=True).update(
            analysed_at=timezone.now(), measurements={"unreadable": True}
        )
        return None
    measured = analysis.measure(frame, model=_model_for(snapshot.attempt))
    with transaction.atomic():
        attempt = _locked(snapshot.attempt_id)
        claimed = Snapshot.objects.filter(pk=snapshot.pk, analysed_at__isnull=True).update(
            analysed_at=timezone.now(),
            face_count=measured.face_count,
            brightness=measured.brightness,
            sharpness=measured.sharpness,
            identity_distance=measured.identity_distance,
            measurements=measured.as_json(),
        )
        if not claimed:
            return None
        for flag in measured.flags:
            record_incident(
                attempt=attempt,
                kind=flag.kind,
                reason=flag.reason,
                confidence=round(flag.confidence, 2),
                at=snapshot.taken_at,
                snapshot=snapshot,
            )
    return measured


# ---------------------------------------------------------------------------
# The proctor
# ---------------------------------------------------------------------------


@transaction.atomic
def send_message(*, attempt_id, by, text):
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a message."))
    attempt = _locked(attempt_id)
    if attempt.status not in (AttemptStatus.PREPARED, AttemptStatus.STARTED):
        raise SnapshotRefused(_("This attempt is not in progress."))
    return CandidateMessage.objects.create(attempt=attempt, text=text[:500], sent_by=by)


@transaction.atomic
def record_irregularity(*, attempt_id, by, category, note, severity=Severity.MAJOR):
    if category not in IrregularityCategory.values:
        raise ValidationError(_("Choose a category."))
    if not note.strip():
        raise ValidationError(_("Describe the irregularity."))
    attempt = _locked(attempt_id)
    return record_incident(
        attempt=attempt,
        kind=IncidentKind.IRREGULARITY,
        category=category,
        reason=note.strip(),
        severity=Severity(severity),
        by=by,
    )


@transaction.atomic
def decide(*, incident_id, by, decision, note, void=False, now=None):
    """
    Confirm or dismiss a flag with a note. A confirmed serious flag may void
    the attempt; the note is the reason the candidate is told.
    """
    if decision not in (Decision.CONFIRMED, Decision.DISMISSED):
        raise ValidationError(_("Confirm or dismiss."))
    if not note.strip():
        raise ValidationError(_("Write a note for the record."))
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if incident.decision != Decision.OPEN:
        raise ValidationError(_("This flag has been decided already."))
    attempt = _locked(incident.attempt_id)
    incident.decision = decision
    incident.decided_by = by
    incident.decided_at = now or timezone.now()
    incident.note = note.strip()
    incident.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    if void:
        if decision != Decision.CONFIRMED or incident.severity < Severity.SERIOUS:
            raise ValidationError(_("Only a confirmed serious irregularity voids an attempt."))
        move(attempt, AttemptStatus.VOIDED, by=by, reason=incident.note)
        attempt.save(update_fields=["status"])
        # A certificate issued before the flag was decided goes with the attempt.
        from exams.certificates import revoke_for_voided_attempt

        revoke_for_voided_attempt(attempt, by=by, reason=incident.note)
    elif not selectors.under_review(attempt):
        # The last serious flag is decided: a pass held back for it gets its
        # certificate now (queue_issue does nothing for anything else).
        from exams.certificates import queue_issue

        queue_issue(attempt)
    return incident


# ---------------------------------------------------------------------------
# Appeals against a voided attempt
# ---------------------------------------------------------------------------


class AppealRefused(DomainError):
    code = "appeal_refused"
    status = 409


def appeal_deadline(attempt):
    """The last moment to appeal: PROCTORING_APPEAL_DAYS after the attempt was voided."""
    voided = (
        attempt.events.filter(to_status=AttemptStatus.VOIDED).order_by("-at").values("at").first()
    )
    if voided is None:
        return None
    return voided["at"] + timezone.timedelta(days=settings.PROCTORING_APPEAL_DAYS)


def appeal_open(attempt, now=None):
    """Whether the candidate may still appeal `attempt`: voided, not appealed, in time."""
    deadline = appeal_deadline(attempt)
    return (
        attempt.status == AttemptStatus.VOIDED
        and deadline is not None
        and (now or timezone.now()) <= deadline
        and not Appeal.objects.filter(attempt=attempt).exists()
    )


@transaction.atomic
def lodge_appeal(*, attempt_id, candidate, grounds, now=None):
    """
    The candidate appeals the voiding of their attempt, once, within the
    appeal period. Raises Attempt.DoesNotExist for someone else's attempt.
    """
    attempt = _locked(attempt_id, candidate)
    grounds = (grounds or "").strip()
    if not grounds:
        raise ValidationError(_("Say why the decision should be changed."))
    if attempt.status != AttemptStatus.VOIDED:
        raise AppealRefused(_("Only a voided attempt can be appealed."))
    if Appeal.objects.filter(attempt=attempt).exists():
        raise AppealRefused(_("This attempt has been appealed already: an appeal is made once."))
    deadline = appeal_deadline(attempt)
    if deadline is not None and (now or timezone.now()) > deadline:
        raise AppealRefused(_("The time to appeal this decision is over."))
    return Appeal.objects.create(
        attempt=attempt, grounds=grounds[:2000], submitted_at=now or timezone.now()
    )


@transaction.atomic
def decide_appeal(*, appeal_id, by, uphold, note, now=None):
    """
    The bureau decides an appeal, with its reasons (the candidate reads them).
    Upheld: the attempt counts again, graded as it stood (or graded now, if it
    was voided before its grade), and its certificate is reinstated or issued.
    """
    if not by.is_bureau:
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Give the reasons for the decision: the candidate reads them."))
    appeal = Appeal.objects.select_for_update().get(pk=appeal_id)
    if appeal.status != AppealStatus.PENDING:
        raise AppealRefused(_("This appeal has been decided already."))
    attempt = _locked(appeal.attempt_id)
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = by, now or timezone.now(), note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if uphold:
        _restore(attempt, by=by, reason=note)
    return appeal


def _restore(attempt, *, by, reason):
    from exams import certificates, grading

    if attempt.graded_at is None:
        # Voided before it was graded (terminated, then voided): grade it now.
        grading.grade(attempt, by=by, reason=reason)
        return
    move(attempt, AttemptStatus.GRADED, by=by, reason=reason)
    attempt.save(update_fields=["status"])
    certificate = Certificate.objects.filter(attempt=attempt).first()
    if certificate is None:
        certificates.queue_issue(attempt)
    elif certificate.status == CertificateStatus.REVOKED:
        certificates.reinstate(certificate=certificate, by=by, reason=reason)


# ---------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------

FINAL = (AttemptStatus.GRADED, AttemptStatus.VOIDED, AttemptStatus.TERMINATED)


def purge_old_snapshots(now=None, batch=500):
    """
    Delete the snapshots (files, then rows) of attempts whose result has been
    final for PROCTORING_RETENTION_DAYS (from grading, or from the hand-in for
    an attempt terminated or voided without a grade). Incidents, decisions,
    consents and the access log stay; an attempt still under review keeps its
    evidence. Returns how many it deleted.
    """
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.PROCTORING_RETENTION_DAYS)
    old = (
        Snapshot.objects.annotate(final_at=Coalesce("attempt__graded_at", "attempt__submitted_at"))
        .filter(attempt__status__in=FINAL, final_at__lt=cutoff)
        # An appeal waiting for its decision keeps the evidence it is about.
        .exclude(attempt__appeal__status=AppealStatus.PENDING)
        .select_related("attempt")[:batch]
    )
    deleted = 0
    for snapshot in old:
        if selectors.under_review(snapshot.attempt):
            continue
        snapshot.image.delete(save=False)
        snapshot.delete()
        deleted += 1
    return deleted

"""Reads: the policy in force, proctored and consented attempts, and what is under review."""

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from exams import checkin
from exams.choices import AttemptStatus
from proctoring.choices import Decision, Severity
from proctoring.models import Consent, ConsentPolicy, Incident, Snapshot


def current_policy(now=None):
    """The consent policy in force now, or None (then sittings are not proctored)."""
    now = now or timezone.now()
    return ConsentPolicy.objects.filter(in_force_from__lte=now).first()


def is_proctored(attempt):
    """A sitting at a centre is proctored while a consent policy is in force; practice never."""
    if attempt.practice or attempt.booking_id is None:
        return False
    return has_consented(attempt) or current_policy() is not None


def has_consented(attempt):
    return Consent.objects.filter(attempt=attempt).exists()


def under_review(attempt):
    """
    Whether the attempt has a serious flag that no reviewer has decided yet.
    A certificate for it is held back until this is False (a dismissal
    releases it; a confirmation voids the attempt or keeps it with a note).
    """
    return Incident.objects.filter(
        attempt=attempt, severity__gte=Severity.SERIOUS, decision=Decision.OPEN
    ).exists()


def attempts_for_proctor(user):
    """The attempts whose snapshots and incidents the person may see: those of their centres."""
    return checkin.attempts_for_desk(user)


def timeline(attempt):
    return (
        Incident.objects.filter(attempt=attempt)
        .select_related("snapshot", "recorded_by", "decided_by")
        .order_by("first_at", "pk")
    )


def next_sequence(attempt):
    """The number for the exam page's next snapshot: after the page's own, below the checks'."""
    from proctoring.services import CHECK_SEQUENCES

    last = (
        attempt.snapshots.filter(sequence__lt=CHECK_SEQUENCES)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return (last or 0) + 1


def board(session, now=None):
    """
    Every seat of the session: who, how the attempt stands, the last frame and
    the open flags; a fixed number of queries however many seats.
    """
    now = now or timezone.now()
    # The newest by the server's clock: the camera check's photo is numbered
    # above the page's snapshots and would otherwise stay "last" all exam long.
    last_snapshot = Snapshot.objects.filter(attempt=OuterRef("attempt")).order_by(
        "-received_at", "-pk"
    )
    bookings = (
        session.bookings.exclude(status="cancelled")
        .select_related("candidate", "attempt", "attempt__consent")
        .annotate(
            last_snapshot=Subquery(last_snapshot.values("pk")[:1]),
            last_snapshot_at=Subquery(last_snapshot.values("taken_at")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "attempt__incidents",
                queryset=Incident.objects.filter(decision=Decision.OPEN).order_by(
                    "-severity", "-last_at"
                ),
                to_attr="open_flags",
            )
        )
        .order_by("seat")
    )
    seats = []
    for booking in bookings:
        attempt = getattr(booking, "attempt", None)
        flags = attempt.open_flags if attempt else []
        seats.append(
            {
                "attempt": attempt.pk if attempt else None,
                "booking": booking.pk,
                "seat": booking.seat_label,
                "name": str(booking.candidate),
                "booking_status": booking.get_status_display(),
                "status": attempt.status if attempt else None,
                "status_display": attempt.get_status_display() if attempt else None,
                "paused": bool(attempt and attempt.is_paused),
                "remaining_seconds": attempt.remaining_seconds(now)
                if attempt and attempt.status == AttemptStatus.STARTED
                else None,
                "consented": bool(attempt and hasattr(attempt, "consent")),
                "last_snapshot": booking.last_snapshot,
                "last_snapshot_at": booking.last_snapshot_at,
                "flags": flags,
                "worst": max((flag.severity for flag in flags), default=0),
            }
        )
    return {"now": now, "seats": seats}

"""Reads: the policy in force, proctored and consented attempts, and what is under review."""

from django.utils import timezone

from exams import checkin
from proctoring.choices import Decision, Severity
from proctoring.models import Consent, ConsentPolicy, Incident


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

"""
Preparing attempts before a session starts, and the attempt's state machine.

Drawing a paper reads the bank and shuffles; for a room of 300 that is best
done once, ahead of time, not when 300 candidates press "Start" in the same
second. `prepare_attempts` draws every missing paper of a session in one go
(`services.draw_papers` reads the bank once) and writes them in two bulk
inserts. It is safe to run again: bookings that have an attempt are skipped,
and the one-attempt-per-booking constraint holds if two runs overlap.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from exams import services
from exams.choices import ATTEMPT_TRANSITIONS, AttemptStatus, BookingStatus
from exams.models import Attempt, AttemptEvent, AttemptQuestion, ExamSession


class NoPaper(DomainError):
    code = "no_paper"
    status = 409
    default_message = gettext_lazy(
        "The exam has no paper yet: choose one before preparing attempts."
    )


def prepare_attempts(*, session_id, retries=3):
    """Draw a paper for every booked or checked-in candidate without one; return how many."""
    session = ExamSession.objects.select_related("exam__paper").get(pk=session_id)
    exam = session.exam
    paper = session.exam.paper
    if paper is None:
        raise NoPaper()
    waiting = list(
        session.bookings.filter(
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN], attempt__isnull=True
        ).order_by("seat")
    )
    if not waiting:
        return 0
    draws = services.draw_papers(paper=paper, count=len(waiting))
    try:
        with transaction.atomic():
            attempts = Attempt.objects.bulk_create(
                [
                    Attempt(
                        booking=booking, candidate_id=booking.candidate_id, exam=exam, paper=paper
                    )
                    for booking in waiting
                ]
            )
            AttemptQuestion.objects.bulk_create(
                [
                    AttemptQuestion(
                        attempt=attempt,
                        position=position,
                        question=drawn.question,
                        points=drawn.points,
                        option_order=list(drawn.option_order),
                    )
                    for attempt, draw in zip(attempts, draws, strict=True)
                    for position, drawn in enumerate(draw, start=1)
                ]
            )
    except IntegrityError:
        # Another run prepared some of them meanwhile: prepare what is still missing.
        if not retries:
            raise
        return prepare_attempts(session_id=session_id, retries=retries - 1)
    return len(attempts)


# ---------------------------------------------------------------------------
# The attempt's life: one table of legal moves, every move recorded
# ---------------------------------------------------------------------------


class IllegalAttemptTransition(DomainError):
    code = "illegal_attempt_transition"
    status = 409

    def __init__(self, attempt, to):
        super().__init__(
            _("An attempt that is “%(now)s” cannot become “%(to)s”.")
            % {"now": attempt.get_status_display(), "to": AttemptStatus(to).label}
        )


class AttemptNotReady(DomainError):
    code = "attempt_not_ready"
    status = 409


def move(attempt, to, *, by=None, reason=""):
    """Change the status of a locked attempt by the table, and record it."""
    if to not in ATTEMPT_TRANSITIONS[AttemptStatus(attempt.status)]:
        raise IllegalAttemptTransition(attempt, to)
    AttemptEvent.objects.create(
        attempt=attempt, from_status=attempt.status, to_status=to, by=by, reason=reason[:255]
    )
    attempt.status = to


@transaction.atomic
def transition(*, attempt_id, to, by=None, reason=""):
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
    move(attempt, to, by=by, reason=reason)
    attempt.save(update_fields=["status"])
    return attempt

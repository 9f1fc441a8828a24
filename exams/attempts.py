"""
Preparing attempts before a session starts.

Drawing a paper reads the bank and shuffles; for a room of 300 that is best
done once, ahead of time, not when 300 candidates press "Start" in the same
second. `prepare_attempts` draws every missing paper of a session in one go
(`services.draw_papers` reads the bank once) and writes them in two bulk
inserts. It is safe to run again: bookings that have an attempt are skipped,
and the one-attempt-per-booking constraint holds if two runs overlap.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from exams import services
from exams.choices import BookingStatus
from exams.models import Attempt, AttemptQuestion, ExamSession


class NoPaper(DomainError):
    code = "no_paper"
    status = 409
    default_message = _("The exam has no paper yet: choose one before preparing attempts.")


def prepare_attempts(*, session_id, retries=3):
    """Draw a paper for every booked or checked-in candidate without one; return how many."""
    session = ExamSession.objects.select_related("exam__paper").get(pk=session_id)
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
                [Attempt(booking=booking, paper=paper) for booking in waiting]
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

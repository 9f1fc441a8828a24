"""
Graded attempts for the certificate tests, made straight in the database:
how an attempt comes to be graded is tested with exam delivery.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from exams.choices import AttemptStatus, BookingSource, BookingStatus, PaperKind
from exams.models import Attempt, Booking, Exam, ExamSession, Paper, Room, TestCentre

_numbers = itertools.count(1)


def an_exam(title="有限空间作业安全考试"):
    paper = Paper.objects.create(name=f"{title}试卷", kind=PaperKind.FIXED)
    return Exam.objects.create(title=title, target_role="safety_manager", paper=paper)


def graded_attempt(candidate, exam, *, score="92.0", passed=True, practice=False, graded_at=None):
    """A graded attempt of `candidate` at `exam`, a sitting unless `practice`."""
    number = next(_numbers)
    graded_at = graded_at or timezone.now()
    booking = None
    if not practice:
        centre, _created = TestCentre.objects.get_or_create(
            code="ZS01", defaults={"name": "西湖区证书考点", "address": "文三路 9 号"}
        )
        room, _created = Room.objects.get_or_create(
            centre=centre, name="证书考场", defaults={"seat_count": 80, "seats_per_row": 8}
        )
        starts_at = graded_at - datetime.timedelta(hours=2)
        session = ExamSession.objects.create(
            exam=exam,
            centre=centre,
            room=room,
            starts_at=starts_at,
            capacity=80,
            booking_opens_at=starts_at - datetime.timedelta(days=14),
            booking_closes_at=starts_at - datetime.timedelta(days=1),
        )
        booking = Booking.objects.create(
            session=session,
            candidate=candidate,
            seat=1,
            ticket_number=f"ZS{number:08d}",
            status=BookingStatus.CHECKED_IN,
            source=BookingSource.CANDIDATE,
        )
    return Attempt.objects.create(
        booking=booking,
        candidate=candidate,
        exam=exam,
        paper=exam.paper,
        practice=practice,
        status=AttemptStatus.GRADED,
        submitted_at=graded_at,
        graded_at=graded_at,
        score=Decimal(score),
        max_score=Decimal("100"),
        passed=passed,
    )

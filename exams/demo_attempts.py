"""
Demo attempts for seed_demo, taken through the same services as a real exam
(with the clock set back): 李秀英 (candidate2) sat the confined-space exam at
西湖 a month ago and passed; 王建国 (candidate) tried a practice round
(模拟考试) yesterday and fell short. "My results" shows both, and 王建国 can
start another practice round at /exams/practice/.

Safe to run again: a candidate who has their demo attempt keeps it.
"""

import datetime
import random
import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from exams import attempts, bookings, certificates, delivery, tasks
from exams.choices import BookingAction, BookingStatus, SessionStatus
from exams.models import Attempt, Exam, ExamSession
from exams.selectors import shown


def past_sitting(*, exam, room, candidate, proctor, starts_at):
    """
    A closed session at `room` in which `candidate` sat `exam` and passed,
    and the certificate of that pass.
    """
    if not Attempt.objects.filter(candidate=candidate, exam=exam, practice=False).exists():
        try:
            with transaction.atomic():
                _sit(exam, room, candidate, proctor, starts_at)
        except bookings.BookingRefused:
            return  # e.g. an earlier demo booked them for today: leave them be
    passed = Attempt.objects.filter(candidate=candidate, exam=exam, practice=False, passed=True)
    for attempt in passed:
        demo_certificate(attempt)


def demo_certificate(attempt):
    """
    Issue the pass's certificate now, so that it is there at once (also in a
    database seeded before certificates existed); its PDF is rendered by the
    worker, like any other.
    """
    certificate = certificates.issue(attempt_id=attempt.pk)
    if certificate is not None and not certificate.pdf:
        tasks.issue_certificate.delay_on_commit(attempt.pk)


def _sit(exam, room, candidate, proctor, starts_at):
    session = ExamSession.objects.create(
        exam=exam,
        centre=room.centre,
        room=room,
        starts_at=starts_at,
        capacity=room.seat_count,
        booking_opens_at=starts_at - datetime.timedelta(days=14),
        booking_closes_at=starts_at - datetime.timedelta(days=1),
        proctor=proctor,
    )
    booking = bookings.book(
        session=session,
        candidate=candidate,
        now=session.booking_opens_at + datetime.timedelta(days=1),
    )
    bookings.session_transition(session=session, to=SessionStatus.CHECK_IN, by=proctor)
    # Checked in at the desk that morning (the desk itself only checks in today's candidates).
    booking.status, booking.checked_in_at = BookingStatus.CHECKED_IN, starts_at
    booking.save(update_fields=["status", "checked_in_at"])
    bookings._record(booking, BookingAction.CHECKED_IN, proctor)
    attempts.prepare_attempts(session_id=session.pk)
    _take(booking.attempt, candidate, starts_at, right_share=0.93)
    bookings.session_transition(session=session, to=SessionStatus.RUNNING, by=proctor)
    bookings.session_transition(session=session, to=SessionStatus.CLOSED, by=proctor)


@transaction.atomic
def seed_practice():
    """王建国's practice round of yesterday, if he may practise the demo exam."""
    candidate = User.objects.filter(username="candidate").first()
    if candidate is None or Attempt.objects.filter(candidate=candidate, practice=True).exists():
        return
    for exam in Exam.objects.filter(paper__isnull=False).order_by("pk"):
        if not delivery.may_practise(exam=exam, candidate=candidate):
            continue
        began = timezone.now() - datetime.timedelta(days=1)
        attempt = delivery.start_practice(exam=exam, candidate=candidate, now=began)
        _take(attempt, candidate, began, right_share=0.6, started=True)
        return


def _take(attempt, candidate, began, *, right_share, started=False):
    """Answer every question, rightly about `right_share` of the time, and hand in."""
    rng = random.Random(attempt.pk)  # noqa: S311 - demo answers, not a secret
    if not started:
        attempt = delivery.start(attempt_id=attempt.pk, candidate=candidate, now=began)
    items = list(attempt.questions.select_related("question"))
    missed = set(rng.sample(range(len(items)), round(len(items) * (1 - right_share))))
    for sequence, item in enumerate(items, start=1):
        key = shown(item, item.question.answer)
        choices = 2 if item.question.type == "true_false" else len(item.question.options)
        wrong = [[n] for n in range(choices) if [n] != key]
        answer = rng.choice(wrong) if sequence - 1 in missed and wrong else key
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=candidate,
            page=attempt.page,
            client_id=uuid.uuid4(),
            sequence=sequence,
            position=item.position,
            selected=answer,
            now=began + datetime.timedelta(seconds=40 * sequence),
        )
    delivery.submit(
        attempt_id=attempt.pk,
        candidate=candidate,
        now=began + datetime.timedelta(seconds=40 * len(items) + 60),
    )

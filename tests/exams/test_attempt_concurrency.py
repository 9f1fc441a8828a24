"""
Races on a live attempt, on PostgreSQL for real: every call runs in its own
thread with its own connection, released together by a barrier.

- two saves of one question at the same moment: the higher sequence wins;
- a save racing the submit: either it is graded or it is refused, never
  stored but left out of the grade;
- one save retried many times at once: one record, applied once;
- twenty saves arriving in a shuffled order: the last one written stays;
- two "Start" presses at once: started once, one deadline.
"""

import random
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from exams import attempts, bookings, delivery
from exams.choices import AttemptAction, AttemptStatus, BookingStatus, PaperKind, SessionStatus
from exams.models import (
    AnswerSave,
    Attempt,
    AttemptEvent,
    AttemptQuestion,
    Booking,
    ExamSession,
    Paper,
    PaperQuestion,
)
from exams.services import score_answer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SINGLE, MULTIPLE = 1, 2


def run_together(*calls):
    """Run each call in its own thread, all released at once; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(index, call):
        translation.activate("en")  # each thread has its own language
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at every error
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def paper(make_question):
    paper = Paper.objects.create(
        name="有限空间作业考试卷",
        kind=PaperKind.FIXED,
        pass_mark=Decimal("60"),
        shuffle_questions=False,
        shuffle_options=False,
    )
    single = make_question(type="single", answer=[1])
    # Six options: enough different answers for twenty saves to tell apart.
    multiple = make_question(
        type="multiple",
        options=["通风", "检测", "监护", "个体防护", "应急救援", "审批"],
        answer=[0, 1, 2],
    )
    for order, (question, points) in enumerate(((single, 50), (multiple, 50))):
        PaperQuestion.objects.create(
            paper=paper, question=question, points=Decimal(points), sort_order=order
        )
    return paper


@pytest.fixture
def seat(exam, paper, make_session):
    exam.paper = paper
    exam.save()
    session = make_session(duration_minutes=60)

    def make(candidate):
        ExamSession.objects.filter(pk=session.pk).update(status=SessionStatus.SCHEDULED)
        booking = bookings.book(session=session, candidate=candidate)
        attempts.prepare_attempts(session_id=session.pk)
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CHECKED_IN)
        ExamSession.objects.filter(pk=session.pk).update(status=SessionStatus.CHECK_IN)
        return Attempt.objects.get(booking=booking)

    return make


@pytest.fixture
def running(seat, alice):
    return delivery.start(attempt_id=seat(alice).pk, candidate=alice)


def saver(attempt, position, selected, sequence, client_id=None):
    client_id = client_id or uuid.uuid4()

    def call():
        stored, outcome = delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=attempt.candidate,
            page=attempt.page,
            client_id=client_id,
            sequence=sequence,
            position=position,
            selected=selected,
        )
        return outcome, stored.selected, stored.saved_sequence

    return call


def stored(attempt, position):
    return AttemptQuestion.objects.get(attempt=attempt, position=position)


def answer_for(sequence):
    """A different non-empty subset of the six options for each sequence number 1..63."""
    return [bit for bit in range(6) if sequence >> bit & 1]


def test_two_saves_of_one_question_at_once_the_higher_sequence_wins(running):
    for round_ in range(10):
        low, high = 100 * round_ + 1, 100 * round_ + 2
        calls = [
            saver(running, MULTIPLE, [0, 1], low),
            saver(running, MULTIPLE, [2, 3], high),
        ]
        if round_ % 2:
            calls.reverse()
        results, errors = run_together(*calls)

        assert errors == [None, None]
        item = stored(running, MULTIPLE)
        assert item.saved_sequence == high
        assert item.selected == [2, 3]
        records = {s.sequence: s for s in AnswerSave.objects.filter(sequence__in=[low, high])}
        assert set(records) == {low, high}
        assert records[high].applied is True
        # The lower one was applied only if it came first, and then overwritten.
        low_first = records[low].pk < records[high].pk
        assert records[low].applied is low_first
        outcomes = {r[0] for r in results}
        assert outcomes == ({"saved"} if low_first else {"saved", "stale"})
    assert Attempt.objects.get(pk=running.pk).sequence == 902


def test_a_save_racing_the_submit_is_graded_or_refused_never_lost(seat):
    graded, refused = 0, 0
    for _ in range(8):
        candidate = UserFactory()
        attempt = delivery.start(attempt_id=seat(candidate).pk, candidate=candidate)
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=candidate,
            page=attempt.page,
            client_id=uuid.uuid4(),
            sequence=1,
            position=SINGLE,
            selected=[0],  # wrong
        )
        late = uuid.uuid4()
        results, errors = run_together(
            saver(attempt, SINGLE, [1], 2, client_id=late),  # right
            lambda attempt=attempt, candidate=candidate: delivery.submit(
                attempt_id=attempt.pk, candidate=candidate
            ),
        )

        assert errors[1] is None
        done = Attempt.objects.get(pk=attempt.pk)
        assert done.status == AttemptStatus.GRADED
        item = stored(attempt, SINGLE)
        record = AnswerSave.objects.filter(attempt=attempt, client_id=late).first()
        if errors[0] is None:
            # The save went first: it is in the grade.
            assert results[0][0] == "saved"
            assert record is not None and record.applied is True
            assert (item.selected, item.earned, done.score) == ([1], Decimal("50"), Decimal("50"))
            graded += 1
        else:
            # The submit went first: the save was refused and left no trace.
            assert isinstance(errors[0], delivery.AttemptClosed), errors[0]
            assert record is None
            assert (item.selected, item.earned, done.score) == ([0], Decimal("0"), Decimal("0"))
            refused += 1
        # Whatever the order, every stored answer is the one graded.
        for each in AttemptQuestion.objects.filter(attempt=attempt).select_related("question"):
            assert each.earned == score_answer(
                question=each.question, selected=each.selected, points=each.points
            )
    assert graded + refused == 8


def test_one_save_retried_at_once_is_recorded_and_applied_once(running):
    retry = uuid.uuid4()
    results, errors = run_together(
        *[saver(running, MULTIPLE, [0, 1, 2], 7, client_id=retry) for _ in range(12)]
    )
    assert errors == [None] * 12
    assert sorted(r[0] for r in results) == ["duplicate"] * 11 + ["saved"]
    # Every caller is told what is stored.
    assert {(tuple(r[1]), r[2]) for r in results} == {((0, 1, 2), 7)}
    record = AnswerSave.objects.get(attempt=running)
    assert (record.client_id, record.applied) == (retry, True)
    assert stored(running, MULTIPLE).selected == [0, 1, 2]


def test_saves_arriving_out_of_order_leave_the_newest_answer(running):
    sequences = list(range(1, 21))
    random.Random(7).shuffle(sequences)
    results, errors = run_together(
        *[saver(running, MULTIPLE, answer_for(seq), seq) for seq in sequences]
    )

    assert errors == [None] * 20
    item = stored(running, MULTIPLE)
    assert (item.selected, item.saved_sequence) == (answer_for(20), 20)
    assert Attempt.objects.get(pk=running.pk).sequence == 20
    # In the order they were written, a save was applied exactly when it was newer than
    # every save before it.
    records = list(AnswerSave.objects.filter(attempt=running).order_by("pk"))
    assert sorted(r.sequence for r in records) == list(range(1, 21))
    newest = 0
    for record in records:
        assert record.applied is (record.sequence > newest), record.sequence
        assert record.selected == answer_for(record.sequence)
        newest = max(newest, record.sequence)
    outcomes = dict(zip(sequences, (r[0] for r in results), strict=True))
    assert outcomes[20] == "saved"
    assert set(outcomes.values()) <= {"saved", "stale"}


def test_two_starts_at_once_start_the_attempt_once_with_one_deadline(seat, alice):
    attempt = seat(alice)
    start = lambda: delivery.start(attempt_id=attempt.pk, candidate=alice)  # noqa: E731
    results, errors = run_together(start, start, start)

    assert errors == [None, None, None]
    assert len({r.deadline for r in results}) == 1
    assert len({r.page for r in results}) == 3
    assert len({r.started_at for r in results}) == 1
    started = Attempt.objects.get(pk=attempt.pk)
    assert started.status == AttemptStatus.STARTED
    assert started.deadline == results[0].deadline
    assert started.page in {r.page for r in results}
    events = AttemptEvent.objects.filter(attempt=attempt)
    assert [(e.from_status, e.to_status) for e in events.filter(action=AttemptAction.STATUS)] == [
        (AttemptStatus.PREPARED, AttemptStatus.STARTED)
    ]
    assert events.filter(action=AttemptAction.TAKEOVER).count() == 2

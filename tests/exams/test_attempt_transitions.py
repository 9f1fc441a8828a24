"""
An attempt moves only along ATTEMPT_TRANSITIONS, and every move is recorded.

Every (from, to) pair of statuses is tried: the legal ones succeed and leave
one event (who, from, to, why); the others are refused with a message naming
both states, and leave the attempt and its timeline as they were.
"""

import itertools

import pytest
from django.utils import translation

from exams import attempts, bookings
from exams.choices import ATTEMPT_TRANSITIONS, AttemptAction, AttemptStatus
from exams.models import Attempt, AttemptEvent

pytestmark = pytest.mark.django_db

S = AttemptStatus

# The moves the issue allows, written out by hand: prepared → started →
# submitted, auto-submitted or terminated → graded; a prepared, terminated or
# graded attempt may be voided; an appeal upheld grades a voided one again.
LEGAL = {
    (S.PREPARED, S.STARTED),
    (S.PREPARED, S.VOIDED),
    (S.STARTED, S.SUBMITTED),
    (S.STARTED, S.AUTO_SUBMITTED),
    (S.STARTED, S.TERMINATED),
    (S.SUBMITTED, S.GRADED),
    (S.AUTO_SUBMITTED, S.GRADED),
    (S.TERMINATED, S.GRADED),
    (S.TERMINATED, S.VOIDED),
    (S.GRADED, S.VOIDED),
    (S.VOIDED, S.GRADED),
}

PAIRS = list(itertools.product(AttemptStatus, AttemptStatus))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def attempt(exam, session, alice):
    booking = bookings.book(session=session, candidate=alice)
    return Attempt.objects.create(booking=booking, candidate=alice, exam=exam, paper=exam.paper)


def test_the_table_is_the_one_the_issue_describes():
    table = {(now, to) for now, targets in ATTEMPT_TRANSITIONS.items() for to in targets}
    assert table == LEGAL
    assert set(ATTEMPT_TRANSITIONS) == set(AttemptStatus)


@pytest.mark.parametrize(
    ("now", "to"),
    [pair for pair in PAIRS if pair in LEGAL],
    ids=[f"{a.value}->{b.value}" for a, b in PAIRS if (a, b) in LEGAL],
)
def test_a_legal_move_changes_the_status_and_records_who_from_to_and_why(attempt, proctor, now, to):
    Attempt.objects.filter(pk=attempt.pk).update(status=now)

    moved = attempts.transition(
        attempt_id=attempt.pk, to=to, by=proctor, reason="考生身体不适，监考员确认"
    )

    assert moved.status == to
    attempt.refresh_from_db()
    assert attempt.status == to
    event = AttemptEvent.objects.get(attempt=attempt)
    assert (event.action, event.from_status, event.to_status) == (AttemptAction.STATUS, now, to)
    assert event.by == proctor
    assert event.reason == "考生身体不适，监考员确认"


@pytest.mark.parametrize(
    ("now", "to"),
    [pair for pair in PAIRS if pair not in LEGAL],
    ids=[f"{a.value}->{b.value}" for a, b in PAIRS if (a, b) not in LEGAL],
)
def test_an_illegal_move_is_refused_naming_both_states_and_records_nothing(
    attempt, proctor, now, to
):
    Attempt.objects.filter(pk=attempt.pk).update(status=now)

    with pytest.raises(attempts.IllegalAttemptTransition) as refused:
        attempts.transition(attempt_id=attempt.pk, to=to, by=proctor, reason="试一试")

    message = str(refused.value)
    assert f"“{AttemptStatus(now).label}”" in message
    assert f"“{AttemptStatus(to).label}”" in message
    assert message.index(str(AttemptStatus(now).label)) < message.rindex(
        str(AttemptStatus(to).label)
    )
    assert refused.value.status == 409
    attempt.refresh_from_db()
    assert attempt.status == now
    assert not AttemptEvent.objects.filter(attempt=attempt).exists()


def test_a_long_reason_is_kept_to_its_first_255_characters(attempt, proctor):
    attempts.transition(attempt_id=attempt.pk, to=S.VOIDED, by=proctor, reason="违" * 300)
    assert AttemptEvent.objects.get(attempt=attempt).reason == "违" * 255


def test_moves_chain_and_each_leaves_its_own_event(attempt, proctor, alice):
    attempts.transition(attempt_id=attempt.pk, to=S.STARTED, by=alice)
    attempts.transition(attempt_id=attempt.pk, to=S.TERMINATED, by=proctor, reason="夹带资料")
    attempts.transition(attempt_id=attempt.pk, to=S.VOIDED, by=proctor, reason="复核后作废")
    assert [
        (e.from_status, e.to_status, e.by_id, e.reason)
        for e in AttemptEvent.objects.filter(attempt=attempt)
    ] == [
        (S.PREPARED, S.STARTED, alice.pk, ""),
        (S.STARTED, S.TERMINATED, proctor.pk, "夹带资料"),
        (S.TERMINATED, S.VOIDED, proctor.pk, "复核后作废"),
    ]
    with pytest.raises(attempts.IllegalAttemptTransition):
        attempts.transition(attempt_id=attempt.pk, to=S.STARTED, by=proctor)

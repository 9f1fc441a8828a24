"""
The live attempt, by the server's clock: saving answers up to the deadline
(and a short grace), the beat closing overdue attempts, extra time and pauses,
submitting and terminating, grading, the rules that keep a newer answer from
being overwritten, practice rounds, and re-grading after a key is corrected.

The paper used here is fixed and unshuffled, so that every score can be worked
out by hand:

    1. single choice, key 先通风 (index 0)               40 points
    2. multiple choice, key indexes 0, 1, 3            30 points
    3. true/false, key "false" (1)                     30 points

out of 100, pass mark 60; the session lasts 60 minutes, a practice round 45.
"""

import datetime
import itertools
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from exams import attempts, bookings, delivery, grading, selectors, services
from exams.choices import (
    AttemptAction,
    AttemptStatus,
    BookingStatus,
    MultipleChoiceScoring,
    PaperKind,
    QuestionStatus,
    SessionStatus,
)
from exams.models import (
    AnswerSave,
    Attempt,
    AttemptEvent,
    AttemptQuestion,
    Booking,
    ExamSession,
    Paper,
    PaperQuestion,
    Question,
    Regrading,
)
from tests.exams.papers import as_blueprint
from tests.factories import UserFactory
from tests.pages import add
from training import services as training
from training.models import CoursePage, TrainingIndexPage

pytestmark = pytest.mark.django_db

ANSWER_GRACE = datetime.timedelta(seconds=settings.EXAM_ANSWER_GRACE_SECONDS)
CLOSE_GRACE = datetime.timedelta(seconds=settings.EXAM_CLOSE_GRACE_SECONDS)
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)

SINGLE, MULTIPLE, TRUE_FALSE = 1, 2, 3  # positions on the paper

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# ---------------------------------------------------------------------------
# The paper, the sitting, and helpers
# ---------------------------------------------------------------------------


def make_question(bank, type, options, answer, explanation="依据《有限空间作业安全指导手册》。"):
    return services.question_create(
        bank=bank,
        type=type,
        stem=f"<p>有限空间作业第 {uuid.uuid4().hex[:6]} 题：下列说法正确的是（ ）。</p>",
        options=options,
        answer=answer,
        explanation=explanation,
        status=QuestionStatus.ACTIVE,
        tags=("有限空间",),
    )


@pytest.fixture
def questions(bank):
    return [
        make_question(bank, "single", ["先通风", "直接进入", "戴口罩进入", "独自进入"], [0]),
        make_question(
            bank, "multiple", ["检测氧含量", "检测有毒气体", "无需监护", "设置监护人"], [0, 1, 3]
        ),
        make_question(bank, "true_false", [], [1]),
    ]


@pytest.fixture
def paper(questions):
    paper = Paper.objects.create(
        name="有限空间作业模拟卷",
        kind=PaperKind.FIXED,
        pass_mark=Decimal("60"),
        duration_minutes=45,
        shuffle_questions=False,
        shuffle_options=False,
    )
    for order, (question, points) in enumerate(zip(questions, (40, 30, 30), strict=True)):
        PaperQuestion.objects.create(
            paper=paper, question=question, points=Decimal(points), sort_order=order
        )
    return paper


@pytest.fixture
def sitting_session(exam, paper, make_session):
    exam.paper = paper
    exam.save()
    return make_session(duration_minutes=60)


@pytest.fixture
def seat(sitting_session):
    """A prepared attempt of a checked-in candidate, ready to start."""

    def make(candidate):
        ExamSession.objects.filter(pk=sitting_session.pk).update(status=SessionStatus.SCHEDULED)
        booking = bookings.book(session=sitting_session, candidate=candidate)
        attempts.prepare_attempts(session_id=sitting_session.pk)
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CHECKED_IN)
        ExamSession.objects.filter(pk=sitting_session.pk).update(status=SessionStatus.CHECK_IN)
        return Attempt.objects.get(booking=booking)

    return make


@pytest.fixture
def started(seat, alice, clock):
    return delivery.start(attempt_id=seat(alice).pk, candidate=alice)


def save(attempt, position, selected, *, candidate=None, page=None, sequence=None, **fields):
    return delivery.save_answer(
        attempt_id=attempt.pk,
        candidate=candidate or attempt.candidate,
        page=page or attempt.page,
        client_id=fields.pop("client_id", uuid.uuid4()),
        sequence=sequence or next(_sequence),
        position=position,
        selected=selected,
        **fields,
    )


def item(attempt, position):
    return AttemptQuestion.objects.get(attempt=attempt, position=position)


def status_moves(attempt):
    return [
        (e.from_status, e.to_status)
        for e in AttemptEvent.objects.filter(attempt=attempt, action=AttemptAction.STATUS)
    ]


def fresh(attempt):
    return Attempt.objects.get(pk=attempt.pk)


# ---------------------------------------------------------------------------
# The deadline and the answer grace
# ---------------------------------------------------------------------------


def test_the_deadline_is_the_session_length_from_the_start_by_the_servers_clock(started, clock):
    assert started.status == AttemptStatus.STARTED
    assert started.started_at == timezone.now()
    assert started.deadline == timezone.now() + 60 * MINUTE
    assert started.remaining_seconds(timezone.now()) == 3600


def test_a_save_just_before_the_deadline_is_accepted(started, clock):
    clock.move_to(started.deadline - SECOND)
    stored, outcome = save(started, SINGLE, [0])
    assert outcome == "saved"
    assert item(started, SINGLE).selected == [0]
    assert item(started, SINGLE).saved_at == started.deadline - SECOND


@pytest.mark.parametrize("late", [SECOND, ANSWER_GRACE], ids=["1s", "the whole grace"])
def test_a_save_within_the_answer_grace_is_accepted(started, clock, late):
    clock.move_to(started.deadline + late)
    stored, outcome = save(started, SINGLE, [2])
    assert outcome == "saved"
    assert item(started, SINGLE).selected == [2]


def test_a_save_just_after_the_grace_is_refused_and_the_answer_stays(started, clock):
    save(started, SINGLE, [0])
    clock.move_to(started.deadline + ANSWER_GRACE + datetime.timedelta(milliseconds=1))
    with pytest.raises(delivery.TimeUp) as refused:
        save(started, SINGLE, [3])
    assert "Time is up" in str(refused.value)
    stored = item(started, SINGLE)
    assert stored.selected == [0]
    assert AnswerSave.objects.filter(attempt=started, applied=True).count() == 1
    assert not AnswerSave.objects.filter(attempt=started, selected=[3]).exists()


# ---------------------------------------------------------------------------
# The beat closes attempts left open after the deadline
# ---------------------------------------------------------------------------


def test_close_overdue_submits_and_grades_the_saved_answers_past_the_close_grace(
    seat, alice, bob, clock
):
    carol = UserFactory(username="carol")
    gone = delivery.start(attempt_id=seat(alice).pk, candidate=alice)
    paused = delivery.start(attempt_id=seat(carol).pk, candidate=carol)
    clock.shift(20 * SECOND)
    late_starter = delivery.start(attempt_id=seat(bob).pk, candidate=bob)
    deadline = gone.deadline

    save(gone, SINGLE, [0])  # right: 40
    save(gone, MULTIPLE, [0, 1])  # short of the key, all or nothing: 0
    save(gone, TRUE_FALSE, [1])  # right: 30
    save(late_starter, SINGLE, [0])
    clock.move_to(deadline - 10 * MINUTE)
    delivery.pause(attempt_id=paused.pk, by=None, reason="机器故障")

    clock.move_to(deadline + CLOSE_GRACE)  # exactly the grace: not yet
    assert delivery.close_overdue() == 0
    assert fresh(gone).status == AttemptStatus.STARTED

    clock.move_to(deadline + CLOSE_GRACE + SECOND)
    assert delivery.close_overdue() == 1

    closed = fresh(gone)
    assert closed.status == AttemptStatus.GRADED
    assert closed.submitted_at == deadline + CLOSE_GRACE + SECOND
    assert closed.score == Decimal("70")
    assert closed.max_score == Decimal("100")
    assert closed.passed is True
    assert [item(closed, p).earned for p in (SINGLE, MULTIPLE, TRUE_FALSE)] == [
        Decimal("40"),
        Decimal("0"),
        Decimal("30"),
    ]
    assert status_moves(closed) == [
        (AttemptStatus.PREPARED, AttemptStatus.STARTED),
        (AttemptStatus.STARTED, AttemptStatus.AUTO_SUBMITTED),
        (AttemptStatus.AUTO_SUBMITTED, AttemptStatus.GRADED),
    ]
    # 11 s past its own deadline (it started 20 s later), within the close grace: left open.
    assert fresh(late_starter).status == AttemptStatus.STARTED
    assert fresh(late_starter).score is None
    # Paused: the clock stands still, whatever the deadline said.
    assert fresh(paused).status == AttemptStatus.STARTED
    assert fresh(paused).is_paused

    assert delivery.close_overdue() == 0  # nothing left to close


def test_close_overdue_reaches_the_late_starter_once_its_own_grace_is_over(seat, bob, clock):
    attempt = delivery.start(attempt_id=seat(bob).pk, candidate=bob)
    clock.move_to(attempt.deadline + CLOSE_GRACE + SECOND)
    assert delivery.close_overdue() == 1
    closed = fresh(attempt)
    assert closed.status == AttemptStatus.GRADED
    assert closed.score == Decimal("0") and closed.passed is False


def test_a_pause_left_on_ends_when_the_session_closes(started, proctor, clock):
    save(started, SINGLE, [0])
    delivery.pause(attempt_id=started.pk, by=proctor)
    clock.move_to(started.deadline + CLOSE_GRACE + 10 * MINUTE)
    assert delivery.close_overdue() == 0  # the clock stands still while paused
    ExamSession.objects.filter(pk=started.booking.session_id).update(status=SessionStatus.CLOSED)
    assert delivery.close_overdue() == 1
    closed = fresh(started)
    assert (closed.status, closed.paused_at) == (AttemptStatus.GRADED, None)
    assert closed.score == Decimal("40")


# ---------------------------------------------------------------------------
# Extra time and pauses
# ---------------------------------------------------------------------------


def test_extra_time_moves_the_deadline_and_lets_a_late_save_through(started, proctor, clock):
    deadline = started.deadline
    clock.move_to(deadline + ANSWER_GRACE + 5 * SECOND)
    with pytest.raises(delivery.TimeUp):
        save(started, SINGLE, [0])

    extended = delivery.add_time(attempt_id=started.pk, minutes=5, by=proctor, reason="停电补时")

    assert extended.deadline == deadline + 5 * MINUTE
    assert fresh(started).deadline == deadline + 5 * MINUTE
    assert fresh(started).extra_minutes == 5
    stored, outcome = save(started, SINGLE, [0])
    assert outcome == "saved" and item(started, SINGLE).selected == [0]
    event = AttemptEvent.objects.get(attempt=started, action=AttemptAction.EXTRA_TIME)
    assert event.by == proctor
    assert event.reason == "5 minutes: 停电补时"


@pytest.mark.parametrize("minutes", [0, 121])
def test_extra_time_is_between_1_and_120_minutes(started, proctor, minutes):
    with pytest.raises(ValidationError):
        delivery.add_time(attempt_id=started.pk, minutes=minutes, by=proctor, reason="补时")
    assert fresh(started).deadline == started.deadline


def test_a_pause_stops_the_clock_and_resuming_moves_the_deadline_by_the_pause(
    started, proctor, clock
):
    deadline = started.deadline
    clock.shift(10 * MINUTE)
    delivery.pause(attempt_id=started.pk, by=proctor, reason="火警")
    assert fresh(started).remaining_seconds(timezone.now()) == 50 * 60

    clock.shift(7 * MINUTE)
    paused = fresh(started)
    assert paused.is_paused
    assert paused.remaining_seconds(timezone.now()) == 50 * 60  # the clock stood still
    with pytest.raises(delivery.Paused):
        save(started, SINGLE, [0])
    with pytest.raises(delivery.Paused):
        delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    assert item(started, SINGLE).selected == []
    assert fresh(started).status == AttemptStatus.STARTED

    resumed = delivery.resume(attempt_id=started.pk, by=proctor, reason="警报解除")
    assert resumed.deadline == deadline + 7 * MINUTE
    assert not fresh(started).is_paused
    assert fresh(started).remaining_seconds(timezone.now()) == 50 * 60
    clock.shift(MINUTE)
    assert fresh(started).remaining_seconds(timezone.now()) == 49 * 60  # running again
    assert save(started, SINGLE, [0])[1] == "saved"
    assert [
        (e.action, e.by_id, e.reason)
        for e in AttemptEvent.objects.filter(attempt=started).exclude(action=AttemptAction.STATUS)
    ] == [
        (AttemptAction.PAUSED, proctor.pk, "火警"),
        (AttemptAction.RESUMED, proctor.pk, "警报解除"),
    ]


def test_pausing_twice_keeps_the_first_pause(started, proctor, clock):
    delivery.pause(attempt_id=started.pk, by=proctor)
    first = fresh(started).paused_at
    clock.shift(MINUTE)
    delivery.pause(attempt_id=started.pk, by=proctor)
    assert fresh(started).paused_at == first
    clock.shift(MINUTE)
    delivery.resume(attempt_id=started.pk, by=proctor)
    assert fresh(started).deadline == started.deadline + 2 * MINUTE


# ---------------------------------------------------------------------------
# Submitting and terminating
# ---------------------------------------------------------------------------


def test_submitting_before_the_deadline_submits_and_grades(started, clock):
    save(started, SINGLE, [0])
    save(started, MULTIPLE, [0, 1, 3])
    clock.move_to(started.deadline - SECOND)

    result = delivery.submit(attempt_id=started.pk, candidate=started.candidate, page=started.page)

    assert result.status == AttemptStatus.GRADED
    assert result.submitted_at == started.deadline - SECOND
    assert result.score == Decimal("70") and result.passed is True
    stored = fresh(started)
    assert stored.page is None
    assert stored.graded_at == timezone.now()
    assert status_moves(stored) == [
        (AttemptStatus.PREPARED, AttemptStatus.STARTED),
        (AttemptStatus.STARTED, AttemptStatus.SUBMITTED),
        (AttemptStatus.SUBMITTED, AttemptStatus.GRADED),
    ]
    with pytest.raises(delivery.AttemptClosed):
        save(started, TRUE_FALSE, [1])


def test_submitting_after_the_deadline_counts_as_submitted_when_time_was_up(started, clock):
    save(started, TRUE_FALSE, [1])
    clock.move_to(started.deadline + 2 * SECOND)
    result = delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    assert result.status == AttemptStatus.GRADED
    assert result.score == Decimal("30")
    assert status_moves(result) == [
        (AttemptStatus.PREPARED, AttemptStatus.STARTED),
        (AttemptStatus.STARTED, AttemptStatus.AUTO_SUBMITTED),
        (AttemptStatus.AUTO_SUBMITTED, AttemptStatus.GRADED),
    ]


def test_submitting_twice_returns_the_same_result_and_changes_nothing(started, clock):
    save(started, SINGLE, [0])
    first = delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    events = AttemptEvent.objects.filter(attempt=started).count()
    clock.shift(MINUTE)
    again = delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    assert (again.pk, again.status, again.score, again.passed, again.graded_at) == (
        first.pk,
        AttemptStatus.GRADED,
        Decimal("40"),
        False,
        first.graded_at,
    )
    assert AttemptEvent.objects.filter(attempt=started).count() == events


def test_submitting_a_prepared_attempt_is_refused(seat, alice):
    attempt = seat(alice)
    with pytest.raises(attempts.AttemptNotReady):
        delivery.submit(attempt_id=attempt.pk, candidate=alice)
    assert fresh(attempt).status == AttemptStatus.PREPARED


def test_nobody_submits_or_saves_someone_elses_attempt(started, bob):
    with pytest.raises(Attempt.DoesNotExist):
        delivery.submit(attempt_id=started.pk, candidate=bob)
    with pytest.raises(Attempt.DoesNotExist):
        save(started, SINGLE, [0], candidate=bob)
    assert fresh(started).status == AttemptStatus.STARTED
    assert item(started, SINGLE).selected == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_terminating_needs_a_reason(started, proctor, reason):
    with pytest.raises(ValidationError):
        delivery.terminate(attempt_id=started.pk, by=proctor, reason=reason)
    assert fresh(started).status == AttemptStatus.STARTED


def test_a_terminated_attempt_is_closed_but_not_graded(started, proctor, clock):
    save(started, SINGLE, [0])
    delivery.terminate(attempt_id=started.pk, by=proctor, reason="携带手机作弊")

    stored = fresh(started)
    assert stored.status == AttemptStatus.TERMINATED
    assert stored.submitted_at == timezone.now()
    assert (stored.score, stored.passed, stored.graded_at, stored.page) == (None, None, None, None)
    assert item(started, SINGLE).earned is None
    event = AttemptEvent.objects.get(attempt=started, to_status=AttemptStatus.TERMINATED)
    assert (event.by, event.reason) == (proctor, "携带手机作弊")
    with pytest.raises(delivery.AttemptClosed):
        save(started, SINGLE, [1])
    # The candidate's submit after the fact changes nothing.
    assert delivery.submit(attempt_id=started.pk, candidate=started.candidate).status == (
        AttemptStatus.TERMINATED
    )
    with pytest.raises(delivery.AttemptClosed):
        delivery.pause(attempt_id=started.pk, by=proctor)


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "chosen", "earned"),
    [
        (MultipleChoiceScoring.ALL_OR_NOTHING, [0, 1, 3], "30"),
        (MultipleChoiceScoring.ALL_OR_NOTHING, [0, 1], "0"),
        (MultipleChoiceScoring.ALL_OR_NOTHING, [0, 1, 2, 3], "0"),
        (MultipleChoiceScoring.PARTIAL, [0, 1, 3], "30"),
        (MultipleChoiceScoring.PARTIAL, [0, 1], "20"),  # 2 of 3 right: 30 × 2/3
        (MultipleChoiceScoring.PARTIAL, [3], "10"),  # 1 of 3 right: 30 × 1/3
        (MultipleChoiceScoring.PARTIAL, [0, 2], "0"),  # a wrong option: nothing
        (MultipleChoiceScoring.PARTIAL, [0, 1, 2, 3], "0"),
        (MultipleChoiceScoring.PARTIAL, [], "0"),
    ],
)
def test_multiple_choice_is_graded_by_the_papers_rule(paper, seat, alice, policy, chosen, earned):
    paper.multiple_choice_scoring = policy
    paper.save()
    attempt = delivery.start(attempt_id=seat(alice).pk, candidate=alice)
    save(attempt, SINGLE, [0])  # 40
    if chosen:
        save(attempt, MULTIPLE, chosen)
    result = delivery.submit(attempt_id=attempt.pk, candidate=alice)
    assert item(attempt, MULTIPLE).earned == Decimal(earned)
    assert result.score == Decimal("40") + Decimal(earned)
    assert fresh(attempt).score == Decimal("40") + Decimal(earned)


def test_partial_credit_is_rounded_to_a_tenth(bank, paper, seat, alice):
    PaperQuestion.objects.filter(paper=paper, sort_order=1).update(points=Decimal("10"))
    paper.multiple_choice_scoring = MultipleChoiceScoring.PARTIAL
    paper.save()
    attempt = delivery.start(attempt_id=seat(alice).pk, candidate=alice)
    save(attempt, MULTIPLE, [0, 3])
    result = delivery.submit(attempt_id=attempt.pk, candidate=alice)
    assert item(attempt, MULTIPLE).earned == Decimal("6.7")  # 10 × 2/3
    assert result.max_score == Decimal("80")


@pytest.mark.parametrize(("pass_mark", "passed"), [("70", True), ("70.5", False), ("30", True)])
def test_the_attempt_passes_at_the_pass_mark(paper, seat, alice, pass_mark, passed):
    paper.pass_mark = Decimal(pass_mark)
    paper.save()
    attempt = delivery.start(attempt_id=seat(alice).pk, candidate=alice)
    save(attempt, SINGLE, [0])  # 40
    save(attempt, TRUE_FALSE, [1])  # 30
    result = delivery.submit(attempt_id=attempt.pk, candidate=alice)
    assert result.score == Decimal("70")
    assert fresh(attempt).passed is passed


def test_an_unanswered_paper_scores_nothing_and_fails(started):
    result = delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    assert (result.score, result.max_score, result.passed) == (Decimal("0"), Decimal("100"), False)
    assert [i.earned for i in AttemptQuestion.objects.filter(attempt=started)] == [0, 0, 0]


# ---------------------------------------------------------------------------
# Newer answers win; retries and old pages change nothing
# ---------------------------------------------------------------------------


def test_a_save_with_an_older_sequence_is_recorded_but_not_applied(started):
    stored, outcome = save(started, SINGLE, [0], sequence=10_010, flagged=True)
    assert outcome == "saved"
    late = uuid.uuid4()
    stored, outcome = save(started, SINGLE, [2], sequence=10_009, client_id=late)
    assert outcome == "stale"
    assert (stored.selected, stored.flagged, stored.saved_sequence) == ([0], True, 10_010)
    kept = item(started, SINGLE)
    assert (kept.selected, kept.flagged, kept.saved_sequence) == ([0], True, 10_010)
    record = AnswerSave.objects.get(attempt=started, client_id=late)
    assert (record.applied, record.selected, record.sequence, record.position) == (
        False,
        [2],
        10_009,
        SINGLE,
    )
    assert fresh(started).sequence == 10_010


def test_the_sequence_is_compared_per_question(started):
    save(started, SINGLE, [0], sequence=20_010)
    stored, outcome = save(started, MULTIPLE, [0, 1], sequence=20_005)
    assert outcome == "saved"
    assert item(started, MULTIPLE).selected == [0, 1]


def test_an_empty_list_clears_the_answer(started):
    save(started, SINGLE, [0])
    stored, outcome = save(started, SINGLE, [])
    assert outcome == "saved" and item(started, SINGLE).selected == []


def test_a_repeated_client_id_is_a_retry_and_changes_nothing(started):
    retry = uuid.uuid4()
    save(started, SINGLE, [0], sequence=30_001, client_id=retry)
    stored, outcome = save(started, SINGLE, [3], sequence=30_002, client_id=retry, flagged=True)
    assert outcome == "duplicate"
    assert (stored.selected, stored.flagged, stored.saved_sequence) == ([0], False, 30_001)
    kept = item(started, SINGLE)
    assert (kept.selected, kept.flagged, kept.saved_sequence) == ([0], False, 30_001)
    assert AnswerSave.objects.filter(attempt=started).count() == 1
    assert fresh(started).sequence == 30_001


def test_a_page_taken_over_by_a_resume_can_no_longer_save_or_submit(started, alice):
    old_page = started.page
    save(started, SINGLE, [0])
    resumed = delivery.start(attempt_id=started.pk, candidate=alice)
    assert resumed.page != old_page
    assert resumed.deadline == started.deadline
    with pytest.raises(delivery.TakenOver):
        save(started, SINGLE, [3], page=old_page)
    with pytest.raises(delivery.TakenOver):
        delivery.submit(attempt_id=started.pk, candidate=alice, page=old_page)
    assert item(started, SINGLE).selected == [0]
    assert fresh(started).status == AttemptStatus.STARTED
    assert save(resumed, SINGLE, [3])[1] == "saved"
    assert AttemptEvent.objects.filter(attempt=started, action=AttemptAction.TAKEOVER).count() == 1


def test_a_save_without_the_page_is_refused(started):
    with pytest.raises(delivery.TakenOver):
        delivery.save_answer(
            attempt_id=started.pk,
            candidate=started.candidate,
            page=None,
            client_id=uuid.uuid4(),
            sequence=next(_sequence),
            position=SINGLE,
            selected=[0],
        )


@pytest.mark.parametrize(
    ("position", "selected"),
    [
        (SINGLE, [4]),  # four options: 0–3
        (SINGLE, [-1]),
        (SINGLE, [0, 1]),  # single choice: one option
        (MULTIPLE, [0, 0]),
        (MULTIPLE, [1, 4]),
        (TRUE_FALSE, [2]),
        (TRUE_FALSE, [0, 1]),
        (SINGLE, ["0"]),
        (SINGLE, [True]),
        (SINGLE, 0),
        (4, [0]),  # a three-question paper
    ],
)
def test_an_answer_the_question_cannot_have_is_refused(started, position, selected):
    with pytest.raises(ValidationError):
        save(started, position, selected)
    assert not AnswerSave.objects.filter(attempt=started).exists()
    assert [i.selected for i in AttemptQuestion.objects.filter(attempt=started)] == [[], [], []]


@pytest.mark.parametrize(("chosen", "earned"), [([1], "30"), ([0], "0")])
def test_true_false_answers_are_0_for_true_and_1_for_false(started, chosen, earned):
    stored, outcome = save(started, TRUE_FALSE, chosen)
    assert outcome == "saved" and stored.selected == chosen
    assert item(started, TRUE_FALSE).option_order == []
    delivery.submit(attempt_id=started.pk, candidate=started.candidate)
    assert item(started, TRUE_FALSE).earned == Decimal(earned)


def test_shuffled_options_map_shown_positions_to_original_indexes_and_back(seat, alice, questions):
    attempt = seat(alice)
    AttemptQuestion.objects.filter(attempt=attempt, position=SINGLE).update(
        option_order=[2, 0, 3, 1]
    )
    AttemptQuestion.objects.filter(attempt=attempt, position=MULTIPLE).update(
        option_order=[3, 1, 0, 2]
    )
    attempt = delivery.start(attempt_id=attempt.pk, candidate=alice)
    single, multiple = item(attempt, SINGLE), item(attempt, MULTIPLE)
    assert selectors.options_shown(single) == ["戴口罩进入", "先通风", "独自进入", "直接进入"]
    assert selectors.options_shown(multiple) == [
        "设置监护人",
        "检测有毒气体",
        "检测氧含量",
        "无需监护",
    ]

    # Every choice the candidate can make comes back as they made it.
    for size in range(0, 5):
        for shown_positions in itertools.combinations(range(4), size):
            stored, _ = save(attempt, MULTIPLE, list(shown_positions))
            assert stored.selected == sorted([3, 1, 0, 2][p] for p in shown_positions)
            assert selectors.shown(stored, stored.selected) == list(shown_positions)

    # The key, 先通风 (original 0), is shown second; 检测氧含量/检测有毒气体/设置监护人 are shown
    # at 2, 1 and 0.
    stored, _ = save(attempt, SINGLE, [1])
    assert stored.selected == [0]
    assert selectors.shown(single, questions[0].answer) == [1]
    save(attempt, MULTIPLE, [0, 1, 2])
    result = delivery.submit(attempt_id=attempt.pk, candidate=alice)
    assert item(attempt, SINGLE).earned == Decimal("40")
    assert item(attempt, MULTIPLE).earned == Decimal("30")
    assert result.score == Decimal("70")


# ---------------------------------------------------------------------------
# Practice (模拟考试)
# ---------------------------------------------------------------------------


@pytest.fixture
def courses(home):
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    return [
        add(
            index,
            CoursePage(
                title=title,
                slug=slug,
                target_roles=["special_operations"],
                industries=["confined_spaces"],
                required_hours=Decimal("1.0"),
            ),
        )
        for title, slug in (("有限空间作业安全", "confined"), ("危险化学品安全", "chemicals"))
    ]


@pytest.fixture
def practice_exam(exam, paper, bank):
    exam.paper = as_blueprint(paper, bank)
    exam.save()
    return exam


@pytest.mark.parametrize(
    ("required", "enrolled", "practice_open", "may"),
    [
        ([0], [0], True, True),  # enrolled in the required course
        ([0, 1], [1], True, True),  # in one of them
        ([0], [1], True, False),  # in another course only
        ([0], [], True, False),
        ([], [1], True, True),  # no course required: any enrolment
        ([], [], True, False),  # no enrolment at all
        ([0], [0], False, False),  # not open for practice
        ([], [1], False, False),
    ],
)
def test_who_may_practise(practice_exam, courses, alice, required, enrolled, practice_open, may):
    practice_exam.required_courses.set([courses[i] for i in required])
    practice_exam.practice_open = practice_open
    practice_exam.save()
    for index in enrolled:
        training.enrol(learner=alice, course=courses[index])
    assert delivery.may_practise(exam=practice_exam, candidate=alice) is may


def test_an_exam_without_a_paper_cannot_be_practised(exam, courses, alice):
    exam.paper = None
    exam.save()
    training.enrol(learner=alice, course=courses[0])
    assert delivery.may_practise(exam=exam, candidate=alice) is False


def test_practice_is_refused_to_a_learner_not_enrolled(practice_exam, courses, alice):
    practice_exam.required_courses.set([courses[0]])
    with pytest.raises(delivery.NotPractisable) as refused:
        delivery.start_practice(exam=practice_exam, candidate=alice)
    assert refused.value.status == 403
    assert not Attempt.objects.exists()


def test_a_practice_round_has_no_booking_and_lasts_as_long_as_the_paper(
    practice_exam, courses, alice, clock
):
    training.enrol(learner=alice, course=courses[0])
    attempt = delivery.start_practice(exam=practice_exam, candidate=alice)
    assert attempt.practice is True and attempt.booking is None
    assert attempt.status == AttemptStatus.STARTED
    assert attempt.deadline == timezone.now() + 45 * MINUTE
    assert attempt.page is not None
    assert list(
        AttemptQuestion.objects.filter(attempt=attempt).values_list("question", flat=True)
    ) == list(
        PaperQuestion.objects.filter(paper=practice_exam.paper).values_list("question", flat=True)
    )


def test_practising_again_resumes_the_open_round_and_is_unlimited_after_finishing(
    practice_exam, courses, alice, clock
):
    training.enrol(learner=alice, course=courses[1])
    first = delivery.start_practice(exam=practice_exam, candidate=alice)
    save(first, SINGLE, [0])
    clock.shift(5 * MINUTE)

    again = delivery.start_practice(exam=practice_exam, candidate=alice)
    assert again.pk == first.pk
    assert again.deadline == first.deadline
    assert again.page != first.page
    assert item(again, SINGLE).selected == [0]
    assert Attempt.objects.count() == 1

    delivery.submit(attempt_id=first.pk, candidate=alice)
    second = delivery.start_practice(exam=practice_exam, candidate=alice)
    assert second.pk != first.pk and second.status == AttemptStatus.STARTED
    delivery.submit(attempt_id=second.pk, candidate=alice)
    third = delivery.start_practice(exam=practice_exam, candidate=alice)
    assert third.pk not in (first.pk, second.pk)
    assert Attempt.objects.filter(candidate=alice, practice=True).count() == 3


# ---------------------------------------------------------------------------
# Re-grading after a key is corrected
# ---------------------------------------------------------------------------


@pytest.fixture
def graded_room(seat, alice, bob, questions):
    """
    Three graded attempts under question 1's old key (先通风, index 0), which the
    bank later corrects to 戴口罩进入 (index 2), plus one still being sat.
    """
    carol, dave = UserFactory(username="carol"), UserFactory(username="dave")
    answers = {
        alice: {SINGLE: [0], TRUE_FALSE: [1]},  # 40 + 30 = 70, passed → 0 + 30 = 30, failed
        bob: {SINGLE: [2], TRUE_FALSE: [1]},  # 0 + 30 = 30, failed → 40 + 30 = 70, passed
        carol: {SINGLE: [1], TRUE_FALSE: [1]},  # 30 either way
        dave: {SINGLE: [2]},  # still sitting
    }
    room = {}
    for person, chosen in answers.items():
        attempt = delivery.start(attempt_id=seat(person).pk, candidate=person)
        for position, selected in chosen.items():
            save(attempt, position, selected)
        if person is not dave:
            delivery.submit(attempt_id=attempt.pk, candidate=person)
        room[person.username] = attempt
    return room


@pytest.fixture
def corrected(questions, trainer):
    return services.question_revise(
        question=questions[0], user=trainer, answer=[2], explanation="更正：应佩戴防护用品后进入。"
    )


def test_regrading_applies_the_corrected_key_to_every_graded_attempt(
    graded_room, corrected, questions, bureau_admin
):
    before = {name: (fresh(a).score, fresh(a).passed) for name, a in graded_room.items()}
    assert before == {
        "alice": (Decimal("70"), True),
        "bob": (Decimal("30"), False),
        "carol": (Decimal("30"), False),
        "dave": (None, None),
    }
    assert corrected.version == 2 and corrected.lineage == questions[0].lineage

    regrading = grading.regrade(question=corrected, by=bureau_admin, reason="答案有误，更正为丙")

    after = {name: (fresh(a).score, fresh(a).passed) for name, a in graded_room.items()}
    assert after == {
        "alice": (Decimal("30"), False),
        "bob": (Decimal("70"), True),
        "carol": (Decimal("30"), False),
        "dave": (None, None),
    }
    assert (regrading.attempts_regraded, regrading.results_changed) == (3, 2)
    assert (regrading.question, regrading.by, regrading.reason) == (
        corrected,
        bureau_admin,
        "答案有误，更正为丙",
    )
    assert Regrading.objects.count() == 1
    for name in ("alice", "bob", "carol"):
        answered = item(graded_room[name], SINGLE)
        assert answered.graded_with == corrected
        assert answered.question == questions[0]  # the version drawn stays
    assert [item(graded_room[n], SINGLE).earned for n in ("alice", "bob", "carol")] == [
        Decimal("0"),
        Decimal("40"),
        Decimal("0"),
    ]
    still_sitting = item(graded_room["dave"], SINGLE)
    assert (still_sitting.graded_with, still_sitting.earned) == (None, None)
    # The other questions are left as they were graded.
    assert item(graded_room["alice"], TRUE_FALSE).earned == Decimal("30")


def test_regrading_leaves_a_regraded_event_with_the_old_and_new_score(
    graded_room, corrected, bureau_admin
):
    grading.regrade(question=corrected, by=bureau_admin, reason="答案有误")
    events = {
        name: AttemptEvent.objects.get(attempt=attempt, action=AttemptAction.REGRADED)
        for name, attempt in graded_room.items()
        if name != "dave"
    }
    assert {name: e.reason for name, e in events.items()} == {
        "alice": "70.0 → 30.0: 答案有误",
        "bob": "30.0 → 70.0: 答案有误",
        "carol": "30.0 → 30.0: 答案有误",
    }
    assert all(e.by == bureau_admin for e in events.values())
    assert not AttemptEvent.objects.filter(
        attempt=graded_room["dave"], action=AttemptAction.REGRADED
    ).exists()
    # A re-grade is no status change: the attempts stay graded.
    assert {fresh(a).status for n, a in graded_room.items() if n != "dave"} == {
        AttemptStatus.GRADED
    }


def test_an_attempt_still_being_sat_at_the_regrade_is_graded_with_the_correction(
    graded_room, corrected, bureau_admin, questions
):
    grading.regrade(question=corrected, by=bureau_admin, reason="答案有误")
    dave = graded_room["dave"]
    delivery.submit(attempt_id=dave.pk, candidate=dave.candidate)
    answered = item(dave, SINGLE)
    assert answered.question == questions[0]
    assert (answered.graded_with, answered.earned) == (corrected, Decimal("40"))
    assert fresh(dave).score == Decimal("40")


def test_after_regrading_the_mistakes_show_the_corrected_key(graded_room, corrected, bureau_admin):
    grading.regrade(question=corrected, by=bureau_admin, reason="答案有误")

    alice_mistakes = {m["position"]: m for m in selectors.mistakes(fresh(graded_room["alice"]))}
    assert sorted(alice_mistakes) == [SINGLE, MULTIPLE]
    wrong = alice_mistakes[SINGLE]
    assert (wrong["selected"], wrong["key"], wrong["earned"]) == ([0], [2], Decimal("0"))
    assert wrong["explanation"] == "更正：应佩戴防护用品后进入。"
    bob_mistakes = [m["position"] for m in selectors.mistakes(fresh(graded_room["bob"]))]
    assert bob_mistakes == [MULTIPLE]


def test_regrading_again_with_the_same_version_changes_nothing(
    graded_room, corrected, bureau_admin
):
    grading.regrade(question=corrected, by=bureau_admin, reason="答案有误")
    again = grading.regrade(question=corrected, by=bureau_admin, reason="再次确认")
    assert (again.attempts_regraded, again.results_changed) == (0, 0)
    assert fresh(graded_room["alice"]).score == Decimal("30")
    assert AttemptEvent.objects.filter(action=AttemptAction.REGRADED).count() == 3


def test_a_later_correction_regrades_answers_graded_with_an_earlier_one(
    graded_room, corrected, trainer, bureau_admin
):
    grading.regrade(question=corrected, by=bureau_admin, reason="更正为丙")
    reverted = services.question_revise(question=corrected, user=trainer, answer=[0])
    regrading = grading.regrade(question=reverted, by=bureau_admin, reason="原答案无误")
    assert (regrading.attempts_regraded, regrading.results_changed) == (3, 2)
    assert fresh(graded_room["alice"]).score == Decimal("70")
    assert fresh(graded_room["alice"]).passed is True
    assert item(graded_room["alice"], SINGLE).graded_with == reverted


@pytest.mark.parametrize("reason", ["", "  "])
def test_regrading_needs_a_reason(graded_room, corrected, bureau_admin, reason):
    with pytest.raises(ValidationError):
        grading.regrade(question=corrected, by=bureau_admin, reason=reason)
    assert not Regrading.objects.exists()
    assert fresh(graded_room["alice"]).score == Decimal("70")
    assert item(graded_room["alice"], SINGLE).graded_with is None


def test_regrading_needs_the_current_version(graded_room, corrected, questions, bureau_admin):
    old = Question.objects.get(pk=questions[0].pk)
    assert old.is_current is False
    with pytest.raises(ValidationError):
        grading.regrade(question=old, by=bureau_admin, reason="答案有误")
    assert not Regrading.objects.exists()
    assert fresh(graded_room["alice"]).score == Decimal("70")

"""Papers are drawn for a session's candidates before it starts."""

import pytest

from exams import attempts, bookings
from exams.choices import PaperKind, SessionStatus
from exams.models import Attempt, AttemptQuestion, BlueprintRule, Paper
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam_with_paper(exam, bank, make_question):
    for n in range(8):
        make_question(type="single", difficulty=1 + n % 5)
    paper = Paper.objects.create(name="危化品模拟考试", kind=PaperKind.BLUEPRINT)
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    BlueprintRule.objects.create(paper=paper, sort_order=0, type="single", count=5, points=20)
    exam.paper = paper
    exam.save()
    return exam


def test_opening_check_in_draws_a_paper_for_every_candidate(
    exam_with_paper, session, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        bookings.book(session=session, candidate=person)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.session_transition(session=session, to=SessionStatus.CHECK_IN)
    prepared = Attempt.objects.filter(booking__session=session)
    assert prepared.count() == 3
    for attempt in prepared:
        positions = list(attempt.questions.values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)) and positions


def test_preparing_again_prepares_only_the_missing_ones(exam_with_paper, session, alice, bob):
    bookings.book(session=session, candidate=alice)
    assert attempts.prepare_attempts(session_id=session.pk) == 1
    bookings.book(session=session, candidate=bob)
    assert attempts.prepare_attempts(session_id=session.pk) == 1
    assert attempts.prepare_attempts(session_id=session.pk) == 0
    assert Attempt.objects.count() == 2


def test_a_session_without_a_paper_says_so(exam, session, alice):
    exam.paper = None
    exam.save()
    bookings.book(session=session, candidate=alice)
    with pytest.raises(attempts.NoPaper):
        attempts.prepare_attempts(session_id=session.pk)
    assert not AttemptQuestion.objects.exists()

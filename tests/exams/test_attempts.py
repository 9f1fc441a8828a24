"""Papers are drawn for a session's candidates before it starts."""

import pytest
from django.urls import reverse

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


@pytest.fixture
def checked_in(exam_with_paper, session, alice):
    booking = bookings.book(session=session, candidate=alice)
    attempts.prepare_attempts(session_id=session.pk)
    type(session).objects.filter(pk=session.pk).update(status=SessionStatus.CHECK_IN)
    booking.status = "checked_in"
    booking.save()
    return booking.attempt


def test_starting_fixes_the_deadline_on_the_server_and_resuming_keeps_it(client, alice, checked_in):
    client.force_login(alice)
    url = reverse("api:attempt-start", args=[checked_in.pk])
    first = client.post(url).json()
    assert first["status"] == "started"
    assert 120 * 60 - 5 <= first["remaining_seconds"] <= 120 * 60
    assert len(first["questions"]) == 5
    again = client.post(url).json()
    assert again["deadline"] == first["deadline"]
    assert again["page"] != first["page"]
    assert [(e.action, e.to_status) for e in checked_in.events.all()] == [
        ("status", "started"),
        ("takeover", ""),
    ]


def test_the_paper_reaches_the_browser_without_its_key(client, alice, checked_in):
    client.force_login(alice)
    body = client.post(reverse("api:attempt-start", args=[checked_in.pk])).content.decode()
    assert '"answer"' not in body and "explanation" not in body
    question = checked_in.questions.first()
    shown = client.post(reverse("api:attempt-start", args=[checked_in.pk])).json()["questions"][0]
    assert shown["options"] == [question.question.options[i] for i in question.option_order]


def test_a_candidate_who_has_not_checked_in_cannot_start(client, alice, checked_in):
    checked_in.booking.status = "booked"
    checked_in.booking.save()
    client.force_login(alice)
    response = client.post(
        reverse("api:attempt-start", args=[checked_in.pk]), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 409
    assert "Check in at the desk first" in response.json()["error"]["message"]


def test_nobody_starts_someone_elses_attempt(client, bob, checked_in):
    client.force_login(bob)
    assert client.post(reverse("api:attempt-start", args=[checked_in.pk])).status_code == 404


def test_an_attempt_moves_only_by_the_table(checked_in):
    with pytest.raises(attempts.IllegalAttemptTransition):
        attempts.transition(attempt_id=checked_in.pk, to="graded")

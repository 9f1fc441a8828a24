"""
The proctor's room: a session's attempts by seat, and pausing, resuming,
extending and terminating one, for the desk staff of the session's centre.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from exams import attempts, bookings, delivery
from exams.choices import AttemptAction, AttemptStatus, BookingStatus, PaperKind, SessionStatus
from exams.models import Attempt, Paper, PaperQuestion
from exams.models import TestCentre as Centre  # not a test class
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def other_proctor(db):
    """A proctor of another test centre."""
    proctor = UserFactory(username="other_proctor", real_name="钱小红", roles=["proctor"])
    elsewhere = Centre.objects.create(
        name="滨江区安全生产考点", code="BJ01", address="江南大道 2 号"
    )
    elsewhere.proctors.add(proctor)
    return proctor


@pytest.fixture
def room_session(exam, make_question, make_session):
    """A running session of a fixed three-question paper, seats for 40."""
    paper = Paper.objects.create(name="危化品考试试卷", kind=PaperKind.FIXED, shuffle_options=False)
    for order in range(3):
        PaperQuestion.objects.create(
            paper=paper, sort_order=order, question=make_question(), points=10
        )
    exam.paper = paper
    exam.save()
    return make_session(
        capacity=40,
        starts_in=datetime.timedelta(minutes=30),
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=10),
    )


def seat(session, candidates):
    """Book, draw the papers, check everyone in and open the session."""
    for candidate in candidates:
        bookings.book(session=session, candidate=candidate)
    attempts.prepare_attempts(session_id=session.pk)
    session.bookings.update(status=BookingStatus.CHECKED_IN)
    type(session).objects.filter(pk=session.pk).update(status=SessionStatus.RUNNING)
    return list(Attempt.objects.filter(booking__session=session).order_by("booking__seat"))


def start(attempt, answers=0):
    started = delivery.start(attempt_id=attempt.pk, candidate=attempt.candidate)
    for sequence, position in enumerate(range(1, answers + 1), start=1):
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=attempt.candidate,
            page=started.page,
            client_id=uuid.uuid4(),
            sequence=sequence,
            position=position,
            selected=[1],
        )
    return started


@pytest.fixture
def sitting(room_session, alice):
    """Alice's attempt, started, with two of three questions answered."""
    (attempt,) = seat(room_session, [alice])
    return start(attempt, answers=2)


def act(client, attempt, action, **data):
    return client.post(reverse("exams:desk-attempt-action", args=[attempt.pk, action]), data)


def room(client, session, **params):
    return client.get(reverse("exams:desk-attempts", args=[session.pk]), params)


def shown(response):
    return [str(message) for message in response.context["messages"]]


# ---------------------------------------------------------------------------
# The room
# ---------------------------------------------------------------------------


def test_the_room_lists_the_attempts_by_seat_with_time_left_and_answers(
    client, proctor, room_session, alice, bob
):
    alices, bobs = seat(room_session, [alice, bob])
    start(alices, answers=2)
    client.force_login(proctor)
    page = room(client, room_session).content.decode()
    assert page.index("王建国") < page.index("李秀英")
    alice_row = page[page.index(f'id="attempt-{alices.pk}"') : page.index("李秀英")]
    assert "In progress" in alice_row and "2 / 3" in alice_row
    assert "1:59:" in alice_row or "2:00:00" in alice_row
    bob_row = page[page.index(f'id="attempt-{bobs.pk}"') :]
    assert "Prepared" in bob_row and "0 / 3" in bob_row
    assert reverse("exams:desk-attempt-action", args=[bobs.pk, "pause"]) not in page
    desk = client.get(reverse("exams:desk-session", args=[room_session.pk])).content.decode()
    assert reverse("exams:desk-attempts", args=[room_session.pk]) in desk


def test_a_proctor_pauses_and_resumes_an_attempt_and_the_deadline_moves_by_the_pause(
    client, proctor, sitting
):
    client.force_login(proctor)
    deadline = sitting.deadline
    paused = act(client, sitting, "pause", page="1")
    assert paused.status_code == 302
    assert paused["Location"].endswith(f"#attempt-{sitting.pk}")
    sitting.refresh_from_db()
    assert sitting.is_paused
    page = client.get(paused["Location"])
    assert f"{sitting.candidate}'s clock is paused." in shown(page)
    assert "Paused since" in page.content.decode()
    Attempt.objects.filter(pk=sitting.pk).update(
        paused_at=sitting.paused_at - datetime.timedelta(minutes=5)
    )
    act(client, sitting, "resume")
    sitting.refresh_from_db()
    assert not sitting.is_paused
    assert datetime.timedelta(minutes=5) <= sitting.deadline - deadline
    assert sitting.deadline - deadline < datetime.timedelta(minutes=5, seconds=10)
    assert [e.action for e in sitting.events.exclude(action=AttemptAction.STATUS)] == [
        AttemptAction.PAUSED,
        AttemptAction.RESUMED,
    ]


def test_a_proctor_grants_ten_minutes_with_the_reason_on_the_timeline(client, proctor, sitting):
    client.force_login(proctor)
    deadline = sitting.deadline
    response = act(client, sitting, "extra-time", minutes="10", reason="电脑死机重启")
    sitting.refresh_from_db()
    assert sitting.deadline - deadline == datetime.timedelta(minutes=10)
    assert sitting.extra_minutes == 10
    event = sitting.events.get(action=AttemptAction.EXTRA_TIME)
    assert event.by == proctor and "电脑死机重启" in event.reason
    page = client.get(response["Location"])
    assert "王建国 has 10 more minutes." in shown(page)
    content = page.content.decode()
    assert "+10 min" in content and "10 minutes: 电脑死机重启" in content


def test_extra_time_without_a_reason_is_refused_and_the_minutes_typed_are_kept(
    client, proctor, sitting
):
    client.force_login(proctor)
    deadline = sitting.deadline
    response = act(client, sitting, "extra-time", minutes="15", reason="  ")
    page = client.get(response["Location"])
    assert shown(page) == ["Give a reason: it is kept on the timeline."]
    assert 'value="15"' in page.content.decode()
    out_of_range = client.get(
        act(client, sitting, "extra-time", minutes="121", reason="停电")["Location"]
    )
    assert shown(out_of_range) == ["Extra time is between 1 and 120 minutes."]
    assert 'value="停电"' in out_of_range.content.decode()
    sitting.refresh_from_db()
    assert sitting.deadline == deadline and sitting.extra_minutes == 0
    assert not sitting.events.filter(action=AttemptAction.EXTRA_TIME).exists()


def test_terminating_asks_to_confirm_then_ends_the_attempt_with_the_reason(
    client, proctor, sitting
):
    client.force_login(proctor)
    asked = client.get(act(client, sitting, "terminate", reason="夹带小抄")["Location"])
    sitting.refresh_from_db()
    assert sitting.status == AttemptStatus.STARTED
    content = asked.content.decode()
    assert "Terminate the attempt of 王建国? It ends at once and cannot be resumed." in content
    assert 'value="夹带小抄"' in content and 'name="confirmed"' in content
    done = client.get(
        act(client, sitting, "terminate", reason="夹带小抄", confirmed="1")["Location"]
    )
    sitting.refresh_from_db()
    assert sitting.status == AttemptStatus.TERMINATED
    event = sitting.events.get(to_status=AttemptStatus.TERMINATED)
    assert event.by == proctor and event.reason == "夹带小抄"
    assert "王建国's attempt is terminated." in shown(done)
    assert reverse("exams:desk-attempt-action", args=[sitting.pk, "pause"]) not in (
        done.content.decode()
    )


def test_terminating_without_a_reason_is_refused(client, proctor, sitting):
    client.force_login(proctor)
    page = client.get(act(client, sitting, "terminate", reason="", confirmed="1")["Location"])
    assert shown(page) == ["Give a reason: it is kept on the timeline."]
    sitting.refresh_from_db()
    assert sitting.status == AttemptStatus.STARTED


def test_a_refusal_of_the_delivery_service_is_shown_as_a_message(client, proctor, sitting):
    delivery.submit(attempt_id=sitting.pk, candidate=sitting.candidate)
    client.force_login(proctor)
    page = client.get(act(client, sitting, "pause")["Location"])
    assert shown(page) == ["This attempt is not in progress."]


def test_a_proctor_of_another_centre_finds_neither_the_room_nor_its_attempts(
    client, other_proctor, sitting, room_session
):
    client.force_login(other_proctor)
    assert room(client, room_session).status_code == 404
    for action, data in (
        ("pause", {}),
        ("resume", {}),
        ("extra-time", {"minutes": "10", "reason": "停电"}),
        ("terminate", {"reason": "夹带", "confirmed": "1"}),
    ):
        assert act(client, sitting, action, **data).status_code == 404
    sitting.refresh_from_db()
    assert sitting.status == AttemptStatus.STARTED and sitting.extra_minutes == 0
    assert not sitting.is_paused


def test_a_candidate_is_refused_the_room_and_its_controls(client, alice, sitting, room_session):
    client.force_login(alice)
    assert room(client, room_session).status_code == 403
    assert act(client, sitting, "pause").status_code == 403
    sitting.refresh_from_db()
    assert not sitting.is_paused


def test_the_controls_take_posts_only(client, proctor, sitting):
    client.force_login(proctor)
    url = reverse("exams:desk-attempt-action", args=[sitting.pk, "pause"])
    assert client.get(url).status_code == 405
    assert act(client, sitting, "void").status_code == 404


def test_the_room_costs_the_same_queries_for_3_or_30_attempts(
    client, proctor, room_session, make_session
):
    def queries_for_room(session):
        client.force_login(proctor)
        room(client, session)  # the site's own lookups are cached after the first page
        with CaptureQueriesContext(connection) as queries:
            response = room(client, session)
        assert response.status_code == 200
        return len(queries), response

    for attempt in seat(room_session, [UserFactory() for _ in range(3)]):
        start(attempt, answers=1)
    full_room = make_session(
        capacity=40,
        starts_in=datetime.timedelta(minutes=40),
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    for attempt in seat(full_room, [UserFactory() for _ in range(30)]):
        start(attempt, answers=2)
        delivery.pause(attempt_id=attempt.pk, by=proctor)
    with_3, small = queries_for_room(room_session)
    with_30, full = queries_for_room(full_room)
    assert len(small.context["attempts"]) == 3 and len(full.context["attempts"]) == 30
    assert full.content.decode().count("2 / 3") == 30
    assert with_30 == with_3


def test_a_full_room_is_shown_in_pages(client, proctor, room_session):
    people = [UserFactory() for _ in range(51)]
    room_session.capacity = 60
    room_session.save()
    room_session.room.seat_count = 60
    room_session.room.save()
    seat(room_session, people)
    client.force_login(proctor)
    first = room(client, room_session)
    assert len(first.context["attempts"]) == 50
    second = room(client, room_session, page=2)
    assert len(second.context["attempts"]) == 1
    assert "Page 2 of 2" in second.content.decode()

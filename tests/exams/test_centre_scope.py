"""Each centre's staff reach only their own centre, whichever door they try."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exams import bookings, checkin
from exams.choices import BookingStatus, SessionStatus
from exams.models import Attempt, BlueprintRule, ExamSession, Paper, Room
from exams.models import TestCentre as Centre  # not a test class
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_session(exam):
    centre = Centre.objects.create(name="余杭区安全生产考点", code="YH01", address="临平路 1 号")
    room = Room.objects.create(centre=centre, name="第一考场", seat_count=10)
    now = timezone.now()
    return ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now + datetime.timedelta(days=3),
        capacity=10,
        booking_opens_at=now - datetime.timedelta(days=1),
        booking_closes_at=now + datetime.timedelta(days=2),
    )


def test_a_centre_admin_cannot_bulk_delete_another_centres_session(
    client, centre_admin, other_session
):
    client.force_login(centre_admin)
    url = reverse("wagtail_bulk_action", args=["exams", "examsession", "delete"])
    client.post(f"{url}?id={other_session.pk}", follow=True)
    assert ExamSession.objects.filter(pk=other_session.pk).exists()


def test_the_session_chooser_lists_only_the_proctors_centre(
    client, proctor, session, other_session
):
    client.force_login(proctor)
    page = client.get("/admin/snippets/choose/exams/examsession/").json()["html"]
    assert "西湖区安全生产考点" in page
    assert "余杭区安全生产考点" not in page


def test_a_desk_does_not_find_another_centres_ticket(session, other_session, alice):
    booking = bookings.book(session=other_session, candidate=alice)
    with pytest.raises(checkin.TicketNotFound):
        checkin.find_booking(session=session, ticket_number=booking.ticket_number)


def test_a_booking_made_after_check_in_opened_gets_its_paper(
    exam, bank, make_question, session, alice, bob, django_capture_on_commit_callbacks
):
    for n in range(6):
        make_question(type="single", difficulty=1 + n % 5)
    paper = Paper.objects.create(name="模拟考试", kind="blueprint")
    paper.banks.set([bank])
    paper.save()
    BlueprintRule.objects.create(paper=paper, sort_order=0, type="single", count=5, points=20)
    exam.paper = paper
    exam.save()
    bookings.book(session=session, candidate=alice)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.session_transition(session=session, to=SessionStatus.CHECK_IN)
        bookings.book(session=session, candidate=bob)
    assert Attempt.objects.filter(booking__candidate=bob).exists()


def test_a_finished_session_is_closed_after_its_no_shows_are_marked(make_session, alice):
    session = make_session(starts_in=datetime.timedelta(days=2))
    booking = bookings.book(session=session, candidate=alice)
    later = timezone.now() + datetime.timedelta(days=3)
    checkin.mark_no_shows(now=later)
    assert bookings.close_finished_sessions(now=later) == 1
    session.refresh_from_db()
    booking.refresh_from_db()
    assert (session.status, booking.status) == (SessionStatus.CLOSED, BookingStatus.NO_SHOW)


def test_searching_a_full_id_number_tells_nothing_about_people_booked_elsewhere(
    client, centre_admin, other_session
):
    stranger = UserFactory(real_name="赵强")
    bookings.book(session=other_session, candidate=stranger)
    client.force_login(centre_admin)
    response = client.get(reverse("exams_bookings"), {"q": stranger.id_number})
    assert response.status_code == 200  # no redirect to the person's bookings
    assert "赵强" not in response.content.decode()

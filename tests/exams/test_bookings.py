"""Booking seats: eligibility, capacity, one booking per candidate, and the audit trail."""

import datetime

import pytest
from django.utils import timezone, translation

from exams import bookings
from exams.choices import BookingAction, BookingStatus
from exams.models import Booking
from tests.factories import UserFactory
from training.models import CoursePage, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_books_the_lowest_free_seat_with_a_ten_digit_ticket_number(session, alice, bob):
    first = bookings.book(session=session, candidate=alice)
    second = bookings.book(session=session, candidate=bob)
    assert (first.seat, second.seat) == (1, 2)
    assert len(first.ticket_number) == 10 and first.ticket_number != second.ticket_number
    assert [event.action for event in first.events.all()] == [BookingAction.BOOKED]


def test_it_refuses_a_second_booking_of_the_same_exam(session, make_session, alice):
    bookings.book(session=session, candidate=alice)
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(session=make_session(starts_in=datetime.timedelta(days=9)), candidate=alice)
    assert "already have a booking for this exam" in refused.value.reasons[0]


def test_it_refuses_a_full_session_and_a_closed_one(make_session, alice, bob):
    full = make_session(capacity=1)
    bookings.book(session=full, candidate=alice)
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(session=full, candidate=bob)
    assert refused.value.reasons == ["This session is full."]
    closed = make_session(booking_closes_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(session=closed, candidate=bob)
    assert refused.value.reasons == ["Booking for this session has closed."]


def test_a_candidate_without_the_required_training_is_told_what_is_missing(
    session, exam, alice, home
):
    from tests.pages import add
    from training.models import TrainingIndexPage

    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="危化品安全管理",
            slug="hazchem",
            target_roles=["safety_manager"],
            required_hours=1,
        ),
    )
    exam.required_courses.add(course)
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(session=session, candidate=alice)
    assert refused.value.reasons == ["Not enrolled in the required course “危化品安全管理”."]
    Enrolment.objects.create(
        learner=alice,
        course=course,
        course_title=course.title,
        source="self",
        completed_at=timezone.now(),
    )
    assert bookings.book(session=session, candidate=alice).status == BookingStatus.BOOKED


def test_a_candidate_may_sit_an_exam_as_often_as_it_allows(make_session, exam, alice):
    for days in (1, 2):
        booking = bookings.book(
            session=make_session(starts_in=datetime.timedelta(days=days)), candidate=alice
        )
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CHECKED_IN)
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(session=make_session(starts_in=datetime.timedelta(days=3)), candidate=alice)
    assert refused.value.reasons == ["You have used the 2 sittings this exam allows."]


def test_cancelling_frees_the_seat_and_is_recorded(session, alice, bob, centre_admin):
    booking = bookings.book(session=session, candidate=alice)
    bookings.cancel(booking=booking, by=centre_admin, reason="本人申请")
    assert bookings.book(session=session, candidate=bob).seat == 1
    event = booking.events.last()
    assert (event.action, event.by, event.reason) == (
        BookingAction.CANCELLED,
        centre_admin,
        "本人申请",
    )


def test_moving_a_booking_gives_a_new_seat_and_ticket_and_keeps_the_trail(
    session, make_session, alice, centre_admin
):
    booking = bookings.book(session=session, candidate=alice)
    later = make_session(starts_in=datetime.timedelta(days=14))
    moved = bookings.reschedule(booking=booking, to_session=later, by=centre_admin)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert moved.session == later and moved.ticket_number != booking.ticket_number
    assert booking.events.last().details == {"to_booking": moved.pk}


def test_a_seat_can_be_changed_but_not_to_a_taken_one(session, alice, bob, centre_admin):
    first = bookings.book(session=session, candidate=alice)
    bookings.book(session=session, candidate=bob)
    with pytest.raises(bookings.BookingChangeRefused):
        bookings.change_seat(booking=first, seat=2, by=centre_admin)
    with pytest.raises(bookings.BookingChangeRefused):
        bookings.change_seat(booking=first, seat=41, by=centre_admin)
    assert bookings.change_seat(booking=first, seat=17, by=centre_admin).seat == 17
    assert first.events.last().details == {"seat": [1, 17]}


def test_a_session_only_moves_forward(session):
    from exams.choices import SessionStatus

    bookings.session_transition(session=session, to=SessionStatus.CHECK_IN)
    with pytest.raises(bookings.IllegalSessionTransition):
        bookings.session_transition(session=session, to=SessionStatus.SCHEDULED)


def test_many_candidates_book_the_lowest_seats_in_turn(session):
    people = [UserFactory() for _ in range(5)]
    seats = [bookings.book(session=session, candidate=person).seat for person in people]
    assert seats == [1, 2, 3, 4, 5]


def test_calling_a_session_off_cancels_its_bookings_and_keeps_the_sittings(
    session, make_session, alice, centre_admin
):
    from exams.choices import SessionStatus

    booking = bookings.book(session=session, candidate=alice)
    bookings.session_transition(session=session, to=SessionStatus.CLOSED, by=centre_admin)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.events.last().reason == "The session was called off."
    later = make_session(starts_in=datetime.timedelta(days=10))
    assert bookings.book(session=later, candidate=alice).status == BookingStatus.BOOKED

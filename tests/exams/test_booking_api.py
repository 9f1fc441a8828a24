"""The candidate's booking API: open sessions, book, my bookings, cancel."""

import pytest
from django.urls import reverse

from exams import bookings

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


def test_a_candidate_sees_open_sessions_with_the_seats_left(client, alice, bob, make_session):
    session = make_session(capacity=2)
    bookings.book(session=session, candidate=bob)
    client.force_login(alice)
    (listed,) = client.get(reverse("api:sessions-open")).json()["results"]
    assert (listed["id"], listed["seats_left"], listed["room"]) == (session.pk, 1, "第一考场")


def test_a_candidate_books_and_cancels_through_the_api(client, alice, session):
    client.force_login(alice)
    booked = client.post(reverse("api:session-book", args=[session.pk]))
    assert booked.status_code == 201
    booking = booked.json()
    assert booking["seat"] == 1 and booking["status"] == "booked"
    (mine,) = client.get(reverse("api:bookings-mine")).json()["results"]
    assert mine["ticket_number"] == booking["ticket_number"]
    cancelled = client.post(
        reverse("api:booking-cancel", args=[booking["id"]]), {"reason": "时间冲突"}
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_refused_booking_says_why(client, alice, make_session):
    full = make_session(capacity=1)
    bookings.book(session=full, candidate=alice)
    client.force_login(alice)
    response = client.post(reverse("api:session-book", args=[full.pk]), headers=ENGLISH)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "booking_refused"
    assert error["details"]["reasons"] == [
        "You have already booked this session.",
        "This session is full.",
    ]


def test_a_candidate_cannot_cancel_someone_elses_booking(client, alice, bob, session):
    booking = bookings.book(session=session, candidate=bob)
    client.force_login(alice)
    assert client.post(reverse("api:booking-cancel", args=[booking.pk])).status_code == 404
    assert client.get(reverse("api:bookings-mine")).json()["results"] == []

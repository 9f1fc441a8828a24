"""Fifty candidates press "book" at the same moment for a session of thirty seats."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from exams import bookings
from exams.choices import BookingStatus
from exams.models import Booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_fifty_parallel_bookings_for_thirty_seats_give_thirty_bookings_and_twenty_refusals(
    make_session,
):
    session = make_session(capacity=30)
    candidates = [UserFactory() for _ in range(50)]
    barrier = threading.Barrier(len(candidates))
    booked, refused, failed = [], [], []

    def press_book(candidate):
        translation.activate("en")  # each thread has its own language
        try:
            barrier.wait()
            booked.append(bookings.book(session=session, candidate=candidate))
        except bookings.BookingRefused as error:
            refused.append(error.reasons)
        except Exception as error:  # noqa: BLE001 - anything else fails the test below
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_book, args=(person,)) for person in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failed == []
    assert len(booked) == 30
    assert refused == [["This session is full."]] * 20
    seats = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
    assert sorted(seats.values_list("seat", flat=True)) == list(range(1, 31))

"""
What the staff of test centres may see and change in the back office: a centre
admin the centres they administer, a proctor the centres they proctor (and the
sessions they are the proctor of), the bureau every centre.

Model permissions say what a person may do at all; these say where.
"""

from django.db.models import Count, Q

from exams.checkin import sees_every_centre
from exams.choices import SEAT_HOLDING
from exams.models import Booking, ExamSession, Room, TestCentre


def centres_for(user):
    """The centres a person works at, as an admin or a proctor."""
    if sees_every_centre(user):
        return TestCentre.objects.all()
    return TestCentre.objects.filter(Q(admins=user) | Q(proctors=user)).distinct()


def administered_centres(user):
    """The centres whose rooms, sessions and bookings a person may change."""
    if sees_every_centre(user):
        return TestCentre.objects.all()
    return TestCentre.objects.filter(admins=user)


def rooms_for(user):
    return Room.objects.filter(centre__in=centres_for(user)).select_related("centre")


def administered_rooms(user):
    return Room.objects.filter(centre__in=administered_centres(user)).select_related("centre")


def sessions_for(user):
    """The sessions a person may see: those of their centres, and those they proctor."""
    sessions = ExamSession.objects.select_related("exam", "centre", "room", "proctor")
    if sees_every_centre(user):
        return sessions
    return sessions.filter(Q(centre__in=centres_for(user)) | Q(proctor=user))


def administered_sessions(user):
    return ExamSession.objects.filter(centre__in=administered_centres(user)).select_related(
        "exam", "centre", "room"
    )


def with_seats_taken(sessions):
    """Sessions annotated with `seats_taken`: the bookings that hold a seat."""
    return sessions.annotate(
        seats_taken=Count("bookings", filter=Q(bookings__status__in=SEAT_HOLDING))
    )


def bookings_for(user):
    """The bookings of the sessions a person may see, with what a listing shows."""
    return Booking.objects.filter(session__in=sessions_for(user)).select_related(
        "candidate", "session__exam", "session__centre", "session__room"
    )


def may_change_bookings_of(user, session):
    return user.has_perm("exams.change_booking") and (
        administered_centres(user).filter(pk=session.centre_id).exists()
    )


def may_book_into(user, session):
    return user.has_perm("exams.add_booking") and (
        administered_centres(user).filter(pk=session.centre_id).exists()
    )

"""Reads of the question bank, and of the sessions and bookings candidates see."""

from django.db.models import Count, Q
from django.utils import timezone

from exams.choices import SEAT_HOLDING, SessionStatus
from exams.models import Booking, ExamSession, Question, QuestionBank


def banks_for_author(user):
    """The banks a person may author in: the bureau and superusers all, others by group."""
    if user.is_bureau:
        return QuestionBank.objects.all()
    return QuestionBank.objects.filter(editor_groups__in=user.groups.all()).distinct()


def questions_for_author(user):
    """The current version of every question in the person's banks."""
    return Question.objects.filter(is_current=True, bank__in=banks_for_author(user))


def open_sessions():
    """Sessions whose booking window is open now, soonest first, with `seats_taken`."""
    now = timezone.now()
    return (
        ExamSession.objects.filter(
            status__in=[SessionStatus.SCHEDULED, SessionStatus.CHECK_IN],
            booking_opens_at__lte=now,
            booking_closes_at__gte=now,
        )
        .select_related("exam", "centre", "room")
        .annotate(seats_taken=Count("bookings", filter=Q(bookings__status__in=SEAT_HOLDING)))
        .order_by("starts_at", "pk")
    )


def bookings_of(user):
    """A candidate's own bookings, latest session first."""
    return (
        Booking.objects.filter(candidate=user)
        .select_related("session__exam", "session__centre", "session__room")
        .order_by("-session__starts_at", "-pk")
    )

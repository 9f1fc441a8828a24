"""Reads of the question bank, and of the sessions, bookings and attempts candidates see."""

from django.db.models import Count, F, Q
from django.utils import timezone

from exams.choices import SEAT_HOLDING, AttemptStatus, PaperKind, SessionStatus
from exams.models import Attempt, Booking, Exam, ExamSession, Question, QuestionBank


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
        .select_related("session__exam", "session__centre", "session__room", "attempt")
        .order_by("-session__starts_at", "-pk")
    )


def attempts_of(user):
    """A candidate's own attempts, sittings and practice, latest first."""
    return (
        Attempt.objects.filter(candidate=user)
        .select_related("exam", "paper", "booking__session__centre")
        .order_by(F("started_at").desc(nulls_last=True), "-pk")
    )


def results_of(user):
    """A candidate's finished attempts ("My results"), latest first."""
    return attempts_of(user).filter(
        status__in=[
            AttemptStatus.GRADED,
            AttemptStatus.TERMINATED,
            AttemptStatus.VOIDED,
        ]
    )


def practice_exams(user):
    """
    Exams the learner may practise: open for practice, and a course of theirs
    leads to it (any course, for an exam that requires none). A fixed paper is
    never practised: practice would show the real exam's key.
    """
    if not user.enrolments.exists():
        return Exam.objects.none()
    enrolled = user.enrolments.values("course")
    return (
        Exam.objects.filter(practice_open=True, paper__isnull=False)
        .exclude(paper__kind=PaperKind.FIXED)
        .filter(Q(required_courses__in=enrolled) | Q(required_courses__isnull=True))
        .distinct()
        .order_by("title")
    )


def mistakes_shown(attempt):
    """
    Whether the result may list the questions answered wrongly, with the key:
    the exam says so, the attempt is graded, and for a sitting the session has
    ended, so that no one still writing the same paper can learn the key.
    """
    if attempt.status != AttemptStatus.GRADED or not attempt.exam.show_mistakes:
        return False
    return attempt.practice or attempt.booking.session.status == SessionStatus.CLOSED


def mistakes(attempt):
    """
    The graded questions a candidate did not get fully right, in their order,
    with what they chose, the key (by the version that graded it) and the
    explanation; options in the order the candidate saw them.
    """
    items = attempt.questions.select_related("question", "graded_with").filter(
        earned__lt=F("points")
    )
    return [_reviewed(item) for item in items]


def _reviewed(item):
    key = item.key_question
    return {
        "position": item.position,
        "type": item.question.type,
        "stem": item.question.stem,
        "options": options_shown(item),
        "selected": shown(item, item.selected),
        "key": shown(item, key.answer),
        "explanation": key.explanation,
        "earned": item.earned,
        "points": item.points,
    }


def options_shown(item):
    """The option texts in this candidate's order (true/false has none: the page draws them)."""
    return [item.question.options[index] for index in item.option_order]


def shown(item, original):
    """Original option indexes → the positions this candidate sees them at."""
    if not item.option_order:
        return sorted(original)
    return sorted(item.option_order.index(index) for index in original)

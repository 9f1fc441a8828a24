import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count, F, Min, Q
from django.db.models.functions import TruncMonth
from django.test import override_settings

from accounts import idcard
from accounts.demo import seed_people
from accounts.models import User
from exams import similarity
from exams.choices import BookingStatus, QuestionType
from exams.demo import seed_question_bank
from exams.demo_centres import seed_centres
from exams.demo_history import BrokenQuestion, month_starts, seed_history
from exams.models import (
    Attempt,
    AttemptQuestion,
    Booking,
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateEvent,
    CertificateStatus,
    ExamSession,
    Question,
)
from proctoring.models import Incident

TODAY = datetime.date(2026, 11, 18)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_stage():
    seed_people()
    seed_question_bank()
    seed_centres()


@pytest.fixture
def history(demo_stage):
    return seed_history(attempts_target=1200, today=TODAY)


def counts():
    return (
        User.objects.count(),
        ExamSession.objects.count(),
        Booking.objects.count(),
        Attempt.objects.count(),
        Certificate.objects.count(),
        Incident.objects.count(),
    )


def test_it_covers_the_twelve_calendar_months_before_this_one():
    assert month_starts(TODAY, 12) == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        *[datetime.date(2026, month, 1) for month in range(1, 11)],
    ]


def test_it_creates_nothing_the_second_time(history):
    before = counts()
    assert seed_history(attempts_target=1200, today=TODAY) is None
    assert counts() == before
    assert history.attempts == Attempt.objects.count() - 1  # 李秀英's pass of seed_centres
    assert 1000 <= history.attempts <= 1500


def test_it_makes_passes_fails_no_shows_and_resits_in_every_month(history):
    first_sittings = {}
    for attempt in Attempt.objects.order_by("booking__session__starts_at", "pk"):
        first_sittings.setdefault((attempt.candidate_id, attempt.exam_id), attempt.pk)
    resits = Attempt.objects.exclude(pk__in=first_sittings.values())
    by_month = {
        row["month"].date(): row
        for row in Booking.objects.annotate(month=TruncMonth("session__starts_at"))
        .values("month")
        .annotate(
            passed=Count("pk", filter=Q(attempt__passed=True)),
            failed=Count("pk", filter=Q(attempt__passed=False)),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            resits=Count("pk", filter=Q(attempt__in=resits)),
        )
    }
    for month in month_starts(TODAY, 12):
        row = by_month[month]
        assert row["passed"] > row["failed"] > 0, month
        assert row["no_shows"] > 0, month
        assert row["resits"] > 0, month
    # A re-sit comes after a fail of the same exam, and nobody sits a third time.
    for resit in resits:
        earlier = Attempt.objects.filter(
            candidate=resit.candidate,
            exam=resit.exam,
            booking__session__starts_at__lt=resit.booking.session.starts_at,
        )
        assert [a.passed for a in earlier] == [False]


def test_it_issues_a_certificate_for_exactly_the_passes(history):
    passes = set(Attempt.objects.filter(passed=True).values_list("pk", flat=True))
    certified = set(Certificate.objects.values_list("attempt_id", flat=True))
    assert certified == passes
    assert not Certificate.objects.exclude(pdf="").exists()
    revoked = Certificate.objects.filter(status=CertificateStatus.REVOKED)
    assert 0 < revoked.count() < len(passes) / 10
    # Their history says so, dated when it happened.
    issued = CertificateEvent.objects.filter(action=CertificateAction.ISSUED)
    assert issued.count() == len(passes)
    simulated = issued.filter(certificate__holder__username__startswith="hist")
    assert simulated.count() == len(passes) - 1  # 李秀英's was issued by seed_centres
    assert not simulated.exclude(at=F("certificate__attempt__graded_at")).exists()
    revocations = CertificateEvent.objects.filter(action=CertificateAction.REVOKED)
    assert set(revocations.values_list("certificate", flat=True)) == set(
        revoked.values_list("pk", flat=True)
    )
    assert not revocations.exclude(at=F("certificate__revoked_at")).exists()
    # Numbered in the yearly series, without gaps or repeats; the counters know.
    for counter in CertificateCounter.objects.all():
        numbers = sorted(
            Certificate.objects.filter(number__startswith=f"AK-{counter.year}-").values_list(
                "number", flat=True
            )
        )
        assert numbers == [f"AK-{counter.year}-{n:06d}" for n in range(1, counter.last + 1)]
    # The cohort of three years ago is due for renewal review now.
    due = Certificate.objects.filter(
        expires_on__gte=TODAY, expires_on__lt=TODAY + datetime.timedelta(days=90)
    )
    assert due.count() > 10


def test_its_candidates_are_real_looking_people_with_valid_id_numbers(history):
    people = User.objects.filter(username__startswith="hist")
    assert people.count() == history.candidates
    for person in people[:200]:
        assert idcard.validate_id_number(person.id_number) == person.id_number
        assert person.employer and person.industry and person.town and person.real_name
        assert person.groups.filter(name="考生").exists()
    assert len(Counter(people.values_list("town", flat=True))) > 5


def test_its_answers_show_the_broken_questions(history):
    broken = {kind: Question.objects.get(pk=pk) for kind, pk in history.broken_questions.items()}
    assert set(broken) == set(BrokenQuestion)

    unchosen = broken[BrokenQuestion.UNCHOSEN_DISTRACTOR]
    picks = Counter(
        index
        for selected in AttemptQuestion.objects.filter(question=unchosen).values_list(
            "selected", flat=True
        )
        for index in selected
    )
    assert sum(picks.values()) > 30
    assert sorted(index for index in range(len(unchosen.options)) if not picks[index]) == [
        max(set(range(len(unchosen.options))) - set(unchosen.answer))
    ]

    def mean_score(question, *, right):
        answered = AttemptQuestion.objects.filter(question=question)
        answered = answered.filter(earned__gt=0) if right else answered.filter(earned=0)
        return Attempt.objects.filter(questions__in=answered).aggregate(mean=Avg("score"))["mean"]

    negative = broken[BrokenQuestion.NEGATIVE_DISCRIMINATION]
    assert mean_score(negative, right=True) < mean_score(negative, right=False)
    ordinary = (
        Question.objects.filter(type=QuestionType.SINGLE, difficulty=3)
        .exclude(pk__in=history.broken_questions.values())
        .first()
    )
    assert mean_score(ordinary, right=True) > mean_score(ordinary, right=False)

    too_hard = AttemptQuestion.objects.filter(question=broken[BrokenQuestion.TOO_HARD])
    assert too_hard.filter(earned__gt=0).count() < 0.2 * too_hard.count()


def test_its_colluding_pairs_sit_side_by_side_with_the_same_wrong_answers(history):
    assert len(history.colluding_pairs) >= 8  # two a quarter
    wrong_answers = identical = 0
    for session_id, source_seat, copier_seat in history.colluding_pairs:
        session = ExamSession.objects.get(pk=session_id)
        per_row = session.room.seats_per_row
        assert copier_seat == source_seat + 1
        assert (source_seat - 1) // per_row == (copier_seat - 1) // per_row
        source, copier = (
            Attempt.objects.get(booking__session=session, booking__seat=seat)
            for seat in (source_seat, copier_seat)
        )
        wrong = {
            item.question_id: item.selected
            for item in source.questions.filter(earned=0).exclude(selected=[])
        }
        wrong_answers += len(wrong)
        identical += sum(
            1
            for item in copier.questions.filter(question_id__in=wrong)
            if item.selected == wrong[item.question_id]
        )
    assert wrong_answers > 20
    assert identical >= 0.75 * wrong_answers


def test_the_answer_similarity_check_finds_its_colluding_pairs(history):
    found = 0
    for session_id, source_seat, copier_seat in history.colluding_pairs:
        session = ExamSession.objects.get(pk=session_id)
        planted = set(
            Attempt.objects.filter(
                booking__session=session, booking__seat__in=(source_seat, copier_seat)
            ).values_list("pk", flat=True)
        )
        flagged = [
            {pair.first, pair.second}
            for pair in similarity.SessionAnswers.for_session(session).flagged_pairs()
        ]
        found += planted in flagged
        assert all(pair == planted for pair in flagged)  # nobody else in the room
    assert found >= 0.75 * len(history.colluding_pairs)


@override_settings(DEMO_HISTORY_ATTEMPTS=150)
def test_seed_demo_adds_the_history_once():
    call_command("seed_demo", stdout=io.StringIO())
    made = counts()
    people = User.objects.filter(username__startswith="hist")
    assert people.count() > 100
    # Each studied a course of the demo, earning at least its hours, before sitting.
    first_sitting = Min("bookings__session__starts_at")
    for person in people.annotate(first_sitting=first_sitting).prefetch_related("enrolments"):
        (enrolment,) = person.enrolments.all()
        assert enrolment.seconds_credited >= enrolment.course.required_seconds
        assert enrolment.enrolled_at < enrolment.last_studied_at < person.first_sitting
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == made

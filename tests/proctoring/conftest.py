import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from exams import attempts, bookings
from exams.choices import BookingStatus, PaperKind, SessionStatus
from exams.models import Attempt, Booking, ExamSession, Paper, PaperQuestion
from proctoring import services
from proctoring.models import ConsentPolicy
from tests.exams.conftest import bank, centre, exam, make_question, make_session, room  # noqa: F401
from tests.factories import UserFactory
from tests.proctoring import frames


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def policy(db):
    return ConsentPolicy.objects.create(
        version="2026-1",
        title="考试监考告知",
        text=(
            "考试期间摄像头每约 30 秒抓拍一张照片，"
            "仅本考点监考员和区应急管理局可查看，成绩确定 90 天后删除。"
        ),
        in_force_from=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )


@pytest.fixture
def sitting(exam, make_question, make_session):  # noqa: F811
    paper = Paper.objects.create(
        name="监考测试卷", kind=PaperKind.FIXED, pass_mark=Decimal("60"), duration_minutes=45
    )
    PaperQuestion.objects.create(paper=paper, question=make_question(), points=Decimal(100))
    exam.paper = paper
    exam.save()
    return make_session(duration_minutes=60)


@pytest.fixture
def seat(sitting):
    """A prepared attempt of a checked-in candidate (with a check-in photo), ready to start."""

    def make(candidate, check_in_photo=True):
        ExamSession.objects.filter(pk=sitting.pk).update(status=SessionStatus.SCHEDULED)
        booking = bookings.book(session=sitting, candidate=candidate)
        attempts.prepare_attempts(session_id=sitting.pk)
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CHECKED_IN)
        if check_in_photo:
            booking.refresh_from_db()
            booking.check_in_photo.save(
                "desk.jpg", ContentFile(frames.jpeg(frames.astronaut())), save=True
            )
        ExamSession.objects.filter(pk=sitting.pk).update(status=SessionStatus.CHECK_IN)
        return Attempt.objects.get(booking=booking)

    return make


@pytest.fixture
def consented(seat, alice, policy):
    attempt = seat(alice)
    services.give_consent(attempt_id=attempt.pk, candidate=alice, policy_version=policy.version)
    return attempt


def pass_camera_check(attempt):
    """The camera check passed with a clear face (the server holds the start to it)."""
    problems, check = services.camera_check(
        attempt_id=attempt.pk,
        candidate=attempt.candidate,
        image=SimpleUploadedFile("check.jpg", frames.jpeg(frames.astronaut()), "image/jpeg"),
    )
    assert problems == []
    return check


@pytest.fixture
def other_proctor(db):
    from accounts.choices import Role
    from exams.models import TestCentre

    person = UserFactory(username="other_proctor", real_name="钱进", roles=[Role.PROCTOR])
    other = TestCentre.objects.create(name="滨江区考点", code="BJ01", address="江南大道 2 号")
    other.proctors.add(person)
    return person

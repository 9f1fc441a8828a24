import datetime
import itertools

import pytest
from django.utils import timezone

from accounts.choices import ROLE_GROUP_NAMES, Role
from exams import services
from exams.choices import PaperKind, QuestionStatus
from exams.models import Exam, ExamSession, Paper, QuestionBank, Room, TestCentre

_numbers = itertools.count(1)


@pytest.fixture
def bank(db):
    from django.contrib.auth.models import Group

    bank = QuestionBank.objects.create(name="危化品安全题库", owner="区安全生产考试中心")
    bank.editor_groups.set(
        Group.objects.filter(
            name__in=[ROLE_GROUP_NAMES[Role.TRAINER], ROLE_GROUP_NAMES[Role.CENTRE_ADMIN]]
        )
    )
    return bank


@pytest.fixture
def other_bank(db):
    return QuestionBank.objects.create(name="宣教中心竞赛题库", owner="区安全生产宣教中心")


@pytest.fixture
def make_question(bank):
    def make(
        type="single",
        stem=None,
        options=None,
        answer=None,
        status=QuestionStatus.ACTIVE,
        difficulty=3,
        tags=("危险化学品",),
        industry="hazardous_chemicals",
        **fields,
    ):
        number = next(_numbers)
        if options is None:
            options = (
                []
                if type == "true_false"
                else [f"做法甲{number}", f"做法乙{number}", f"做法丙{number}", f"做法丁{number}"]
            )
        if answer is None:
            answer = {"single": [1], "multiple": [0, 2], "true_false": [0]}[type]
        return services.question_create(
            bank=fields.pop("bank", bank),
            type=type,
            stem=stem or f"<p>危险化学品仓库管理第 {number} 题：下列做法正确的是（ ）。</p>",
            options=options,
            answer=answer,
            status=status,
            difficulty=difficulty,
            tags=tags,
            industry=industry,
            explanation="依据危险化学品安全管理条例。",
            **fields,
        )

    return make


# ---------------------------------------------------------------------------
# Test centres, sessions and bookings
# ---------------------------------------------------------------------------


@pytest.fixture
def centre(db, centre_admin, proctor):
    centre = TestCentre.objects.create(
        name="西湖区安全生产考点", code="XH01", address="文三路 1 号"
    )
    centre.admins.add(centre_admin)
    centre.proctors.add(proctor)
    return centre


@pytest.fixture
def room(centre):
    return Room.objects.create(centre=centre, name="第一考场", seat_count=40, seats_per_row=8)


@pytest.fixture
def exam(db):
    """An exam with no training required, so that every candidate is eligible."""
    paper = Paper.objects.create(name="危化品模拟试卷", kind=PaperKind.FIXED)
    return Exam.objects.create(
        title="危险化学品安全管理人员考试", target_role="safety_manager", paper=paper
    )


@pytest.fixture
def make_session(exam, centre, room):
    def make(capacity=30, starts_in=datetime.timedelta(days=7), **fields):
        starts_at = timezone.now() + starts_in
        return ExamSession.objects.create(
            exam=fields.pop("exam", exam),
            centre=centre,
            room=room,
            starts_at=starts_at,
            capacity=capacity,
            booking_opens_at=fields.pop(
                "booking_opens_at", timezone.now() - datetime.timedelta(days=1)
            ),
            booking_closes_at=fields.pop(
                "booking_closes_at", starts_at - datetime.timedelta(hours=1)
            ),
            **fields,
        )

    return make


@pytest.fixture
def session(make_session):
    return make_session()

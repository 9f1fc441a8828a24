import itertools

import pytest

from accounts.choices import ROLE_GROUP_NAMES, Role
from exams import services
from exams.choices import QuestionStatus
from exams.models import QuestionBank

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

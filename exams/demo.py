"""The demo question bank and a 100-point blueprint paper, for seed_demo."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.choices import ROLE_GROUP_NAMES, Role
from exams import services
from exams.choices import PaperKind, QuestionStatus
from exams.demo_questions import BLUEPRINT, QUESTIONS
from exams.importers.base import FALSE, OPTION_LABELS, TRUE
from exams.models import BlueprintRule, Paper, Question, QuestionBank


def answer_indexes(question):
    if question["type"] == "true_false":
        return list(TRUE if question["answer"] == "正确" else FALSE)
    return [OPTION_LABELS.index(letter) for letter in question["answer"]]


@transaction.atomic
def seed_question_bank():
    bank, created = QuestionBank.objects.get_or_create(
        name="区安全生产培训考试题库",
        defaults={
            "owner": "区安全生产考试中心",
            "description": "从业人员安全生产培训考试的通用题库，覆盖五个重点行业。",
        },
    )
    if created:
        bank.editor_groups.set(
            Group.objects.filter(
                name__in=[ROLE_GROUP_NAMES[Role.TRAINER], ROLE_GROUP_NAMES[Role.CENTRE_ADMIN]]
            )
        )
    if not Question.objects.filter(bank=bank).exists():
        for question in QUESTIONS:
            services.question_create(
                bank=bank,
                type=question["type"],
                stem=f"<p>{question['stem']}</p>",
                options=question["options"],
                answer=answer_indexes(question),
                explanation=question["explanation"],
                difficulty=question["difficulty"],
                industry=question["industry"],
                tags=question["tags"],
                source="区安全生产宣教中心编写",
                status=QuestionStatus.ACTIVE,
            )
    paper = Paper.objects.filter(name=BLUEPRINT["name"]).first()
    if paper is None:
        paper = Paper.objects.create(
            name=BLUEPRINT["name"],
            kind=PaperKind.BLUEPRINT,
            pass_mark=Decimal(BLUEPRINT["pass_mark"]),
            duration_minutes=BLUEPRINT["duration_minutes"],
        )
        paper.banks.set([bank])
        paper.save()  # a ParentalManyToManyField is written on save
        for order, rule in enumerate(BLUEPRINT["rules"]):
            BlueprintRule.objects.create(
                paper=paper,
                sort_order=order,
                type=rule["type"],
                tags=",".join(rule["tags"]),
                industry=rule["industry"],
                difficulty_min=rule["difficulty_min"],
                difficulty_max=rule["difficulty_max"],
                count=rule["count"],
                points=Decimal(rule["points"]),
            )
    return bank, paper

"""Reads of the question bank, scoped to what a person may see."""

from accounts.choices import ROLE_GROUP_NAMES, Role
from exams.models import Question, QuestionBank


def banks_for_author(user):
    """The banks a person may author in: the bureau and superusers all, others by group."""
    if user.is_superuser or user.groups.filter(name=ROLE_GROUP_NAMES[Role.BUREAU_ADMIN]).exists():
        return QuestionBank.objects.all()
    return QuestionBank.objects.filter(editor_groups__in=user.groups.all()).distinct()


def questions_for_author(user):
    """The current version of every question in the person's banks."""
    return Question.objects.filter(is_current=True, bank__in=banks_for_author(user))

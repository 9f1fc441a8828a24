"""Helpers for papers in exam tests."""

from exams.choices import PaperKind
from exams.models import BlueprintRule


def as_blueprint(paper, bank):
    """
    Turn a fixed paper into a blueprint that draws the same questions in the same
    order (one rule per question, by type, nothing shuffled): practice is never
    offered on a fixed paper, as it would show the real exam's key.
    """
    fixed = list(paper.fixed_questions.select_related("question"))
    paper.kind = PaperKind.BLUEPRINT
    paper.save()
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    for order, item in enumerate(fixed):
        BlueprintRule.objects.create(
            paper=paper, sort_order=order, type=item.question.type, count=1, points=item.points
        )
    return paper

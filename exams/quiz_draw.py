"""
Questions for the public campaign quizzes (cms.quiz), drawn from the bank
through the same filters as a paper's blueprint rules (`rule_queryset`).
"""

import random

from exams.choices import QuestionStatus, QuestionType
from exams.models import Question
from exams.services import rule_queryset


def quiz_pool(*, banks, tags=(), difficulty_min=1, difficulty_max=5, hand_picked=()):
    """
    The ids of the current, active questions a quiz may ask, of every type.
    Hand-picked questions count by lineage: a revised question is asked in
    its current version, a retired one no longer.
    """
    if hand_picked:
        lineages = Question.objects.filter(pk__in=list(hand_picked)).values("lineage")
        return set(
            Question.objects.filter(
                lineage__in=lineages, is_current=True, status=QuestionStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
    ids = set()
    for question_type in QuestionType.values:
        ids.update(
            rule_queryset(
                banks=banks,
                type=question_type,
                tags=tags,
                difficulty_min=difficulty_min,
                difficulty_max=difficulty_max,
            ).values_list("pk", flat=True)
        )
    return ids


def draw_quiz_questions(*, pool, count, rng=None):
    """`count` distinct questions from the pool (fewer if the pool is smaller), in random order."""
    rng = rng or random.SystemRandom()
    chosen = rng.sample(sorted(pool), min(count, len(pool)))
    questions = Question.objects.in_bulk(chosen)
    return [questions[pk] for pk in chosen]

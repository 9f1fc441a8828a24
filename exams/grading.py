"""
Grading an attempt, and re-grading after a question's key is corrected.

Each answer is scored by `services.score_answer` under the paper's
multiple-choice policy (all or nothing, or partial credit); the attempt's
score is their sum and it passes at the paper's pass mark. A re-grade applies
a corrected version's key to the graded attempts that drew an earlier version
of the same question, and records what it changed on each attempt's timeline
and in a `Regrading`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from exams import certificates
from exams.attempts import move
from exams.choices import AttemptAction, AttemptStatus
from exams.models import Attempt, AttemptEvent, AttemptQuestion, Regrading
from exams.services import score_answer


def grade(attempt, *, now=None, by=None, reason=""):
    """
    Score a submitted (locked) attempt's saved answers and mark it graded;
    `by` and `reason` go on the timeline (an appeal upheld, say).
    """
    items = list(attempt.questions.select_related("question", "graded_with"))
    _apply_corrections(items)
    policy = attempt.paper.multiple_choice_scoring
    for item in items:
        item.earned = score_answer(
            question=item.key_question, selected=item.selected, points=item.points, policy=policy
        )
    AttemptQuestion.objects.bulk_update(items, ["earned", "graded_with"])
    attempt.score = sum((item.earned for item in items), Decimal("0"))
    attempt.max_score = sum((item.points for item in items), Decimal("0"))
    attempt.passed = attempt.score >= attempt.paper.pass_mark
    attempt.graded_at = now or timezone.now()
    move(attempt, AttemptStatus.GRADED, by=by, reason=reason)
    attempt.save(update_fields=["score", "max_score", "passed", "graded_at", "status"])
    # A pass gets its certificate from the worker once this grade is committed.
    certificates.queue_issue(attempt)


def _apply_corrections(items):
    """
    An attempt still being sat when a question was corrected and re-graded is
    graded with the correction too, not the key it drew.
    """
    drawn = {item.question.lineage for item in items}
    corrections = {
        regrading.question.lineage: regrading.question
        for regrading in Regrading.objects.filter(question__lineage__in=drawn)
        .select_related("question")
        .order_by("at", "pk")
    }
    for item in items:
        corrected = corrections.get(item.question.lineage)
        if (
            corrected is not None
            and corrected.pk != item.question_id
            and corrected.type == item.question.type
            and len(corrected.options) == len(item.question.options)
        ):
            item.graded_with = corrected


def regradable(question):
    """Graded answers to earlier versions of `question` that its key would grade."""
    return (
        AttemptQuestion.objects.filter(
            question__lineage=question.lineage,
            question__type=question.type,
            attempt__status=AttemptStatus.GRADED,
        )
        .exclude(question=question)
        .exclude(graded_with=question)
    )


@transaction.atomic
def regrade(*, question, by, reason):
    """
    Grade again, with `question`'s key, every graded answer to an earlier
    version of it whose options are the same. Returns the `Regrading`.
    """
    if not reason.strip():
        raise ValidationError(_("Say what was corrected."))
    if not question.is_current:
        raise ValidationError(_("Re-grade with the current version of the question."))
    # Lock the attempts first, then read their answers: an attempt voided
    # meanwhile is no longer graded and drops out.
    attempts = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("paper")
        .filter(pk__in=regradable(question).values("attempt_id"))
        .order_by("pk")
        .in_bulk()
    )
    items = [
        item
        for item in regradable(question).filter(attempt_id__in=attempts).select_related("question")
        if _same_options(item, question)
    ]
    attempt_ids = sorted({item.attempt_id for item in items})
    for item in items:
        item.graded_with = question
        item.earned = score_answer(
            question=question,
            selected=item.selected,
            points=item.points,
            policy=attempts[item.attempt_id].paper.multiple_choice_scoring,
        )
    AttemptQuestion.objects.bulk_update(items, ["graded_with", "earned"])
    totals = dict(
        AttemptQuestion.objects.filter(attempt_id__in=attempt_ids)
        .values("attempt_id")
        .annotate(total=Sum("earned"))
        .values_list("attempt_id", "total")
    )
    changed, events, passed_before = [], [], {}
    for attempt_id in attempt_ids:
        attempt = attempts[attempt_id]
        before = attempt.score
        passed_before[attempt_id] = attempt.passed
        attempt.score = totals[attempt_id]
        attempt.passed = attempt.score >= attempt.paper.pass_mark
        if attempt.score != before:
            changed.append(attempt)
        events.append(
            AttemptEvent(
                attempt=attempt,
                action=AttemptAction.REGRADED,
                by=by,
                reason=(f"{before} → {attempt.score}: {reason}")[:255],
            )
        )
    Attempt.objects.bulk_update([attempts[pk] for pk in attempt_ids], ["score", "passed"])
    for attempt in changed:
        certificates.follow_regrade(
            attempt, passed_before=passed_before[attempt.pk], by=by, reason=reason
        )
    AttemptEvent.objects.bulk_create(events)
    return Regrading.objects.create(
        question=question,
        by=by,
        reason=reason[:255],
        attempts_regraded=len(attempt_ids),
        results_changed=len(changed),
    )


def _same_options(item, question):
    """An answer can be read against `question`'s key only if its version had as many options."""
    return len(item.question.options) == len(question.options)


@dataclass
class Preview:
    """What a re-grade would do now: nothing here is saved."""

    attempts: int = 0
    answers: int = 0
    results_changed: int = 0
    passes_changed: int = 0
    excluded_attempts: int = 0
    excluded_answers: int = 0
    versions: list = field(default_factory=list)


def regrade_preview(question):
    """
    Re-score with `question`'s key, as `grading.regrade` would, every graded
    answer to an earlier version of it; count the attempts whose score (and
    whose pass or fail) would change. Answers to a version with another number
    of options are left as graded: their choices cannot be read against this key.
    """
    items = regradable(question).select_related("question", "attempt__paper")
    result = Preview()
    changes = defaultdict(Decimal)
    attempts, excluded = {}, set()
    versions = defaultdict(lambda: {"answers": 0, "excluded": 0})
    for item in items:
        drawn = versions[item.question]
        if not _same_options(item, question):
            result.excluded_answers += 1
            excluded.add(item.attempt_id)
            drawn["excluded"] += 1
            continue
        result.answers += 1
        drawn["answers"] += 1
        attempt = attempts.setdefault(item.attempt_id, item.attempt)
        earned = score_answer(
            question=question,
            selected=item.selected,
            points=item.points,
            policy=attempt.paper.multiple_choice_scoring,
        )
        changes[attempt.pk] += earned - item.earned
    for attempt in attempts.values():
        if changes[attempt.pk]:
            result.results_changed += 1
            score = attempt.score + changes[attempt.pk]
            if (score >= attempt.paper.pass_mark) != attempt.passed:
                result.passes_changed += 1
    result.attempts = len(attempts)
    result.excluded_attempts = len(excluded)
    result.versions = sorted(
        ({"question": version, **counts} for version, counts in versions.items()),
        key=lambda row: row["question"].version,
    )
    return result

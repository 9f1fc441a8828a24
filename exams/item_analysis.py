"""
Item analysis (试题分析): how each question of the bank behaves in real
exams, so that trainers can fix the questions that do not work.

For each question, from the graded sittings at test centres (practice never
counts: candidates retry it and may look things up):

- answered: how many graded papers carried the question (a blank answer
  counts as wrong, as in classical test theory);
- facility (难度 P): the share of those answers that earned full points;
- discrimination: the point-biserial correlation between the item (1 fully
  right, 0 not) and the candidate's score on the rest of the paper;
- how often each option was chosen, by its original index (A, B, …), and
  how many answers were left blank.

Counted per question version, because the version is what candidates saw: a
revised wording is a new item and starts afresh. Answers re-graded with a
corrected version's key (same options, see exams.grading) count for the
corrected version, as `graded_with` says.

Everything comes from one GROUP BY query of conditional counts and sums,
however many attempts there are; only the last arithmetic step is Python, once
per question. The questions shown as broken and the reasons are in `Flag`;
nothing is flagged before `settings.ITEM_ANALYSIS_MIN_ANSWERS` answers.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, FloatField, Q, Sum, TextField
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import Panel
from wagtail.admin.ui.tables import Column

from exams.choices import AttemptStatus, QuestionType
from exams.models import AttemptQuestion, Question

# Classical test theory's usual bounds: an item nearly everyone gets right
# (or wrong) tells little about who knows the subject.
TOO_EASY_ABOVE = 0.95
TOO_HARD_BELOW = 0.2


@dataclass(frozen=True)
class Flag:
    """
    Why a question looks broken: `code` for programs, `label` for the listing,
    `reason` (what it means and what to do) for the question's page.
    """

    code: str  # "negative_discrimination", "unchosen_distractor", "too_easy", "too_hard"
    label: str
    reason: str


@dataclass(frozen=True)
class OptionFrequency:
    index: int  # the original option index (true/false: 0 true, 1 false)
    label: str  # A, B, … or True / False
    text: str
    chosen: int
    share: float  # of the answers
    is_key: bool


@dataclass(frozen=True)
class ItemStatistics:
    question_id: int
    answered: int
    correct: int
    unanswered: int
    facility: float | None
    discrimination: float | None
    options: tuple[OptionFrequency, ...]
    flags: tuple[Flag, ...]
    min_answers: int

    @property
    def enough_answers(self):
        return self.answered >= self.min_answers

    @property
    def looks_fine(self):
        return self.enough_answers and not self.flags


def min_answers():
    """How many answers a question needs before it is judged (at least one)."""
    return max(1, settings.ITEM_ANALYSIS_MIN_ANSWERS)


def item_statistics(*, questions, attempts=None):
    """
    {question id: ItemStatistics} for `questions` (Question instances, or a
    queryset: evaluated once), from their graded, non-practice answers; only
    those in `attempts` (an Attempt queryset, e.g. a month's or a centre's)
    when given. One query, plus one if `questions` is a queryset.
    """
    questions = list(questions)
    if not questions:
        return {}
    sums = {row["item"]: row for row in _answer_sums(questions=questions, attempts=attempts)}
    needed = min_answers()
    return {
        question.pk: _statistics(question, sums.get(question.pk), needed) for question in questions
    }


def bank_item_statistics(*, bank, attempts=None):
    """
    [(question, ItemStatistics)] for the current questions of a bank, newest
    first: two queries.
    """
    questions = list(Question.objects.filter(bank=bank, is_current=True).order_by("-created_at"))
    statistics = item_statistics(questions=questions, attempts=attempts)
    return [(question, statistics[question.pk]) for question in questions]


def _answer_sums(*, questions, attempts):
    """
    One row per question version: the counts and sums from which facility,
    the point-biserial coefficient and the option frequencies follow.

    The candidate's total is the *rest* of the paper (score minus this item's
    earned points), as a share of the rest's points: the corrected item-total
    correlation. With the item inside the total, an item correlates with
    itself, which inflates the coefficient most on short papers and can hide a
    wrong key. As a share, because one question may sit in papers of 50 and of
    100 points. A paper of this one question has no rest, and is left out of
    the correlation (not of facility).

    Option frequencies: `selected` is a JSON list of option indexes. JSONField
    `contains` works on PostgreSQL but not on SQLite (the `make run` demo), and
    counting in Python would read every answer. Indexes run 0–7 (at most eight
    options, A–H), single digits, so an option was chosen exactly when its
    digit appears in the list's JSON text: a LIKE on the text, which both
    databases run inside the same conditional count.
    """
    option_count = max(max(len(q.options), 2) for q in questions)
    ids = [question.pk for question in questions]
    rows = AttemptQuestion.objects.filter(
        Q(question__in=ids) | Q(graded_with__in=ids),
        attempt__status=AttemptStatus.GRADED,
        attempt__practice=False,
        earned__isnull=False,
    )
    if attempts is not None:
        rows = rows.filter(attempt__in=attempts)
    right = Q(earned__gte=F("points"))
    has_rest = Q(attempt__max_score__gt=F("points"))
    rest = Cast(F("attempt__score") - F("earned"), FloatField()) / Cast(
        NullIf(F("attempt__max_score") - F("points"), 0), FloatField()
    )
    chosen = {
        f"chose_{index}": Count("pk", filter=Q(selected_text__contains=str(index)))
        for index in range(option_count)
    }
    return (
        rows.annotate(
            item=Coalesce("graded_with_id", "question_id"),
            selected_text=Cast("selected", TextField()),
        )
        .order_by()
        .values("item")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=right),
            unanswered=Count("pk", filter=Q(selected_text="[]")),
            n=Count("pk", filter=has_rest),
            sum_x=Count("pk", filter=has_rest & right),
            sum_t=Sum(rest, filter=has_rest),
            sum_tt=Sum(rest * rest, filter=has_rest),
            sum_xt=Sum(rest, filter=has_rest & right),
            **chosen,
        )
    )


def point_biserial(*, n, sum_x, sum_t, sum_tt, sum_xt):
    """
    Pearson's r of a 0/1 item x with a score t, from the sums (x² = x):
    r = (nΣxt − ΣxΣt) / √((nΣx − (Σx)²)(nΣt² − (Σt)²)).
    None when it is undefined: everyone or no one right, or all scores equal.
    """
    if n < 2:
        return None
    spread_x = n * sum_x - sum_x * sum_x
    spread_t = n * sum_tt - sum_t * sum_t
    # Equal scores leave only rounding in spread_t.
    if spread_x <= 0 or spread_t <= 1e-9 * max(1.0, n * sum_tt):
        return None
    return (n * sum_xt - sum_x * sum_t) / math.sqrt(spread_x * spread_t)


def _statistics(question, row, needed):
    row = row or {}
    answered = row.get("answered", 0)
    correct = row.get("correct", 0)
    facility = correct / answered if answered else None
    discrimination = point_biserial(
        n=row.get("n", 0),
        sum_x=row.get("sum_x", 0),
        sum_t=float(row.get("sum_t") or 0),
        sum_tt=float(row.get("sum_tt") or 0),
        sum_xt=float(row.get("sum_xt") or 0),
    )
    options = tuple(
        OptionFrequency(
            index=index,
            label=label,
            text=text,
            chosen=row.get(f"chose_{index}", 0),
            share=row.get(f"chose_{index}", 0) / answered if answered else 0.0,
            is_key=index in question.answer,
        )
        for index, (label, text) in enumerate(_option_names(question))
    )
    flags = ()
    if answered >= needed:
        flags = _flags(question, facility, discrimination, options)
    return ItemStatistics(
        question_id=question.pk,
        answered=answered,
        correct=correct,
        unanswered=row.get("unanswered", 0),
        facility=facility,
        discrimination=discrimination,
        options=options,
        flags=flags,
        min_answers=needed,
    )


def _option_names(question):
    if question.type == QuestionType.TRUE_FALSE:
        return [(_("True"), ""), (_("False"), "")]
    return question.option_items


def _flags(question, facility, discrimination, options):
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append(
            Flag(
                "negative_discrimination",
                _("Negative discrimination"),
                _(
                    "Candidates who do worse on the rest of the paper get it right more often "
                    "than those who do better: check the key and look for a misleading wording."
                ),
            )
        )
    # True/false has a single wrong answer: nobody choosing it shows as facility.
    if question.type != QuestionType.TRUE_FALSE:
        unchosen = [option.label for option in options if not option.is_key and not option.chosen]
        if unchosen:
            flags.append(
                Flag(
                    "unchosen_distractor",
                    _("Distractor nobody chose"),
                    _(
                        "Nobody chose option %(options)s: it distracts no one. "
                        "Make it plausible or replace it."
                    )
                    % {"options": "、".join(unchosen)},
                )
            )
    if facility > TOO_EASY_ABOVE:
        flags.append(
            Flag(
                "too_easy",
                _("Too easy"),
                _(
                    "Almost everyone gets it right (%(percent)s%%): "
                    "it tells little about who knows the subject."
                )
                % {"percent": round(facility * 100)},
            )
        )
    elif facility < TOO_HARD_BELOW:
        flags.append(
            Flag(
                "too_hard",
                _("Too hard"),
                _(
                    "Hardly anyone gets it right (%(percent)s%%): "
                    "check the key, the wording and whether the training covers it."
                )
                % {"percent": round(facility * 100)},
            )
        )
    return tuple(flags)


# ---------------------------------------------------------------------------
# In the question bank's admin screens
# ---------------------------------------------------------------------------


class ItemAnalysisColumn(Column):
    """
    The listing's badge: not enough answers yet, looks fine, or how many
    problems. It reads `item_statistics`, which ItemAnalysisListing attaches
    to the whole page of questions at once.
    """

    cell_template_name = "exams/item_analysis/cell.html"

    def __init__(self, name="item_analysis", **kwargs):
        kwargs.setdefault("label", gettext_lazy("Item analysis"))
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["statistics"] = getattr(instance, "item_statistics", None)
        return context


class ItemAnalysisListing:
    """An index view mixin: the page's statistics in one query, not one per row."""

    def get_table(self, object_list):
        questions = list(object_list)
        statistics = item_statistics(questions=questions)
        for question in questions:
            question.item_statistics = statistics[question.pk]
        return super().get_table(questions)


class ItemAnalysisPanel(Panel):
    """Facility, discrimination, option frequencies and flags on a question's edit screen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", gettext_lazy("Item analysis"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "exams/item_analysis/panel.html"

        def is_shown(self):
            # A question being added has no answers yet.
            return self.instance is not None and self.instance.pk is not None

        @cached_property
        def statistics(self):
            return item_statistics(questions=[self.instance])[self.instance.pk]

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["statistics"] = self.statistics
            context["question"] = self.instance
            return context

"""
Answer similarity (雷同卷) in one exam session: the pairs of candidates whose
wrong answers coincide far more often than chance would have it, and where
they sat. This is evidence for a human reviewer: nothing here changes an
attempt, a result or a certificate.

The index is error-similarity analysis (F. S. Bellezza and S. F. Bellezza,
"Detection of cheating on multiple-choice tests by using error-similarity
analysis", Teaching of Psychology 16(3), 1989, pp. 151-155). Right answers
that two candidates share say nothing, since that is what knowing the answer
looks like; the same wrong option chosen by both does. For a pair of graded
candidates, on the questions both answered (papers may be drawn per
candidate: questions are matched by id, answers by the original option
indexes, whatever order each candidate saw them in):

- W, the questions both answered wrongly (a partly right multiple-choice
  answer is wrong; a question left blank was not answered);
- S, those of the W on which both gave the same wrong answer (for multiple
  choice, the same set of options);
- p_i, the chance that two independent wrong answers to question i are the
  same, estimated from the session's own wrong answers to it (a popular
  distractor makes a shared mistake more likely): with n_r the candidates
  who gave wrong answer r, N their total and D the number of wrong answers
  question i allows (options - 1 for single choice, 1 for true/false,
  2^options - 2 for multiple choice),

      p_i = Σ_r (n_r + 1)² / (N + D)²

  that is, the chance that two answers drawn from the wrong-answer shares
  match, after one imagined answer on each possible wrong answer (Laplace's
  rule of succession: a question that hardly anyone else got wrong falls back
  on "every wrong answer equally likely", 1/D). The pair's own two answers
  are left out of the counts, so that copying cannot make itself look common.
  A true/false question has one wrong answer (D = 1, p = 1): two wrong
  answers to it always coincide, so it adds nothing.

Under independence S is a sum of W independent Bernoulli(p_i) trials.
Bellezza & Bellezza take one p for the whole test; we take p̄, the mean of
the p_i, and the binomial tail P(Binomial(W, p̄) ≥ S) as the p-value: by
Hoeffding's theorem (W. Hoeffding, "On the distribution of the number of
successes in independent trials", Ann. Math. Statist. 27, 1956, 713-721)
that tail is at least the true one whenever S ≥ W·p̄ + 1, so the p-value
errs on the side of the candidates.

A pair is flagged when both hold:

- p < FAMILY_ALPHA / pairs compared (0.001, Bonferroni over the C(n, 2)
  pairs of the session): if every candidate worked alone, the chance that
  any pair of the session is flagged is at most 1 in 1,000;
- S ≥ MIN_IDENTICAL_WRONG (5): a few shared mistakes on questions with
  many possible wrong answers can be improbable yet innocent (a misconception
  taught in the same class is exactly where independence fails), and a
  reviewer cannot weigh fewer coincidences than that.

Worked example (the test computes it too): five candidates, four single-
choice questions of four options (D = 3), key A each. Candidate a answers
B B B B, candidate b B B B C; c, d and e answer B, C and D to question 1 and
A to the others. For a and b: W = 4, S = 3. Without a and b, question 1 has
one B, one C and one D: p_1 = (2² + 2² + 2²) / (3 + 3)² = 12/36 = 1/3;
nobody else got questions 2 to 4 wrong: p = (1 + 1 + 1) / 3² = 1/3. So
p̄ = 1/3, S is expected to be 4/3, and the p-value is
P(Binomial(4, 1/3) ≥ 3) = 4·(1/3)³·(2/3) + (1/3)⁴ = 8/81 + 1/81 = 1/9:
not flagged (1/9 is far above 0.001 / 10 pairs, and S = 3 < 5).

Cost: one query reads the session's answers and one its questions. The
comparison of pairs runs in Python over candidates, which is what it is:
C(n, 2) pairs, 44,850 for a room of 300. Each pair costs a few operations
on integers used as bit sets (questions answered, answered wrongly, wrong
answers given); the binomial is worked out only for the pairs with at least
MIN_IDENTICAL_WRONG identical wrong answers. A room of 300 on a 100-question
paper takes about half a second.
"""

import math
from dataclasses import dataclass, field
from itertools import combinations

from django.utils.translation import gettext as _

from exams.choices import AttemptStatus, QuestionType
from exams.importers.base import OPTION_LABELS, html_to_text
from exams.models import Attempt, AttemptQuestion, Question

FAMILY_ALPHA = 0.001
MIN_IDENTICAL_WRONG = 5


# ---------------------------------------------------------------------------
# The session's answers
# ---------------------------------------------------------------------------


@dataclass
class AnswerSheet:
    """One candidate's graded answers as bit sets over the session's questions."""

    attempt_id: int
    answered: int = 0
    wrong: int = 0
    # One bit per (question, wrong answer) seen in the session.
    wrong_answers: int = 0
    # question id → the wrong answer given (sorted original option indexes).
    mistakes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionFacts:
    pk: int
    type: str
    options: list
    answer: list
    stem: str

    @property
    def possible_wrong_answers(self):
        """D: how many different wrong answers the question allows."""
        if self.type == QuestionType.TRUE_FALSE:
            return 1
        if self.type == QuestionType.MULTIPLE:
            return 2 ** len(self.options) - 2
        return max(1, len(self.options) - 1)

    def label(self, response):
        """A response as the bank letters it: "B", "AC", or True/False."""
        if self.type == QuestionType.TRUE_FALSE:
            return _("True") if list(response) == [0] else _("False")
        return "".join(OPTION_LABELS[index] for index in response)

    @property
    def stem_text(self):
        return html_to_text(self.stem)


@dataclass
class PairEvidence:
    """What the comparison of two candidates found."""

    first: int  # attempt ids
    second: int
    common: int  # questions both answered
    both_wrong: int  # W
    identical: int  # S
    chance: float  # p̄
    p_value: float
    # [(question id, the wrong answer both gave)], in question order.
    coinciding: list

    @property
    def expected(self):
        """How many identical wrong answers chance alone would give: W · p̄."""
        return self.both_wrong * self.chance


def binomial_tail(*, trials, successes, p):
    """P(Binomial(trials, p) ≥ successes)."""
    if successes <= 0:
        return 1.0
    if p >= 1:
        return 1.0
    return min(
        1.0,
        sum(
            math.comb(trials, k) * p**k * (1 - p) ** (trials - k)
            for k in range(successes, trials + 1)
        ),
    )


class SessionAnswers:
    """
    The graded answers of one session, with the counts of each wrong answer
    to each question: read in two queries, compared in memory.
    """

    def __init__(self, rows, questions):
        self.questions = {facts.pk: facts for facts in questions}
        question_bit = {}
        answer_bit = {}
        # question id → {wrong answer → how many candidates gave it}
        self.wrong_counts = {}
        sheets = {}
        for attempt_id, question_id, selected, earned, points in rows:
            sheet = sheets.get(attempt_id)
            if sheet is None:
                sheet = sheets[attempt_id] = AnswerSheet(attempt_id)
            if not selected:
                continue
            bit = question_bit.setdefault(question_id, 1 << len(question_bit))
            sheet.answered |= bit
            if earned is not None and earned >= points:
                continue
            response = tuple(sorted(selected))
            sheet.wrong |= bit
            sheet.wrong_answers |= answer_bit.setdefault(
                (question_id, response), 1 << len(answer_bit)
            )
            sheet.mistakes[question_id] = response
            counts = self.wrong_counts.setdefault(question_id, {})
            counts[response] = counts.get(response, 0) + 1
        self.sheets = sheets

    @classmethod
    def for_session(cls, session):
        rows = AttemptQuestion.objects.filter(
            attempt__booking__session=session, attempt__status=AttemptStatus.GRADED
        ).values_list("attempt_id", "question_id", "selected", "earned", "points")
        graded = Attempt.objects.filter(booking__session=session, status=AttemptStatus.GRADED)
        questions = (
            Question.objects.filter(
                pk__in=AttemptQuestion.objects.filter(attempt__in=graded).values("question_id")
            )
            .values_list("pk", "type", "options", "answer", "stem")
            .order_by("pk")
        )
        return cls(rows, [QuestionFacts(*row) for row in questions])

    @property
    def candidate_count(self):
        """The graded candidates, those who left every question blank included."""
        return len(self.sheets)

    def match_chance(self, question_id, left_out):
        """p_i without the answers in `left_out` (the pair's own), see the module's docstring."""
        counts = dict(self.wrong_counts.get(question_id, {}))
        for response in left_out:
            counts[response] -= 1
        others = sum(counts.values())
        possible = max(self.questions[question_id].possible_wrong_answers, len(counts))
        # A wrong answer nobody else gave counts (0 + 1)² = 1.
        squares = sum((n + 1) ** 2 for n in counts.values()) + possible - len(counts)
        return squares / (others + possible) ** 2

    def evidence(self, first, second):
        """The comparison of two answer sheets (attempt ids)."""
        a, b = self.sheets[first], self.sheets[second]
        both_wrong = (a.wrong & b.wrong).bit_count()
        identical = (a.wrong_answers & b.wrong_answers).bit_count()
        shared = sorted(a.mistakes.keys() & b.mistakes.keys())
        chances = [
            self.match_chance(question_id, (a.mistakes[question_id], b.mistakes[question_id]))
            for question_id in shared
        ]
        chance = sum(chances) / len(chances) if chances else 1.0
        return PairEvidence(
            first=first,
            second=second,
            common=(a.answered & b.answered).bit_count(),
            both_wrong=both_wrong,
            identical=identical,
            chance=chance,
            p_value=binomial_tail(trials=both_wrong, successes=identical, p=chance),
            coinciding=[
                (question_id, a.mistakes[question_id])
                for question_id in shared
                if a.mistakes[question_id] == b.mistakes[question_id]
            ],
        )

    @property
    def pairs_compared(self):
        n = self.candidate_count
        return n * (n - 1) // 2

    @property
    def threshold(self):
        """The p-value below which a pair is flagged (Bonferroni over the session's pairs)."""
        return FAMILY_ALPHA / max(1, self.pairs_compared)

    def flagged_pairs(self):
        """The flagged pairs, the least likely by chance first."""
        threshold = self.threshold
        flagged = []
        sheets = sorted(self.sheets.values(), key=lambda sheet: sheet.attempt_id)
        for a, b in combinations(sheets, 2):
            # The cheap screen: most pairs share too few wrong answers to matter.
            if (a.wrong_answers & b.wrong_answers).bit_count() < MIN_IDENTICAL_WRONG:
                continue
            evidence = self.evidence(a.attempt_id, b.attempt_id)
            if evidence.p_value < threshold:
                flagged.append(evidence)
        flagged.sort(key=lambda pair: (pair.p_value, -pair.identical, pair.first, pair.second))
        return flagged


# ---------------------------------------------------------------------------
# Seats
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatRelation:
    """Where two seats of a room are, one from the other (seats numbered row by row)."""

    rows_apart: int
    places_apart: int

    @property
    def distance(self):
        """Steps from one seat to the other, a diagonal step counting as one."""
        return max(self.rows_apart, self.places_apart)

    @property
    def adjacent(self):
        return self.distance == 1

    @property
    def description(self):
        if self.rows_apart == 0 and self.places_apart == 1:
            return _("Adjacent: side by side")
        if self.rows_apart == 1 and self.places_apart == 0:
            return _("Adjacent: one behind the other")
        if self.adjacent:
            return _("Adjacent: diagonally")
        return _("Not adjacent: %(rows)d rows and %(places)d places apart") % {
            "rows": self.rows_apart,
            "places": self.places_apart,
        }


def seat_relation(*, seat, other_seat, seats_per_row):
    row, place = divmod(seat - 1, seats_per_row)
    other_row, other_place = divmod(other_seat - 1, seats_per_row)
    return SeatRelation(rows_apart=abs(row - other_row), places_apart=abs(place - other_place))

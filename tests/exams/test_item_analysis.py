"""
Item analysis of the question bank: facility, discrimination, option
frequencies and the flags trainers see in the listing and on a question.
"""

import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.users.models import UserProfile

from exams import item_analysis, services
from exams.choices import AttemptStatus, MultipleChoiceScoring
from exams.models import Attempt, AttemptQuestion
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUESTIONS_URL = "/admin/snippets/exams/question/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def few_answers_judged(settings):
    """Judge questions from five answers, so that small data shows flags."""
    settings.ITEM_ANALYSIS_MIN_ANSWERS = 5


def signed_in(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def sit(exam, answers, *, practice=False, status=AttemptStatus.GRADED, policy=None):
    """
    A graded attempt by a new candidate: `answers` is [(question, selected)],
    2 points each, scored as grading does.
    """
    attempt = graded_attempt(UserFactory(), exam, practice=practice)
    total = Decimal("0")
    for position, (question, selected) in enumerate(answers, start=1):
        earned = services.score_answer(
            question=question,
            selected=selected,
            points=Decimal("2"),
            policy=policy or MultipleChoiceScoring.ALL_OR_NOTHING,
        )
        total += earned
        AttemptQuestion.objects.create(
            attempt=attempt,
            position=position,
            question=question,
            points=Decimal("2"),
            selected=selected,
            earned=earned,
        )
    Attempt.objects.filter(pk=attempt.pk).update(
        score=total, max_score=Decimal(2 * len(answers)), status=status
    )
    return attempt


@pytest.fixture
def three_questions(make_question):
    """
    q1 single choice, options A–C, key B; q2 single choice, options A–D, key A;
    q3 true/false, key true.
    """
    return {
        "q1": make_question(type="single", options=["甲", "乙", "丙"], answer=[1]),
        "q2": make_question(type="single", options=["甲", "乙", "丙", "丁"], answer=[0]),
        "q3": make_question(type="true_false", answer=[0]),
    }


@pytest.fixture
def five_candidates(three_questions):
    """
    Five candidates sit q1–q3 (2 points each). Right (1) or not (0):

        candidate  q1 (chose)  q2 (chose)   q3 (chose)
        c1         1 (B)       0 (C)        1 (true)
        c2         1 (B)       0 (C)        1 (true)
        c3         1 (B)       1 (A)        1 (true)
        c4         0 (A)       1 (A)        0 (false)
        c5         0 (C)       0 (blank)    0 (false)
    """
    questions = three_questions
    exam = an_exam()
    choices = [
        ([1], [2], [0]),
        ([1], [2], [0]),
        ([1], [0], [0]),
        ([0], [0], [1]),
        ([2], [], [1]),
    ]
    for q1, q2, q3 in choices:
        sit(exam, [(questions["q1"], q1), (questions["q2"], q2), (questions["q3"], q3)])
    return questions


def test_it_computes_facility_and_corrected_point_biserial_by_hand(five_candidates):
    """
    x is the item (1 right), t the score on the rest of the paper in items
    (the share of the rest's 4 points is t/2: the same r, a correlation
    ignores scale). r = (nΣxt − ΣxΣt) / √((nΣx − (Σx)²)(nΣt² − (Σt)²)).

    q1: x = 1 1 1 0 0, t = q2+q3 = 1 1 2 1 0
        Σx 3, Σt 5, Σt² 7, Σxt 4 → (20 − 15) / √(6 · 10) = 5/√60 ≈ 0.645
    q2: x = 0 0 1 1 0, t = q1+q3 = 2 2 2 0 0
        Σx 2, Σt 6, Σt² 12, Σxt 2 → (10 − 12) / √(6 · 24) = −2/12 ≈ −0.167
    q3: x = 1 1 1 0 0, t = q1+q2 = 1 1 2 1 0: as q1, 5/√60.
    Facility: q1 3/5, q2 2/5, q3 3/5.
    """
    questions = five_candidates
    statistics = item_analysis.item_statistics(questions=questions.values())

    q1, q2, q3 = (statistics[questions[name].pk] for name in ("q1", "q2", "q3"))
    assert (q1.answered, q1.correct, q1.facility) == (5, 3, 0.6)
    assert (q2.answered, q2.correct, q2.facility) == (5, 2, 0.4)
    assert (q3.answered, q3.correct, q3.facility) == (5, 3, 0.6)
    assert q1.discrimination == pytest.approx(5 / math.sqrt(60))
    assert q2.discrimination == pytest.approx(-1 / 6)
    assert q3.discrimination == pytest.approx(5 / math.sqrt(60))


def test_it_counts_each_original_option_and_the_blanks(five_candidates):
    questions = five_candidates
    statistics = item_analysis.item_statistics(questions=questions.values())

    q1, q2, q3 = (statistics[questions[name].pk] for name in ("q1", "q2", "q3"))
    assert [(o.label, o.chosen, o.is_key) for o in q1.options] == [
        ("A", 1, False),
        ("B", 3, True),
        ("C", 1, False),
    ]
    assert [o.chosen for o in q2.options] == [2, 0, 2, 0]
    assert q2.unanswered == 1
    assert [(o.label, o.chosen) for o in q3.options] == [("True", 3), ("False", 2)]
    assert q1.options[1].share == 0.6


def test_it_flags_a_negative_discrimination_and_the_distractors_nobody_chose(
    few_answers_judged, five_candidates
):
    questions = five_candidates
    statistics = item_analysis.item_statistics(questions=questions.values())

    q2 = statistics[questions["q2"].pk]
    assert [flag.code for flag in q2.flags] == ["negative_discrimination", "unchosen_distractor"]
    assert "Nobody chose option B、D" in q2.flags[1].reason
    # Every wrong option of q1 was chosen; q3 is true/false; both discriminate.
    assert statistics[questions["q1"].pk].looks_fine
    assert statistics[questions["q3"].pk].looks_fine


def test_it_judges_nothing_below_the_minimum_number_of_answers(settings, five_candidates):
    settings.ITEM_ANALYSIS_MIN_ANSWERS = 6
    questions = five_candidates
    statistics = item_analysis.item_statistics(questions=questions.values())

    q2 = statistics[questions["q2"].pk]
    assert q2.discrimination == pytest.approx(-1 / 6)
    assert q2.flags == ()
    assert not q2.enough_answers and not q2.looks_fine


def test_it_leaves_out_practice_and_attempts_not_graded(three_questions, five_candidates):
    questions = three_questions
    exam = an_exam("粉尘涉爆安全考试")
    answers = [(questions["q1"], [1]), (questions["q2"], [1]), (questions["q3"], [0])]
    sit(exam, answers, practice=True)
    sit(exam, answers, status=AttemptStatus.VOIDED)

    statistics = item_analysis.item_statistics(questions=questions.values())

    assert statistics[questions["q2"].pk].answered == 5
    assert statistics[questions["q2"].pk].options[1].chosen == 0


def test_it_keeps_to_the_attempts_it_is_given(five_candidates):
    questions = five_candidates
    first_two = Attempt.objects.order_by("pk")[:2]

    statistics = item_analysis.item_statistics(
        questions=questions.values(), attempts=Attempt.objects.filter(pk__in=first_two)
    )

    assert statistics[questions["q2"].pk].answered == 2
    assert statistics[questions["q2"].pk].correct == 0


def test_it_flags_questions_too_easy_and_too_hard(few_answers_judged, make_question):
    """
    Five candidates: all right on `easy` (facility 1 > 0.95), one right on
    `hard` (0.2 is not below 0.2), none right on `hopeless` (0 < 0.2).
    """
    easy, hard, hopeless = (make_question(type="true_false", answer=[0]) for _ in range(3))
    exam = an_exam()
    for number in range(5):
        sit(exam, [(easy, [0]), (hard, [0] if number == 0 else [1]), (hopeless, [1])])

    statistics = item_analysis.item_statistics(questions=[easy, hard, hopeless])

    assert [flag.code for flag in statistics[easy.pk].flags] == ["too_easy"]
    assert statistics[easy.pk].discrimination is None  # everyone right: undefined
    assert statistics[hard.pk].flags == ()
    assert [flag.code for flag in statistics[hopeless.pk].flags] == ["too_hard"]


def test_a_partly_right_multiple_choice_answer_is_not_counted_as_right(make_question):
    """
    Options A–E, key AC, partial credit. Choices: AC (2 points), A (1 point),
    AB (0), CD (0): one fully right; A chosen 3 times, B 1, C 2, D 1, E 0.
    """
    question = make_question(type="multiple", options=list("甲乙丙丁戊"), answer=[0, 2])
    exam = an_exam()
    for selected in ([0, 2], [0], [0, 1], [2, 3]):
        sit(exam, [(question, selected)], policy=MultipleChoiceScoring.PARTIAL)

    statistics = item_analysis.item_statistics(questions=[question])[question.pk]

    assert (statistics.answered, statistics.correct, statistics.facility) == (4, 1, 0.25)
    assert [o.chosen for o in statistics.options] == [3, 1, 2, 1, 0]
    # A paper of one question has no rest to correlate with.
    assert statistics.discrimination is None


def test_answers_regraded_with_a_corrected_key_count_for_the_corrected_version(
    five_candidates, make_question
):
    questions = five_candidates
    corrected = make_question(type="single", options=["甲", "乙", "丙", "丁"], answer=[2])
    AttemptQuestion.objects.filter(question=questions["q2"]).update(graded_with=corrected)

    statistics = item_analysis.item_statistics(questions=[questions["q2"], corrected])

    assert statistics[questions["q2"].pk].answered == 0
    assert statistics[corrected.pk].answered == 5
    assert [o.is_key for o in statistics[corrected.pk].options] == [False, False, True, False]


def test_a_banks_figures_take_the_same_queries_however_many_attempts(
    bank, five_candidates, django_assert_num_queries
):
    questions = five_candidates
    with django_assert_num_queries(2):
        before = item_analysis.bank_item_statistics(bank=bank)

    exam = an_exam("涉氨制冷安全考试")
    for _ in range(20):
        sit(exam, [(questions["q1"], [1]), (questions["q2"], [3]), (questions["q3"], [0])])
    with django_assert_num_queries(2):
        after = item_analysis.bank_item_statistics(bank=bank)

    assert len(before) == len(after) == 3
    assert {q.pk: s.answered for q, s in after}[questions["q2"].pk] == 25


def test_the_question_list_shows_the_item_analysis_to_a_trainer(
    client, trainer, few_answers_judged, five_candidates
):
    page = signed_in(client, trainer).get(QUESTIONS_URL).content.decode()

    assert "Item analysis" in page
    assert page.count("data-item-analysis") == 3
    assert 'data-flag="negative_discrimination"' in page
    assert "Distractor nobody chose" in page
    assert "Looks fine" in page


def test_the_question_list_says_when_there_are_not_enough_answers(client, trainer, five_candidates):
    page = signed_in(client, trainer).get(QUESTIONS_URL).content.decode()

    assert page.count("Not enough answers yet (5 of 30)") == 3
    assert "data-flag" not in page


def test_the_question_list_costs_the_same_queries_however_many_questions_and_attempts(
    client, trainer, make_question, five_candidates
):
    questions = five_candidates
    client = signed_in(client, trainer)
    client.get(QUESTIONS_URL)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        client.get(QUESTIONS_URL)

    exam = an_exam("冶金有色安全考试")
    more = [make_question(type="true_false") for _ in range(4)]
    for _ in range(10):
        sit(
            exam,
            [(questions["q1"], [1]), (questions["q2"], [0]), (questions["q3"], [1])]
            + [(question, [0]) for question in more],
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(QUESTIONS_URL).content.decode()

    assert page.count("data-item-analysis") == 7
    assert len(many) == len(few)


def test_a_question_s_edit_screen_shows_its_figures_and_flags(
    client, trainer, few_answers_judged, five_candidates
):
    q2 = five_candidates["q2"]

    page = signed_in(client, trainer).get(f"{QUESTIONS_URL}edit/{q2.pk}/").content.decode()

    assert "data-item-analysis-panel" in page
    assert "2 of 5 fully right" in page
    assert "-0.17" in page
    assert 'data-flag="negative_discrimination"' in page
    assert 'data-flag="unchosen_distractor"' in page
    assert '<tr data-option="D">' in page


def test_a_new_question_has_no_item_analysis(client, trainer, bank):
    page = signed_in(client, trainer).get(f"{QUESTIONS_URL}add/").content.decode()

    assert "data-item-analysis-panel" not in page


def test_questions_of_other_banks_stay_out_of_reach(
    client, trainer, other_bank, make_question, five_candidates
):
    elsewhere = make_question(bank=other_bank)
    client = signed_in(client, trainer)

    assert client.get(f"{QUESTIONS_URL}edit/{elsewhere.pk}/").status_code == 404
    assert client.get(QUESTIONS_URL).content.decode().count("data-item-analysis") == 3

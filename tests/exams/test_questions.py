from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from exams import services
from exams.choices import MultipleChoiceScoring, PaperKind, QuestionStatus
from exams.models import Paper, PaperQuestion, Question

pytestmark = pytest.mark.django_db


def test_editing_an_active_question_makes_a_new_version_and_keeps_the_old(make_question):
    original = make_question(stem="<p>动火作业前应当办理（ ）。</p>")
    revised = services.question_revise(question=original, stem="<p>动火作业前必须办理（ ）。</p>")

    original.refresh_from_db()
    assert revised.pk != original.pk
    assert (original.version, revised.version) == (1, 2)
    assert revised.lineage == original.lineage
    assert original.stem == "<p>动火作业前应当办理（ ）。</p>"
    assert not original.is_current and revised.is_current
    assert list(revised.tags.names()) == ["危险化学品"]


def test_a_paper_keeps_the_version_it_was_made_with(make_question):
    question = make_question()
    paper = Paper.objects.create(name="固定试卷", kind=PaperKind.FIXED)
    PaperQuestion.objects.create(paper=paper, question=question, points=Decimal("2"))

    services.question_revise(question=question, answer=[2])

    kept = paper.fixed_questions.get().question
    assert kept.pk == question.pk
    assert kept.answer == [1]


def test_a_draft_is_edited_in_place(make_question):
    draft = make_question(status=QuestionStatus.DRAFT)
    edited = services.question_revise(question=draft, difficulty=5)
    assert edited.pk == draft.pk
    assert edited.version == 1
    assert Question.objects.filter(lineage=draft.lineage).count() == 1


def test_an_old_version_cannot_be_edited(make_question):
    original = make_question()
    services.question_revise(question=original, difficulty=4)
    with pytest.raises(ValidationError):
        services.question_revise(question=original, difficulty=5)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "single", "options": ["通风"], "answer": [0]}, "options"),
        ({"type": "single", "options": ["通风", "检测"], "answer": [0, 1]}, "answer"),
        ({"type": "multiple", "options": ["通风", "检测", "监护"], "answer": [0]}, "answer"),
        ({"type": "single", "options": ["通风", "检测"], "answer": [3]}, "answer"),
        ({"type": "true_false", "options": ["对", "错"], "answer": [0]}, "options"),
        ({"type": "single", "options": [f"选项{i}" for i in range(9)], "answer": [0]}, "options"),
    ],
)
def test_a_question_that_cannot_be_asked_fairly_is_refused(bank, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(bank=bank, stem="<p>有限空间作业前应当（ ）。</p>", **fields)
    assert field in excinfo.value.message_dict
    assert not Question.objects.exists()


def test_stems_are_cleaned_of_scripts_and_attributes(bank):
    question = services.question_create(
        bank=bank,
        type="true_false",
        options=[],
        answer=[0],
        stem='<p onclick="steal()">液氨<b>泄漏</b>时应向上风向撤离。<script>alert(1)</script></p>',
    )
    assert question.stem == "<p>液氨<b>泄漏</b>时应向上风向撤离。</p>"


def test_duplicates_are_recognised_through_spacing_width_and_option_order():
    a = services.fingerprint("<p>进入有限空间前应当（ ）。</p>", ["通风", "检测"])
    b = services.fingerprint("进入 有限空间前应当（　）．", ["检测 ", "通风"])
    c = services.fingerprint("进入有限空间前应当（ ）。", ["通风", "监护"])
    assert a == b
    assert a != c


def test_retiring_keeps_questions_but_takes_them_out_of_draws(make_question):
    questions = [make_question() for _ in range(3)]
    retired = services.questions_retire(
        questions=Question.objects.filter(pk__in=[q.pk for q in questions[:2]])
    )
    assert retired == 2
    assert Question.objects.filter(status=QuestionStatus.RETIRED).count() == 2
    assert services.rule_queryset(banks=[questions[0].bank], type="single").count() == 1


@pytest.mark.parametrize(
    ("selected", "policy", "points"),
    [
        ({0, 2}, MultipleChoiceScoring.ALL_OR_NOTHING, "3"),
        ({0}, MultipleChoiceScoring.ALL_OR_NOTHING, "0"),
        ({0}, MultipleChoiceScoring.PARTIAL, "1.5"),
        ({0, 1}, MultipleChoiceScoring.PARTIAL, "0"),  # a wrong choice earns nothing
        (set(), MultipleChoiceScoring.PARTIAL, "0"),
        ({0, 2}, MultipleChoiceScoring.PARTIAL, "3"),
    ],
)
def test_multiple_choice_scoring_rules(make_question, selected, policy, points):
    question = make_question(type="multiple")  # key: A and C
    assert services.score_answer(
        question=question, selected=selected, points=Decimal("3"), policy=policy
    ) == Decimal(points)


def test_single_and_true_false_are_right_or_wrong(make_question):
    single, truth = make_question(), make_question(type="true_false")
    assert services.score_answer(question=single, selected={1}, points=2) == 2
    assert services.score_answer(question=single, selected={0}, points=2) == 0
    assert services.score_answer(question=truth, selected={0}, points=2) == 2
    assert services.score_answer(question=truth, selected={1}, points=2) == 0

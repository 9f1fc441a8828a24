"""The question bank as trainers use it in the Wagtail admin."""

import pytest
from django.urls import reverse

from exams.choices import QuestionStatus
from exams.models import Question

pytestmark = pytest.mark.django_db

QUESTIONS_URL = "/admin/snippets/exams/question/"


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def form_data(bank, **changes):
    data = {
        "bank": bank.pk,
        "type": "single",
        "status": "active",
        "stem": '{"blocks":[{"key":"a","type":"unstyled","text":"动火作业前必须办理（ ）。",'
        '"depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "option_A": "动火作业许可证",
        "option_B": "营业执照",
        "option_C": "",
        "option_D": "",
        "option_E": "",
        "option_F": "",
        "option_G": "",
        "option_H": "",
        "answer_text": "A",
        "explanation": "动火作业实行许可管理。",
        "difficulty": "2",
        "industry": "hazardous_chemicals",
        "tags": "动火作业",
        "source": "",
        "image": "",
    }
    data.update(changes)
    return data


def test_a_trainer_adds_a_question(trainer_client, bank):
    response = trainer_client.post(f"{QUESTIONS_URL}add/", form_data(bank))
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get()
    assert question.options == ["动火作业许可证", "营业执照"]
    assert question.answer == [0]
    assert "动火作业前必须办理" in question.stem


def test_an_answer_naming_a_missing_option_is_refused(trainer_client, bank):
    response = trainer_client.post(f"{QUESTIONS_URL}add/", form_data(bank, answer_text="C"))
    assert response.status_code == 200
    assert "该题没有答案中的选项" in response.content.decode()
    assert not Question.objects.exists()


def test_editing_an_active_question_in_the_admin_makes_a_new_version(
    trainer_client, bank, make_question
):
    question = make_question()
    response = trainer_client.post(
        f"{QUESTIONS_URL}edit/{question.pk}/", form_data(bank, answer_text="B")
    )
    assert response.status_code == 302
    assert Question.objects.filter(lineage=question.lineage).count() == 2
    current = Question.objects.get(lineage=question.lineage, is_current=True)
    assert current.version == 2 and current.answer == [1]


def test_the_list_filters_and_searches(trainer_client, make_question):
    make_question(stem="<p>液氨泄漏应当如何处置？</p>", type="true_false", difficulty=5)
    make_question(stem="<p>有限空间作业审批</p>", difficulty=1)
    page = trainer_client.get(QUESTIONS_URL, {"type": "true_false"}).content.decode()
    assert "液氨泄漏" in page and "有限空间作业审批" not in page
    page = trainer_client.get(QUESTIONS_URL, {"q": "有限空间"}).content.decode()
    assert "有限空间作业审批" in page and "液氨泄漏" not in page


def test_bulk_retire(trainer_client, make_question):
    questions = [make_question(), make_question()]
    url = reverse("wagtail_bulk_action", args=["exams", "question", "retire"])
    ids = "&".join(f"id={q.pk}" for q in questions)
    response = trainer_client.post(f"{url}?{ids}", {})
    assert response.status_code == 302
    assert Question.objects.filter(status=QuestionStatus.RETIRED).count() == 2


def test_the_preview_shows_the_question_as_the_candidate_sees_it(rf, trainer, make_question):
    question = make_question(options=["专库专用", "混存混放"], answer=[0], type="single")
    request = rf.get("/")
    request.user = trainer
    page = question.serve_preview(request, "").render().content.decode()
    assert "A. 专库专用" in page and "B. 混存混放" in page
    assert 'type="radio"' in page
    assert "考生看到的样子" in page


def test_other_banks_are_out_of_reach(trainer_client, other_bank, make_question):
    hidden = make_question(bank=other_bank, stem="<p>宣教中心的题</p>")
    for view in ("edit", "history", "usage", "copy"):
        assert trainer_client.get(f"{QUESTIONS_URL}{view}/{hidden.pk}/").status_code == 404
    url = reverse("wagtail_bulk_action", args=["exams", "question", "retire"])
    trainer_client.post(f"{url}?id={hidden.pk}", {})
    hidden.refresh_from_db()
    assert hidden.status == QuestionStatus.ACTIVE
    assert "宣教中心的题" not in trainer_client.get(QUESTIONS_URL).content.decode()


def test_a_candidate_cannot_open_the_question_bank(client, alice, make_question):
    client.force_login(alice)
    assert client.get(QUESTIONS_URL).status_code in (302, 403)
    assert client.get(reverse("exams_export")).status_code in (302, 403)


def test_the_import_screen_checks_a_file_and_shows_the_report(
    trainer_client, bank, django_capture_on_commit_callbacks
):
    from tests.exams.test_import_jobs import GOOD_ROWS, xlsx

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            reverse("exams_import"),
            {"bank": bank.pk, "file": xlsx(GOOD_ROWS), "on_duplicate": "skip"},
        )
    assert response.status_code == 302
    page = trainer_client.get(response["Location"]).content.decode()
    assert "导入 3 道题" in page
    assert not Question.objects.exists()


def test_the_template_and_exports_download(trainer_client, make_question):
    make_question()
    template = trainer_client.get(reverse("exams_import_template"))
    assert template["Content-Disposition"].endswith('.xlsx"')
    for fmt in ("xlsx", "moodle", "gift"):
        response = trainer_client.get(reverse("exams_export"), {"format": fmt})
        assert response.status_code == 200
        assert len(response.content) > 100


def paper_form(bank, rules, **changes):
    data = {
        "name": "危化品模拟考试",
        "kind": "blueprint",
        "banks": [bank.pk],
        "pass_mark": "80",
        "duration_minutes": "120",
        "multiple_choice_scoring": "all_or_nothing",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "fixed_questions-TOTAL_FORMS": "0",
        "fixed_questions-INITIAL_FORMS": "0",
        "fixed_questions-MIN_NUM_FORMS": "0",
        "fixed_questions-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        for key, value in {
            "type": "single",
            "tags": "",
            "industry": "",
            "difficulty_min": "1",
            "difficulty_max": "5",
            "ORDER": str(i),
            "DELETE": "",
            "id": "",
            **rule,
        }.items():
            data[f"rules-{i}-{key}"] = value
    data.update(changes)
    return data


def test_a_blueprint_the_bank_cannot_fill_is_not_saved(trainer_client, bank, make_question):
    from exams.models import Paper

    for _ in range(3):
        make_question()
    response = trainer_client.post(
        "/admin/snippets/exams/paper/add/",
        paper_form(
            bank,
            [{"count": "2", "points": "20"}, {"type": "multiple", "count": "4", "points": "15"}],
        ),
    )
    assert response.status_code == 200
    assert "规则 2" in response.content.decode(), response.content.decode()
    assert not Paper.objects.exists()

    response = trainer_client.post(
        "/admin/snippets/exams/paper/add/", paper_form(bank, [{"count": "3", "points": "20"}])
    )
    assert response.status_code == 302
    assert Paper.objects.get().total_points == 60

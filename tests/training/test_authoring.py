"""Trainers write courses and lessons in the Wagtail admin; the bureau publishes them."""

import pytest
from django.core.files import File
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.demo_media import drill_video
from training import services
from training.models import CoursePage, LessonPage

pytestmark = pytest.mark.django_db


def list_block(items):
    """A ListBlock's form data."""
    rows = {str(i): {"value": item, "deleted": "", "order": str(i)} for i, item in enumerate(items)}
    return {"count": str(len(items)), **rows}


def course_form(target_roles=("practitioner",)):
    data = nested_form_data(
        {
            "title": "粉尘防爆安全培训",
            "slug": "dust",
            "summary": "涉爆粉尘企业从业人员培训。",
            "required_hours": "2.0",
            "body": streamfield([]),
        }
    )
    # Ticked checkboxes: one value per box, as a browser sends them.
    return {**data, "target_roles": list(target_roles), "industries": ["combustible_dust"]}


@pytest.fixture
def open_to_trainers(training_index):
    services.training_section_open_to_trainers(training_index)
    return training_index


def add_course(client, parent, data, action="action-submit"):
    url = reverse("wagtailadmin_pages:add", args=["training", "coursepage", parent.pk])
    return client.post(url, {**data, action: "on"})


def test_a_trainer_submits_a_course_that_goes_live_when_the_bureau_approves(
    client, trainer, bureau_admin, open_to_trainers
):
    client.force_login(trainer)
    response = add_course(client, open_to_trainers, course_form())
    assert response.status_code == 302, response.context["form"].errors
    course = CoursePage.objects.get(slug="dust")
    assert not course.live
    assert course.target_roles == ["practitioner"]
    assert course.industries == ["combustible_dust"]
    task_state = course.current_workflow_task_state
    client.force_login(bureau_admin)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[course.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    course.refresh_from_db()
    assert course.live


def test_a_course_needs_at_least_one_target_role(client, trainer, open_to_trainers):
    client.force_login(trainer)
    response = add_course(client, open_to_trainers, course_form(target_roles=[]))
    assert response.status_code == 200
    assert not CoursePage.objects.filter(slug="dust").exists()
    assert response.context["form"].errors["target_roles"]


def test_a_trainer_adds_a_lesson_with_a_check_question(client, trainer, open_to_trainers, course):
    client.force_login(trainer)
    question = {
        "question_type": "true_false",
        "stem": "粉尘清扫可以使用压缩空气吹扫。",
        "options": list_block([]),
        "true_false_answer": False,
        "explanation": "应采用负压吸尘方式清扫，严禁压缩空气吹扫。",
    }
    data = nested_form_data(
        {
            "title": "第一课　粉尘清扫",
            "slug": "cleaning",
            "summary": "",
            "body": streamfield([("check_question", question)]),
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["training", "lessonpage", course.pk])
    response = client.post(url, {**data, "action-submit": "on"})
    assert response.status_code == 302, response.context["form"].errors
    lesson = LessonPage.objects.get(slug="cleaning")
    (block_id,) = lesson.check_questions()
    assert lesson.correct_choice(block_id) == [1]


def test_a_single_choice_check_question_needs_exactly_one_correct_option(
    client, trainer, open_to_trainers, course
):
    client.force_login(trainer)
    question = {
        "question_type": "single",
        "stem": "以下哪项正确？",
        "options": list_block([{"text": "甲", "correct": True}, {"text": "乙", "correct": True}]),
        "true_false_answer": False,
        "explanation": "……",
    }
    data = nested_form_data(
        {
            "title": "第二课",
            "slug": "two",
            "summary": "",
            "body": streamfield([("check_question", question)]),
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["training", "lessonpage", course.pk])
    response = client.post(url, {**data, "action-submit": "on"})
    assert response.status_code == 200
    assert not LessonPage.objects.filter(slug="two").exists()


def test_a_trainer_cannot_write_outside_the_training_section(client, trainer, open_to_trainers):
    client.force_login(trainer)
    home = open_to_trainers.get_parent()
    url = reverse("wagtailadmin_pages:add", args=["cms", "newsindexpage", home.pk])
    response = client.get(url)
    # Wagtail sends a refused editor back to the dashboard.
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_a_trainer_previews_a_lesson_without_being_enrolled(
    client, trainer, open_to_trainers, video_lesson
):
    client.force_login(trainer)
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[video_lesson.pk]))
    assert response.status_code == 200
    assert "进入有限空间前首先要做什么？" in response.content.decode()
    assert "lesson.js" not in response.content.decode()  # no study clock in a preview


@pytest.mark.parametrize("readable", [True, False])
def test_a_lesson_video_must_be_a_file_the_server_can_measure(
    client, trainer, open_to_trainers, course, video_document, readable
):
    if readable:
        with open(drill_video().file.path, "rb") as real_video:
            video_document.file.save("drill.webm", File(real_video))
    client.force_login(trainer)
    video = {"video": video_document.pk, "poster": "", "caption": "", "transcript": ""}
    data = nested_form_data(
        {
            "title": "第三课",
            "slug": "three",
            "summary": "",
            "body": streamfield([("lesson_video", {**video, "no_skipping": "on"})]),
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["training", "lessonpage", course.pk])
    response = client.post(url, {**data, "action-submit": "on"})
    assert LessonPage.objects.filter(slug="three").exists() == readable
    if not readable:
        assert "H.264" in response.content.decode()

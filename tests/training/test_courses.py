"""Course and lesson pages, enrolment, check questions, revisions and eligibility."""

import pytest
from django.urls import reverse
from wagtail.models import GroupPagePermission

from accounts.choices import TargetRole
from exams.models import Exam
from tests.pages import add, publish
from tests.training.conftest import QUESTION_ID
from training import services
from training.models import CoursePage, Enrolment, LessonPage, LessonProgress, StudySession


def test_the_course_list_filters_by_target_role(client, training_index, course):
    add(
        training_index,
        CoursePage(
            title="危险化学品安全管理",
            slug="chemicals",
            target_roles=[TargetRole.SAFETY_MANAGER],
            required_hours="4",
        ),
    )
    page = client.get("/courses/?role=special_operations").content.decode()
    assert "有限空间作业安全" in page
    assert "危险化学品安全管理" not in page


def test_a_visitor_sees_the_course_and_is_asked_to_sign_in_to_enrol(client, video_lesson):
    page = client.get(video_lesson.get_parent().url).content.decode()
    assert "第一课　先通风、再检测、后作业" in page
    assert reverse("accounts:login") in page
    lesson = client.get(video_lesson.url)
    assert lesson.status_code == 302 and "/accounts/login/?next=" in lesson["Location"]


def test_it_enrols_a_learner_from_the_course_page(client, alice, course, video_lesson):
    client.force_login(alice)
    response = client.post(reverse("training:enrol", args=[course.pk]), follow=True)
    assert "You are enrolled" in response.content.decode()
    assert Enrolment.objects.get(learner=alice).course == course
    assert client.get(video_lesson.url).status_code == 200


def test_a_learner_who_is_not_enrolled_is_sent_back_to_the_course(client, bob, video_lesson):
    client.force_login(bob)
    response = client.get(video_lesson.url)
    assert response.status_code == 302
    assert response["Location"] == video_lesson.get_parent().url


def test_the_answer_to_a_check_question_is_not_in_the_page(
    client, alice, alice_enrolled, video_lesson
):
    client.force_login(alice)
    page = client.get(video_lesson.url).content.decode()
    assert "进入有限空间前首先要做什么？" in page
    assert "气体检测合格后方可进入。" not in page  # the feedback comes after answering
    assert '"correct"' not in page and "correct_choice" not in page


def test_a_wrong_check_answer_gets_the_right_one_and_the_feedback(
    client, alice, alice_enrolled, video_lesson
):
    client.force_login(alice)
    result = client.post(
        reverse("api:training-check-answer", args=[video_lesson.pk]),
        {"block_id": QUESTION_ID, "choice": [0]},
        content_type="application/json",
    ).json()
    assert result["correct"] is False
    assert result["correct_choice"] == [1]
    assert result["explanation"] == "气体检测合格后方可进入。"
    assert QUESTION_ID in result["state"]["answered"]


def test_a_check_answer_naming_no_option_is_refused(client, alice, alice_enrolled, video_lesson):
    client.force_login(alice)
    response = client.post(
        reverse("api:training-check-answer", args=[video_lesson.pk]),
        {"block_id": QUESTION_ID, "choice": [7]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_answer"


def test_lessons_of_a_course_taken_in_order_open_one_after_another(
    client, alice, alice_enrolled, course, video_lesson, text_lesson
):
    course.must_finish_in_order = True
    publish(course)
    client.force_login(alice)
    locked = client.get(text_lesson.url)
    assert locked.status_code == 302 and locked["Location"] == course.url
    english = {"Accept-Language": "en"}
    response = client.post(
        reverse("api:training-study-start", args=[text_lesson.pk]), headers=english
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "lesson_locked"
    assert "taken in order" in response.json()["error"]["message"]
    answer = client.post(
        reverse("api:training-check-answer", args=[text_lesson.pk]),
        {"block_id": "text-2", "choice": [0]},
        content_type="application/json",
        headers=english,
    )
    assert answer.status_code == 403
    assert not LessonProgress.objects.filter(lesson=text_lesson).exists()
    LessonProgress.objects.create(
        enrolment=alice_enrolled,
        lesson=video_lesson,
        lesson_title=video_lesson.title,
        completed_at="2026-11-01T10:00:00+08:00",
    )
    assert client.get(text_lesson.url).status_code == 200


def test_revising_or_removing_a_lesson_keeps_the_hours_credited(
    alice, alice_enrolled, course, video_lesson, text_lesson
):
    LessonProgress.objects.create(
        enrolment=alice_enrolled,
        lesson=text_lesson,
        lesson_title=text_lesson.title,
        seconds_credited=900,
    )
    alice_enrolled.seconds_credited = 900
    alice_enrolled.save()
    text_lesson.title = "第二课（修订）"
    publish(text_lesson)
    course.title = "有限空间作业安全（2026 修订版）"
    publish(course)
    text_lesson.delete()
    progress = LessonProgress.objects.get()
    assert progress.lesson is None
    assert progress.lesson_title == "第二课　监护人员的职责"
    assert progress.seconds_credited == 900
    assert str(Enrolment.objects.get().hours_credited) == "0.3"


def test_my_learning_lists_a_learners_own_courses_only(client, alice, bob, alice_enrolled):
    client.force_login(bob)
    assert "有限空间作业安全" not in client.get(reverse("training:my_learning")).content.decode()
    assert client.get(reverse("training:my_record", args=[alice_enrolled.pk])).status_code == 404
    client.force_login(alice)
    assert "有限空间作业安全" in client.get(reverse("training:my_learning")).content.decode()


@pytest.fixture
def exam(course):
    exam = Exam.objects.create(title="有限空间作业考试", target_role=TargetRole.SPECIAL_OPERATIONS)
    exam.required_courses.add(course)
    return exam


def test_a_candidate_who_has_not_enrolled_is_not_eligible_and_told_why(bob, exam):
    eligibility = services.eligibility_for(bob, exam)
    assert not eligibility
    assert eligibility.reasons == ["Not enrolled in the required course “有限空间作业安全”."]


def test_a_candidate_half_way_through_is_told_the_hours_and_lessons_missing(
    alice, alice_enrolled, exam, video_lesson
):
    alice_enrolled.seconds_credited = 27 * 60
    alice_enrolled.save()
    (reason,) = services.eligibility_for(alice, exam).reasons
    assert "0.6 of 1.0 learning hours" in reason
    assert "0 of 1 lessons finished" in reason


def test_a_candidate_with_the_course_complete_is_eligible(alice, alice_enrolled, exam):
    alice_enrolled.completed_at = "2026-11-20T10:00:00+08:00"
    alice_enrolled.save()
    assert services.eligibility_for(alice, exam).eligible


def test_trainers_can_draft_courses_in_a_new_training_section(training_index):
    services.training_section_open_to_trainers(training_index)
    codenames = set(
        GroupPagePermission.objects.filter(page=training_index).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}


def test_old_study_sessions_are_purged_but_the_record_stays(alice, alice_enrolled, video_lesson):
    session = services.study_start(learner=alice, lesson=video_lesson)
    StudySession.objects.filter(pk=session.pk).update(started_at="2019-01-01T00:00:00+08:00")
    assert services.purge_old_study_sessions() == 1
    assert LessonProgress.objects.count() == 1 and Enrolment.objects.count() == 1
    assert LessonPage.objects.count() == 1


def test_my_learning_shows_the_exams_a_course_leads_to_and_what_is_missing(
    client, alice, alice_enrolled, exam
):
    client.force_login(alice)
    page = client.get(reverse("training:my_learning")).content.decode()
    assert "有限空间作业考试" in page
    assert "0.0 of 1.0 learning hours" in page


def test_a_person_with_a_learning_record_is_kept_when_someone_tries_to_delete_them(
    client, superuser, alice, alice_enrolled
):
    client.force_login(superuser)
    response = client.post(reverse("wagtailusers_users:delete", args=[alice.pk]), follow=True)
    assert response.status_code == 200
    (message,) = response.context["messages"]
    assert message.level_tag == "error" and "王建国" in message.message
    assert Enrolment.objects.filter(learner=alice).exists()


def test_a_candidate_becomes_eligible_when_the_lesson_they_lacked_is_removed(
    alice, alice_enrolled, exam, video_lesson, text_lesson
):
    alice_enrolled.seconds_credited = 45 * 60
    alice_enrolled.save()
    LessonProgress.objects.create(
        enrolment=alice_enrolled,
        lesson=video_lesson,
        lesson_title=video_lesson.title,
        completed_at="2026-11-01T10:00:00+08:00",
    )
    assert "1 of 2 lessons finished" in services.eligibility_for(alice, exam).reasons[0]
    text_lesson.unpublish()
    assert services.eligibility_for(alice, exam).eligible
    alice_enrolled.refresh_from_db()
    assert alice_enrolled.completed_at is not None

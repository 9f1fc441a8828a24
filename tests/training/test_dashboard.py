"""The trainers' dashboard, the learner list and the learning-record export in the Wagtail admin."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from tests.factories import UserFactory
from tests.pages import add
from training.choices import EnrolmentSource
from training.models import CoursePage, Enrolment, LessonPage, LessonProgress

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 2 learning hours of 45 minutes (TRAINING_MINUTES_PER_HOUR).
HOUR = 45 * 60


def make_course(training_index, title="有限空间作业安全", slug="confined-spaces", lessons=2):
    course = add(
        training_index,
        CoursePage(
            title=title,
            slug=slug,
            required_hours=Decimal("2"),
            target_roles=["safety_manager"],
        ),
    )
    for number in range(1, lessons + 1):
        add(course, LessonPage(title=f"第{number}课", slug=f"lesson-{number}", body=[]))
    return course


@pytest.fixture
def course(training_index):
    return make_course(training_index)


def enrol(learner, course, *, seconds=0, completed_at=None):
    return Enrolment.objects.create(
        learner=learner,
        course=course,
        course_title=course.title,
        source=EnrolmentSource.CENTRE,
        seconds_credited=seconds,
        last_studied_at=datetime.datetime(2025, 3, 1, 2, 0, tzinfo=UTC) if seconds else None,
        completed_at=completed_at,
    )


def study(enrolment, lesson, *, seconds, completed_at=None):
    return LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=lesson,
        lesson_title=lesson.title,
        seconds_credited=seconds,
        completed_at=completed_at,
    )


@pytest.fixture
def record(course, alice, bob):
    """alice has completed the course, bob is half-way through lesson 1, charlie has not begun."""
    first, second = course.lessons()
    finished = datetime.datetime(2025, 3, 1, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    alices = enrol(alice, course, seconds=2 * HOUR, completed_at=finished)
    study(alices, first, seconds=HOUR, completed_at=finished - datetime.timedelta(hours=1))
    study(alices, second, seconds=HOUR, completed_at=finished)
    bobs = enrol(bob, course, seconds=HOUR / 2)
    study(bobs, first, seconds=HOUR / 2)
    enrol(UserFactory(username="charlie", real_name="张伟"), course)
    return {"alice": alices, "bob": bobs}


def table_rows(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in soup.select("table.listing tbody tr")
    ]


def numbers(text):
    return re.findall(r"\d+(?:\.\d+)?%?", text)


def test_it_shows_each_course_with_its_counts_and_average_hours(client, trainer, record, course):
    client.force_login(trainer)
    response = client.get(reverse("training_dashboard"))
    assert response.status_code == 200
    [row] = table_rows(response)
    # Enrolled 3, in progress 1 (bob), completed 1 (alice); the average of 2, 0.5
    # and 0 learning hours is 0.83, shown rounded down.
    assert row[:5] == ["有限空间作业安全", "3", "1", "1", "0.8"]


def test_it_draws_an_accessible_chart_of_enrolled_and_completed(client, trainer, record):
    client.force_login(trainer)
    soup = BeautifulSoup(client.get(reverse("training_dashboard")).content, "html.parser")
    chart = soup.find("svg", attrs={"role": "img"})
    assert chart.find("title") and chart.find("desc")
    assert chart["aria-labelledby"] == "training-chart-title training-chart-desc"
    enrolled, completed = chart.find_all("rect")
    assert float(enrolled["width"]) == pytest.approx(3 * float(completed["width"]), abs=0.2)
    assert float(completed["width"]) > 0
    assert "<script" not in str(soup.find("main") or soup)


def test_it_lists_a_course_with_no_learners_as_zero(client, centre_admin, training_index):
    make_course(training_index, title="粉尘防爆", slug="dust")
    client.force_login(centre_admin)
    [row] = table_rows(client.get(reverse("training_dashboard")))
    assert row[:5] == ["粉尘防爆", "0", "0", "0", "0.0"]


def test_it_pages_the_courses(client, bureau_admin, training_index):
    for number in range(21):
        make_course(training_index, title=f"课程{number:02d}", slug=f"course-{number}", lessons=0)
    client.force_login(bureau_admin)
    first = table_rows(client.get(reverse("training_dashboard")))
    second = table_rows(client.get(reverse("training_dashboard"), {"p": 2}))
    assert len(first) == 20 and [row[0] for row in second] == ["课程20"]


def test_it_lists_the_learners_with_their_progress(client, trainer, record, course, alice):
    client.force_login(trainer)
    response = client.get(reverse("training_course_learners", args=[course.pk]))
    rows = {row[0]: row for row in table_rows(response)}
    assert set(rows) == {"王建国", "李秀英", "张伟"}
    name, masked_id, employer, phone, _, hours, lessons, _, completed = rows["王建国"]
    assert masked_id == alice.id_number_masked and "*" in masked_id
    assert (employer, phone) == (alice.employer, alice.phone)
    # Credited and required hours, then the progress bar.
    assert numbers(hours) == ["2.0", "2.0", "100%", "100%"]
    assert numbers(rows["李秀英"][5]) == ["0.5", "2.0", "25%", "25%"]
    assert numbers(lessons) == ["2", "2"] and numbers(rows["李秀英"][6]) == ["0", "2"]
    assert completed == "2025-03-01 10:30" and rows["李秀英"][8] == "—"


def test_it_shows_masked_id_numbers_only(client, trainer, record, course, alice, bob):
    client.force_login(trainer)
    page = client.get(reverse("training_course_learners", args=[course.pk])).content.decode()
    assert alice.id_number_masked in page and bob.id_number_masked in page
    assert alice.id_number not in page and bob.id_number not in page


def test_it_finds_a_learner_by_name(client, trainer, record, course):
    client.force_login(trainer)
    url = reverse("training_course_learners", args=[course.pk])
    rows = table_rows(client.get(url, {"q": "秀英"}))
    assert [row[0] for row in rows] == ["李秀英"]


def test_it_finds_a_learner_by_full_id_number_without_showing_it(
    client, trainer, record, course, alice
):
    client.force_login(trainer)
    url = reverse("training_course_learners", args=[course.pk])
    response = client.get(url, {"q": alice.id_number})
    assert [row[0] for row in table_rows(response)] == ["王建国"]
    assert alice.id_number not in response.content.decode()
    # Part of a number is not a search by ID: it finds nobody.
    assert table_rows(client.get(url, {"q": alice.id_number[:10]})) == []


def test_it_pages_many_learners(client, centre_admin, course):
    learners = User.objects.bulk_create(
        User(username=f"learner{number}", real_name=f"学员{number:03d}") for number in range(51)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner, course=course, course_title=course.title, source=EnrolmentSource.CENTRE
        )
        for learner in learners
    )
    client.force_login(centre_admin)
    url = reverse("training_course_learners", args=[course.pk])
    first = client.get(url)
    assert len(table_rows(first)) == 50
    assert BeautifulSoup(first.content, "html.parser").find("nav", class_="pagination")
    assert len(table_rows(client.get(url, {"p": 2}))) == 1


def test_it_shows_one_learners_lessons(client, trainer, record, alice):
    client.force_login(trainer)
    response = client.get(reverse("training_learner_record", args=[record["bob"].pk]))
    assert response.status_code == 200
    rows = table_rows(response)
    # Lesson, minutes, hours, started, completed; lesson 2 not started yet.
    assert rows[0][:3] == ["第1课", "22", "0.5"]
    assert rows[1][0] == "第2课" and len(rows[1]) == 2
    response = client.get(reverse("training_learner_record", args=[record["alice"].pk]))
    assert [row[1:3] for row in table_rows(response)] == [["45", "1.0"], ["45", "1.0"]]
    assert table_rows(response)[1][4] == "2025-03-01 10:30"
    assert alice.id_number_masked in response.content.decode()
    assert alice.id_number not in response.content.decode()


def test_it_exports_the_learning_record_to_excel(client, centre_admin, record, course, alice, bob):
    client.force_login(centre_admin)
    response = client.get(reverse("training_export_course_record", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    lessons, learners = workbook.worksheets
    rows = list(lessons.iter_rows(min_row=2, values_only=True))
    assert rows == [
        (
            "王建国",
            alice.id_number_masked,
            alice.employer,
            "有限空间作业安全",
            "第1课",
            45,
            1,
            datetime.datetime(2025, 3, 1, 9, 30),
            2,
            datetime.datetime(2025, 3, 1, 10, 30),
        ),
        (
            "王建国",
            alice.id_number_masked,
            alice.employer,
            "有限空间作业安全",
            "第2课",
            45,
            1,
            datetime.datetime(2025, 3, 1, 10, 30),
            2,
            datetime.datetime(2025, 3, 1, 10, 30),
        ),
        (
            "李秀英",
            bob.id_number_masked,
            bob.employer,
            "有限空间作业安全",
            "第1课",
            22,
            0.5,
            None,
            0.5,
            None,
        ),
    ]
    summary = {row[0]: row for row in learners.iter_rows(min_row=2, values_only=True)}
    assert set(summary) == {"王建国", "李秀英", "张伟"}
    assert summary["王建国"][5:7] == (2, 2) and summary["张伟"][5:7] == (0, 0)
    cells = [str(value) for sheet in workbook for row in sheet.values for value in row]
    assert alice.id_number not in cells and bob.id_number not in cells


SCREENS = [
    ("training_dashboard", None),
    ("training_course_learners", "course"),
    ("training_learner_record", "enrolment"),
    ("training_export_course_record", "course"),
]


def screen_url(url_name, argument, record, course):
    args = {"course": [course.pk], "enrolment": [record["alice"].pk], None: []}[argument]
    return reverse(url_name, args=args)


@pytest.mark.parametrize("url_name, argument", SCREENS)
def test_it_refuses_a_candidate_every_screen(client, alice, record, course, url_name, argument):
    url = screen_url(url_name, argument, record, course)
    client.force_login(alice)
    # Wagtail sends someone without admin access to its login page, and answers
    # a script's request with 403.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


@pytest.mark.parametrize("url_name, argument", SCREENS)
def test_it_refuses_staff_who_may_not_see_the_learning_record(
    client, proctor, record, course, url_name, argument
):
    url = screen_url(url_name, argument, record, course)
    client.force_login(proctor)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


def test_it_shows_the_training_menu_to_trainers_only(client, trainer, publicity_editor):
    client.force_login(trainer)
    assert (
        reverse("training_dashboard") in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    client.force_login(publicity_editor)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("training_dashboard") not in page


def test_it_offers_enrolment_from_excel_to_centre_admins_only(
    client, centre_admin, trainer, course
):
    enrol_url = reverse("training_enrol_from_excel", args=[course.pk])
    learners_url = reverse("training_course_learners", args=[course.pk])
    client.force_login(centre_admin)
    assert enrol_url in client.get(learners_url).content.decode()
    client.force_login(trainer)
    assert enrol_url not in client.get(learners_url).content.decode()

"""A centre admin books a list of people into an exam session from an Excel file."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook
from wagtail.users.models import UserProfile

from accounts import idcard
from accounts.models import User
from config.xlsx import CONTENT_TYPE, ImportFileError
from exams.booking_import import OVER_CAPACITY, RowOutcome, book_from_workbook
from exams.choices import BookingAction, BookingSource
from exams.models import Booking
from tests.factories import UserFactory
from tests.pages import add
from training.models import CoursePage, TrainingIndexPage

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "手机号", "工作单位", "行业", "考试项目"]
EMPLOYER = "杭州恒泰化工有限公司"


def id_number(n):
    """A checksum-valid number of Ningbo Haishu, apart from the factories' Hangzhou ones."""
    first17 = f"33020319880512{n:03d}"
    return first17 + idcard.check_character(first17)


def row(n, name, industry="有限空间", exam=""):
    return [name, id_number(n), f"1371234{n:04d}", EMPLOYER, industry, exam]


def workbook(*rows, header=HEADER):
    book = Workbook()
    for values in [header, *rows] if header else rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def book(session, file, by, **options):
    return book_from_workbook(session=session, uploaded_file=file, booked_by=by, **options)


def results(report):
    return [(r.row, r.name, r.outcome) for r in report.rows]


def test_it_books_new_and_known_people_in_file_order(session, centre_admin, alice):
    report = book(
        session,
        workbook(row(1, "李明"), ["王建国", alice.id_number, "13900000001", "别的公司", "", ""]),
        centre_admin,
    )

    assert report.imported
    assert results(report) == [(2, "李明", RowOutcome.CREATED), (3, "王建国", RowOutcome.MATCHED)]
    li = User.objects.get(real_name="李明")
    assert li.industry == "confined_spaces"
    assert not li.has_usable_password()
    booked = {b.candidate: b for b in Booking.objects.filter(session=session)}
    assert (booked[li].seat, booked[alice].seat) == (1, 2)
    assert {b.source for b in booked.values()} == {BookingSource.CENTRE}
    event = booked[alice].events.get()
    assert (event.action, event.by) == (BookingAction.BOOKED, centre_admin)
    ticket = booked[li].ticket_number
    assert report.rows[0].message == (
        f"Account p13712340001 created and booked: seat 01, ticket {ticket}."
    )
    assert report.rows[1].message == f"Booked: seat 02, ticket {booked[alice].ticket_number}."


def test_it_says_why_an_ineligible_candidate_is_rejected_and_books_nobody(
    session, exam, home, centre_admin
):
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="有限空间作业安全培训",
            slug="confined",
            required_hours=1,
            target_roles=["practitioner"],
        ),
    )
    exam.required_courses.add(course)
    trained = UserFactory(real_name="张秀英")
    trained.enrolments.create(
        course=course, course_title=course.title, source="self", completed_at=timezone.now()
    )
    accounts_before = User.objects.count()

    report = book(
        session,
        workbook(
            ["张秀英", trained.id_number, trained.phone, EMPLOYER, "", ""],
            row(1, "李明"),
        ),
        centre_admin,
    )

    assert not report.imported
    assert results(report) == [(2, "张秀英", RowOutcome.MATCHED), (3, "李明", RowOutcome.REJECTED)]
    assert report.rows[1].message == "Not enrolled in the required course “有限空间作业安全培训”."
    assert report.rows[0].message == "Not imported, because other rows were rejected."
    assert not Booking.objects.exists()
    assert User.objects.count() == accounts_before  # 李明's account went with his row


def test_it_rejects_a_repeated_id_number_and_someone_already_booked(session, centre_admin, alice):
    Booking.objects.create(
        session=session, candidate=alice, seat=7, ticket_number="1000000007", source="candidate"
    )

    report = book(
        session,
        workbook(
            row(1, "李明"),
            row(1, "李明"),
            ["王建国", alice.id_number, "13900000001", EMPLOYER, "", ""],
        ),
        centre_admin,
        import_valid_rows=True,
    )

    assert report.imported
    assert [r.outcome for r in report.rows] == [
        RowOutcome.CREATED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
    ]
    assert report.rows[1].message == "Same ID card number as row 2."
    assert report.rows[2].message == "Already booked in this session, in seat 07."
    assert Booking.objects.filter(session=session).count() == 2


def test_it_rejects_the_rows_past_the_seats_left(make_session, centre_admin, bob):
    session = make_session(capacity=3)
    Booking.objects.create(
        session=session, candidate=bob, seat=1, ticket_number="1000000001", source="candidate"
    )
    file = workbook(row(1, "李明"), row(2, "张秀英"), row(3, "赵强"))

    report = book(session, file, centre_admin)

    assert not report.imported
    assert results(report)[2] == (4, "赵强", RowOutcome.REJECTED)
    assert report.rows[2].message == str(OVER_CAPACITY)
    assert Booking.objects.filter(session=session).count() == 1

    file.seek(0)
    report = book(session, file, centre_admin, import_valid_rows=True)

    assert report.imported
    assert sorted(
        Booking.objects.filter(session=session).values_list("candidate__real_name", "seat")
    ) == [("张秀英", 3), ("李明", 2), ("李秀英", 1)]
    assert not User.objects.filter(real_name="赵强").exists()


def test_it_books_nobody_from_a_file_with_a_bad_row_unless_asked(session, centre_admin):
    bad = ["赵强", id_number(2)[:-1] + "0", "13712340002", EMPLOYER, "", ""]

    report = book(session, workbook(row(1, "李明"), bad), centre_admin)

    assert not report.imported
    assert "The last character does not match the others" in report.rows[1].message
    assert not Booking.objects.exists()
    assert not User.objects.filter(real_name="李明").exists()

    report = book(session, workbook(row(1, "李明"), bad), centre_admin, import_valid_rows=True)

    assert report.imported
    assert list(Booking.objects.values_list("candidate__real_name", flat=True)) == ["李明"]


def test_it_rejects_a_row_for_another_exam_or_an_unknown_industry(session, centre_admin):
    report = book(
        session,
        workbook(
            row(1, "李明", exam=" 危险化学品安全管理人员考试 "),
            row(2, "张秀英", exam="有限空间作业安全考试"),
            row(3, "赵强", industry="建筑施工"),
        ),
        centre_admin,
        import_valid_rows=True,
    )

    assert [r.outcome for r in report.rows] == [
        RowOutcome.CREATED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
    ]
    assert report.rows[1].message == (
        "This row is for the exam “有限空间作业安全考试”, "
        "but the session is for “危险化学品安全管理人员考试”."
    )
    assert report.rows[2].message.startswith("The industry (行业) “建筑施工” is not one of:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (workbook(header=None).getvalue(), "The workbook is empty."),
        (workbook().getvalue(), "nobody listed under it"),
    ],
)
def test_it_refuses_an_empty_file(session, centre_admin, content, message):
    with pytest.raises(ImportFileError, match=message):
        book(session, io.BytesIO(content), centre_admin)
    assert not Booking.objects.exists()


def test_it_refuses_a_session_whose_booking_has_closed(make_session, centre_admin):
    session = make_session(booking_closes_at=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(ImportFileError, match="Booking for this session is not open"):
        book(session, workbook(row(1, "李明")), centre_admin)


# The screen


@pytest.fixture
def admin_client(client, centre_admin):
    profile = UserProfile.get_for_user(centre_admin)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(centre_admin)
    return client


def upload(buffer):
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue(), content_type=CONTENT_TYPE)


def test_the_screen_shows_each_rows_result_with_masked_id_numbers(admin_client, session):
    url = reverse("exams_book_from_excel", args=[session.pk])
    file = upload(workbook(row(1, "李明"), row(1, "李明")))

    response = admin_client.post(url, {"file": file}, follow=True)

    page = response.content.decode()
    assert "Nobody was booked, because 1 row was rejected." in page
    assert "Same ID card number as row 2." in page
    assert idcard.mask_id_number(id_number(1)) in page
    assert id_number(1) not in page
    assert not Booking.objects.exists()

    file.seek(0)
    page = admin_client.post(url, {"file": file, "import_valid_rows": "on"}, follow=True)
    assert "The valid rows were booked; 1 rejected row was not." in page.content.decode()
    assert Booking.objects.count() == 1


def test_the_template_names_the_sessions_exam_and_its_example_row_is_refused(
    admin_client, session, centre_admin
):
    response = admin_client.get(reverse("exams_booking_template", args=[session.pk]))

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert rows[1][5] == session.exam.title
    with translation.override("en"):
        report = book(session, io.BytesIO(response.content), centre_admin)
    assert report.rows[0].message == "This is the template's example row: delete it."


def test_an_admin_of_another_centre_cannot_book_into_the_session(client, session):
    stranger = UserFactory(roles=["centre_admin"])
    client.force_login(stranger)

    response = client.post(
        reverse("exams_book_from_excel", args=[session.pk]),
        {"file": upload(workbook(row(1, "李明")))},
    )

    assert response.status_code == 404
    assert not Booking.objects.exists()

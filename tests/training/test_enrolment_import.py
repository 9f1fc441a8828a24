"""A centre admin enrols a list of people in a course from an Excel file."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from wagtail.users.models import UserProfile

from accounts import idcard
from accounts.choices import ROLE_GROUP_NAMES, Role
from accounts.models import User
from config.xlsx import CONTENT_TYPE, ImportFileError
from tests.pages import add
from training import admin_import, enrolment_import, services
from training.choices import EnrolmentSource
from training.enrolment_import import RowOutcome, enrol_from_workbook
from training.models import CoursePage, Enrolment

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "手机号", "工作单位"]
EMPLOYER = "杭州恒泰化工有限公司"


def id_number(n):
    """A checksum-valid number of Shanghai Huangpu, apart from the factories' Hangzhou ones."""
    first17 = f"31010119900307{n:03d}"
    return first17 + idcard.check_character(first17)


def with_wrong_checksum(number):
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def xlsx(*rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows] if header else rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def person(n, name):
    return [name, id_number(n), f"1381234{n:04d}", EMPLOYER]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever translations the project adds."""
    with translation.override("en"):
        yield


@pytest.fixture
def safety_course(training_index):
    return add(
        training_index,
        CoursePage(
            title="危险化学品安全管理人员培训",
            slug="hazchem-managers",
            required_hours=Decimal("8.0"),
            target_roles=["safety_manager"],
        ),
    )


def enrol(course, file, by, **options):
    return enrol_from_workbook(course=course, uploaded_file=file, enrolled_by=by, **options)


def outcomes(report):
    return [(row.row, row.name, row.outcome) for row in report.rows]


# The service


def test_it_creates_accounts_for_new_people_and_enrols_everyone(safety_course, centre_admin, alice):
    report = enrol(
        safety_course,
        xlsx(
            person(1, "李明"),
            ["王建国", alice.id_number, "13900000001", "另一家公司"],
            person(2, "张秀英"),
        ),
        centre_admin,
    )

    assert report.imported
    assert outcomes(report) == [
        (2, "李明", RowOutcome.CREATED),
        (3, "王建国", RowOutcome.MATCHED),
        (4, "张秀英", RowOutcome.CREATED),
    ]
    assert report.counts == {"created": 2, "matched": 1, "already_enrolled": 0, "rejected": 0}
    li = User.objects.get(real_name="李明")
    assert li.username == "p13812340001"
    assert li.phone == "13812340001"
    assert li.employer == EMPLOYER
    assert li.id_number == id_number(1)
    assert not li.has_usable_password()
    assert li.groups.filter(name=ROLE_GROUP_NAMES[Role.CANDIDATE]).exists()
    assert report.rows[0].message == "Account p13812340001 created and enrolled."
    enrolments = Enrolment.objects.filter(course=safety_course)
    assert {e.learner.real_name for e in enrolments} == {"李明", "王建国", "张秀英"}
    assert {(e.source, e.enrolled_by) for e in enrolments} == {
        (EnrolmentSource.CENTRE, centre_admin)
    }
    assert {e.course_title for e in enrolments} == {"危险化学品安全管理人员培训"}
    # What Alice registered with is hers: the file does not overwrite it.
    alice.refresh_from_db()
    assert alice.employer != "另一家公司"


def test_it_imports_nothing_from_a_file_with_a_bad_id_checksum(safety_course, centre_admin):
    people_before = User.objects.count()

    report = enrol(
        safety_course,
        xlsx(
            person(1, "李明"),
            ["赵强", with_wrong_checksum(id_number(2)), "13812340002", EMPLOYER],
        ),
        centre_admin,
    )

    assert not report.imported
    assert outcomes(report) == [(2, "李明", RowOutcome.CREATED), (3, "赵强", RowOutcome.REJECTED)]
    assert report.rows[1].message == (
        "The ID card number (身份证号) is not valid. The last character does not match the "
        "others: please check for a typing error."
    )
    assert report.rows[0].message == "Not imported, because other rows were rejected."
    assert User.objects.count() == people_before
    assert not Enrolment.objects.exists()


def test_it_imports_the_valid_rows_when_asked(safety_course, centre_admin):
    report = enrol(
        safety_course,
        xlsx(
            person(1, "李明"),
            ["赵强", with_wrong_checksum(id_number(2)), "13812340002", EMPLOYER],
        ),
        centre_admin,
        import_valid_rows=True,
    )

    assert report.imported
    assert report.counts["created"] == 1
    assert report.counts["rejected"] == 1
    assert list(Enrolment.objects.values_list("learner__real_name", flat=True)) == ["李明"]
    assert not User.objects.filter(real_name="赵强").exists()


def test_it_rejects_a_second_row_with_the_same_id_number(safety_course, centre_admin):
    report = enrol(
        safety_course,
        xlsx(person(1, "李明"), person(2, "张秀英"), person(1, "李明")),
        centre_admin,
        import_valid_rows=True,
    )

    assert outcomes(report)[2] == (4, "李明", RowOutcome.REJECTED)
    assert report.rows[2].message == "Same ID card number as row 2."
    assert User.objects.filter(real_name="李明").count() == 1
    assert Enrolment.objects.count() == 2


def test_it_rejects_a_known_id_number_written_with_another_name(safety_course, centre_admin, alice):
    report = enrol(
        safety_course, xlsx(["王建军", alice.id_number, "13900000001", EMPLOYER]), centre_admin
    )

    row = report.rows[0]
    assert row.outcome == RowOutcome.REJECTED
    masked = idcard.mask_id_number(alice.id_number)
    assert row.message == (
        f"The ID card number {masked} belongs to an account registered under another name. "
        "Check the name and the ID card number."
    )
    assert row.id_number_masked == masked
    assert alice.id_number not in str(report.as_dict())
    assert not Enrolment.objects.exists()


def test_it_reports_people_already_enrolled_without_calling_it_an_error(
    safety_course, centre_admin, alice
):
    services.enrol(learner=alice, course=safety_course)

    report = enrol(
        safety_course, xlsx(["王 建国", alice.id_number, "13900000001", EMPLOYER]), centre_admin
    )

    assert report.imported
    assert outcomes(report) == [(2, "王建国", RowOutcome.ALREADY_ENROLLED)]
    assert report.rows[0].message == "Already enrolled in this course; nothing to do."
    enrolment = Enrolment.objects.get()
    assert enrolment.source == EnrolmentSource.SELF


def test_it_checks_every_cell_of_a_row_and_says_what_is_wrong(safety_course, centre_admin):
    report = enrol(
        safety_course,
        xlsx(
            ["", id_number(1), "13812340001", EMPLOYER],
            ["李明", "", "12345", EMPLOYER],
            ["张秀英", "3101011990", "", EMPLOYER],
        ),
        centre_admin,
    )

    assert [row.message for row in report.rows] == [
        "The name (姓名) is empty.",
        "The ID card number (身份证号) is empty. "
        "The mobile number (手机号) “12345” is not valid: write the 11 digits, starting with 1.",
        "The ID card number (身份证号) is not valid. An ID card number has 18 characters; "
        "this one has 10. The mobile number (手机号) is empty.",
    ]
    assert not User.objects.filter(real_name__in=["李明", "张秀英"]).exists()


def test_it_reads_phone_numbers_typed_as_numbers_and_refuses_id_numbers_excel_rounded(
    safety_course, centre_admin
):
    report = enrol(
        safety_course,
        xlsx(
            ["李明", id_number(1), 13812340001, EMPLOYER],
            ["张秀英", id_number(2), 13812340002.0, EMPLOYER],
            ["赵强", float(id_number(3)), "+86 138 1234 0003", EMPLOYER],
        ),
        centre_admin,
        import_valid_rows=True,
    )

    assert [row.outcome for row in report.rows] == [
        RowOutcome.CREATED,
        RowOutcome.CREATED,
        RowOutcome.REJECTED,
    ]
    assert "was saved as a number" in report.rows[2].message
    assert set(
        User.objects.filter(real_name__in=["李明", "张秀英"]).values_list("phone", flat=True)
    ) == {
        "13812340001",
        "13812340002",
    }


def test_it_finds_the_header_under_a_title_and_knows_other_column_names(
    safety_course, centre_admin
):
    report = enrol(
        safety_course,
        xlsx(
            ["2026年第二期危化品安全管理人员培训报名表"],
            ["序号", "姓名", "身份证号码", "联系电话", "单位名称"],
            [1, "李明", id_number(1).lower(), "138-1234-0001", EMPLOYER],
            header=None,
        ),
        centre_admin,
    )

    assert outcomes(report) == [(3, "李明", RowOutcome.CREATED)]
    assert User.objects.get(real_name="李明").id_number == id_number(1)


def test_it_reads_every_sheet_of_people_and_says_where_a_repeated_row_is(
    safety_course, centre_admin
):
    workbook = Workbook()
    first = workbook.active
    first.title = "一车间"
    for row in [HEADER, person(1, "李明")]:
        first.append(row)
    second = workbook.create_sheet("二车间")
    for row in [HEADER, person(2, "张秀英"), person(1, "李明")]:
        second.append(row)
    workbook.create_sheet("填写说明").append(["身份证号请设置为文本格式"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    report = enrol(safety_course, buffer, centre_admin, import_valid_rows=True)

    assert [(row.sheet, row.row, row.outcome) for row in report.rows] == [
        ("一车间", 2, RowOutcome.CREATED),
        ("二车间", 2, RowOutcome.CREATED),
        ("二车间", 3, RowOutcome.REJECTED),
    ]
    assert report.rows[2].message == "Same ID card number as sheet “一车间”, row 2."
    assert Enrolment.objects.count() == 2


def test_it_gives_new_accounts_usernames_that_are_free(safety_course, centre_admin, alice):
    alice.username = "p13812340001"
    alice.save()

    enrol(
        safety_course,
        xlsx(person(1, "李明"), ["张秀英", id_number(2), "13812340001", EMPLOYER]),
        centre_admin,
    )

    usernames = list(
        User.objects.filter(real_name__in=["李明", "张秀英"]).values_list("username", flat=True)
    )
    assert len(set(usernames)) == 2
    assert all(username.startswith("p13812340001-") for username in usernames)


def test_it_finds_known_people_without_a_query_per_row(
    safety_course, centre_admin, django_assert_max_num_queries
):
    rows = [person(n, f"学员{n}") for n in range(1, 31)]
    enrol(safety_course, xlsx(*rows), centre_admin)
    Enrolment.objects.all().delete()

    with django_assert_max_num_queries(6):
        report = enrol(safety_course, xlsx(*rows), centre_admin)

    assert report.counts["matched"] == 30
    assert Enrolment.objects.count() == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,id\n", "not an Excel workbook"),
        (xlsx(header=None).getvalue(), "The workbook is empty."),
        (xlsx(["李明", "张秀英"], header=None).getvalue(), "No header row found."),
        (xlsx().getvalue(), "nobody listed under it"),
        (
            xlsx(header=["姓名", "身份证号", "工作单位"]).getvalue(),
            r"The header row \(row 1\) lacks the required columns: 手机号.",
        ),
    ],
)
def test_it_refuses_a_file_it_cannot_read_as_a_whole(safety_course, centre_admin, content, message):
    with pytest.raises(ImportFileError, match=message):
        enrol(safety_course, io.BytesIO(content), centre_admin)


def test_it_refuses_a_file_with_too_many_people(safety_course, centre_admin, monkeypatch):
    monkeypatch.setattr(enrolment_import, "MAX_ROWS", 2)

    with pytest.raises(ImportFileError, match="more than 2 people"):
        enrol(safety_course, xlsx(*(person(n, f"学员{n}") for n in range(3))), centre_admin)
    assert not Enrolment.objects.exists()


# The admin screens


def admin_client(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def upload(content, name="报名名单.xlsx"):
    return SimpleUploadedFile(name, content, content_type=CONTENT_TYPE)


def test_it_lets_only_people_who_enrol_use_the_screens(
    client, safety_course, trainer, bureau_admin
):
    url = reverse("training_enrol_from_excel", args=[safety_course.pk])
    template_url = reverse("training_enrolment_template")

    admin_client(client, trainer)
    # The view refuses with 403; the Wagtail admin shows that to a browser as
    # a redirect to its home page with a message.
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    response = client.get(url)
    assert response["Location"] == reverse("wagtailadmin_home")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    file = upload(xlsx(person(1, "李明")).getvalue())
    assert client.post(url, {"file": file})["Location"] == reverse("wagtailadmin_home")
    assert client.get(template_url)["Location"] == reverse("wagtailadmin_home")
    assert not User.objects.filter(real_name="李明").exists()

    admin_client(client, bureau_admin)
    assert client.get(url).status_code == 200
    assert client.get(template_url).status_code == 200


def test_it_shows_the_report_row_by_row_with_masked_id_numbers(
    client, safety_course, centre_admin, alice
):
    admin_client(client, centre_admin)
    url = reverse("training_enrol_from_excel", args=[safety_course.pk])
    assert "Download the Excel template" in client.get(url).content.decode()
    bad_id = with_wrong_checksum(id_number(2))
    file = upload(
        xlsx(
            person(1, "李明"),
            ["赵强", bad_id, "13812340002", EMPLOYER],
            ["王建国", alice.id_number, "13900000001", EMPLOYER],
        ).getvalue()
    )

    response = client.post(url, {"file": file}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith(f"{url}?report=")
    assert "Nothing was imported, because 1 row was rejected." in page
    assert "Rejected: 1" in page
    assert "The last character does not match the others" in page
    assert "Existing account" in page
    assert "New account" in page
    assert idcard.mask_id_number(bad_id) in page
    assert idcard.mask_id_number(alice.id_number) in page
    for number in (id_number(1), bad_id, alice.id_number):
        assert number not in page
    # The row to fix comes first.
    assert page.index("赵强") < page.index("李明") < page.index("王建国")
    assert not Enrolment.objects.exists()

    file.seek(0)
    response = client.post(url, {"file": file, "import_valid_rows": "on"}, follow=True)

    page = response.content.decode()
    assert "The valid rows were imported; 1 rejected row was not." in page
    assert Enrolment.objects.count() == 2


def test_it_pages_a_long_report_and_keeps_it_to_whoever_imported_it(
    client, safety_course, centre_admin, bureau_admin, monkeypatch
):
    monkeypatch.setattr(admin_import, "ROWS_PER_PAGE", 2)
    admin_client(client, centre_admin)
    url = reverse("training_enrol_from_excel", args=[safety_course.pk])
    file = upload(xlsx(*(person(n, f"学员{n}") for n in range(1, 6))).getvalue())
    report_url = client.post(url, {"file": file})["Location"]

    page = client.get(f"{report_url}&p=3").content.decode()

    assert "Page 3 of 3" in page
    assert "学员5" in page
    assert "学员1" not in page

    admin_client(client, bureau_admin)
    page = client.get(report_url).content.decode()
    assert "That report is no longer kept." in page
    assert "学员5" not in page


def test_it_says_why_a_file_cannot_be_read(client, safety_course, centre_admin):
    admin_client(client, centre_admin)
    url = reverse("training_enrol_from_excel", args=[safety_course.pk])

    response = client.post(url, {"file": upload(b"name,id\n", "名单.csv")})

    assert response.status_code == 200
    assert "The file is not an Excel workbook (.xlsx)." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_it_gives_a_template_whose_example_row_is_not_imported(client, safety_course, centre_admin):
    admin_client(client, centre_admin)

    response = client.get(reverse("training_enrolment_template"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号", "手机号", "工作单位")
    assert len(rows) == 2
    assert sheet.column_dimensions["B"].number_format == "@"  # typed ID numbers stay text
    with translation.override("en"):  # the request above left Chinese active
        report = enrol(safety_course, io.BytesIO(response.content), centre_admin)
    assert report.rows[0].outcome == RowOutcome.REJECTED
    assert report.rows[0].message == "This is the template's example row: delete it."

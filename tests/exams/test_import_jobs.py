"""Importing a question file: checked first, all or nothing, duplicates handled as asked."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exams import services
from exams.choices import DuplicatePolicy, ImportStatus
from exams.models import ImportJob, Question

pytestmark = pytest.mark.django_db

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "知识点"]
GOOD_ROWS = [
    [
        "单选",
        "进入有限空间作业前，应当首先进行（ ）。",
        "通风",
        "检测",
        "作业",
        "清理",
        "A",
        "先通风、再检测、后作业。",
        2,
        "有限空间",
    ],
    [
        "多选",
        "危险化学品仓库应当做到（ ）。",
        "专库专用",
        "专人管理",
        "混存混放",
        "双人双锁",
        "ABD",
        "性质相抵触的物品不得混存。",
        3,
        "危险化学品，储存",
    ],
    [
        "判断",
        "液氨泄漏时，人员应向下风向撤离。",
        "",
        "",
        "",
        "",
        "错",
        "应向上风向或侧风向撤离。",
        2,
        "涉氨制冷",
    ],
]


def xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("题库.xlsx", buffer.getvalue())


@pytest.fixture
def author(trainer):
    return trainer


def test_a_dry_run_reports_every_row_and_imports_nothing(
    bank, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(bank=bank, uploaded_file=xlsx(GOOD_ROWS), user=author)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.report["summary"]["valid"] == 3
    assert job.report["summary"]["imported"] is False
    assert job.percent == 100
    assert not Question.objects.exists()


def test_confirming_a_dry_run_imports_the_questions(
    bank, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        checked = services.import_job_create(bank=bank, uploaded_file=xlsx(GOOD_ROWS), user=author)
    with django_capture_on_commit_callbacks(execute=True):
        real = services.import_job_repeat(job=checked, user=author)
    real.refresh_from_db()
    assert real.report["summary"]["created"] == 3
    questions = Question.objects.order_by("pk")
    assert [q.type for q in questions] == ["single", "multiple", "true_false"]
    assert questions[1].answer == [0, 1, 3]
    assert sorted(questions[1].tags.names()) == ["储存", "危险化学品"]
    assert questions[2].answer == [1]  # 错 → false


def test_one_bad_row_means_nothing_is_imported(bank, author, django_capture_on_commit_callbacks):
    rows = [*GOOD_ROWS, ["单选", "动火作业应当办理（ ）。", "许可", "证明", "", "", "E", "", 3, ""]]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            bank=bank, uploaded_file=xlsx(rows), user=author, dry_run=False
        )
    job.refresh_from_db()
    assert job.report["summary"]["errors"] == 1
    assert job.report["summary"]["imported"] is False
    error = next(row for row in job.report["rows"] if row["status"] == "error")
    assert error["location"]
    assert not Question.objects.exists()


def test_the_valid_rows_are_imported_when_asked(bank, author, django_capture_on_commit_callbacks):
    rows = [*GOOD_ROWS, ["单选", "动火作业应当办理（ ）。", "许可", "证明", "", "", "E", "", 3, ""]]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            bank=bank, uploaded_file=xlsx(rows), user=author, dry_run=False, import_valid_rows=True
        )
    job.refresh_from_db()
    assert job.report["summary"]["created"] == 3
    assert Question.objects.count() == 3


@pytest.mark.parametrize(
    ("policy", "versions"), [(DuplicatePolicy.SKIP, 1), (DuplicatePolicy.NEW_VERSION, 2)]
)
def test_duplicates_are_skipped_or_versioned(
    bank, author, policy, versions, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_create(
                bank=bank,
                uploaded_file=xlsx(GOOD_ROWS[:1]),
                user=author,
                dry_run=False,
                on_duplicate=policy,
            )
    first = Question.objects.order_by("pk").first()
    assert Question.objects.filter(lineage=first.lineage).count() == versions
    assert Question.objects.filter(is_current=True).count() == 1


def test_a_file_that_is_not_excel_fails_with_a_reason(
    bank, author, django_capture_on_commit_callbacks
):
    fake = SimpleUploadedFile("题库.xlsx", b"<html><body>not a workbook</body></html>")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(bank=bank, uploaded_file=fake, user=author)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.report["error"]


def test_a_job_runs_once_even_if_delivered_twice(bank, author):
    job = services.import_job_create(
        bank=bank, uploaded_file=xlsx(GOOD_ROWS), user=author, dry_run=False
    )
    services.import_job_run(job_id=job.pk)
    services.import_job_run(job_id=job.pk)
    assert Question.objects.count() == 3
    assert ImportJob.objects.get(pk=job.pk).report["summary"]["created"] == 3


def test_confirming_twice_imports_once(bank, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        checked = services.import_job_create(bank=bank, uploaded_file=xlsx(GOOD_ROWS), user=author)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.import_job_repeat(job=checked, user=author)
        second = services.import_job_repeat(job=checked, user=author)
    assert first.pk == second.pk
    assert Question.objects.count() == 3

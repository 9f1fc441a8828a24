"""
The bureau's monthly report: a PDF of the month's figures in Chinese with
the font embedded, made on the 1st by the beat and on demand from the admin,
kept one a month; only the bureau sees the list.
"""

import datetime
import itertools
import re
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.choices import Industry
from config.celery_app import app
from exams import tasks
from exams.choices import AttemptStatus, BookingSource, BookingStatus, PaperKind
from exams.models import Attempt, Booking, Exam, ExamSession, MonthlyReport, Paper, Room
from exams.models import TestCentre as Centre  # not a test class
from exams.statistics import report, report_views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = datetime.date(2026, 10, 1)
REPORTS = "/admin/exams/reports/"
_numbers = itertools.count(1)


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def a_sitting(candidate, exam, centre, graded_at, score):
    starts_at = graded_at - datetime.timedelta(hours=2)
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=centre.rooms.get(),
        starts_at=starts_at,
        capacity=40,
        booking_opens_at=starts_at - datetime.timedelta(days=14),
        booking_closes_at=starts_at - datetime.timedelta(days=1),
    )
    booking = Booking.objects.create(
        session=session,
        candidate=candidate,
        seat=1,
        ticket_number=f"MR{next(_numbers):08d}",
        status=BookingStatus.CHECKED_IN,
        source=BookingSource.CENTRE,
    )
    return Attempt.objects.create(
        booking=booking,
        candidate=candidate,
        exam=exam,
        paper=exam.paper,
        status=AttemptStatus.GRADED,
        submitted_at=graded_at,
        graded_at=graded_at,
        score=Decimal(score),
        max_score=Decimal("100"),
        passed=Decimal(score) >= 80,
    )


@pytest.fixture
def october():
    """
    Seven passes and three fails graded in October 2026 (Shanghai time), one
    of each just inside its ends; a pass on each side of the month that the
    report must leave out.
    """
    paper = Paper.objects.create(name="危化品试卷", kind=PaperKind.FIXED)
    exam = Exam.objects.create(
        title="危险化学品安全管理人员考试",
        target_role="safety_manager",
        paper=paper,
        industry=Industry.HAZARDOUS_CHEMICALS,
    )
    centre = Centre.objects.create(name="西湖区安全生产考点", code="XH01", address="文三路 90 号")
    Room.objects.create(centre=centre, name="第一考场", seat_count=40, seats_per_row=8)
    days = [
        "2026-10-01 00:30",
        *[f"2026-10-{day:02d} 10:00" for day in range(8, 16)],
        "2026-10-31 23:30",
    ]
    scores = ["80", "85", "90", "95", "100", "88", "92", "60", "70", "79"]
    for day, score in zip(days, scores, strict=True):
        a_sitting(UserFactory(), exam, centre, at(day), score)
    a_sitting(UserFactory(), exam, centre, at("2026-09-30 23:30"), "90")
    a_sitting(UserFactory(), exam, centre, at("2026-11-01 00:30"), "90")
    return exam


def pdf_text(path):
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def test_it_renders_the_months_figures_in_chinese_with_the_font_embedded(october, tmp_path):
    stored = report.store_report(month=OCTOBER)

    path = tmp_path / "report.pdf"
    with stored.pdf.open("rb") as pdf:
        path.write_bytes(pdf.read())
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    embedded_cjk = [
        line for line in fonts.splitlines() if "CJK" in line and re.search(r"\byes\s+yes\b", line)
    ]
    assert embedded_cjk, fonts
    text = pdf_text(path)
    with translation.override("zh-hans"):
        passed, sittings = gettext("Passed"), gettext("Sittings")
    assert re.search(rf"{passed}\s+7\b", text), text
    assert re.search(rf"{sittings}\s+10\b", text), text
    assert "70.0 %" in text  # the pass rate
    assert "2026年10月" in text
    assert stored.generated_at is not None and stored.generated_by is None


def test_its_figures_are_the_dashboards(october):
    with translation.override("zh-hans"):
        context = report.report_context(OCTOBER)
    assert context["figures"]["passed"] == 7
    assert context["figures"]["attempts"] == 10
    by_industry = context["sections"][0]
    # examined, sittings, passed, pass rate, average of the ten scores (839 / 10)
    assert by_industry["rows"] == [["危险化学品", "10", "10", "7", "70.0 %", "83.9"]]
    october_point = context["trend"]["points"][-1]
    assert october_point["label"] == "2026-10" and october_point["rate"] == 70.0
    # September's one pass is its own month on the line: 100 %.
    assert context["trend"]["points"][-2]["rate"] == 100.0
    assert [point["rate"] for point in context["trend"]["points"][:-2]] == [None] * 10
    assert len(context["trend"]["segments"]) == 1


def test_generating_a_month_again_replaces_its_pdf(october, bureau_admin):
    first = report.store_report(month=OCTOBER)
    first_name = first.pdf.name
    again = report.store_report(month=OCTOBER, by=bureau_admin)

    assert MonthlyReport.objects.count() == 1
    assert again.pdf.name != first_name
    assert not again.pdf.storage.exists(first_name)
    assert again.pdf.storage.exists(again.pdf.name)
    assert again.generated_by == bureau_admin


def test_only_the_bureau_admin_sees_the_reports(client, october, bureau_admin, centre_admin):
    stored = report.store_report(month=OCTOBER)
    pdf_url = f"/admin/exams/reports/{stored.pk}.pdf"

    client.force_login(centre_admin)
    # Wagtail answers a refusal in its admin with a redirect to the admin's home.
    assert client.get(REPORTS).url == "/admin/"
    assert client.get(pdf_url).url == "/admin/"
    refused = client.post("/admin/exams/reports/generate/", {"month": "2026-10-01"})
    assert refused.url == "/admin/"
    assert not MonthlyReport.objects.get().is_pending  # nothing queued
    assert "/admin/exams/reports/" not in client.get("/admin/").content.decode()

    client.force_login(bureau_admin)
    page = client.get(REPORTS)
    assert page.status_code == 200
    assert 'data-month="2026-10"' in page.content.decode()
    assert "/admin/exams/reports/" in client.get("/admin/").content.decode()
    download = client.get(pdf_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_generate_now_shows_the_month_pending_until_the_worker_has_made_it(
    client, october, bureau_admin, django_capture_on_commit_callbacks
):
    client.force_login(bureau_admin)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/admin/exams/reports/generate/", {"month": "2026-10-01"})
    assert response.status_code == 302
    pending = MonthlyReport.objects.get(month=OCTOBER)
    assert pending.is_pending and not pending.pdf
    page = client.get(REPORTS).content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'role="status"' in page

    for callback in queued:  # the worker runs the task
        callback()
    made = MonthlyReport.objects.get(month=OCTOBER)
    assert made.pdf and not made.is_pending and made.generated_by == bureau_admin
    page = client.get(REPORTS).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f"/admin/exams/reports/{made.pk}.pdf" in page


def test_a_month_not_yet_ended_cannot_be_asked_for(client, bureau_admin):
    client.force_login(bureau_admin)
    this_month = timezone.localdate().replace(day=1)
    client.post("/admin/exams/reports/generate/", {"month": this_month.isoformat()})
    assert not MonthlyReport.objects.exists()
    assert report_views.month_choices(datetime.date(2026, 12, 1))[0][0] == "2026-11-01"


def test_the_beat_makes_last_months_report_at_six_on_the_first():
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report"]
    assert entry["task"] == "exams.tasks.generate_monthly_report"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {6}, {0})
    assert str(app.conf.timezone) == "Asia/Shanghai"
    assert report.month_just_ended(datetime.date(2026, 12, 1)) == datetime.date(2026, 11, 1)
    assert report.month_just_ended(datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)


def test_the_scheduled_task_reports_on_the_month_just_ended(october):
    tasks.generate_monthly_report.delay()
    made = MonthlyReport.objects.get()
    assert made.month == report.month_just_ended()
    assert made.pdf and made.generated_by is None

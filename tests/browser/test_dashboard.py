"""
The bureau admin opens the dashboard from the admin menu in Chromium, picks
March and April and the hazardous-chemicals industry, exports the table by
exam, and the downloaded Excel file holds the figures the page shows.
"""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from accounts.choices import Industry
from tests.browser.conftest import serious_accessibility_violations
from tests.exams.test_dashboard import a_centre, a_sitting, an_exam, at
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def history():
    """Chemicals: three sittings (two passed) at two centres; confined spaces: one failed."""
    west_lake = a_centre("XH01", "西湖区安全生产考点")
    gongshu = a_centre("GS01", "拱墅区安全生产考点")
    chemicals = an_exam("危险化学品安全管理人员考试", Industry.HAZARDOUS_CHEMICALS)
    confined = an_exam("有限空间作业安全考试", Industry.CONFINED_SPACES)
    alice = UserFactory(real_name="王建国", employer="恒泰化工")
    bob = UserFactory(real_name="李秀英", employer="江南冷链")
    a_sitting(alice, chemicals, west_lake, at("2026-03-10 10:00"), "62")
    a_sitting(alice, chemicals, west_lake, at("2026-04-10 10:00"), "88")
    a_sitting(bob, chemicals, gongshu, at("2026-04-12 10:00"), "95")
    a_sitting(bob, confined, gongshu, at("2026-04-20 10:00"), "50")


def rows_of(table):
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def test_the_bureau_filters_the_dashboard_and_exports_the_figures_it_shows(
    live_server, page, bureau_admin, history, artifacts, tmp_path
):
    profile = UserProfile.get_for_user(bureau_admin)
    profile.preferred_language = "en"
    profile.save()

    page.goto(f"{live_server.url}/admin/")
    page.locator("#id_username").fill("bureau")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Statistics").click()
    expect(page.locator("h1")).to_have_text("Statistics")

    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("Until", exact=True).fill("2026-04-30")
    page.get_by_label("Industry", exact=True).select_option(label="Hazardous chemicals")
    page.get_by_role("button", name="Show").click()

    expect(page.locator(".dashboard-described")).to_contain_text("Hazardous chemicals")
    figures = page.locator("#figures")
    expect(figures.locator("[data-figure=attempts] dd")).to_have_text("3")
    expect(figures.locator("[data-figure=pass_rate] dd")).to_have_text("66.7 %")
    expect(figures.locator("[data-figure=average_score] dd")).to_have_text("81.7")
    by_exam = page.locator("#table-exam")
    shown = rows_of(by_exam)
    assert shown == [["危险化学品安全管理人员考试", "2", "3", "2", "66.7 %", "81.7"]]
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    page.locator(".dashboard-charts").screenshot(path=artifacts / "dashboard-charts.png")
    assert serious_accessibility_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Export to Excel\s*: By exam$")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    workbook = load_workbook(saved)
    exported = [list(row) for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert exported == [["危险化学品安全管理人员考试", 2, 3, 2, 66.7, 81.7]]
    filters = dict(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert filters["Industry"] == "Hazardous chemicals"
    assert filters["Dates"] == "2026-03-01 – 2026-04-30"

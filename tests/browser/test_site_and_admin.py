import pytest
from playwright.sync_api import expect

from cms.demo import seed_site
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_switches_to_english_and_a_trainer_signs_into_the_admin(
    live_server, page, trainer, artifacts
):
    seed_site()

    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("安康 · 安全生产培训考试平台")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.screenshot(path=artifacts / "home-zh.png", full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url + "/en/")
    expect(page.locator("h1")).to_have_text("Ankang · Workplace safety training and examination")
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()

    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill("trainer")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("body")).to_contain_text("陈志强")
    page.screenshot(path=artifacts / "admin-trainer.png", full_page=True)

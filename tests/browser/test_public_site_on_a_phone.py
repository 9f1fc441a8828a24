"""
A visitor on a phone: home → campaign → article → search with a filter, with
screenshots in tests/artifacts/ and axe-core checks on every page.
"""

import pytest
from playwright.sync_api import expect

from cms.demo import seed_site
from tests.browser.conftest import serious_accessibility_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def check(page, artifacts, name):
    page.screenshot(path=artifacts / f"phone-{name}.png", full_page=True)
    assert serious_accessibility_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} scrolls sideways on a phone ({width}px wide)"


def test_a_visitor_reads_a_campaign_and_an_article_and_searches(live_server, phone, artifacts):
    seed_site()

    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("heading", name="正在进行和即将开始的活动")).to_be_visible()
    check(phone, artifacts, "home")

    phone.get_by_role("link", name="防灾减灾日").first.click()
    expect(phone.locator("h1")).to_contain_text("防灾减灾日")
    expect(phone.locator("[data-countdown-text]")).to_contain_text("开始")
    expect(phone.get_by_text("应急疏散演练示意")).to_be_visible()
    check(phone, artifacts, "campaign")

    phone.get_by_role("link", name="去学习").click()
    expect(phone.locator("h1")).to_have_text("有限空间作业必须“先通风、再检测、后作业”")
    expect(phone.get_by_role("navigation", name="当前位置")).to_contain_text("安全知识")
    check(phone, artifacts, "article")

    phone.get_by_role("link", name="搜索").click()
    phone.get_by_label("搜索关键词").fill("中毒")
    phone.get_by_label("行业").select_option(label="有限空间")
    phone.get_by_role("button", name="搜索").click()
    results = phone.locator(".search-results")
    expect(results).to_contain_text("案例警示：污水池清淤盲目施救导致多人中毒")
    expect(results).not_to_contain_text("涉氨制冷")
    check(phone, artifacts, "search")

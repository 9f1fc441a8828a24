"""
The pages work under the Content-Security-Policy: Chromium reports no
violation on the home page, a campaign quiz played to its first answer, the
Wagtail admin's dashboard and page editor, and a lesson's PDF courseware.
"""

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cms.demo import seed_site
from cms.demo_media import leaflet_pdf
from tests.cms.test_quiz import make_bank_questions, make_quiz
from tests.factories import PASSWORD
from tests.pages import add
from training import services
from training.models import CoursePage, LessonPage, TrainingIndexPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Init scripts run before the page's own and are not subject to its policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the list every CSP violation it reports is added to."""
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    return page, violations


def assert_no_violation(page, violations, where):
    violations = violations + page.evaluate("window.__cspViolations")
    assert violations == [], f"{where}: {violations}"


def test_the_home_page_a_quiz_and_the_admin_report_no_csp_violation(
    live_server, watched, bureau_admin
):
    page, violations = watched
    home = seed_site()
    quiz = make_quiz(make_bank_questions(6), questions_per_play=3)

    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("h1")).to_be_visible()
    assert_no_violation(page, violations, "home")

    # The API documentation linked from every page's footer (Swagger UI).
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ankang API")
    assert_no_violation(page, violations, "API docs")

    page.goto(f"{live_server.url}/quiz/{quiz.slug}/")
    page.fill("[name=real_name]", "王秀兰")
    page.fill("[name=phone]", "13800000001")
    page.select_option("[name=town]", "城关街道")
    page.check("[name=consent]")
    label = page.locator("label[for=id_challenge_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) \+ (\d+)", label).groups())
    page.fill("[name=challenge_answer]", str(first + second))
    page.get_by_role("button", name=re.compile("Start|开始")).click()
    # The question arrives by fetch and the page's script shows it.
    expect(page.locator("[data-progress]")).to_have_text("1 / 3")
    page.locator(".quiz-option").first.click()
    page.locator("[data-submit]").click()
    expect(page.locator("[data-feedback]")).not_to_be_empty()
    assert_no_violation(page, violations, "quiz")

    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill("bureau")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("body")).to_contain_text("吴国平")
    assert_no_violation(page, violations, "admin dashboard")

    # The page editor runs Wagtail's own scripts (inline panels, choosers).
    page.goto(f"{live_server.url}/admin/pages/{home.pk}/edit/")
    expect(page.locator("#id_title")).to_be_visible()
    assert_no_violation(page, violations, "page editor")


def test_a_lesson_shows_its_pdf_courseware_framed_with_no_csp_violation(
    live_server, watched, alice, home
):
    page, violations = watched
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="有限空间作业安全",
            slug="confined",
            target_roles=["special_operations"],
            required_hours=Decimal("1"),
        ),
    )
    leaflet = leaflet_pdf()
    body = [{"type": "courseware", "value": {"document": leaflet.pk, "title": "须知"}}]
    lesson = add(course, LessonPage(title="第一课", slug="first", body=json.dumps(body)))
    services.enrol(learner=alice, course=course)

    page.goto(f"{live_server.url}/accounts/login/?next={lesson.url}")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    # The PDF itself is served into the frame: a frame-ancestors refusal would
    # be reported to this page's console.
    with page.expect_response(lambda r: "/learning/courseware/" in r.url) as served:
        page.locator("form button[type=submit]").click()
    expect(page.locator("iframe.courseware__viewer")).to_be_visible()
    assert served.value.status == 200
    assert served.value.all_headers()["x-frame-options"] == "SAMEORIGIN"
    page.wait_for_timeout(500)
    assert_no_violation(page, violations, "lesson with courseware")

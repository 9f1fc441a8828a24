"""A learner studies a lesson in Chromium: the clock runs while they study and stops when hidden."""

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cms.demo_media import drill_video
from tests.browser.conftest import serious_accessibility_violations
from tests.factories import PASSWORD
from tests.pages import add
from training import services
from training.models import CoursePage, LessonPage, LessonProgress, TrainingIndexPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def lesson(alice, home):
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="有限空间作业安全",
            slug="confined",
            target_roles=["special_operations"],
            required_hours=Decimal("0.1"),  # 4.5 minutes: the bar moves within seconds
        ),
    )
    body = [
        {"type": "paragraph", "value": "<p>有限空间作业必须先通风、再检测、后作业。</p>"},
        {
            "type": "lesson_video",
            "value": {"video": drill_video().pk, "caption": "疏散示意", "no_skipping": True},
        },
        {
            "type": "check_question",
            "value": {
                "question_type": "single",
                "stem": "进入有限空间前首先要做什么？",
                "options": [
                    {"text": "直接进入", "correct": False},
                    {"text": "先通风、再检测", "correct": True},
                ],
                "true_false_answer": False,
                "explanation": "气体检测合格后方可进入。",
            },
        },
    ]
    lesson = add(
        course, LessonPage(title="第一课　先通风", slug="ventilate", body=json.dumps(body))
    )
    services.enrol(learner=alice, course=course)
    return lesson


def seconds_shown(page):
    minutes, seconds = re.fullmatch(
        r"(\d+):(\d+)", page.locator("[data-lesson-time]").inner_text()
    ).groups()
    return int(minutes) * 60 + int(seconds)


def keep_active(page, seconds):
    """A learner reading: the mouse moves now and then."""
    for step in range(seconds * 2):
        page.mouse.move(100 + step % 50, 300)
        page.wait_for_timeout(500)


def set_visibility(page, state):
    # Headless Chromium keeps every tab "visible" (there is no screen to leave),
    # so the switch to another tab is played as the browser announces it.
    page.evaluate(
        """state => {
            const define = (name, value) =>
                Object.defineProperty(document, name, {value, configurable: true});
            define("visibilityState", state);
            define("hidden", state === "hidden");
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_a_learner_watches_answers_and_sees_the_hours_move_until_the_tab_is_hidden(
    live_server, page, alice, lesson, settings, artifacts
):
    settings.TRAINING_HEARTBEAT_SECONDS = 1
    page.goto(f"{live_server.url}/accounts/login/?next={lesson.url}")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("第一课　先通风")

    keep_active(page, 3)
    assert seconds_shown(page) >= 1
    assert serious_accessibility_violations(page) == []

    video = page.locator("video")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_timeout(3500)
    expect(page.locator("[data-video-watched]")).to_have_text(re.compile(r"[1-9]\d*%"))

    page.get_by_label("先通风、再检测").check()
    page.locator("[data-check-question] button[type=submit]").click()
    expect(page.locator("[data-feedback]")).to_contain_text("气体检测合格后方可进入。")

    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]\d*$"))
    page.screenshot(path=artifacts / "lesson-studying.png", full_page=True)

    video.evaluate("v => v.pause()")
    set_visibility(page, "hidden")
    page.wait_for_timeout(1500)
    hidden_at = seconds_shown(page)
    page.wait_for_timeout(3000)
    assert seconds_shown(page) == hidden_at, "the clock ran while the tab was hidden"

    set_visibility(page, "visible")
    keep_active(page, 3)
    assert seconds_shown(page) > hidden_at

    progress = LessonProgress.objects.get(lesson=lesson)
    assert progress.answers and progress.seconds_credited >= 4
    (watched,) = progress.videos.values()  # the watched part of the video is on the server
    assert watched["watched"] and watched["watched"][0][1] > 0


def test_opening_the_lesson_in_a_second_tab_pauses_the_first_until_the_learner_takes_over(
    live_server, context, alice, lesson, settings
):
    settings.TRAINING_HEARTBEAT_SECONDS = 1
    first = context.new_page()
    first.goto(f"{live_server.url}/accounts/login/?next={lesson.url}")
    first.locator("#id_username").fill("alice")
    first.locator("#id_password").fill(PASSWORD)
    first.locator("form button[type=submit]").click()
    expect(first.locator("[data-study-status]")).to_have_text("正在计时。")

    second = context.new_page()
    second.goto(live_server.url + lesson.url)
    expect(second.locator("[data-study-status]")).to_have_text("正在计时。")
    expect(first.locator("[data-study-status]")).to_contain_text("其他标签页或设备", timeout=5000)
    take_over = first.get_by_role("button", name="改在此处学习")
    expect(take_over).to_be_visible()

    take_over.click()
    expect(first.locator("[data-study-status]")).to_have_text("正在计时。")
    expect(second.locator("[data-study-status]")).to_contain_text("其他标签页或设备", timeout=5000)
    expect(second.get_by_role("button", name="改在此处学习")).to_be_visible()

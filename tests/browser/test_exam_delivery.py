"""
A candidate sits an exam in Chromium: answers are saved as they are given,
kept on the device while the network is down and sent when it is back; the
web server is killed mid-exam and restarted; time runs out; another screen
takes the exam over; the keyboard works and axe finds nothing serious.

The web server runs in its own process (tests/browser/conftest.py,
`web_server`), so that it can be killed with SIGKILL and started again; it
reads and writes the test database the test itself sees. The page asks the
server for its state every second (EXAM_STATE_POLL_SECONDS=1 for that
process) to keep the file fast.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from exams import delivery, services
from exams.choices import AttemptStatus, PaperKind, QuestionStatus
from exams.models import (
    Attempt,
    AttemptEvent,
    AttemptQuestion,
    BlueprintRule,
    Exam,
    Paper,
    QuestionBank,
)
from tests.browser.conftest import checked_in_booking, eventually, serious_accessibility_violations
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1366, "height": 768}
RESULT_URL = re.compile(r"/exams/attempts/\d+/result/$")
# How long the page may take to notice something by itself (a poll, a retry).
NOTICE_MS = 10_000


# ---------------------------------------------------------------------------
# The sitting: a checked-in candidate with a drawn paper of 8 questions
# ---------------------------------------------------------------------------


def _paper():
    bank = QuestionBank.objects.create(name="危化品安全题库", owner="区安全生产考试中心")
    for kind, count in (("single", 4), ("multiple", 2), ("true_false", 2)):
        for n in range(count):
            services.question_create(
                bank=bank,
                type=kind,
                stem=f"<p>危险化学品仓库管理（{kind} {n + 1}）：下列说法正确的是（ ）。</p>",
                options=[] if kind == "true_false" else [f"做法{c}{n}" for c in "甲乙丙丁"],
                answer={"single": [1], "multiple": [0, 2], "true_false": [0]}[kind],
                status=QuestionStatus.ACTIVE,
                tags=("危险化学品",),
                industry="hazardous_chemicals",
                explanation="依据危险化学品安全管理条例。",
            )
    paper = Paper.objects.create(name="危化品模拟考试", kind=PaperKind.BLUEPRINT)
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    for order, (kind, count, points) in enumerate(
        (("single", 4, 10), ("multiple", 2, 20), ("true_false", 2, 10))
    ):
        BlueprintRule.objects.create(
            paper=paper, sort_order=order, type=kind, count=count, points=points
        )
    return paper


@pytest.fixture
def sitting(home, alice):
    """make(one_per_screen=False) → alice's prepared attempt, checked in, session open."""

    def make(one_per_screen=False):
        exam = Exam.objects.create(
            title="危险化学品安全管理人员考试",
            target_role="safety_manager",
            paper=_paper(),
            one_question_per_screen=one_per_screen,
        )
        attempt = Attempt.objects.get(booking=checked_in_booking(exam, alice))
        # A known shuffle (reversed options), so that "shown" and "original"
        # differ for every choice question and a mix-up cannot pass unseen.
        for item in attempt.questions.all():
            if item.option_order:
                item.option_order = list(reversed(range(len(item.option_order))))
                item.save(update_fields=["option_order"])
        return attempt

    return make


def items_of(attempt):
    return {item.position: item for item in attempt.questions.select_related("question")}


def an_answer(item, variant=0):
    """Shown positions a candidate might choose for this question."""
    kind = item.question.type
    if kind == "multiple":
        return [0, 2 + variant % 2]
    if kind == "true_false":
        return [variant % 2]
    return [variant % 4]


def original(item, shown):
    """What the server must store for the shown positions chosen: original indexes."""
    if not item.option_order:
        return sorted(shown)
    return sorted(item.option_order[s] for s in shown)


def right_answer(item):
    """The shown positions of the key."""
    if not item.option_order:
        return sorted(item.question.answer)
    return sorted(item.option_order.index(i) for i in item.question.answer)


def stored(attempt):
    """What the server holds: {position: (selected original indexes, flagged)}."""
    return {
        q.position: (q.selected, q.flagged)
        for q in AttemptQuestion.objects.filter(attempt_id=attempt.pk)
    }


def expected(items, answers, flagged=()):
    """The server's rows for `answers` ({position: shown}) and the flagged positions."""
    return {
        position: (
            original(items[position], answers[position]) if position in answers else [],
            position in flagged,
        )
        for position in items
    }


# ---------------------------------------------------------------------------
# Driving the page
# ---------------------------------------------------------------------------


def attempt_url(server, attempt):
    return f"{server.url}/exams/attempts/{attempt.pk}/"


def log_in_and_start(page, server, attempt):
    page.goto(f"{server.url}/accounts/login/?next=/exams/attempts/{attempt.pk}/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    start = page.locator(f'form[action$="/attempts/{attempt.pk}/"] button[type=submit]')
    start.click()
    expect(page.locator(f'main#exam[data-attempt="{attempt.pk}"]')).to_be_visible()
    # The page is server-rendered: wait for its script, or keys pressed now go nowhere.
    expect(page.locator("main#exam")).to_have_attribute("data-ready", "true")
    expect(page.locator("#exam-timer")).to_have_attribute("data-remaining", re.compile(r"^\d+$"))


def option(page, position, shown):
    return page.locator(f'#q-{position} input[name="q-{position}"][value="{shown}"]')


def answer(page, position, shown):
    for s in shown:
        option(page, position, s).check()


def navigator_button(page, position):
    return page.locator(f'nav#exam-navigator button[data-position="{position}"]')


def save_state(page):
    return page.locator("#save-status")


def expect_shown(page, position, shown, item):
    """The page shows exactly `shown` chosen for the question."""
    count = 2 if item.question.type == "true_false" else len(item.question.options)
    for s in range(count):
        if s in shown:
            expect(option(page, position, s)).to_be_checked()
        else:
            expect(option(page, position, s)).not_to_be_checked()


@pytest.fixture
def new_context(browser):
    """new_context(viewport) → a fresh browser context (its own cookies and localStorage)."""
    made = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(NOTICE_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def server(web_server):
    """The web server process, running (a test that killed it may have failed before restarting)."""
    web_server.ensure_running()
    return web_server


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------


def test_answers_given_offline_reach_the_server_when_the_network_is_back(
    server, sitting, new_context, artifacts
):
    attempt = sitting()
    items = items_of(attempt)
    context = new_context(TABLET)
    page = context.new_page()
    log_in_and_start(page, server, attempt)

    answers = {}
    for position in (1, 2, 3):
        answers[position] = an_answer(items[position], variant=position)
        answer(page, position, answers[position])
    eventually(lambda: stored(attempt) == expected(items, answers), "the first three answers")
    expect(save_state(page)).to_have_attribute("data-state", "saved")
    for position in (1, 2, 3):
        expect(navigator_button(page, position)).to_have_class(re.compile(r"\bis-answered\b"))
    page.screenshot(path=artifacts / "exam-tablet-1024x768.png")

    context.set_offline(True)
    for position in (4, 5, 6):
        answers[position] = an_answer(items[position], variant=position)
        answer(page, position, answers[position])
    flag = page.locator("#q-5 button.flag-toggle")
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "true")
    expect(save_state(page)).to_have_attribute("data-state", "offline")
    for position in (4, 5, 6):
        expect(navigator_button(page, position)).to_have_class(re.compile(r"\bis-answered\b"))
    expect(navigator_button(page, 5)).to_have_class(re.compile(r"\bis-flagged\b"))
    page.screenshot(path=artifacts / "exam-tablet-offline.png")
    # Offline really was offline: nothing of it reached the server.
    assert stored(attempt) == expected(items, {p: answers[p] for p in (1, 2, 3)})

    context.set_offline(False)
    eventually(
        lambda: stored(attempt) == expected(items, answers, flagged={5}),
        "the answers given offline, and the flag",
    )
    expect(save_state(page)).to_have_attribute("data-state", "saved")


def test_a_server_killed_mid_exam_loses_nothing_and_the_clock_is_the_servers(
    server, sitting, new_context, proctor
):
    attempt = sitting()
    items = items_of(attempt)
    context = new_context(DESKTOP)
    page = context.new_page()
    log_in_and_start(page, server, attempt)

    answers = {p: an_answer(items[p], variant=p) for p in (1, 2, 3)}
    for position, shown in answers.items():
        answer(page, position, shown)
    eventually(lambda: stored(attempt) == expected(items, answers), "the first three answers")

    server.kill()  # SIGKILL: no goodbye to anyone
    for position in (4, 5):
        answers[position] = an_answer(items[position], variant=position)
        answer(page, position, answers[position])
    expect(save_state(page)).to_have_attribute("data-state", "offline")
    assert page.evaluate("() => localStorage.length") > 0, "nothing was kept on the device"
    # Close the page: from now on only the device's journal knows answers 4 and 5.
    page.close()
    assert stored(attempt) == expected(items, {p: answers[p] for p in (1, 2, 3)})

    # Meanwhile the proctor grants ten minutes for the outage.
    delivery.add_time(attempt_id=attempt.pk, minutes=10, by=proctor, reason="服务器故障")
    server.start()

    page = context.new_page()
    page.goto(attempt_url(server, attempt))
    expect(page.locator(f'main#exam[data-attempt="{attempt.pk}"]')).to_be_visible()
    for position, shown in answers.items():
        expect_shown(page, position, shown, items[position])
    eventually(lambda: stored(attempt) == expected(items, answers), "all five answers")
    expect(save_state(page)).to_have_attribute("data-state", "saved")

    attempt.refresh_from_db()
    shown_remaining = int(page.locator("#exam-timer").get_attribute("data-remaining"))
    remaining = (attempt.deadline - timezone.now()).total_seconds()
    assert remaining > 125 * 60, "the extra time is on the server"
    assert abs(shown_remaining - remaining) <= 3, (shown_remaining, remaining)


def test_when_time_runs_out_the_page_submits_and_the_answers_saved_are_graded(
    server, sitting, new_context
):
    attempt = sitting()
    items = items_of(attempt)
    context = new_context(DESKTOP)
    page = context.new_page()
    log_in_and_start(page, server, attempt)

    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + datetime.timedelta(seconds=6)
    )
    page.reload()  # the page now takes the server's time
    timer = page.locator("#exam-timer")
    expect(timer).to_have_attribute("data-remaining", re.compile(r"^[0-6]$"))
    key = right_answer(items[1])
    answer(page, 1, key)
    eventually(lambda: stored(attempt)[1] == (items[1].question.answer, False), "answer 1")

    expect(page).to_have_url(RESULT_URL, timeout=25_000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    early = (attempt.deadline - attempt.submitted_at).total_seconds()
    assert list(attempt.events.filter(action="status").values_list("to_status", flat=True)) == [
        AttemptStatus.STARTED,
        AttemptStatus.AUTO_SUBMITTED,
        AttemptStatus.GRADED,
    ], f"handed in {early:.3f} s before the server's deadline"
    earned = dict(attempt.questions.values_list("position", "earned"))
    assert earned[1] == items[1].points and attempt.score == items[1].points


def test_an_attempt_left_open_when_time_runs_out_is_graded_by_the_beat(
    server, sitting, new_context
):
    attempt = sitting()
    items = items_of(attempt)
    context = new_context(DESKTOP)
    page = context.new_page()
    log_in_and_start(page, server, attempt)
    answer(page, 1, right_answer(items[1]))
    eventually(lambda: stored(attempt)[1] == (items[1].question.answer, False), "answer 1")
    context.close()  # the candidate walks away with time left

    attempt.refresh_from_db()
    grace = datetime.timedelta(seconds=settings.EXAM_CLOSE_GRACE_SECONDS)
    assert delivery.close_overdue(now=attempt.deadline + grace) == 0
    assert delivery.close_overdue(now=attempt.deadline + grace + datetime.timedelta(seconds=1)) == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.events.filter(to_status=AttemptStatus.AUTO_SUBMITTED).exists()
    assert attempt.score == items[1].points


def test_opening_the_exam_on_another_screen_stops_the_first(server, sitting, new_context):
    attempt = sitting()
    items = items_of(attempt)
    context = new_context(DESKTOP)
    first = context.new_page()
    log_in_and_start(first, server, attempt)
    answers = {1: an_answer(items[1])}
    answer(first, 1, answers[1])
    eventually(lambda: stored(attempt) == expected(items, answers), "answer 1")

    second = context.new_page()
    second.goto(attempt_url(server, attempt))
    expect_shown(second, 1, answers[1], items[1])
    overlay = first.locator("#exam-overlay")
    expect(overlay).to_be_visible(timeout=NOTICE_MS)
    expect(overlay).to_have_attribute("data-reason", "taken_over")
    expect(second.locator("#exam-overlay")).to_be_hidden()
    assert AttemptEvent.objects.filter(attempt=attempt, action="takeover").count() == 1

    answers[2] = an_answer(items[2], variant=1)
    answer(second, 2, answers[2])
    eventually(lambda: stored(attempt) == expected(items, answers), "answer 2 from the second")


def test_the_keyboard_answers_and_moves_and_the_review_lists_what_is_left(
    server, sitting, new_context, artifacts
):
    attempt = sitting(one_per_screen=True)
    items = items_of(attempt)
    page = new_context(DESKTOP).new_page()
    log_in_and_start(page, server, attempt)
    expect(page.locator("#q-1")).to_be_visible()
    expect(page.locator("#q-2")).to_be_hidden()

    page.keyboard.press("1")
    expect(option(page, 1, 0)).to_be_checked()
    eventually(lambda: stored(attempt) == expected(items, {1: [0]}), "the answer keyed in")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#q-2")).to_be_visible()
    expect(page.locator("#q-1")).to_be_hidden()
    expect(navigator_button(page, 2)).to_have_attribute("aria-current", "step")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#q-1")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#q-2")).to_be_visible()
    page.screenshot(path=artifacts / "exam-desktop-1366x768.png")
    assert serious_accessibility_violations(page) == []

    page.locator("#exam-review").click()
    panel = page.locator("#exam-review-panel")
    expect(panel).to_be_visible()
    unanswered = panel.locator('[data-review="unanswered"] > li')
    expect(unanswered).to_have_count(len(items) - 1)
    for n, position in enumerate(range(2, len(items) + 1)):
        expect(unanswered.nth(n)).to_contain_text(str(position))
    page.screenshot(path=artifacts / "exam-review-1366x768.png")
    assert serious_accessibility_violations(page) == []

    page.locator("#exam-submit").click()
    page.locator("#exam-confirm-submit").click()
    expect(page).to_have_url(RESULT_URL)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.events.filter(to_status=AttemptStatus.SUBMITTED).exists()
    page.screenshot(path=artifacts / "exam-result-1366x768.png", full_page=True)
    assert serious_accessibility_violations(page) == []

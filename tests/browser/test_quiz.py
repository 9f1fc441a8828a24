"""
A member of the public scans the poster's QR code and plays the campaign quiz
on a phone: joins, answers every question seeing the right answer and the
explanation after each, gets a result card. Meanwhile the big screen at the
venue updates as plays finish, without reloading.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.quiz.models import Play
from tests.browser.conftest import serious_accessibility_violations
from tests.cms.test_quiz import make_bank_questions, make_quiz, play_through, start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUESTIONS = 4


def check(page, artifacts, name):
    page.screenshot(path=artifacts / f"quiz-{name}.png", full_page=True)
    assert serious_accessibility_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} scrolls sideways on a phone ({width}px wide)"


def test_a_player_plays_a_whole_quiz_on_a_phone_and_the_big_screen_follows(
    live_server, phone, browser, artifacts
):
    quiz = make_quiz(make_bank_questions(9), questions_per_play=QUESTIONS)
    big_screen = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    big_screen.goto(f"{live_server.url}/quiz/{quiz.slug}/leaderboard/")
    expect(big_screen.locator("[data-board-participants]")).to_have_text("0")

    # Scan to join: the poster's QR code holds the quiz page's address.
    phone.goto(f"{live_server.url}/quiz/{quiz.slug}/")
    check(phone, artifacts, "join")
    phone.fill("[name=real_name]", "王秀兰")
    phone.fill("[name=phone]", "13800000001")
    phone.select_option("[name=town]", "城关街道")
    phone.check("[name=consent]")
    label = phone.locator("label[for=id_challenge_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) \+ (\d+)", label).groups())
    phone.fill("[name=challenge_answer]", str(first + second))
    phone.get_by_role("button", name=re.compile("Start|开始")).click()

    play = None
    for number in range(1, QUESTIONS + 1):
        expect(phone.locator("[data-progress]")).to_have_text(f"{number} / {QUESTIONS}")
        expect(phone.locator("[data-seconds]")).not_to_have_text("–")
        if number == 1:
            play = Play.objects.get()
            check(phone, artifacts, "question")
        answer = play.answers.select_related("question").get(position=number - 1)
        phone.locator(".quiz-option").first.click()
        phone.locator("[data-submit]").click()
        feedback = phone.locator("[data-feedback]")
        expect(feedback).to_contain_text(answer.question.explanation)
        expect(phone.locator(".quiz-option.is-key").first).to_be_visible()
        if number == 1:
            check(phone, artifacts, "explanation")
        phone.locator("[data-next]").click()

    expect(phone).to_have_url(re.compile(r"/result/$"))
    play.refresh_from_db()
    expect(phone.locator("[data-result-score]")).to_have_text(str(play.score))
    expect(phone.locator("[data-result-rank]")).to_have_text("1")
    card = phone.locator(".quiz-card img")
    expect(card).to_be_visible()
    phone.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=card.element_handle()
    )
    check(phone, artifacts, "result")

    # The big screen picks up the finished play, then another one, on its own.
    expect(big_screen.locator("[data-board-people]")).to_contain_text("王**", timeout=20_000)
    expect(big_screen.locator("[data-board-participants]")).to_have_text("1")
    play_through(start(quiz, phone="13900000002", real_name="李强", town="河西街道"))
    expect(big_screen.locator("[data-board-people]")).to_contain_text("李*", timeout=20_000)
    expect(big_screen.locator("[data-board-towns]")).to_contain_text("河西街道")
    expect(big_screen.locator("[data-board-participants]")).to_have_text("2")
    big_screen.screenshot(path=artifacts / "quiz-big-screen.png")
    big_screen.context.close()

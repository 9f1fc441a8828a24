"""
Campaign quizzes: joining, the one active play, daily limits, the server's
clock, the key kept from the browser, rate limits, the leaderboards, the
results screens and the prize draw.
"""

import datetime
import json
import re

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from cms.quiz import guards, selectors, services
from cms.quiz.choices import PlayerDetails, PlayStatus
from cms.quiz.models import Play, Quiz, QuizQuestion, QuizTown
from cms.quiz.poster import poster_document
from cms.quiz.services import PlayerInfo
from exams import services as exam_services
from exams.choices import QuestionStatus
from exams.models import QuestionBank

pytestmark = pytest.mark.django_db

SLUG = "512-2027"


def make_bank_questions(count=12):
    """A bank with single, multiple and true/false questions, each with its own explanation."""
    bank = QuestionBank.objects.create(name="防灾减灾竞赛题库", owner="区安全生产宣教中心")
    kinds = [
        ("single", ["拨打119", "拨打110", "拨打120", "拨打114"], [0]),
        ("multiple", ["关闭燃气", "乘坐电梯", "湿毛巾捂口鼻", "低姿前行"], [0, 2, 3]),
        ("true_false", [], [1]),
    ]
    for number in range(count):
        kind, options, answer = kinds[number % 3]
        exam_services.question_create(
            bank=bank,
            type=kind,
            stem=f"<p>防灾减灾第 {number} 题</p>",
            options=[f"{option}{number}" for option in options],
            answer=answer,
            explanation=f"解析-{number}-依据应急常识。",
            status=QuestionStatus.ACTIVE,
            difficulty=2,
            tags=["防灾减灾"],
        )
    return bank


def make_quiz(bank, **fields):
    now = timezone.now()
    defaults = {
        "title": "“5·12”防灾减灾知识竞赛",
        "slug": SLUG,
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(days=6),
        "questions_per_play": 5,
        "seconds_per_question": 20,
        "plays_per_day": 2,
        "details": PlayerDetails.FULL,
        "star_score": 80,
    }
    quiz = Quiz.objects.create(**{**defaults, **fields})
    quiz.banks.set([bank])
    quiz.save()  # a cluster's many-to-many is written on save
    for name in ("城关街道", "河西街道", "龙泉镇"):
        QuizTown.objects.create(quiz=quiz, name=name)
    return quiz


@pytest.fixture
def bank():
    return make_bank_questions()


@pytest.fixture
def quiz(bank):
    return make_quiz(bank)


def alice(**changes):
    details = {"real_name": "王秀兰", "phone": "13800000001", "town": "城关街道"}
    return PlayerInfo(**{**details, **changes})


def start(quiz, phone="13800000001", now=None, **details):
    return services.start_play(
        quiz=quiz,
        player=alice(phone=phone, **details),
        person_key=services.person_key_for_phone(phone),
        now=now,
    )[0]


def play_through(play, *, right=True, now=None, step=3):
    """Answer every question (rightly or wrongly), `step` seconds apart, as the page would."""
    now = now or timezone.now()
    while True:
        play, answer = services.current_question(play=play, now=now)
        if answer is None:
            return Play.objects.get(pk=play.pk)
        now += datetime.timedelta(seconds=step)
        key = services.key_positions(answer)
        choice = key if right else _wrong(answer, key)
        services.answer_question(play=play, position=answer.position, shown_choice=choice, now=now)


def _wrong(answer, key):
    if answer.question.type == "true_false":
        return [1 - key[0]]
    return [next(i for i in range(len(answer.option_order)) if i not in key)]


# ---------------------------------------------------------------------------
# Playing: limits and the server's clock
# ---------------------------------------------------------------------------


def test_it_draws_a_play_of_distinct_questions_from_the_pool(quiz):
    play = start(quiz)
    questions = [answer.question_id for answer in play.answers.all()]
    assert len(questions) == 5 == len(set(questions))


def test_it_resumes_the_active_play_instead_of_starting_a_second(quiz):
    first = start(quiz)
    again, resumed = services.start_play(
        quiz=quiz,
        player=alice(),
        person_key=services.person_key_for_phone("13800000001"),
    )
    assert resumed and again.pk == first.pk
    assert Play.objects.filter(status=PlayStatus.ACTIVE).count() == 1


def test_the_database_refuses_a_second_active_play_of_one_person(quiz):
    play = start(quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        Play.objects.create(
            quiz=quiz, person_key=play.person_key, deadline=timezone.now(), real_name="王秀兰"
        )


def test_it_limits_plays_per_person_per_day(quiz):
    for _ in range(2):
        play_through(start(quiz))
    with pytest.raises(services.DailyLimitReached):
        start(quiz)
    # Someone else may still play, and so may she tomorrow.
    assert start(quiz, phone="13900000002").status == PlayStatus.ACTIVE
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert start(quiz, now=tomorrow).status == PlayStatus.ACTIVE


def test_it_refuses_to_start_a_play_when_the_quiz_is_closed(quiz):
    with pytest.raises(services.QuizNotOpen):
        start(quiz, now=quiz.closes_at + datetime.timedelta(minutes=1))


def test_it_scores_a_play_on_the_server(quiz):
    play = play_through(start(quiz), right=True)
    assert (play.status, play.correct, play.score) == (PlayStatus.FINISHED, 5, 100)
    assert play.is_star
    wrong = play_through(start(quiz, phone="13900000002"), right=False)
    assert (wrong.correct, wrong.score, wrong.is_star) == (0, 0, False)


def test_it_rejects_an_answer_after_time_is_up(quiz):
    play = start(quiz)
    now = timezone.now()
    play, answer = services.current_question(play=play, now=now)
    late = now + datetime.timedelta(seconds=20 + 3)  # past the 20 s and the 2 s grace
    feedback = services.answer_question(
        play=play,
        position=answer.position,
        shown_choice=services.key_positions(answer),
        now=late,
    )
    answer.refresh_from_db()
    assert feedback.late and answer.timed_out and answer.is_correct is None
    with pytest.raises(services.AnswerRefused):
        services.answer_question(play=play, position=answer.position, shown_choice=[0], now=late)


def test_an_answer_within_the_grace_still_counts(quiz):
    play = start(quiz)
    now = timezone.now()
    play, answer = services.current_question(play=play, now=now)
    feedback = services.answer_question(
        play=play,
        position=answer.position,
        shown_choice=services.key_positions(answer),
        now=now + datetime.timedelta(seconds=21),
    )
    assert not feedback.late and feedback.answer.is_correct


def test_a_question_not_yet_served_cannot_be_answered(quiz):
    play = start(quiz)
    services.current_question(play=play)
    with pytest.raises(services.AnswerRefused):
        services.answer_question(play=play, position=3, shown_choice=[0])


def test_a_question_left_unanswered_times_out_and_the_next_is_served(quiz):
    play = start(quiz)
    now = timezone.now()
    services.current_question(play=play, now=now)
    play, answer = services.current_question(play=play, now=now + datetime.timedelta(seconds=25))
    assert answer.position == 1
    assert play.answers.get(position=0).timed_out


def test_an_abandoned_play_is_finished_once_its_time_is_up(quiz):
    play = start(quiz)
    services.current_question(play=play)
    assert services.finish_overdue_plays(now=play.deadline + datetime.timedelta(minutes=1)) == 1
    play.refresh_from_db()
    assert play.status == PlayStatus.FINISHED and play.score == 0


def test_fast_answers_flag_the_play_but_keep_it_on_the_board(quiz):
    play = play_through(start(quiz), step=0.3)
    assert play.flags and play.flags[0]["flag"] == "fast_answer"
    assert selectors.leaderboard(quiz)["people"][0]["score"] == 100
    services.play_set_disqualified(play=play, disqualified=True)
    cache_key = f"quiz:leaderboard:{quiz.pk}"
    from django.core.cache import cache

    cache.delete(cache_key)
    assert selectors.leaderboard(quiz)["people"] == []


# ---------------------------------------------------------------------------
# Through the browser's eyes (the Django test client)
# ---------------------------------------------------------------------------


def join(client, quiz, headers=None, **data):
    page = client.get(f"/quiz/{quiz.slug}/")
    html = page.content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    sum_ = signing.loads(token, salt=guards.CHALLENGE_SALT)["sum"]
    form = {
        "real_name": "王秀兰",
        "phone": "13800000001",
        "town": "城关街道",
        "employer": "",
        "consent": "on",
        "challenge_token": token,
        "challenge_answer": str(sum_),
        **data,
    }
    return client.post(f"/quiz/{quiz.slug}/", form, headers=headers)


def test_it_joins_from_the_quiz_page_and_plays_one_question_at_a_time(client, quiz):
    response = join(client, quiz)
    assert response.status_code == 302
    play = Play.objects.get()
    assert response["Location"] == f"/quiz/play/{play.token}/"
    assert play.phone == "13800000001" and play.town == "城关街道"
    assert client.get(response["Location"]).status_code == 200
    state = client.get(f"/quiz/play/{play.token}/state").json()
    assert state["number"] == 1 and state["total"] == 5


def test_the_key_is_absent_from_every_response_before_the_answer(client, quiz):
    join(client, quiz)
    play = Play.objects.get()
    explanations = {a.question.explanation for a in play.answers.select_related("question")}
    forbidden = re.compile("|".join(re.escape(text) for text in explanations))
    pages = [client.get(f"/quiz/{quiz.slug}/"), client.get(f"/quiz/play/{play.token}/")]
    for _ in range(5):
        state = client.get(f"/quiz/play/{play.token}/state")
        pages.append(state)
        payload = state.json()
        assert set(payload) == {
            "status", "position", "number", "total", "type", "stem", "options",
            "seconds_left", "seconds_per_question",
        }  # fmt: skip
        # Asking again before answering serves the same question, still without its key.
        pages.append(client.get(f"/quiz/play/{play.token}/state"))
        for response in pages:
            assert not forbidden.search(response.content.decode())
        answer = play.answers.select_related("question").get(position=payload["position"])
        reply = client.post(
            f"/quiz/play/{play.token}/answer",
            json.dumps({"position": payload["position"], "choice": [0]}),
            content_type="application/json",
        ).json()
        assert reply["explanation"] == answer.question.explanation
        assert reply["key"] == services.key_positions(answer)
        explanations.discard(answer.question.explanation)
        pages = []
        if explanations:
            forbidden = re.compile("|".join(re.escape(text) for text in explanations))
    assert reply["finished"]
    assert client.get(reply["result_url"]).status_code == 200


def test_a_wrong_sum_is_refused_and_a_solved_one_cannot_be_replayed(client, quiz):
    response = join(client, quiz, challenge_answer="99")
    assert response.status_code == 200 and not Play.objects.exists()
    assert "sum" in response.content.decode() or "算" in response.content.decode()
    question, token = guards.new_challenge()
    answer = str(sum(int(n) for n in question.split(" + ")))
    assert guards.check_challenge(token, answer)
    assert not guards.check_challenge(token, answer)


def test_the_phone_is_checked_for_form(client, quiz):
    response = join(client, quiz, phone="1234")
    assert response.status_code == 200 and not Play.objects.exists()


def test_a_child_under_14_plays_without_a_phone(client, quiz):
    response = join(client, quiz, phone="13800000009", under_14="on")
    assert response.status_code == 302
    play = Play.objects.get()
    assert play.under_14 and play.phone == "" and play.person_key.startswith("browser:")


def test_a_nickname_quiz_asks_for_nothing_else(client, bank):
    quiz = make_quiz(bank, slug="nick", details=PlayerDetails.NICKNAME)
    html = client.get("/quiz/nick/").content.decode()
    assert 'name="nickname"' in html and 'name="phone"' not in html
    response = join(client, quiz, nickname="安全小达人")
    assert response.status_code == 302
    assert Play.objects.get().nickname == "安全小达人"


IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.49 NetType/WIFI Language/zh_CN"
)


def test_clearing_the_cookie_is_noticed_but_a_shared_venue_wifi_is_not_refused(
    client, bank, publicity_editor
):
    # One play a day each; a class of pupils on the venue's Wi-Fi with the same phones.
    quiz = make_quiz(bank, slug="nick", details=PlayerDetails.NICKNAME, plays_per_day=1)
    allowance = quiz.plays_per_day * services.DEVICE_PLAYS_FACTOR
    iphone = {"User-Agent": IPHONE_WECHAT}
    for number in range(allowance + 1):
        client.cookies.clear()  # a new pupil, or the same one without the cookie
        response = join(client, quiz, headers=iphone, nickname=f"同学{number}")
        assert response.status_code == 302  # nobody is turned away
    plays = list(Play.objects.filter(quiz=quiz).order_by("pk"))
    assert [bool(play.flags) for play in plays] == [False] * allowance + [True]
    assert plays[-1].flags == [{"flag": "shared_device", "plays_today": allowance + 1}]
    # Another kind of phone on the same Wi-Fi is another device.
    client.cookies.clear()
    assert (
        join(client, quiz, headers={"User-Agent": ANDROID_WECHAT}, nickname="小李").status_code
        == 302
    )
    assert Play.objects.filter(quiz=quiz).latest("pk").flags == []
    # The publicity centre finds it among the flagged plays, saying why.
    signed_in_en(client, publicity_editor)
    html = client.get(f"/admin/quizzes/{quiz.pk}/results/").content.decode()
    reasons = re.findall(r"<td data-flag-reasons>([^<]*)</td>", html)
    assert reasons == ["Many plays today from one address and browser"]


def test_a_flagged_shared_device_play_enters_the_draw_only_once_kept(quiz):
    device = services.device_key_for(ip_address="10.0.0.8", user_agent=IPHONE_WECHAT)
    allowance = quiz.plays_per_day * services.DEVICE_PLAYS_FACTOR
    plays = [
        services.start_play(
            quiz=quiz, player=PlayerInfo(nickname=f"同学{n}"), person_key=f"browser:{n}",
            device_key=device,
        )[0]
        for n in range(allowance + 1)
    ]  # fmt: skip
    last = play_through(plays[-1])
    assert last.is_star and last.flags[0]["flag"] == "shared_device"
    assert selectors.leaderboard(quiz)["people"][0]["score"] == 100  # still on the board
    assert last.pk not in selectors.star_entrants(quiz=quiz)
    services.play_clear_flags(play=last)
    assert last.pk in selectors.star_entrants(quiz=quiz)


def test_players_who_give_a_phone_are_not_counted_per_device(client, quiz):
    count = quiz.plays_per_day * services.DEVICE_PLAYS_FACTOR + 1
    for number in range(count):
        client.cookies.clear()
        headers = {"User-Agent": IPHONE_WECHAT}
        assert (
            join(client, quiz, headers=headers, phone=f"138000002{number:02d}").status_code == 302
        )
    assert Play.objects.filter(quiz=quiz).count() == count
    assert not Play.objects.exclude(flags=[]).exists()
    assert set(Play.objects.values_list("device_key", flat=True)) == {""}


def signed_in_en(client, user):
    """The admin in English, whatever translations the project adds."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


@override_settings(
    QUIZ_RATE_LIMITS={"join_ip": "3/minute", "join_phone": "10/hour", "answer_ip": "600/minute"}
)
def test_joins_are_rate_limited_per_ip_address(client, quiz):
    for _ in range(3):
        join(client, quiz, challenge_answer="0")
    response = join(client, quiz)
    assert response.status_code == 429
    assert not Play.objects.exists()


@override_settings(
    QUIZ_RATE_LIMITS={"join_ip": "100/minute", "join_phone": "2/hour", "answer_ip": "600/minute"}
)
def test_joins_are_rate_limited_per_phone(client, quiz):
    assert join(client, quiz).status_code == 302  # starts the play
    assert join(client, quiz).status_code == 302  # resumes it
    response = join(client, quiz)
    assert response.status_code == 200
    assert "phone" in response.content.decode() or "手机" in response.content.decode()
    assert Play.objects.count() == 1


@override_settings(
    QUIZ_RATE_LIMITS={"join_ip": "100/minute", "join_phone": "10/hour", "answer_ip": "2/minute"}
)
def test_answers_are_rate_limited_per_ip_address(client, quiz):
    join(client, quiz)
    play = Play.objects.get()
    statuses = []
    for _ in range(3):
        client.get(f"/quiz/play/{play.token}/state")
        statuses.append(
            client.post(
                f"/quiz/play/{play.token}/answer",
                json.dumps({"position": len(statuses), "choice": [0]}),
                content_type="application/json",
            ).status_code
        )
    assert statuses == [200, 200, 429]


def test_the_result_page_shows_score_rank_and_a_card(client, quiz):
    join(client, quiz)
    play = play_through(Play.objects.get())
    html = client.get(f"/quiz/play/{play.token}/result/").content.decode()
    assert "data-result-score>100<" in html and "data-result-rank>1<" in html
    card = client.get(f"/quiz/play/{play.token}/card.png")
    assert card["Content-Type"] == "image/png" and card.content[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------
# Leaderboards
# ---------------------------------------------------------------------------


def test_the_leaderboard_ranks_people_by_score_then_time_once_each(quiz):
    now = timezone.now()
    play_through(start(quiz, phone="13800000001", now=now), step=5)  # 100, slower
    play_through(start(quiz, phone="13800000002", real_name="李强", town="河西街道"), step=3)
    play_through(start(quiz, phone="13800000003", real_name="赵敏"), right=False)
    play_through(start(quiz, phone="13800000001", now=now), step=4)  # her second, better
    board = selectors.leaderboard(quiz)
    assert [(p["name"], p["score"]) for p in board["people"]] == [
        ("李*", 100),
        ("王**", 100),
        ("赵*", 0),
    ]
    towns = {town["name"]: town for town in board["towns"]}
    assert towns["城关街道"]["participants"] == 2
    assert towns["河西街道"]["average"] == 100


def test_the_leaderboard_is_served_from_the_cache(client, quiz, django_assert_max_num_queries):
    play_through(start(quiz))
    assert client.get(f"/quiz/{SLUG}/leaderboard.json").json()["participants"] == 1
    with django_assert_max_num_queries(0):
        assert client.get(f"/quiz/{SLUG}/leaderboard.json").json()["participants"] == 1


def test_the_big_screen_shows_the_board(client, quiz):
    play_through(start(quiz))
    html = client.get(f"/quiz/{SLUG}/leaderboard/").content.decode()
    assert "王**" in html and "城关街道" in html and "data-poll-seconds" in html


# ---------------------------------------------------------------------------
# The publicity centre
# ---------------------------------------------------------------------------


def test_a_prize_draw_is_reproducible_from_its_seed(quiz):
    stars = [play_through(start(quiz, phone=f"138000001{n:02d}")) for n in range(12)]
    play_through(start(quiz, phone="13900000000"), right=False)  # no star, no ticket
    services.play_set_disqualified(play=stars[0], disqualified=True)
    draw = services.draw_prizes(quiz=quiz, winner_count=3, now=quiz.closes_at)
    assert sorted(draw.entrants) == sorted(play.pk for play in stars[1:])
    assert len(draw.winners) == 3 and set(draw.winners) <= set(draw.entrants)
    assert services.rerun_draw(draw) == draw.winners
    same_seed = services.draw_prizes(quiz=quiz, winner_count=3, seed=draw.seed, now=quiz.closes_at)
    assert same_seed.winners == draw.winners
    other_seeds = {
        tuple(services.pick_winners(entrants=draw.entrants, seed=f"other-{n}", count=3))
        for n in range(5)
    }
    assert other_seeds - {tuple(draw.winners)}


def test_no_draw_while_the_quiz_is_open(quiz):
    play_through(start(quiz))
    with pytest.raises(services.DrawTooEarly):
        services.draw_prizes(quiz=quiz, winner_count=1)
    assert not quiz.prize_draws.exists()


def test_a_flagged_star_enters_the_draw_only_once_kept(quiz):
    honest = play_through(start(quiz, phone="13800000101"))
    hasty = play_through(start(quiz, phone="13800000102"), step=0.2)  # faster than anyone reads
    assert hasty.flags and hasty.score >= quiz.star_score

    before = services.draw_prizes(quiz=quiz, winner_count=5, now=quiz.closes_at)
    services.play_clear_flags(play=hasty)
    after = services.draw_prizes(quiz=quiz, winner_count=5, now=quiz.closes_at)

    assert before.entrants == [honest.pk]
    assert sorted(after.entrants) == sorted([honest.pk, hasty.pk])


def test_the_results_screen_shows_charts_and_draws_prizes(client, quiz, publicity_editor):
    for n in range(4):
        play_through(start(quiz, phone=f"1380000000{n}"), right=n % 2 == 0)
    client.force_login(publicity_editor)
    html = client.get(f"/admin/quizzes/{quiz.pk}/results/").content.decode()
    assert "<svg" in html and "城关街道" in html
    assert re.search(r"data-summary-participants>4<", html)
    early = client.post(f"/admin/quizzes/{quiz.pk}/draw/", {"winners": "1"}, follow=True)
    assert early.status_code == 200 and not quiz.prize_draws.exists()  # refused: still open
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now())
    response = client.post(f"/admin/quizzes/{quiz.pk}/draw/", {"winners": "1"})
    assert response.status_code == 302
    html = client.get(f"/admin/quizzes/{quiz.pk}/results/").content.decode()
    assert quiz.prize_draws.get().seed in html


def test_the_plays_export_to_excel(client, quiz, publicity_editor):
    import io

    import openpyxl

    play_through(start(quiz))
    client.force_login(publicity_editor)
    response = client.get(f"/admin/quizzes/{quiz.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert len(rows) == 2 and "王秀兰" in rows[1] and 100 in rows[1]


def test_the_poster_is_an_a3_pdf(client, quiz, publicity_editor):
    client.force_login(publicity_editor)
    response = client.get(f"/admin/quizzes/{quiz.pk}/poster.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    pages = poster_document(quiz, "http://testserver/quiz/512-2027/").pages
    # One A3 page: 297 × 420 mm, in CSS pixels of 1/96 inch.
    assert len(pages) == 1
    assert (round(pages[0].width * 25.4 / 96), round(pages[0].height * 25.4 / 96)) == (297, 420)


def test_candidates_cannot_see_quiz_results(client, quiz, alice):
    client.force_login(alice)
    assert client.get(f"/admin/quizzes/{quiz.pk}/results/").status_code in (302, 403)


def test_publicity_editors_find_quizzes_and_their_results_in_the_admin(
    client, quiz, publicity_editor
):
    client.force_login(publicity_editor)
    listing = client.get("/admin/snippets/cms/quiz/").content.decode()
    assert quiz.title in listing and f"/admin/quizzes/{quiz.pk}/results/" in listing
    assert client.get("/admin/snippets/cms/quiz/add/").status_code == 200


def test_the_campaign_page_offers_the_quiz_and_stays_cacheable(client, quiz, make_campaign):
    from tests.cms.conftest import body

    make_campaign(
        body=body(("campaign_quiz", {"quiz": quiz.pk, "description": "", "show_leaderboard": True}))
    )
    first = client.get("/campaigns/512/")
    html = first.content.decode()
    assert quiz.title in html and f'href="/quiz/{SLUG}/"' in html
    assert f"/quiz/{SLUG}/leaderboard.json" in html
    # Nothing personal on it, so the cache may share it; the quiz page itself is never cached.
    assert "csrfmiddlewaretoken" not in html
    assert client.get("/campaigns/512/")["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get(f"/quiz/{SLUG}/")
    # Renaming the quiz in the admin replaces the cached campaign page.
    quiz.title = "“5·12”防灾减灾知识竞赛（决赛）"
    quiz.save()
    assert "决赛" in client.get("/campaigns/512/").content.decode()


def test_names_and_phones_are_erased_after_the_retention_period(quiz, settings):
    settings.QUIZ_PERSONAL_DATA_RETENTION_DAYS = 90
    play = play_through(start(quiz))
    assert services.purge_personal_details(now=quiz.closes_at + datetime.timedelta(days=89)) == 0
    assert services.purge_personal_details(now=quiz.closes_at + datetime.timedelta(days=91)) == 1
    play.refresh_from_db()
    assert (play.real_name, play.phone, play.town, play.score) == ("", "", "城关街道", 100)


def test_a_quiz_is_created_in_the_admin(client, bank, publicity_editor):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    picked = list(bank.questions.order_by("pk")[:2])
    client.force_login(publicity_editor)
    data = nested_form_data(
        {
            "title": "安全生产月知识竞赛",
            "slug": "june",
            "opens_at": "2027-06-01 08:00",
            "closes_at": "2027-06-30 20:00",
            "rules": "",
            "tags": "防灾减灾",
            "difficulty_min": 1,
            "difficulty_max": 5,
            "questions_per_play": 10,
            "seconds_per_question": 20,
            "seconds_per_play": "",
            "plays_per_day": 2,
            "star_score": 80,
            "details": "full",
            "ask_employer": "on",
            "themes": inline_formset([]),
            "towns": inline_formset([{"name": "城关街道"}, {"name": "龙泉镇"}]),
            "picked_questions": inline_formset([{"question": question.pk} for question in picked]),
        }
    )
    data["banks"] = [bank.pk]
    response = client.post("/admin/snippets/cms/quiz/add/", data)
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get(slug="june")
    assert list(quiz.banks.all()) == [bank]
    assert [town.name for town in quiz.towns.all()] == ["城关街道", "龙泉镇"]
    assert [row.question for row in quiz.picked_questions.all()] == picked


def test_hand_picked_questions_are_asked_in_their_current_version(quiz, bank):
    picked = list(bank.questions.filter(type="single")[:2])
    revised = exam_services.question_revise(question=picked[0], stem="<p>修订后的题目</p>")
    for question in picked:
        QuizQuestion.objects.create(quiz=quiz, question=question)
    quiz.questions_per_play = 5
    quiz.save()
    play = start(quiz)
    assert sorted(a.question_id for a in play.answers.all()) == sorted([revised.pk, picked[1].pk])


def test_a_daily_theme_narrows_the_draw_to_its_knowledge_points(quiz, bank):
    from cms.quiz.models import QuizTheme

    themed = list(bank.questions.filter(type="true_false"))
    for question in themed:
        question.tags.add("地震避险")
    QuizTheme.objects.create(
        quiz=quiz, date=timezone.localdate(), theme="地震避险", tags="地震避险"
    )
    quiz.questions_per_play = len(themed)
    quiz.save()
    play = start(quiz)
    assert {a.question_id for a in play.answers.all()} == {q.pk for q in themed}
    assert play.theme == "地震避险"


# ---------------------------------------------------------------------------
# The result card in the player's language
# ---------------------------------------------------------------------------


def test_the_result_card_speaks_the_language_of_the_players_page(client, quiz):
    from django.utils import translation

    from cms.quiz.card import card_text, result_card_png

    play = play_through(start(quiz))
    with translation.override("en"):
        english = card_text(play=play, rank=1)
    assert english["heading"] == "Knowledge quiz · Result"
    assert english["details"] == f"5 right · {play.seconds:g} s · rank 1"
    assert english["star"] == "★ Safety star"
    assert english["motto"] == "Safety for everyone · Ready for emergencies"
    with translation.override("zh-hans"):
        assert card_text(play=play, rank=1)["star"] == "★ 安全之星"

    # The English result page links the English card, which is drawn from those words.
    html = client.get(f"/en/quiz/play/{play.token}/result/").content.decode()
    assert f'src="/en/quiz/play/{play.token}/card.png"' in html
    english_png = client.get(f"/en/quiz/play/{play.token}/card.png").content
    chinese_png = client.get(f"/quiz/play/{play.token}/card.png").content
    assert english_png[:8] == chinese_png[:8] == b"\x89PNG\r\n\x1a\n"
    assert english_png != chinese_png
    with translation.override("en"):
        assert english_png == result_card_png(play=play, rank=1)


def test_the_card_draws_latin_letters_with_its_font():
    """The CJK font the card uses draws English words as letters, not as empty boxes."""
    from PIL import Image, ImageDraw

    from cms.demo_media import _font

    def drawn(text):
        image = Image.new("L", (600, 80), 0)
        ImageDraw.Draw(image).text((10, 10), text, font=_font(34, bold=False), fill=255)
        return image.tobytes()

    # Letters that all fell back to one "missing glyph" box would draw alike.
    assert drawn("rank") != drawn("ring") != drawn("\U000f0000\U000f0001\U000f0002\U000f0003")


# ---------------------------------------------------------------------------
# Choosing questions by hand, with search
# ---------------------------------------------------------------------------

CHOOSER = "/admin/quizzes/question-chooser/"


def chooser_stems(response):
    return sorted(re.findall(r"防灾减灾第 (\d+) 题", response.content.decode()), key=int)


def test_the_hand_picked_question_chooser_narrows_by_search_bank_and_type(
    client, bank, publicity_editor
):
    for question in bank.questions.filter(type="true_false"):
        question.tags.add("地震避险")
    retired = bank.questions.get(stem="<p>防灾减灾第 4 题</p>")
    retired.status = QuestionStatus.RETIRED
    retired.save()
    revised = bank.questions.get(stem="<p>防灾减灾第 5 题</p>")
    exam_services.question_revise(question=revised, stem="<p>防灾减灾第 5 题（修订）</p>")
    other_bank = QuestionBank.objects.create(name="危化品题库", owner="区应急管理局")
    exam_services.question_create(
        bank=other_bank,
        type="single",
        stem="<p>其他题库第 0 题</p>",
        options=["甲", "乙"],
        answer=[0],
        explanation="",
        status=QuestionStatus.ACTIVE,
        difficulty=2,
        tags=[],
    )
    signed_in_en(client, publicity_editor)

    everything = client.get(f"{CHOOSER}results/")
    assert everything.status_code == 200
    # Only what a play can ask: no retired question, the revised one once (its current version).
    assert chooser_stems(everything) == ["0", "1", "2", "3", "5", "6", "7", "8", "9", "10", "11"]
    assert "其他题库第 0 题" in everything.content.decode()
    assert chooser_stems(client.get(f"{CHOOSER}results/", {"q": "第 7 题"})) == ["7"]
    assert chooser_stems(client.get(f"{CHOOSER}results/", {"q": "修订"})) == ["5"]
    # A knowledge point finds its questions too.
    assert chooser_stems(client.get(f"{CHOOSER}results/", {"q": "地震"})) == ["2", "5", "8", "11"]
    narrowed = client.get(f"{CHOOSER}results/", {"bank": other_bank.pk})
    assert chooser_stems(narrowed) == [] and "其他题库第 0 题" in narrowed.content.decode()
    by_type = client.get(f"{CHOOSER}results/", {"type": "single", "q": "防灾"})
    assert chooser_stems(by_type) == ["0", "3", "6", "9"]
    # The modal opens with the search box, and ticked questions come back to the form.
    modal = client.get(CHOOSER, {"multiple": "1"}).json()
    assert 'name="q"' in modal["html"] and 'name="bank"' in modal["html"]
    picked = bank.questions.filter(stem__in=["<p>防灾减灾第 1 题</p>", "<p>防灾减灾第 2 题</p>"])
    chosen = client.get(f"{CHOOSER}chosen-multiple/", {"id": [q.pk for q in picked]}).json()
    assert sorted(int(item["id"]) for item in chosen["result"]) == sorted(q.pk for q in picked)
    refused = client.get(f"{CHOOSER}chosen/{retired.pk}/")
    assert refused.status_code == 404


def test_the_quiz_editor_offers_the_searchable_chooser_and_others_cannot_use_it(
    client, quiz, publicity_editor, trainer, alice
):
    picked = quiz.banks.get().questions.get(stem="<p>防灾减灾第 7 题</p>")
    QuizQuestion.objects.create(quiz=quiz, question=picked)
    signed_in_en(client, publicity_editor)
    html = client.get(f"/admin/snippets/cms/quiz/edit/{quiz.pk}/").content.decode()
    assert "Hand-picked questions" in html and CHOOSER in html
    assert "防灾减灾第 7 题" in html
    # They choose questions; the bank's editors edit them.
    assert f"/admin/snippets/exams/question/edit/{picked.pk}/" not in html
    client.force_login(trainer)  # may write questions, not quizzes
    assert client.get(f"{CHOOSER}results/", {"q": "防灾"})["Location"] == "/admin/"
    client.force_login(alice)
    assert "/login/" in client.get(f"{CHOOSER}results/")["Location"]


def test_the_flagged_plays_come_a_page_at_a_time_those_to_decide_first(
    client, quiz, publicity_editor
):
    flag = [{"flag": "shared_device", "plays_today": 21}]
    kept = Play.objects.create(
        quiz=quiz,
        person_key="kept",
        deadline=timezone.now(),
        nickname="已确认",
        status=PlayStatus.FINISHED,
        flags=flag,
        flags_cleared=True,
    )
    for number in range(55):
        Play.objects.create(
            quiz=quiz,
            person_key=f"device-{number}",
            deadline=timezone.now(),
            nickname=f"同学{number}",
            status=PlayStatus.FINISHED,
            flags=flag,
        )
    signed_in_en(client, publicity_editor)
    url = f"/admin/quizzes/{quiz.pk}/results/"

    first = client.get(url).content.decode()
    second = client.get(url, {"p": 2}).content.decode()

    assert len(re.findall(r"<td data-flag-reasons>", first)) == 50
    assert "已确认" not in first  # decided already: after the 55 still to decide
    assert len(re.findall(r"<td data-flag-reasons>", second)) == 6
    assert kept.display_name in second

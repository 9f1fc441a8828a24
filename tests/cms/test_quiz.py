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
from cms.quiz.models import Play, Quiz, QuizTown
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


def join(client, quiz, **data):
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
    return client.post(f"/quiz/{quiz.slug}/", form)


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
        }
    )
    data["banks"] = [bank.pk]
    response = client.post("/admin/snippets/cms/quiz/add/", data)
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get(slug="june")
    assert list(quiz.banks.all()) == [bank]
    assert [town.name for town in quiz.towns.all()] == ["城关街道", "龙泉镇"]


def test_hand_picked_questions_are_asked_in_their_current_version(quiz, bank):
    picked = list(bank.questions.filter(type="single")[:2])
    revised = exam_services.question_revise(question=picked[0], stem="<p>修订后的题目</p>")
    quiz.hand_picked.set(picked)
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

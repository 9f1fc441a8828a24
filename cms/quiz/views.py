"""
The public side of a campaign quiz, phone first, no account: the quiz page
with its join form, the play page (a small script asking the JSON views
below for one question at a time), the result with its card, and the
leaderboards. None of these responses is stored by the page cache (they are
not Wagtail pages); the leaderboard's data is cached by `selectors`.
"""

import json
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cms.quiz import guards, selectors, services
from cms.quiz.card import result_card_png
from cms.quiz.choices import PlayStatus
from cms.quiz.forms import JoinForm
from cms.quiz.models import Play, Quiz
from cms.quiz.services import PlayerInfo, QuizError
from config.http import client_ip
from exams.choices import QuestionType

PLAYER_COOKIE = "quiz_player"
PLAYER_COOKIE_AGE = 60 * 60 * 24 * 365


def _ip(request):
    return client_ip(request)


def _json_error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


@never_cache
def quiz(request, slug):
    """The quiz's page: rules, dates, the join form while it is open."""
    quiz = get_object_or_404(Quiz.objects.prefetch_related("towns", "themes"), slug=slug)
    now = timezone.now()
    error, status = None, 200
    if request.method == "POST" and quiz.is_open(now):
        form = JoinForm(request.POST, quiz=quiz)
        if not guards.allow("join_ip", _ip(request)):
            error = _(
                "Too many people are joining from this network. Please try again in a minute."
            )
            status = 429
        elif form.is_valid():
            response, error = _join(request, quiz, form.cleaned_data)
            if response:
                return response
        _renew_challenge(form)
    else:
        form = JoinForm(quiz=quiz)
    theme = quiz.theme_on(timezone.localdate(now))
    return render(
        request,
        "cms/quiz/quiz.html",
        {
            "quiz": quiz,
            "form": form,
            "error": error,
            "is_open": quiz.is_open(now),
            "not_yet": now < quiz.opens_at,
            "theme": theme,
        },
        status=status,
    )


def _renew_challenge(form):
    question, token = guards.new_challenge()
    form.data = form.data.copy()
    form.data["challenge_token"] = token
    form.data["challenge_answer"] = ""
    form.challenge_question = question


def _join(request, quiz, data):
    """Start (or resume) the play; returns (response, error)."""
    cookie = request.COOKIES.get(PLAYER_COOKIE) or secrets.token_urlsafe(16)
    phone = data.get("phone", "")
    device_key = ""
    if phone:
        person_key = services.person_key_for_phone(phone)
        if not guards.allow("join_phone", person_key):
            return None, _("Too many plays from this phone number. Please try again later.")
    else:
        person_key = f"browser:{cookie}"[:64]
        # A cookie can be cleared: plays are counted per address and browser too.
        device_key = services.device_key_for(
            ip_address=_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
    player = PlayerInfo(
        nickname=data.get("nickname", ""),
        real_name=data.get("real_name", ""),
        phone=phone,
        town=data.get("town", ""),
        employer=data.get("employer", ""),
        under_14=bool(data.get("under_14")),
    )
    try:
        play, _resumed = services.start_play(
            quiz=quiz,
            player=player,
            person_key=person_key,
            ip_address=_ip(request),
            device_key=device_key,
        )
    except QuizError as error:
        return None, error.message
    response = redirect("cms:quiz-play", play.token)
    response.set_cookie(
        PLAYER_COOKIE, cookie, max_age=PLAYER_COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response, None


def _play(token):
    return get_object_or_404(Play.objects.select_related("quiz"), token=token)


@never_cache
def play_page(request, token):
    play = _play(token)
    if play.status == PlayStatus.FINISHED:
        return redirect("cms:quiz-result", play.token)
    return render(
        request,
        "cms/quiz/play.html",
        {"play": play, "quiz": play.quiz, "total": play.answers.count()},
    )


def _question_payload(play, answer, now):
    """The question as the player sees it: text and options in the shown order, never the key."""
    question = answer.question
    deadline = services.question_deadline(play, answer)
    return {
        "status": "question",
        "position": answer.position,
        "number": answer.position + 1,
        "total": play.answers.count(),
        "type": question.type,
        "stem": question.stem,
        "options": [question.options[index] for index in answer.option_order],
        "seconds_left": max(round((deadline - now).total_seconds(), 1), 0),
        "seconds_per_question": play.quiz.seconds_per_question,
    }


@never_cache
@require_GET
def play_state(request, token):
    play = _play(token)
    now = timezone.now()
    play, answer = services.current_question(play=play, now=now)
    if answer is None:
        return JsonResponse({"status": "finished", "result_url": _result_url(play)})
    return JsonResponse(_question_payload(play, answer, now))


def _result_url(play):
    return reverse("cms:quiz-result", args=[play.token])


@never_cache
@require_POST
def play_answer(request, token):
    if not guards.allow("answer_ip", _ip(request)):
        return _json_error(_("Too many answers from this network. Wait a moment."), 429)
    play = _play(token)
    try:
        body = json.loads(request.body or b"{}")
        position = int(body["position"])
        choice = list(body.get("choice") or [])
    except (ValueError, KeyError, TypeError):
        return _json_error(_("Choose an answer."), 400)
    try:
        feedback = services.answer_question(play=play, position=position, shown_choice=choice)
    except QuizError as error:
        return _json_error(error.message, error.status)
    answer = feedback.answer
    payload = {
        "late": feedback.late,
        "correct": bool(answer.is_correct),
        "key": feedback.key,
        "explanation": answer.question.explanation,
        "finished": feedback.finished,
    }
    if feedback.finished:
        payload["result_url"] = _result_url(play)
    return JsonResponse(payload, status=409 if feedback.late else 200)


@never_cache
def result(request, token):
    play = _play(token)
    if play.status != PlayStatus.FINISHED:
        if timezone.now() <= play.deadline:
            return redirect("cms:quiz-play", play.token)
        play, _answer = services.current_question(play=play)
    answers = list(play.answers.select_related("question").order_by("position"))
    for answer in answers:
        answer.key_text = _key_text(answer.question)
    return render(
        request,
        "cms/quiz/result.html",
        {
            "play": play,
            "quiz": play.quiz,
            "rank": selectors.rank_of(play),
            "answers": answers,
            "can_play_again": play.quiz.is_open()
            and services.plays_today(quiz=play.quiz, person_key=play.person_key)
            < play.quiz.plays_per_day,
        },
    )


def _key_text(question):
    if question.type == QuestionType.TRUE_FALSE:
        return _("True") if question.answer == [0] else _("False")
    return "；".join(question.options[index] for index in question.answer)


@require_GET
def card(request, token):
    play = _play(token)
    if play.status != PlayStatus.FINISHED:
        raise Http404
    png = result_card_png(play=play, rank=selectors.rank_of(play))
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="quiz-result-{play.pk}.png"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def leaderboard_json(request, slug):
    # The big screens and every phone on the campaign page ask for this: the
    # encoded board is kept whole, so that a hit costs no query at all.
    key = f"quiz:leaderboard-json:{slug}"
    content = cache.get(key)
    if content is None:
        quiz = get_object_or_404(Quiz, slug=slug)
        content = json.dumps(selectors.leaderboard(quiz), ensure_ascii=False)
        cache.set(key, content, settings.QUIZ_LEADERBOARD_SECONDS)
    response = HttpResponse(content, content_type="application/json")
    response["Cache-Control"] = f"public, max-age={settings.QUIZ_LEADERBOARD_SECONDS}"
    return response


@require_GET
def big_screen(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    return render(
        request,
        "cms/quiz/big_screen.html",
        {
            "quiz": quiz,
            "board": selectors.leaderboard(quiz),
            "poll_seconds": settings.QUIZ_LEADERBOARD_POLL_SECONDS,
        },
    )

"""
Every write of a campaign quiz: starting a play, serving and answering its
questions, finishing it, and drawing prizes.

The server's clock decides. A question's time starts when the server first
serves it (not when the page says it showed it) and an answer arriving after
its deadline plus a small grace is refused. The key of a question leaves the
server only in the answer to that question, or once its time is up.
"""

import datetime
import random
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import crypto
from cms.quiz.choices import PlayFlag, PlayStatus
from cms.quiz.models import Play, PlayAnswer, PrizeDraw, Quiz
from exams.choices import QuestionType
from exams.quiz_draw import draw_quiz_questions, quiz_pool
from exams.services import score_answer


class QuizError(Exception):
    """A reason the player can read; views turn it into a page or a JSON error."""

    status = 400
    message = _("Something went wrong.")

    def __init__(self, message=None):
        self.message = message or self.message
        super().__init__(str(self.message))


class QuizNotOpen(QuizError):
    status = 403
    message = _("This quiz is not open now.")


class DailyLimitReached(QuizError):
    status = 403
    message = _("You have played as many times as allowed today. Come back tomorrow!")


class EmptyPool(QuizError):
    status = 503
    message = _("This quiz has no questions yet.")


class AnswerRefused(QuizError):
    status = 409
    message = _("This question can no longer be answered.")


@dataclass(frozen=True)
class PlayerInfo:
    nickname: str = ""
    real_name: str = ""
    phone: str = ""
    town: str = ""
    employer: str = ""
    under_14: bool = False


@dataclass(frozen=True)
class Feedback:
    """What a player learns after answering (or missing) a question."""

    answer: PlayAnswer
    late: bool
    key: list  # shown positions of the correct options (true/false: [0] true, [1] false)
    finished: bool


def person_key_for_phone(phone):
    """A keyed digest: the same phone is the same person, without a phone column to search."""
    return crypto.digest(f"quiz-phone:{phone}")


def _grace():
    return datetime.timedelta(seconds=settings.QUIZ_ANSWER_GRACE_SECONDS)


def play_length(quiz, count):
    if quiz.seconds_per_play:
        return datetime.timedelta(seconds=quiz.seconds_per_play)
    return datetime.timedelta(seconds=quiz.seconds_per_question * count)


def question_deadline(play, answer):
    """When the question on screen must be answered by (the page's countdown ends here)."""
    if play.quiz.seconds_per_question and answer.served_at:
        return min(
            answer.served_at + datetime.timedelta(seconds=play.quiz.seconds_per_question),
            play.deadline,
        )
    return play.deadline


def _pool(quiz, theme):
    """The question ids of the quiz (or of today's theme), cached briefly: joins come in bursts."""
    key = f"quiz:pool:{quiz.pk}:{theme.pk if theme else 0}"
    pool = cache.get(key)
    if pool is None:
        hand_picked = list(quiz.picked_questions.values_list("question_id", flat=True))
        banks = list(quiz.banks.all())
        pool = quiz_pool(
            banks=banks,
            tags=quiz.tag_list,
            difficulty_min=quiz.difficulty_min,
            difficulty_max=quiz.difficulty_max,
            hand_picked=hand_picked,
        )
        if theme and theme.tag_list and not hand_picked:
            themed = pool & quiz_pool(
                banks=banks,
                tags=theme.tag_list,
                difficulty_min=quiz.difficulty_min,
                difficulty_max=quiz.difficulty_max,
            )
            # A theme too narrow for a whole play falls back to the whole pool.
            if len(themed) >= quiz.questions_per_play:
                pool = themed
        pool = sorted(pool)
        cache.set(key, pool, settings.QUIZ_POOL_CACHE_SECONDS)
    return set(pool)


def _start_of_day(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def plays_today(*, quiz, person_key, now=None):
    now = now or timezone.now()
    return Play.objects.filter(
        quiz=quiz, person_key=person_key, started_at__gte=_start_of_day(now)
    ).count()


# A player known only by a cookie (a nickname quiz, or a child who gives no
# phone) can clear it and come back as someone new: the daily limit cannot
# hold them without accounts. What the server still sees is the address and
# the browser's user agent. At a campaign venue hundreds of phones share one
# Wi-Fi address, and phones of one make and system version send the same
# user agent, so a whole class of schoolchildren can look like one device:
# refusing at `plays_per_day` per device would turn honest people away at the
# event the quiz is for. So plays from one address and browser are counted
# per day, and only beyond DEVICE_PLAYS_FACTOR times the daily limit is a
# new play flagged (never refused): it stays on the leaderboard and the
# publicity centre sees it among the flagged plays, where it can keep it for
# the prize draw or disqualify it. Players who give a phone are keyed by it
# and are not counted this way.
DEVICE_PLAYS_FACTOR = 10


def device_key_for(*, ip_address, user_agent):
    """A keyed digest of the address and user agent: what a cookie-clearing player keeps."""
    return crypto.digest(f"quiz-device:{ip_address or ''}|{user_agent or ''}")


def device_plays_today(*, quiz, device_key, now=None):
    now = now or timezone.now()
    return Play.objects.filter(
        quiz=quiz, device_key=device_key, started_at__gte=_start_of_day(now)
    ).count()


def start_play(*, quiz, player, person_key, ip_address=None, device_key="", now=None, rng=None):
    """
    The person's play: the active one if they have one (a reload or a second
    tab resumes it), else a new one with its questions drawn. Returns
    (play, resumed). `device_key` is given for players known only by a
    cookie; a new play beyond the generous per-device count is flagged.
    """
    now = now or timezone.now()
    if not quiz.is_open(now):
        raise QuizNotOpen()
    active = Play.objects.filter(quiz=quiz, person_key=person_key, status=PlayStatus.ACTIVE).first()
    if active is not None:
        if now <= active.deadline + _grace():
            return active, True
        finish_play(play=active, now=now)
    if plays_today(quiz=quiz, person_key=person_key, now=now) >= quiz.plays_per_day:
        raise DailyLimitReached()
    theme = quiz.theme_on(timezone.localdate(now))
    questions = draw_quiz_questions(pool=_pool(quiz, theme), count=quiz.questions_per_play, rng=rng)
    if not questions:
        raise EmptyPool()
    rng = rng or random.SystemRandom()
    flags = []
    if device_key:
        earlier = device_plays_today(quiz=quiz, device_key=device_key, now=now)
        if earlier >= quiz.plays_per_day * DEVICE_PLAYS_FACTOR:
            flags.append({"flag": PlayFlag.SHARED_DEVICE, "plays_today": earlier + 1})
    try:
        with transaction.atomic():
            play = Play.objects.create(
                quiz=quiz,
                person_key=person_key,
                device_key=device_key,
                flags=flags,
                nickname=player.nickname,
                real_name=player.real_name,
                phone=player.phone,
                town=player.town,
                employer=player.employer,
                under_14=player.under_14,
                theme=theme.theme if theme else "",
                ip_address=ip_address,
                started_at=now,
                deadline=now + play_length(quiz, len(questions)),
            )
            PlayAnswer.objects.bulk_create(
                PlayAnswer(
                    play=play,
                    position=position,
                    question=question,
                    option_order=_shuffled(question, rng),
                )
                for position, question in enumerate(questions)
            )
    except IntegrityError:
        # The same person joined twice at once (two taps, two tabs): the
        # partial unique index let one in; resume that one.
        return Play.objects.get(quiz=quiz, person_key=person_key, status=PlayStatus.ACTIVE), True
    return play, False


def _shuffled(question, rng):
    order = list(range(len(question.options)))
    rng.shuffle(order)
    return order


def _locked(play):
    """
    The play, re-read with its row locked until the transaction ends. Every
    write to a play and its answers (serving, answering, finishing) takes
    this lock first, then touches the answers: one lock order, so they take
    turns and never deadlock, and a finish waits for an answer being
    recorded and counts it. Only the play's row is locked (`of`), not the
    quiz's, which every player shares.
    """
    return Play.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=play.pk)


@transaction.atomic
def current_question(*, play, now=None):
    """
    Close the questions whose time is up, serve the next one and return it
    (None once the play is over). Serving starts its clock.
    """
    now = now or timezone.now()
    play = _locked(play)
    if play.status == PlayStatus.FINISHED:
        return play, None
    if now > play.deadline + _grace():
        return finish_play(play=play, now=now), None
    for answer in play.answers.select_related("question").order_by("position"):
        if answer.is_closed:
            continue
        if answer.served_at is None:
            answer.served_at = now
            answer.save(update_fields=["served_at"])
            return play, answer
        if now > question_deadline(play, answer) + _grace():
            answer.timed_out = True
            answer.save(update_fields=["timed_out"])
            continue
        return play, answer
    return finish_play(play=play, now=now), None


def key_positions(answer):
    """The correct options as the player saw them."""
    question = answer.question
    if question.type == QuestionType.TRUE_FALSE:
        return list(question.answer)
    return sorted(
        shown for shown, original in enumerate(answer.option_order) if original in question.answer
    )


@transaction.atomic
def answer_question(*, play, position, shown_choice, now=None):
    """
    Record the answer to the question on screen, given as the positions the
    player saw. Too late, and the question is closed as unanswered (the
    player still learns the key); a question not yet served, or already
    answered, cannot be answered.
    """
    now = now or timezone.now()
    play = _locked(play)
    if play.status == PlayStatus.FINISHED:
        raise AnswerRefused(_("This play has ended."))
    answer = play.answers.select_related("question").filter(position=position).first()
    if answer is None or answer.served_at is None or answer.is_closed:
        raise AnswerRefused()
    question = answer.question
    # An empty answer once the countdown is over: the page telling us time ran out.
    gave_up = not shown_choice and now >= question_deadline(play, answer)
    if gave_up or now > question_deadline(play, answer) + _grace():
        answer.timed_out = True
        answer.save(update_fields=["timed_out"])
        return Feedback(answer, True, key_positions(answer), _finish_if_last(play, answer, now))

    selected = _original_indexes(answer, shown_choice)
    answer.selected = selected
    answer.answered_at = now
    answer.is_correct = score_answer(question=question, selected=selected, points=1) == 1
    answer.save(update_fields=["selected", "answered_at", "is_correct"])
    seconds = (now - answer.served_at).total_seconds()
    if seconds < settings.QUIZ_MIN_ANSWER_SECONDS:
        play.flags = [
            *play.flags,
            {"flag": PlayFlag.FAST_ANSWER, "position": position, "seconds": round(seconds, 2)},
        ]
        play.save(update_fields=["flags"])
    return Feedback(answer, False, key_positions(answer), _finish_if_last(play, answer, now))


def _original_indexes(answer, shown_choice):
    question = answer.question
    try:
        shown = sorted({int(index) for index in shown_choice})
    except (TypeError, ValueError):
        raise AnswerRefused(_("Choose an answer.")) from None
    if question.type == QuestionType.TRUE_FALSE:
        if shown not in ([0], [1]):
            raise AnswerRefused(_("Choose true or false."))
        return shown
    if not shown or shown[0] < 0 or shown[-1] >= len(answer.option_order):
        raise AnswerRefused(_("Choose an answer."))
    if question.type == QuestionType.SINGLE and len(shown) != 1:
        raise AnswerRefused(_("Choose one answer."))
    return sorted(answer.option_order[index] for index in shown)


def _finish_if_last(play, answer, now):
    if play.answers.filter(position__gt=answer.position).exists():
        return False
    finish_play(play=play, now=now)
    return True


@transaction.atomic
def finish_play(*, play, now=None):
    """
    Score a play: the share of questions answered right (0–100) and the time
    it took. The play's lock is taken first (`_locked`), so an answer being
    recorded at the same moment is either counted or, once this has
    finished the play, refused; a play already finished is left as it is.
    """
    now = now or timezone.now()
    play = _locked(play)
    if play.status == PlayStatus.FINISHED:
        return play
    answers = list(play.answers.all())
    play.answers.filter(answered_at__isnull=True, timed_out=False).update(timed_out=True)
    correct = sum(1 for answer in answers if answer.is_correct)
    last = max((a.answered_at for a in answers if a.answered_at), default=None)
    end = min(last or now, play.deadline)
    play.status = PlayStatus.FINISHED
    play.finished_at = now
    play.correct = correct
    play.score = round(100 * correct / len(answers)) if answers else 0
    play.duration_ms = max(int((end - play.started_at).total_seconds() * 1000), 0)
    play.save(update_fields=["status", "finished_at", "correct", "score", "duration_ms"])
    return play


def finish_overdue_plays(*, now=None):
    """Plays abandoned mid-way are scored once their time is up (the beat runs this)."""
    now = now or timezone.now()
    overdue = Play.objects.filter(status=PlayStatus.ACTIVE, deadline__lt=now - _grace())
    count = 0
    for play in overdue.select_related("quiz").iterator():
        with transaction.atomic():
            locked = (
                Play.objects.select_for_update(skip_locked=True)
                .filter(pk=play.pk, status=PlayStatus.ACTIVE)
                .first()
            )
            if locked is not None:
                finish_play(play=locked, now=now)
                count += 1
    return count


def purge_personal_details(*, now=None):
    """
    Names, phones and employers of plays in quizzes closed more than
    QUIZ_PERSONAL_DATA_RETENTION_DAYS ago are erased, as the join form
    promises; the town, score and answers stay for the statistics.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.QUIZ_PERSONAL_DATA_RETENTION_DAYS)
    return (
        Play.objects.filter(quiz__closes_at__lt=cutoff)
        # The phone is encrypted and cannot be compared; it is only given with a name.
        .filter(
            Q(ip_address__isnull=False)
            | ~Q(device_key="")
            | ~Q(real_name="")
            | ~Q(nickname="")
            | ~Q(employer="")
        )
        .update(real_name="", phone="", employer="", nickname="", ip_address=None, device_key="")
    )


def play_set_disqualified(*, play, disqualified):
    play.disqualified = disqualified
    play.save(update_fields=["disqualified"])
    return play


def play_clear_flags(*, play):
    """A flagged play looked at and kept: it stays on the board and enters the prize draw."""
    play.flags_cleared = True
    play.disqualified = False
    play.save(update_fields=["flags_cleared", "disqualified"])
    return play


# ---------------------------------------------------------------------------
# Prize draws
# ---------------------------------------------------------------------------


def pick_winners(*, entrants, seed, count):
    """The draw itself: anyone with the entrants and the seed gets the same winners."""
    ordered = sorted(entrants)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))  # noqa: S311


class DrawTooEarly(QuizError):
    status = 409


@transaction.atomic
def draw_prizes(*, quiz: Quiz, winner_count: int, user=None, seed: str = "", now=None):
    """
    Draw `winner_count` winners among the safety stars, once the quiz has
    closed (while it is open, later stars would be left out). A star whose
    play is flagged as suspicious and not cleared by the publicity centre is
    not an entrant.
    """
    from cms.quiz.selectors import star_entrants

    now = now or timezone.now()
    if now < quiz.closes_at:
        raise DrawTooEarly(
            _(
                "Draw the prizes once the quiz has closed (%(closes)s): "
                "until then stars are still coming."
            )
            % {"closes": timezone.localtime(quiz.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    entrants = star_entrants(quiz=quiz)
    seed = seed or secrets.token_hex(16)
    return PrizeDraw.objects.create(
        quiz=quiz,
        created_by=user,
        seed=seed,
        winner_count=winner_count,
        entrants=entrants,
        winners=pick_winners(entrants=entrants, seed=seed, count=winner_count),
    )


def rerun_draw(draw):
    """The winners the recorded seed and entrants give today: equal to `draw.winners`."""
    return pick_winners(entrants=draw.entrants, seed=draw.seed, count=draw.winner_count)

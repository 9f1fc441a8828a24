"""
A quiz play's last answer racing its finish, on PostgreSQL for real: each
call runs in its own thread with its own connection. Answering, serving and
finishing all lock the play's row first, so the final score counts every
answer that was accepted, and an answer that comes after the finish is
refused rather than stored and left out.
"""

import datetime
import threading
import time
from functools import partial

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from cms.quiz import services
from cms.quiz.models import Play
from cms.quiz.services import PlayerInfo
from tests.cms.test_quiz import make_bank_questions, make_quiz

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(*calls):
    """Run each call in its own thread, all released at once; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(index, call):
        translation.activate("en")
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at every error
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def someone_waits_for_a_lock(seconds=5):
    """Whether another connection comes to wait for a row lock within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the statistics views keep their first snapshot.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.fixture
def quiz():
    return make_quiz(make_bank_questions())


def at_the_last_question(quiz, phone):
    """A play with every question but the last answered rightly, and the last on screen."""
    play = services.start_play(
        quiz=quiz,
        player=PlayerInfo(real_name="王秀兰", phone=phone, town="城关街道"),
        person_key=services.person_key_for_phone(phone),
    )[0]
    now = timezone.now() - datetime.timedelta(seconds=30)
    total = play.answers.count()
    while True:
        play, answer = services.current_question(play=play, now=now)
        now += datetime.timedelta(seconds=3)
        if answer.position == total - 1:
            return play, answer, now
        services.answer_question(
            play=play,
            position=answer.position,
            shown_choice=services.key_positions(answer),
            now=now,
        )


def test_a_finish_arriving_while_the_last_answer_is_recorded_counts_it(quiz):
    play, last, now = at_the_last_question(quiz, "13800000001")
    key = services.key_positions(last)
    recorded = threading.Event()
    blocked = []

    def answer_the_last_question():
        with transaction.atomic():
            feedback = services.answer_question(
                play=play, position=last.position, shown_choice=key, now=now
            )
            recorded.set()
            # Hold the transaction open until the finish waits behind it.
            blocked.append(someone_waits_for_a_lock())
        return feedback

    def finish_the_play():
        assert recorded.wait(10)
        return services.finish_play(play=play, now=now + datetime.timedelta(seconds=1))

    (feedback, _finished), errors = run_together(answer_the_last_question, finish_the_play)

    assert errors == [None, None]
    assert blocked == [True]  # the finish really came while the answer was being recorded
    assert not feedback.late and feedback.answer.is_correct
    play = Play.objects.get(pk=play.pk)
    assert (play.correct, play.score) == (5, 100)
    assert play.answers.get(position=last.position).is_correct


def test_the_last_answer_and_the_finish_at_once_never_lose_an_accepted_answer(quiz):
    for round_ in range(8):
        play, last, now = at_the_last_question(quiz, f"1380000010{round_}")
        _results, errors = run_together(
            partial(
                services.answer_question,
                play=play,
                position=last.position,
                shown_choice=services.key_positions(last),
                now=now,
            ),
            partial(services.finish_play, play=play, now=now),
        )
        play = Play.objects.get(pk=play.pk)
        accepted = errors[0] is None
        # Either the answer is counted, or it was refused because the play had ended.
        assert accepted or isinstance(errors[0], services.AnswerRefused), errors
        assert errors[1] is None
        assert play.correct == play.answers.filter(is_correct=True).count()
        assert play.correct == (5 if accepted else 4)

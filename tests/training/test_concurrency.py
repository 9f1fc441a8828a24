"""Two pages of one learner at the same moment, on a real database with real transactions."""

import threading

import pytest
from django.db import connection

from training import services
from training.choices import StudySessionState
from training.models import StudySession

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(*calls):
    """Run the calls in threads released together; return what each raised, if anything."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_lesson_pages_opened_at_the_same_moment_leave_one_counting(
    alice, alice_enrolled, video_lesson, text_lesson
):
    for _round in range(5):
        errors = at_once(
            lambda: services.study_start(learner=alice, lesson=video_lesson),
            lambda: services.study_start(learner=alice, lesson=text_lesson),
        )
        assert errors == []
        assert StudySession.objects.filter(state=StudySessionState.ACTIVE).count() == 1

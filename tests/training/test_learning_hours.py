"""
Learning hours are credited by the server's clock, from heartbeats, only for
visible and active study in one place at a time.
"""

import datetime

import pytest
import time_machine
from django.core.files import File
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.demo_media import drill_video
from tests.training.conftest import QUESTION_ID, VIDEO_ID
from training.models import Enrolment, LessonProgress

HEARTBEAT = 20  # TRAINING_HEARTBEAT_SECONDS


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def start(client, lesson):
    response = client.post(reverse("api:training-study-start", args=[lesson.pk]))
    assert response.status_code == 201, response.content
    return response.json()["token"]


def beat(client, token, sequence, **fields):
    payload = {"sequence": sequence, "visible": True, "idle_seconds": 1, **fields}
    response = client.post(
        reverse("api:training-heartbeat", args=[token]),
        payload,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def studying(client, alice, alice_enrolled, video_lesson, clock):
    client.force_login(alice)
    return start(client, video_lesson)


def test_it_credits_the_seconds_between_heartbeats_of_a_visible_active_page(
    client, studying, clock
):
    clock.shift(HEARTBEAT)
    result = beat(client, studying, 1)
    assert result["outcome"] == "counted"
    assert result["credited_seconds"] == pytest.approx(HEARTBEAT)
    assert result["state"]["lesson_seconds"] == HEARTBEAT
    clock.shift(HEARTBEAT)
    assert beat(client, studying, 2)["state"]["course_seconds"] == 2 * HEARTBEAT


def test_it_credits_nothing_for_an_interval_in_which_the_page_was_hidden(client, studying, clock):
    clock.shift(HEARTBEAT)
    result = beat(client, studying, 1, visible=False)
    assert result["outcome"] == "hidden"
    assert result["credited_seconds"] == 0
    assert "hidden" in result["message"]
    assert Enrolment.objects.get().seconds_credited == 0


def test_it_stops_the_clock_when_the_learner_has_been_idle_past_the_limit(
    client, studying, clock, settings
):
    settings.TRAINING_IDLE_LIMIT_SECONDS = 180
    clock.shift(HEARTBEAT)
    assert beat(client, studying, 1, idle_seconds=600)["outcome"] == "idle"
    # Last input 190 s ago: active for the first 10 s of this 20 s interval.
    clock.shift(HEARTBEAT)
    assert beat(client, studying, 2, idle_seconds=190)["credited_seconds"] == pytest.approx(10)


def test_a_late_heartbeat_is_worth_at_most_one_and_a_half_intervals(client, studying, clock):
    clock.shift(datetime.timedelta(hours=2))  # a laptop asleep with the page open
    result = beat(client, studying, 1)
    assert result["credited_seconds"] == pytest.approx(1.5 * HEARTBEAT)


def test_it_credits_nothing_for_replayed_or_out_of_order_heartbeats(client, studying, clock):
    clock.shift(HEARTBEAT)
    assert beat(client, studying, 5)["outcome"] == "counted"
    clock.shift(HEARTBEAT)
    replayed = beat(client, studying, 5)
    older = beat(client, studying, 3)
    assert replayed["outcome"] == older["outcome"] == "stale"
    assert replayed["credited_seconds"] == older["credited_seconds"] == 0
    assert LessonProgress.objects.get().seconds_credited == pytest.approx(HEARTBEAT)


def test_a_browser_cannot_claim_time_it_did_not_spend(client, studying, clock):
    # A forged page: it names the seconds to credit, reports every 50 ms and
    # says its video jumped ahead by the full tolerance each time.
    results = []
    for sequence in range(1, 101):
        clock.shift(0.05)
        results.append(
            beat(
                client,
                studying,
                sequence,
                seconds=3600,
                credited_seconds=3600,
                video_id=VIDEO_ID,
                video_position=2 * sequence,
                video_duration=600,
                video_playing=True,
            )
        )
    elapsed = 100 * 0.05
    assert sum(result["credited_seconds"] for result in results) == pytest.approx(elapsed)
    assert Enrolment.objects.get().seconds_credited == pytest.approx(elapsed)
    # Only what the clock allows counts as watched: 5 s, not 200 s.
    watched = LessonProgress.objects.get().videos[VIDEO_ID]["watched"]
    assert sum(end - start for start, end in watched) <= elapsed
    assert "Watch the video to the end." in results[-1]["state"]["missing"]


def test_a_page_that_reports_far_too_often_is_told_to_slow_down(client, studying, clock):
    codes = set()
    for sequence in range(1, 131):
        response = client.post(
            reverse("api:training-heartbeat", args=[studying]),
            {"sequence": sequence, "visible": True, "idle_seconds": 1},
            content_type="application/json",
        )
        codes.add(response.status_code)
    assert codes == {200, 429}


def test_it_refuses_a_heartbeat_that_is_not_well_formed(client, studying):
    response = client.post(
        reverse("api:training-heartbeat", args=[studying]),
        {"sequence": -1, "visible": "maybe", "idle_seconds": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"sequence", "visible"}


def test_a_second_tab_or_device_pauses_the_first(client, alice, studying, video_lesson, clock):
    phone = Client()
    phone.force_login(alice)
    second = start(phone, video_lesson)
    clock.shift(HEARTBEAT)
    first_result = beat(client, studying, 1)
    assert first_result["outcome"] == "paused"
    assert first_result["credited_seconds"] == 0
    assert "another tab or on another device" in first_result["message"]
    assert beat(phone, second, 1)["credited_seconds"] == pytest.approx(HEARTBEAT)
    # Taking over from the first device pauses the phone in turn.
    again = start(client, video_lesson)
    clock.shift(HEARTBEAT)
    assert beat(phone, second, 2)["outcome"] == "paused"
    assert beat(client, again, 1)["outcome"] == "counted"
    assert Enrolment.objects.get().seconds_credited == pytest.approx(2 * HEARTBEAT)


def test_a_learner_cannot_report_on_another_learners_session(client, bob, studying, clock):
    other = Client()
    other.force_login(bob)
    clock.shift(HEARTBEAT)
    response = other.post(
        reverse("api:training-heartbeat", args=[studying]),
        {"sequence": 1, "visible": True, "idle_seconds": 0},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Enrolment.objects.get().seconds_credited == 0


def test_a_playing_video_earns_the_seconds_watched_not_the_seconds_skipped(client, studying, clock):
    video = {"video_id": VIDEO_ID, "video_duration": 600, "video_playing": True}
    clock.shift(HEARTBEAT)
    # Watching without touching anything: the video keeps the learner active.
    watched = beat(client, studying, 1, idle_seconds=900, video_position=HEARTBEAT, **video)
    assert watched["credited_seconds"] == pytest.approx(HEARTBEAT)
    clock.shift(HEARTBEAT)
    skipped = beat(client, studying, 2, idle_seconds=900, video_position=500, **video)
    assert skipped["outcome"] == "idle"
    assert skipped["credited_seconds"] == 0
    assert skipped["state"]["videos"][VIDEO_ID]["furthest"] == HEARTBEAT


def test_a_lesson_is_complete_when_read_watched_and_its_questions_answered(
    client, studying, video_lesson, clock
):
    clock.shift(HEARTBEAT)
    state = beat(client, studying, 1, at_end=True)["state"]
    assert not state["lesson_complete"]
    assert state["missing"] == [
        "Watch the video to the end.",
        "Answer the check questions (1 left).",
    ]
    position, sequence = 0, 1
    while position < 600:
        clock.shift(HEARTBEAT)
        position += HEARTBEAT
        sequence += 1
        state = beat(
            client,
            studying,
            sequence,
            video_id=VIDEO_ID,
            video_position=position,
            video_duration=600,
            video_playing=True,
        )["state"]
    assert state["missing"] == ["Answer the check questions (1 left)."]
    answer = client.post(
        reverse("api:training-check-answer", args=[video_lesson.pk]),
        {"block_id": QUESTION_ID, "choice": [1]},
        content_type="application/json",
    ).json()
    assert answer["correct"] is True
    assert answer["state"]["lesson_complete"] is True
    assert LessonProgress.objects.get().completed_at is not None


def test_a_course_is_complete_with_all_lessons_and_its_required_hours(
    client, alice, alice_enrolled, video_lesson, clock
):
    progress = LessonProgress.objects.create(
        enrolment=alice_enrolled,
        lesson=video_lesson,
        lesson_title=video_lesson.title,
        answers={QUESTION_ID: {"choice": [1], "correct": True}},
        videos={VIDEO_ID: {"duration": 100, "position": 100, "watched": [[0, 100]]}},
    )
    client.force_login(alice)
    token = start(client, video_lesson)
    sequence = 0
    # One learning hour is 45 minutes: 135 heartbeats of 20 s.
    for _ in range(134):
        clock.shift(HEARTBEAT)
        sequence += 1
        state = beat(client, token, sequence, at_end=True)["state"]
    assert state["lesson_complete"] and not state["course_complete"]
    assert state["course_hours"] == "0.9"
    clock.shift(HEARTBEAT)
    result = beat(client, token, sequence + 1)
    assert result["course_completed_now"] and result["state"]["course_complete"]
    assert result["state"]["course_hours"] == "1.0"
    progress.refresh_from_db()
    assert progress.seconds_credited == pytest.approx(45 * 60)


def test_the_length_of_a_video_is_measured_on_the_server_not_taken_from_the_page(
    client, alice, alice_enrolled, video_lesson, video_document, clock
):
    with open(drill_video().file.path, "rb") as real_video:  # ten seconds of VP8
        video_document.file.save("drill.webm", File(real_video))
    client.force_login(alice)
    token = start(client, video_lesson)
    clock.shift(HEARTBEAT)
    # The page claims the video is one second long and has been watched.
    state = beat(
        client,
        token,
        1,
        video_id=VIDEO_ID,
        video_position=1,
        video_duration=1,
        video_playing=True,
    )["state"]
    assert "Watch the video to the end." in state["missing"]
    assert LessonProgress.objects.get().videos[VIDEO_ID]["duration"] == 10

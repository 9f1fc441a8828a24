"""
A proctored sitting in Chromium with a fake webcam playing a Y4M video the
test writes from a real photograph (the astronaut): consent, the camera check
passing with a face, the exam, snapshots arriving and analysed by a real
Celery worker; hiding the tab produces an incident with its snapshot.
"""

import datetime

import cv2
import numpy as np
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams import services as exam_services
from exams.choices import PaperKind, QuestionStatus
from exams.models import Attempt, Exam, Paper, PaperQuestion, QuestionBank
from proctoring.choices import IncidentKind
from proctoring.models import Consent, ConsentPolicy, Incident, Snapshot
from tests.browser.conftest import (
    CHROMIUM_ARGS,
    checked_in_booking,
    eventually,
    serious_accessibility_violations,
)
from tests.factories import PASSWORD
from tests.integration.conftest import celery_worker_process, real_worker  # noqa: F401
from tests.proctoring import frames
from tests.proctoring.conftest import pass_camera_check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH, HEIGHT = 640, 480


def webcam_video(path, rgb, count=5):
    """A Y4M (I420) of a still picture centred in a 640×480 frame, for Chromium's fake camera."""
    scale = min(WIDTH / rgb.shape[1], HEIGHT / rgb.shape[0])
    picture = cv2.resize(rgb, (int(rgb.shape[1] * scale), int(rgb.shape[0] * scale)))
    frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    top, left = (HEIGHT - picture.shape[0]) // 2, (WIDTH - picture.shape[1]) // 2
    frame[top : top + picture.shape[0], left : left + picture.shape[1]] = picture
    planes = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(count):
            video.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def proctored_attempt(home, alice):
    ConsentPolicy.objects.create(
        version="2026-1",
        title="考试监考告知",
        text="考试期间摄像头定时抓拍，仅监考员和区应急管理局可查看，成绩确定 90 天后删除。",
        in_force_from=timezone.now() - datetime.timedelta(days=1),
    )
    bank = QuestionBank.objects.create(name="危化品安全题库", owner="区安全生产考试中心")
    question = exam_services.question_create(
        bank=bank,
        type="true_false",
        stem="<p>进入有限空间前应先通风、检测。</p>",
        options=[],
        answer=[0],
        status=QuestionStatus.ACTIVE,
        tags=("有限空间",),
        explanation="先通风、再检测、后作业。",
    )
    paper = Paper.objects.create(name="监考卷", kind=PaperKind.FIXED)
    PaperQuestion.objects.create(paper=paper, question=question, points=100)
    exam = Exam.objects.create(title="有限空间作业考试", target_role="safety_manager", paper=paper)
    booking = checked_in_booking(exam, alice, check_in_photo=frames.jpeg(frames.astronaut()))
    return Attempt.objects.get(booking=booking)


def hide_tab(page):
    page.evaluate(
        """() => {
            const define = (name, value) =>
                Object.defineProperty(document, name, {value, configurable: true});
            define("visibilityState", "hidden");
            define("hidden", true);
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )


def test_a_proctored_exam_from_consent_to_analysed_snapshots_and_a_hidden_tab(
    live_server,
    browser_type,
    tmp_path,
    proctored_attempt,
    real_worker,  # noqa: F811
    settings,
    artifacts,
):
    settings.PROCTORING_SNAPSHOT_SECONDS = 8
    settings.PROCTORING_SNAPSHOT_JITTER_SECONDS = 2
    video = webcam_video(tmp_path / "astronaut.y4m", frames.astronaut())
    browser = browser_type.launch(
        executable_path="/usr/bin/chromium",
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    attempt = proctored_attempt
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.goto(f"{live_server.url}/en/accounts/login/?next=/en/exams/attempts/{attempt.pk}/")
        page.locator("#id_username").fill("alice")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()

        start = page.get_by_role("button", name="Start the exam")
        expect(page.get_by_text("考试期间摄像头定时抓拍")).to_be_visible()
        expect(start).to_be_disabled()
        page.get_by_label("I have read this notice").check()
        page.get_by_role("button", name="Give my consent").click()
        expect(page.locator("#proctoring-check-status")).to_have_text(
            "The camera check has passed: you can start the exam.", timeout=20000
        )
        assert Consent.objects.get(attempt=attempt).policy_version == "2026-1"
        assert serious_accessibility_violations(page) == []
        page.screenshot(path=artifacts / "proctoring-camera-check.png", full_page=True)
        expect(start).to_be_enabled()
        start.click()
        expect(page.locator(f'main#exam[data-attempt="{attempt.pk}"]')).to_be_visible()

        def analysed():
            return Snapshot.objects.filter(
                attempt=attempt, kind="interval", analysed_at__isnull=False
            ).exists()

        eventually(analysed, "an interval snapshot analysed by the worker", timeout=40)
        first = Snapshot.objects.filter(attempt=attempt, kind="interval").first()
        assert first.face_count == 1
        assert first.identity_distance is not None

        hide_tab(page)
        eventually(
            lambda: Incident.objects.filter(
                attempt=attempt, kind=IncidentKind.TAB_HIDDEN, snapshot__isnull=False
            ).exists(),
            "a tab-hidden incident with its snapshot",
            timeout=20,
        )
        event_frame = Incident.objects.get(kind=IncidentKind.TAB_HIDDEN).snapshot
        assert event_frame.kind == "event"
        eventually(
            lambda: Snapshot.objects.filter(pk=event_frame.pk, face_count=1).exists(),
            "the event's snapshot analysed",
            timeout=30,
        )
        page.screenshot(path=artifacts / "proctoring-exam.png", full_page=True)
    finally:
        browser.close()


def test_an_empty_scene_shows_no_face_on_the_board_and_a_message_reaches_the_candidate(
    live_server,
    browser_type,
    tmp_path,
    proctored_attempt,
    proctor,
    real_worker,  # noqa: F811
    settings,
    artifacts,
):
    from exams import delivery
    from proctoring import services

    settings.PROCTORING_SNAPSHOT_SECONDS = 8
    settings.PROCTORING_SNAPSHOT_JITTER_SECONDS = 2
    attempt = proctored_attempt
    attempt.booking.session.centre.proctors.add(proctor)
    services.give_consent(
        attempt_id=attempt.pk, candidate=attempt.candidate, policy_version="2026-1"
    )
    pass_camera_check(attempt)  # with a face; then the candidate leaves the camera's view
    delivery.start(attempt_id=attempt.pk, candidate=attempt.candidate)
    video = webcam_video(tmp_path / "empty.y4m", frames.empty_scene())
    browser = browser_type.launch(
        executable_path="/usr/bin/chromium",
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        candidate = browser.new_context(viewport={"width": 1366, "height": 900})
        candidate.grant_permissions(["camera"], origin=live_server.url)
        exam_page = candidate.new_page()
        exam_page.goto(
            f"{live_server.url}/en/accounts/login/?next=/en/exams/attempts/{attempt.pk}/"
        )
        exam_page.locator("#id_username").fill("alice")
        exam_page.locator("#id_password").fill(PASSWORD)
        exam_page.locator("form button[type=submit]").click()
        expect(exam_page.locator(f'main#exam[data-attempt="{attempt.pk}"]')).to_be_visible()

        staff = browser.new_context(viewport={"width": 1366, "height": 900})
        board = staff.new_page()
        board_url = f"/en/proctoring/sessions/{attempt.booking.session_id}/board/"
        board.goto(f"{live_server.url}/en/accounts/login/?next={board_url}")
        board.locator("#id_username").fill("proctor")
        board.locator("#id_password").fill(PASSWORD)
        board.locator("form button[type=submit]").click()
        seat = board.locator(".board-seat", has_text="王建国")
        expect(seat).to_be_visible()
        # Analysed by the worker and shown by the board's polling, no reload.
        expect(seat.locator(".board-seat__flags")).to_contain_text("No face in view", timeout=40000)
        expect(seat.locator("img")).to_be_visible()
        seat.click()
        expect(board.locator("#board-timeline")).to_contain_text("No face in view")
        board.locator("#board-actions input[name=text]").fill("请坐到摄像头前")
        board.get_by_role("button", name="Message the candidate").click()
        expect(board.locator("#board-action-status")).to_have_text("Done.")
        expect(exam_page.locator("#proctoring-messages")).to_contain_text(
            "请坐到摄像头前", timeout=15000
        )
        assert serious_accessibility_violations(board) == []
        board.screenshot(path=artifacts / "proctoring-board.png", full_page=True)
    finally:
        browser.close()
    assert Incident.objects.filter(attempt=attempt, kind=IncidentKind.NO_FACE).exists()

"""
A proctor checks a candidate in at the desk, in Chromium with a fake webcam
whose video is the candidate's admission ticket held up to it.
"""

import datetime
import io

import cv2
import numpy as np
import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from accounts.images import reencode_photo
from exams import bookings
from exams.choices import BookingAction, BookingStatus, SessionStatus
from exams.models import Exam, ExamSession, Room
from exams.models import TestCentre as Centre  # not a test class
from exams.tickets import ticket_token
from tests.browser.conftest import CHROMIUM_ARGS, serious_accessibility_violations
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH, HEIGHT = 640, 480


@pytest.fixture
def booking(alice, proctor, home):
    centre = Centre.objects.create(name="西湖区安全生产考点", code="XH01", address="文三路 1 号")
    centre.proctors.add(proctor)
    room = Room.objects.create(centre=centre, name="第一考场", seat_count=40)
    exam = Exam.objects.create(title="危险化学品安全管理人员考试", target_role="safety_manager")
    now = timezone.now()
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now + datetime.timedelta(minutes=20),
        capacity=30,
        booking_opens_at=now - datetime.timedelta(days=1),
        booking_closes_at=now + datetime.timedelta(minutes=10),
        # Opened for check-in already: opening it draws the papers, which this exam has none of.
        status=SessionStatus.CHECK_IN,
    )
    portrait = Image.new("RGB", (600, 800), (214, 196, 180))
    ImageDraw.Draw(portrait).ellipse((150, 150, 450, 550), fill=(176, 140, 112))
    buffer = io.BytesIO()
    portrait.save(buffer, format="JPEG")
    photo = reencode_photo(SimpleUploadedFile("alice.jpg", buffer.getvalue()))
    alice.photo.save(photo.name, photo)
    return bookings.book(session=session, candidate=alice)


def ticket_video(path, token, frames=5):
    """
    A Y4M video (I420) of a ticket's QR code held up to the camera, for
    Chromium's --use-file-for-fake-video-capture, which plays it in a loop.
    """
    qr = segno.make(token, error="m")
    modules, _ = qr.symbol_size(scale=1, border=4)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=int(HEIGHT * 0.9) // modules, border=4)
    code = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    frame = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    top, left = (HEIGHT - code.shape[0]) // 2, (WIDTH - code.shape[1]) // 2
    frame[top : top + code.shape[0], left : left + code.shape[1]] = code
    planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()  # Y, then U, then V
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)
    return path


def test_the_desk_reads_a_ticket_held_up_to_the_webcam_and_checks_the_candidate_in(
    live_server, browser_type, tmp_path, booking, artifacts
):
    video = ticket_video(tmp_path / "ticket.y4m", ticket_token(booking))
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
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        desk = f"/en/exams/desk/{booking.session_id}/"
        page.goto(f"{live_server.url}/en/accounts/login/?next={desk}")
        page.locator("#id_username").fill("proctor")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("危险化学品安全管理人员考试")
        expect(page.locator("[data-count=booked]")).to_have_text("1")

        page.get_by_role("button", name="Start the camera").click()

        card = page.locator("[data-candidate]")
        expect(card).to_be_visible(timeout=15000)
        expect(card.get_by_role("heading")).to_have_text("王建国")
        expect(card.locator("[data-field=seat_label]")).to_have_text("01")
        expect(card.locator("[data-field=id_number_masked]")).to_have_text(
            booking.candidate.id_number_masked
        )
        expect(card.get_by_role("img", name="王建国, registered photo")).to_be_visible()
        expect(card.get_by_role("img", name="王建国, taken now")).to_be_visible()
        confirm = card.get_by_role("button", name="Confirm identity and check in")
        expect(confirm).to_be_focused()
        assert serious_accessibility_violations(page) == []

        confirm.click()
        expect(card.locator("[data-card-message]")).to_have_text("王建国 is checked in. Seat 01.")
        expect(card.locator("[data-field=status_display]")).to_have_text("Checked in")
        expect(page.locator("[data-count=checked_in]")).to_have_text("1")
        expect(page.locator("[data-count=booked]")).to_have_text("0")
        page.screenshot(path=artifacts / "checkin-desk.png", full_page=True)

        booking.refresh_from_db()
        assert booking.status == BookingStatus.CHECKED_IN
        assert booking.check_in_photo
        assert booking.events.filter(action=BookingAction.CHECKED_IN, by__username="proctor")

        # The ticket is still in front of the camera: the next candidate's
        # turn starts without the desk showing this one again.
        page.get_by_role("button", name="Next candidate").click()
        expect(card).to_be_hidden()
        expect(page.locator("#desk-ticket-number")).to_be_focused()
        page.wait_for_timeout(2000)
        expect(card).to_be_hidden()
    finally:
        browser.close()

"""
Check-in at the centre desk: finding a ticket (QR or number), the check-in
rules, the photo taken at the desk, no-shows per room, the desk API, and who
may see the desk and the registered photos.
"""

import datetime
import io

import cv2
import numpy as np
import pytest
import segno
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from accounts.images import reencode_photo
from exams import bookings, checkin, tasks
from exams.choices import BookingAction, BookingStatus, SessionStatus
from exams.models import Booking, ExamSession, Room
from exams.models import TestCentre as Centre  # not a test class
from exams.tickets import InvalidTicket, ticket_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def other_proctor(db):
    """A proctor of another test centre."""
    proctor = UserFactory(username="other_proctor", real_name="钱小红", roles=["proctor"])
    elsewhere = Centre.objects.create(
        name="滨江区安全生产考点", code="BJ01", address="江南大道 2 号"
    )
    elsewhere.proctors.add(proctor)
    return proctor


@pytest.fixture
def desk_session(make_session):
    """A session starting in half an hour: check-in is open."""
    return make_session(
        starts_in=datetime.timedelta(minutes=30),
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=10),
    )


def jpeg(colour=(200, 180, 160), size=(600, 800), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", **save_options)
    return buffer.getvalue()


@pytest.fixture
def booking(desk_session, alice):
    photo = reencode_photo(SimpleUploadedFile("alice.jpg", jpeg()))
    alice.photo.save(photo.name, photo)
    return bookings.book(session=desk_session, candidate=alice)


def qr_frame(text, fmt=".png"):
    """A webcam-sized picture of a ticket's QR code on a white desk."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    code = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    frame = np.full((480, 640), 255, np.uint8)
    top, left = (480 - code.shape[0]) // 2, (640 - code.shape[1]) // 2
    frame[top : top + code.shape[0], left : left + code.shape[1]] = code
    return cv2.imencode(fmt, frame)[1].tobytes()


def tampered(token):
    """The same token with one character of its payload changed."""
    position = 2
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


# ---------------------------------------------------------------------------
# Finding a ticket
# ---------------------------------------------------------------------------


def test_it_finds_a_booking_by_its_ticket_qr_or_its_typed_number(booking, desk_session):
    assert checkin.find_booking(session=desk_session, token=ticket_token(booking)) == booking
    typed = checkin.find_booking(session=desk_session, ticket_number=f" {booking.ticket_number} ")
    assert typed == booking


def test_it_refuses_a_tampered_ticket_and_an_unknown_number(booking, desk_session):
    with pytest.raises(InvalidTicket):
        checkin.find_booking(session=desk_session, token=tampered(ticket_token(booking)))
    with pytest.raises(checkin.TicketNotFound):
        checkin.find_booking(session=desk_session, ticket_number="1000000000")


def test_it_sends_a_candidate_with_a_ticket_of_another_session_there(booking, make_session):
    other = make_session(starts_in=datetime.timedelta(minutes=40))
    with pytest.raises(checkin.OtherSession) as refused:
        checkin.find_booking(session=other, ticket_number=booking.ticket_number)
    start = timezone.localtime(booking.session.starts_at)
    assert refused.value.message == (
        f"This ticket is for another session: 危险化学品安全管理人员考试, 第一考场, "
        f"{start:%Y-%m-%d} at {start:%H:%M}. Send the candidate there."
    )


def test_it_refuses_the_ticket_of_a_cancelled_booking(booking, desk_session, proctor):
    bookings.cancel(booking=booking, by=proctor)
    with pytest.raises(checkin.CheckInRefused, match="cancelled or moved"):
        checkin.find_booking(session=desk_session, token=ticket_token(booking))
    with pytest.raises(checkin.CheckInRefused, match="cancelled or moved"):
        checkin.check_in(booking=booking, by=proctor)


# ---------------------------------------------------------------------------
# Checking in
# ---------------------------------------------------------------------------


def test_it_checks_a_candidate_in_once_keeping_a_clean_private_photo(booking, proctor):
    exif = Image.Exif()
    exif[0x010F] = "DeskCam"  # camera maker: must not survive
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg(size=(1280, 720), exif=exif))

    checked_in = checkin.check_in(booking=booking, by=proctor, photo=upload)

    assert checked_in.status == BookingStatus.CHECKED_IN and checked_in.checked_in_at
    photo = checked_in.check_in_photo
    assert photo.name.startswith("check-in/") and "IMG_0001" not in photo.name
    assert photo.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and not image.getexif()
    event = checked_in.events.get(action=BookingAction.CHECKED_IN)
    assert event.by == proctor and event.details == {"photo": True}
    # The first check-in opens the session for check-in.
    booking.session.refresh_from_db()
    assert booking.session.status == SessionStatus.CHECK_IN

    with pytest.raises(checkin.CheckInRefused, match="王建国 was already checked in at"):
        checkin.check_in(booking=booking, by=proctor)
    assert checked_in.events.filter(action=BookingAction.CHECKED_IN).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_changes(booking, proctor):
    upload = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>")
    # The desk is told why, in words (not a generic "invalid data").
    with pytest.raises(checkin.CheckInRefused, match="."):
        checkin.check_in(booking=booking, by=proctor, photo=upload)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and not booking.events.filter(
        action=BookingAction.CHECKED_IN
    )


@pytest.mark.parametrize(
    ("starts_in", "refusal"),
    [
        (datetime.timedelta(minutes=61), "Check-in opens at"),
        (datetime.timedelta(minutes=-16), "Check-in closed at"),
    ],
)
def test_check_in_opens_an_hour_before_the_start_and_closes_after_the_grace_period(
    make_session, alice, proctor, starts_in, refusal
):
    session = make_session(
        starts_in=starts_in,
        check_in_grace_minutes=15,
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    booking = bookings.book(session=session, candidate=alice)
    with pytest.raises(checkin.CheckInRefused, match=refusal):
        checkin.check_in(booking=booking, by=proctor)


def test_a_late_candidate_is_checked_in_within_the_grace_period(make_session, alice, proctor):
    session = make_session(
        starts_in=datetime.timedelta(minutes=-10),
        check_in_grace_minutes=15,
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    booking = bookings.book(session=session, candidate=alice)
    bookings.session_transition(session=session, to=SessionStatus.CHECK_IN)
    bookings.session_transition(session=session, to=SessionStatus.RUNNING)
    assert checkin.check_in(booking=booking, by=proctor).status == BookingStatus.CHECKED_IN


def test_a_closed_session_takes_no_one(booking, desk_session, proctor):
    # Closed after it began (one called off before its start cancels its bookings).
    ExamSession.objects.filter(pk=desk_session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    desk_session.refresh_from_db()
    bookings.session_transition(session=desk_session, to=SessionStatus.CLOSED)
    with pytest.raises(checkin.CheckInRefused, match="This session is closed."):
        checkin.check_in(booking=booking, by=proctor)


# ---------------------------------------------------------------------------
# No-shows
# ---------------------------------------------------------------------------


def test_bookings_not_checked_in_after_the_grace_period_become_no_shows_counted_per_room(
    make_session, centre, room, alice, bob, proctor
):
    second_room = Room.objects.create(centre=centre, name="第二考场", seat_count=30)
    soon = {"booking_closes_at": timezone.now() + datetime.timedelta(minutes=5)}
    in_room_one = make_session(starts_in=datetime.timedelta(minutes=10), **soon)
    in_room_two = make_session(starts_in=datetime.timedelta(minutes=10), **soon)
    later = make_session(starts_in=datetime.timedelta(minutes=50), **soon)
    ExamSession.objects.filter(pk__in=[in_room_two.pk, later.pk]).update(room=second_room)
    charlie, dave, erin = (UserFactory() for _ in range(3))
    absent = bookings.book(session=in_room_one, candidate=alice)
    present = bookings.book(session=in_room_one, candidate=bob)
    absent_too = bookings.book(session=in_room_two, candidate=charlie)
    also_absent = bookings.book(session=in_room_two, candidate=dave)
    not_yet = bookings.book(session=later, candidate=erin)
    checkin.check_in(booking=present, by=proctor)

    # 10 minutes to the start, 15 of grace: check-in of the first two has closed.
    counts = checkin.mark_no_shows(now=timezone.now() + datetime.timedelta(minutes=30))

    assert counts == {room: 1, second_room: 2}
    statuses = {
        b.pk: b.status
        for b in Booking.objects.filter(
            pk__in=[absent.pk, present.pk, absent_too.pk, also_absent.pk, not_yet.pk]
        )
    }
    assert statuses == {
        absent.pk: BookingStatus.NO_SHOW,
        present.pk: BookingStatus.CHECKED_IN,
        absent_too.pk: BookingStatus.NO_SHOW,
        also_absent.pk: BookingStatus.NO_SHOW,
        not_yet.pk: BookingStatus.BOOKED,
    }
    assert absent.events.filter(action=BookingAction.NO_SHOW, by=None).count() == 1
    assert checkin.desk_counts(in_room_one) == {
        "booked": 0,
        "checked_in": 1,
        "no_show": 1,
        "total": 2,
    }
    # A second run has nothing left to do.
    assert checkin.mark_no_shows(now=timezone.now() + datetime.timedelta(minutes=30)) == {}
    assert absent.events.filter(action=BookingAction.NO_SHOW).count() == 1


def test_the_no_show_task_runs_every_minute(make_session, alice):
    session = make_session(
        starts_in=datetime.timedelta(minutes=-20),
        check_in_grace_minutes=15,
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    booking = bookings.book(session=session, candidate=alice)
    assert settings.CELERY_BEAT_SCHEDULE["mark-no-shows"] == {
        "task": "exams.tasks.mark_no_shows",
        "schedule": 60.0,
    }
    assert tasks.mark_no_shows.delay().get() == {"西湖区安全生产考点 · 第一考场": 1}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


# ---------------------------------------------------------------------------
# QR codes in webcam frames
# ---------------------------------------------------------------------------


def test_it_reads_a_tickets_qr_code_in_a_webcam_frame(booking):
    token = ticket_token(booking)
    assert checkin.decode_qr(qr_frame(token)) == token
    assert checkin.decode_qr(qr_frame(token, fmt=".jpg")) == token
    assert checkin.decode_qr(jpeg(size=(640, 480))) is None


def test_it_refuses_a_frame_that_is_not_a_picture_or_is_too_large():
    with pytest.raises(checkin.UnreadableFrame):
        checkin.decode_qr(b"%PDF-1.7 not a frame")
    with pytest.raises(checkin.UnreadableFrame, match="larger than 3 MB"):
        checkin.decode_qr(b"\xff\xd8" + bytes(checkin.MAX_FRAME_BYTES))
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")  # small file, huge picture
    with pytest.raises(checkin.UnreadableFrame):
        checkin.decode_qr(buffer.getvalue())


# ---------------------------------------------------------------------------
# Who staffs which desk
# ---------------------------------------------------------------------------


def test_desk_staff_see_the_sessions_of_their_centres_today_first(
    make_session, proctor, centre_admin, other_proctor, bureau_admin, alice
):
    coming = make_session(starts_in=datetime.timedelta(days=3))
    earlier = make_session(starts_in=datetime.timedelta(days=-3))
    long_ago = make_session(starts_in=datetime.timedelta(days=-9))
    today = make_session(starts_in=datetime.timedelta(minutes=1))
    expected = [today, coming, earlier, long_ago]
    assert list(checkin.sessions_for_desk(proctor)) == expected
    assert list(checkin.sessions_for_desk(centre_admin)) == expected
    assert list(checkin.sessions_for_desk(bureau_admin)) == expected
    assert list(checkin.sessions_for_desk(other_proctor)) == []
    assert not checkin.is_desk_staff(alice)


# ---------------------------------------------------------------------------
# The desk API
# ---------------------------------------------------------------------------


def test_the_desk_api_lists_my_sessions_and_their_bookings_with_masked_ids(
    client, proctor, booking, desk_session, alice
):
    client.force_login(proctor)
    (listed,) = client.get(reverse("api:desk-sessions")).json()["results"]
    assert listed["id"] == desk_session.pk
    assert listed["counts"] == {"total": 1, "booked": 1, "checked_in": 0, "no_show": 0}
    page = client.get(reverse("api:desk-bookings", args=[desk_session.pk])).json()
    assert page["count"] == 1
    (row,) = page["results"]
    assert row["candidate_name"] == "王建国"
    assert row["id_number_masked"] == alice.id_number_masked
    assert alice.id_number not in str(page)
    assert row["registered_photo_url"] == reverse("exams:desk-registered-photo", args=[booking.pk])


def test_a_desk_device_checks_a_candidate_in_by_token_with_a_photo(
    client, proctor, booking, desk_session
):
    client.force_login(proctor)
    url = reverse("api:desk-check-in", args=[desk_session.pk])
    response = client.post(
        url,
        {"token": ticket_token(booking), "photo": SimpleUploadedFile("now.jpg", jpeg())},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "checked_in"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.check_in_photo

    again = client.post(
        url, {"ticket_number": booking.ticket_number}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "check_in_refused"
    counts = client.get(reverse("api:desk-session", args=[desk_session.pk])).json()["counts"]
    assert counts == {"total": 1, "booked": 0, "checked_in": 1, "no_show": 0}


def test_the_desk_api_scans_frames_for_a_tickets_qr_code(client, proctor, booking, desk_session):
    client.force_login(proctor)
    url = reverse("api:desk-scan", args=[desk_session.pk])
    frame = SimpleUploadedFile("f.png", qr_frame(ticket_token(booking)))
    found = client.post(url, {"frame": frame})
    assert found.json()["booking"]["ticket_number"] == booking.ticket_number
    nothing = client.post(url, {"frame": SimpleUploadedFile("f.jpg", jpeg(size=(640, 480)))})
    assert nothing.json() == {"booking": None}
    forged = client.post(
        url,
        {"frame": SimpleUploadedFile("f.png", qr_frame(tampered(ticket_token(booking))))},
        headers=ENGLISH,
    )
    assert forged.status_code == 400
    assert forged.json()["error"] == {
        "code": "invalid_ticket",
        "message": "This is not a valid admission ticket of this system.",
        "details": {},
    }
    text = client.post(url, {"frame": SimpleUploadedFile("f.jpg", b"GIF? no")})
    assert text.json()["error"]["code"] == "unreadable_frame"


def test_the_desk_api_looks_up_a_typed_ticket_number(client, proctor, booking, desk_session):
    client.force_login(proctor)
    url = reverse("api:desk-lookup", args=[desk_session.pk])
    found = client.post(url, {"ticket_number": booking.ticket_number})
    assert found.json()["seat_label"] == "01"
    missing = client.post(url, {"ticket_number": "1000000000"}, headers=ENGLISH)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No booking has this admission ticket number."
    assert client.post(url, {}).json()["error"]["code"] == "invalid"


def test_the_desk_api_refuses_a_proctor_of_another_centre_and_candidates(
    client, other_proctor, alice, booking, desk_session
):
    client.force_login(other_proctor)
    assert client.get(reverse("api:desk-sessions")).json()["results"] == []
    for name in ("api:desk-session", "api:desk-bookings"):
        assert client.get(reverse(name, args=[desk_session.pk])).status_code == 404
    check_in = client.post(
        reverse("api:desk-check-in", args=[desk_session.pk]),
        {"token": ticket_token(booking)},
    )
    assert check_in.status_code == 404
    client.force_login(alice)
    assert client.get(reverse("api:desk-sessions")).status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


# ---------------------------------------------------------------------------
# The desk pages and the registered photo
# ---------------------------------------------------------------------------


def test_the_desk_pages_are_for_the_centres_desk_staff(
    client, proctor, other_proctor, alice, desk_session
):
    desk_url = reverse("exams:desk-session", args=[desk_session.pk])
    anonymous = client.get(desk_url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(alice)
    assert client.get(reverse("exams:desk")).status_code == 403
    client.force_login(other_proctor)
    assert client.get(desk_url).status_code == 404
    client.force_login(proctor)
    listing = client.get(reverse("exams:desk"))
    assert "危险化学品安全管理人员考试" in listing.content.decode()
    page = client.get(desk_url).content.decode()
    assert "Confirm identity and check in" in page
    assert reverse("api:desk-scan", args=[desk_session.pk]) in page


def test_the_registered_photo_is_only_for_the_desk_staff_of_the_session(
    client, proctor, bureau_admin, other_proctor, alice, booking
):
    url = reverse("exams:desk-registered-photo", args=[booking.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(other_proctor)
    assert client.get(url).status_code == 404
    for staff in (proctor, bureau_admin):
        client.force_login(staff)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")

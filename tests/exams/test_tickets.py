"""
Admission tickets (准考证): the PDF a candidate downloads and a centre prints,
its CJK font and its QR code, and the candidate's booking pages.

PDFs are read back with poppler-utils (pdffonts, pdftotext, pdfinfo,
pdfimages, pdftoppm) and the QR code is decoded by OpenCV from the rasterised
page, as a phone or the desk's webcam would see it.
"""

import datetime
import io
import re
import subprocess

import cv2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from accounts.choices import Role
from accounts.models import User
from exams import bookings, tasks, ticket_pdf
from exams.choices import BookingStatus
from exams.models import Booking, Exam, Room
from exams.models import TestCentre as Centre  # not a test class
from exams.tickets import InvalidTicket, booking_for_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Pages are asserted in English (/en/ addresses); tickets are Chinese first regardless."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_files_left(db):
    """Tickets and photos go to the private media folder: take them away afterwards."""
    yield
    for booking in Booking.objects.exclude(ticket_pdf=""):
        booking.ticket_pdf.delete(save=False)
    for user in User.objects.exclude(photo=""):
        user.photo.delete(save=False)


# ---------------------------------------------------------------------------
# Reading PDFs back
# ---------------------------------------------------------------------------


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pdf_file(data, tmp_path, name="ticket.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_text(path):
    return run("pdftotext", "-layout", str(path), "-")


def pdf_pages(path):
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.MULTILINE)[1])


def pdf_image_count(path):
    # `pdfimages -list` prints two header lines, then one line per image.
    return len(run("pdfimages", "-list", str(path)).splitlines()) - 2


def pdf_fonts(path):
    """pdffonts' table as dicts; its columns are as wide as the dashes under the header."""
    header, dashes, *rows = run("pdffonts", str(path)).splitlines()
    spans, start = [], 0
    for dash in dashes.split(" "):
        spans.append((start, start + len(dash)))
        start += len(dash) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [
        {name: row[a:b].strip() for name, (a, b) in zip(names, spans, strict=True)} for row in rows
    ]


def qr_codes(path, tmp_path):
    """
    The QR code on each page, decoded from a 150-dpi rendering. OpenCV's
    classic detector misses about one code in a hundred, whatever its size
    (the finder-pattern search trips on some data patterns, even in a clean
    PNG from segno); its ArUco-based detector reads those, so it is asked second.
    """
    run("pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page"))
    detectors = [cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()]
    codes = []
    for page in sorted(tmp_path.glob("page-*.png")):
        image = cv2.imread(str(page))
        codes.append(next(filter(None, (d.detectAndDecode(image)[0] for d in detectors)), ""))
    return codes


def stored_ticket(booking):
    booking.refresh_from_db()
    with booking.ticket_pdf.open("rb") as pdf:
        return pdf.read()


def jpeg(size=(600, 800), colour=(190, 170, 150)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def alice_booking(session, alice, django_capture_on_commit_callbacks):
    # Executing on-commit callbacks runs the queued task (eagerly, in tests).
    with django_capture_on_commit_callbacks(execute=True):
        return bookings.book(session=session, candidate=alice)


# ---------------------------------------------------------------------------
# The ticket PDF
# ---------------------------------------------------------------------------


def test_it_renders_and_keeps_the_ticket_privately_when_a_seat_is_booked(
    alice_booking, alice, tmp_path
):
    data = stored_ticket(alice_booking)
    assert data.startswith(b"%PDF")
    assert str(settings.PRIVATE_MEDIA_ROOT) in alice_booking.ticket_pdf.path
    assert alice_booking.ticket_number not in alice_booking.ticket_pdf.name  # not guessable
    path = pdf_file(data, tmp_path)
    assert pdf_pages(path) == 1
    text = pdf_text(path)
    for printed in [
        "王建国",
        alice.id_number_masked,
        alice_booking.ticket_number,
        "危险化学品安全管理人员考试",
        "西湖区安全生产考点 (XH01)",
        "文三路 1 号",
        "第一考场",
        timezone.localtime(alice_booking.session.starts_at).strftime("%Y-%m-%d"),
    ]:
        assert printed in text
    assert alice.id_number not in text


def test_its_chinese_text_is_set_in_an_embedded_cjk_font(alice_booking, tmp_path):
    fonts = pdf_fonts(pdf_file(stored_ticket(alice_booking), tmp_path))
    cjk = [font for font in fonts if re.search(r"Noto.?(Sans|Serif).*CJK", font["name"])]
    assert cjk, fonts
    assert all(font["emb"] == "yes" for font in cjk)


def test_its_qr_code_names_the_booking_and_an_altered_code_is_refused(alice_booking, tmp_path):
    [token] = qr_codes(pdf_file(stored_ticket(alice_booking), tmp_path), tmp_path)
    assert booking_for_token(token) == alice_booking
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    with pytest.raises(InvalidTicket):
        booking_for_token(tampered)


def test_it_prints_the_registered_photo_or_a_box_to_stick_one_on(
    make_session, alice, bob, tmp_path
):
    alice.photo.save("alice.jpg", ContentFile(jpeg()))
    session = make_session()
    with_photo = bookings.book(session=session, candidate=alice)
    without = bookings.book(session=session, candidate=bob)

    alice_path = pdf_file(ticket_pdf.render_ticket(with_photo), tmp_path, "alice.pdf")
    bob_path = pdf_file(ticket_pdf.render_ticket(without), tmp_path, "bob.pdf")

    assert pdf_image_count(alice_path) == 1
    assert pdf_image_count(bob_path) == 0
    with translation.override("zh-hans"):  # tickets are printed in Chinese
        box = gettext("Affix photo here")
    assert box in pdf_text(bob_path) and box not in pdf_text(alice_path)


def test_it_renders_again_when_asked_and_the_old_file_goes(alice_booking):
    alice_booking.refresh_from_db()
    first = alice_booking.ticket_pdf.name
    assert first
    tasks.render_admission_ticket.delay(alice_booking.pk)
    alice_booking.refresh_from_db()
    assert alice_booking.ticket_pdf.name != first
    assert alice_booking.ticket_pdf.storage.exists(alice_booking.ticket_pdf.name)
    assert not alice_booking.ticket_pdf.storage.exists(first)


def test_a_moved_booking_gets_a_new_ticket_and_a_cancelled_one_none(
    alice_booking, make_session, centre_admin, django_capture_on_commit_callbacks, tmp_path
):
    later = make_session(starts_in=datetime.timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        moved = bookings.reschedule(booking=alice_booking, to_session=later, by=centre_admin)
    [token] = qr_codes(pdf_file(stored_ticket(moved), tmp_path), tmp_path)
    assert booking_for_token(token) == moved

    bookings.cancel(booking=moved, by=centre_admin)
    assert ticket_pdf.store_ticket(booking_id=moved.pk) is None


# ---------------------------------------------------------------------------
# The candidate's pages
# ---------------------------------------------------------------------------


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_alice_books_a_seat_from_the_sessions_page_and_sees_her_booking(
    alice_client, session, django_capture_on_commit_callbacks
):
    page = alice_client.get(reverse("exams:sessions")).content.decode()
    assert "危险化学品安全管理人员考试" in page and "西湖区安全生产考点" in page
    assert re.search(r"Seats left</dt><dd>30<", page)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("exams:book", args=[session.pk]), {"next": reverse("exams:sessions")}
        )
    assert response.url == reverse("exams:my-bookings")
    booking = Booking.objects.get(session=session)
    page = alice_client.get(response.url).content.decode()
    assert f"Booked: seat 01, admission ticket number {booking.ticket_number}." in page
    assert "Download admission ticket (PDF)" in page
    assert reverse("exams:ticket", args=[booking.pk]) in page

    page = alice_client.get(reverse("exams:sessions")).content.decode()
    assert "You have booked this session." in page
    assert re.search(r"Seats left</dt><dd>29<", page)


def test_the_sessions_page_filters_by_exam(client, make_session):
    other = Exam.objects.create(title="有限空间作业安全考试", target_role="special_operations")
    make_session()
    make_session(exam=other)
    page = client.get(reverse("exams:sessions"), {"exam": other.pk}).content.decode()
    assert page.count("<h2 ") == 1
    assert '<h2 class="page-card__title"' in page and "有限空间作业安全考试</h2>" in page
    assert "Sign in to book" in page


def test_a_refused_booking_says_why_and_keeps_the_filter(alice_client, make_session, exam, bob):
    full = make_session(capacity=1)
    bookings.book(session=full, candidate=bob)
    filtered = f"{reverse('exams:sessions')}?exam={exam.pk}"

    response = alice_client.post(reverse("exams:book", args=[full.pk]), {"next": filtered})

    assert response.url == filtered
    page = alice_client.get(response.url).content.decode()
    assert "You could not book this session: This session is full." in page
    assert not Booking.objects.filter(candidate__username="alice").exists()


def test_alice_downloads_her_ticket_and_bob_cannot(alice_client, client, session, alice, bob):
    booking = bookings.book(session=session, candidate=alice)  # the worker has not run yet
    url = reverse("exams:ticket", args=[booking.pk])

    response = alice_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_alice_cancels_her_booking_until_booking_closes(alice_client, make_session, alice):
    session = make_session()
    booking = bookings.book(session=session, candidate=alice)
    page = alice_client.post(
        reverse("exams:cancel-booking", args=[booking.pk]), follow=True
    ).content.decode()
    assert "Your booking is cancelled and its seat is free again." in page
    assert "Cancelled" in page
    assert alice_client.get(reverse("exams:ticket", args=[booking.pk])).status_code == 404

    booking = bookings.book(session=session, candidate=alice)
    type(session).objects.filter(pk=session.pk).update(
        booking_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = alice_client.post(
        reverse("exams:cancel-booking", args=[booking.pk]), follow=True
    ).content.decode()
    assert "Booking for this session has closed: ask the test centre to cancel it." in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    # No button that would only be refused: the page says whom to ask.
    mine = alice_client.get(reverse("exams:my-bookings")).content.decode()
    assert "Yes, cancel the booking" not in mine
    assert "ask the test centre to cancel it" in mine


# ---------------------------------------------------------------------------
# Printing a whole session at the centre
# ---------------------------------------------------------------------------


def tickets_url(session):
    return reverse("exams_session_tickets", args=[session.pk])


def test_the_centre_prints_a_sessions_tickets_in_seat_order_one_a_page(
    client, centre_admin, session, alice, bob, tmp_path, django_capture_on_commit_callbacks
):
    carol = UserFactory(username="carol", real_name="张敏")
    for candidate in (alice, carol, bob):
        bookings.book(session=session, candidate=candidate)
    bookings.cancel(booking=Booking.objects.get(candidate=carol), by=carol)
    client.force_login(centre_admin)

    page = client.get(tickets_url(session))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the worker, eagerly here
        job = client.post(tickets_url(session))
    ready = client.get(job.url)
    assert b"download=1" in ready.content
    response = client.get(job.url + "&download=1")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    path = pdf_file(b"".join(response.streaming_content), tmp_path)
    assert pdf_pages(path) == 2
    text = pdf_text(path)
    assert text.index("王建国") < text.index("李秀英") and "张敏" not in text
    names = [booking_for_token(token).candidate.username for token in qr_codes(path, tmp_path)]
    assert names == ["alice", "bob"]


def test_only_the_centres_admins_and_the_bureau_print_its_tickets(
    client, session, alice, bob, bureau_admin
):
    bookings.book(session=session, candidate=alice)
    elsewhere = Centre.objects.create(
        name="滨江区安全生产考点", code="BJ01", address="江南大道 1 号"
    )
    Room.objects.create(centre=elsewhere, name="第一考场", seat_count=30)
    other_proctor = UserFactory(username="other_proctor", roles=[Role.PROCTOR])
    other_admin = UserFactory(username="other_admin", roles=[Role.CENTRE_ADMIN])
    elsewhere.proctors.add(other_proctor)
    elsewhere.admins.add(other_admin)

    for person in (other_proctor, other_admin):
        client.force_login(person)
        response = client.get(tickets_url(session))
        # Wagtail sends a refused admin back to the dashboard, saying so.
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    client.force_login(bob)
    response = client.get(tickets_url(session))
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(bureau_admin)
    assert client.get(tickets_url(session)).status_code == 200
    job = client.post(tickets_url(session)).url
    client.force_login(UserFactory(username="bureau2", roles=[Role.BUREAU_ADMIN]))
    assert client.get(job + "&download=1").status_code == 404  # a print job is its maker's


def test_a_session_nobody_booked_has_no_tickets_to_print(client, centre_admin, session):
    client.force_login(centre_admin)
    response = client.get(tickets_url(session), follow=True)
    with translation.override("zh-hans"):  # the admin speaks the site's default language
        expected = gettext("Nobody holds a seat in this session: there are no tickets.")
    assert expected in response.content.decode()

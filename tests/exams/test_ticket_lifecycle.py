"""Stored tickets and check-in photos follow what happens to bookings and sessions."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from exams import bookings, checkin
from exams.models import Booking

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (200, 180, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def ticketed(session, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = bookings.book(session=session, candidate=alice)
    booking.refresh_from_db()
    assert booking.ticket_pdf
    return booking


def test_cancelling_a_booking_deletes_its_ticket(
    ticketed, centre_admin, django_capture_on_commit_callbacks
):
    name, storage = ticketed.ticket_pdf.name, ticketed.ticket_pdf.storage
    with django_capture_on_commit_callbacks(execute=True):
        bookings.cancel(booking=ticketed, by=centre_admin, reason="本人申请")
    ticketed.refresh_from_db()
    assert not ticketed.ticket_pdf
    assert not storage.exists(name)


def test_moving_a_session_prints_its_tickets_again(
    client, ticketed, session, bureau_admin, django_capture_on_commit_callbacks
):
    old = ticketed.ticket_pdf.name
    client.force_login(bureau_admin)
    url = reverse("wagtailsnippets_exams_examsession:edit", args=[session.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    later = timezone.localtime(session.starts_at + datetime.timedelta(days=1))
    data.update(
        starts_at=later.strftime("%Y-%m-%d %H:%M"),
        booking_opens_at=timezone.localtime(session.booking_opens_at).strftime("%Y-%m-%d %H:%M"),
        booking_closes_at=timezone.localtime(session.booking_closes_at).strftime("%Y-%m-%d %H:%M"),
    )
    data = {key: ("" if value is None else value) for key, value in data.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    ticketed.refresh_from_db()
    assert ticketed.ticket_pdf and ticketed.ticket_pdf.name != old


def test_check_in_photos_are_deleted_after_the_retention_period(
    ticketed, session, proctor, settings, django_capture_on_commit_callbacks
):
    session.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    session.save()
    checked_in = checkin.check_in(
        booking=ticketed, by=proctor, photo=SimpleUploadedFile("now.jpg", jpeg())
    )
    name, storage = checked_in.check_in_photo.name, checked_in.check_in_photo.storage
    assert storage.exists(name)
    soon = timezone.now() + datetime.timedelta(days=settings.CHECK_IN_PHOTO_RETENTION_DAYS - 1)
    assert checkin.purge_check_in_photos(now=soon) == 0
    later = timezone.now() + datetime.timedelta(days=settings.CHECK_IN_PHOTO_RETENTION_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin.purge_check_in_photos(now=later) == 1
    assert not storage.exists(name)
    assert not Booking.objects.get(pk=ticketed.pk).check_in_photo

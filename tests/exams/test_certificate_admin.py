"""
Certificates in the Wagtail admin: who sees which (the bureau all, a centre
admin their centres' sessions', a proctor none), search by number, name and
full ID number (never echoed), filters, the renewal review list, the export,
revoke and reinstate by the bureau alone, and a session's certificates as one
ZIP built by the worker.
"""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from wagtail.users.models import UserProfile

from exams import certificate_zip, certificates
from exams.choices import AttemptStatus, BookingStatus
from exams.models import (
    Attempt,
    Booking,
    Certificate,
    CertificateAction,
    CertificateSettings,
    CertificateStatus,
    ExamSession,
    Room,
)
from exams.models import TestCentre as Centre  # not a test class
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/exams/certificates/"
XHR = {"X-Requested-With": "XMLHttpRequest"}


def signed_in(client, user):
    """The admin in English, whatever translations the project adds."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def issue_for(session, person, seat):
    return certificates.issue(attempt_id=passed_at(session, person, seat).pk)


def passed_at(session, person, seat):
    booking = Booking.objects.create(
        session=session,
        candidate=person,
        seat=seat,
        ticket_number=f"T{session.pk:04d}{seat:04d}",
        status=BookingStatus.CHECKED_IN,
    )
    return Attempt.objects.create(
        booking=booking,
        candidate=person,
        exam=session.exam,
        paper=session.exam.paper,
        status=AttemptStatus.GRADED,
        graded_at=timezone.now(),
        score=90,
        max_score=100,
        passed=True,
    )


@pytest.fixture
def other_session(exam):
    """余杭's centre, with its own admin, and a session there."""
    centre = Centre.objects.create(name="余杭区安全生产考点", code="YH01", address="临平 2 号")
    centre.admins.add(UserFactory(username="yuhang_admin", real_name="钱进"))
    room = Room.objects.create(centre=centre, name="一号考场", seat_count=20, seats_per_row=5)
    now = timezone.now()
    return ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now - datetime.timedelta(days=3),
        capacity=20,
        booking_opens_at=now - datetime.timedelta(days=30),
        booking_closes_at=now - datetime.timedelta(days=4),
    )


@pytest.fixture
def issued(session, other_session, alice, bob):
    """Alice and bob passed at the 西湖 centre; charlie (孙小红) at 余杭."""
    charlie = UserFactory(username="charlie", real_name="孙小红")
    return {
        "alice": issue_for(session, alice, 1),
        "bob": issue_for(session, bob, 2),
        "charlie": issue_for(other_session, charlie, 1),
    }


def listed(client, **query):
    page = client.get(LIST, query)
    assert page.status_code == 200
    return {certificate.number for certificate in page.context["certificates"]}


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------


def test_the_bureau_sees_every_certificate(client, bureau_admin, issued):
    signed_in(client, bureau_admin)

    assert listed(client) == {c.number for c in issued.values()}


def test_a_centre_admin_sees_their_centres_certificates_only(client, centre_admin, issued):
    signed_in(client, centre_admin)

    assert listed(client) == {issued["alice"].number, issued["bob"].number}
    charlies = reverse("exams_certificate", args=[issued["charlie"].pk])
    assert client.get(charlies).status_code == 404


@pytest.mark.parametrize("persona", ["proctor", "trainer"])
def test_staff_without_a_centre_to_administer_see_no_certificates(request, client, persona, issued):
    signed_in(client, request.getfixturevalue(persona))

    assert client.get(LIST, headers=XHR).status_code == 403
    refused = client.get(LIST)
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    alices = reverse("exams_certificate", args=[issued["alice"].pk])
    assert client.get(alices, headers=XHR).status_code == 403


def test_the_menu_offers_certificates_to_centre_admins_and_the_bureau_only(
    client, centre, centre_admin, bureau_admin, proctor
):
    shown = {}
    for person in (centre_admin, bureau_admin, proctor):
        signed_in(client, person)
        shown[person.username] = LIST in client.get(reverse("wagtailadmin_home")).content.decode()

    assert shown == {"centre_admin": True, "bureau": True, "proctor": False}


# ---------------------------------------------------------------------------
# Search, filters, the renewal list, the export
# ---------------------------------------------------------------------------


def test_a_full_id_number_finds_the_holder_and_is_never_shown(client, centre_admin, issued, alice):
    signed_in(client, centre_admin)

    response = client.get(LIST, {"q": alice.id_number}, follow=True)

    text = response.content.decode()
    assert alice.id_number not in response.redirect_chain[0][0]
    assert {c.number for c in response.context["certificates"]} == {issued["alice"].number}
    assert alice.id_number_masked in text and alice.id_number not in text


def test_an_id_number_at_another_centre_finds_nothing_and_is_said_masked(
    client, centre_admin, issued
):
    charlie = issued["charlie"].holder
    signed_in(client, centre_admin)

    page = client.get(LIST, {"q": charlie.id_number})

    text = page.content.decode()
    assert page.status_code == 200 and list(page.context["certificates"]) == []
    assert charlie.id_number not in text and "孙小红" not in text


def test_search_by_number_and_name(client, bureau_admin, issued):
    signed_in(client, bureau_admin)

    assert listed(client, q=issued["bob"].number.lower()) == {issued["bob"].number}
    assert listed(client, q="小红") == {issued["charlie"].number}


def test_filters_by_status_and_expiry(client, bureau_admin, issued):
    certificates.revoke(certificate=issued["alice"], by=bureau_admin, reason="证书信息有误")
    Certificate.objects.filter(pk=issued["bob"].pk).update(expires_on=datetime.date(2020, 5, 1))
    signed_in(client, bureau_admin)

    assert listed(client, status="revoked") == {issued["alice"].number}
    assert listed(client, status="expired") == {issued["bob"].number}
    assert listed(client, status="valid") == {issued["charlie"].number}
    assert listed(client, expires_before="2021-01-01") == {issued["bob"].number}


def test_the_renewal_list_shows_valid_certificates_expiring_within_the_window(
    client, centre_admin, issued
):
    config = CertificateSettings.load()
    config.renewal_window_days = 30
    config.save()
    today = timezone.localdate()
    for name, days in (("alice", 20), ("bob", 40), ("charlie", 10)):
        Certificate.objects.filter(pk=issued[name].pk).update(
            expires_on=today + datetime.timedelta(days=days)
        )
    signed_in(client, centre_admin)

    page = client.get(reverse("exams_certificates_renewal"))

    # Bob's is outside the window, charlie's at another centre.
    assert [c.number for c in page.context["certificates"]] == [issued["alice"].number]


def test_the_export_lists_the_certificates_with_masked_id_numbers(
    client, centre_admin, issued, alice, bob
):
    signed_in(client, centre_admin)

    response = client.get(reverse("exams_certificates_export"))

    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:3] == ("Certificate number", "Name", "ID card number")
    assert sorted((row[0], row[1], row[2], row[9]) for row in rows[1:]) == sorted(
        [
            (issued["alice"].number, "王建国", alice.id_number_masked, "Valid"),
            (issued["bob"].number, "李秀英", bob.id_number_masked, "Valid"),
        ]
    )
    assert alice.id_number not in str(rows)


# ---------------------------------------------------------------------------
# Revoke and reinstate
# ---------------------------------------------------------------------------


def test_the_bureau_revokes_with_a_reason_and_verification_says_revoked(
    client, bureau_admin, issued
):
    alices = issued["alice"]
    url = reverse("exams_certificate", args=[alices.pk])
    signed_in(client, bureau_admin)

    done = client.post(url, {"action": "revoke", "reason": "考试舞弊，经复核属实"})
    alices.refresh_from_db()
    page = client.get(url).content.decode()

    assert done.status_code == 302
    assert alices.status == CertificateStatus.REVOKED
    assert alices.revocation_reason == "考试舞弊，经复核属实"
    assert certificates.verify(number=alices.number, name="王建国").state == "revoked"
    assert "Revoked on" in page and "考试舞弊，经复核属实" in page
    assert "Reinstate the certificate" in page
    event = alices.events.get(action=CertificateAction.REVOKED)
    assert (event.by, event.reason) == (bureau_admin, "考试舞弊，经复核属实")


def test_a_revocation_needs_a_reason(client, bureau_admin, issued):
    alices = issued["alice"]
    signed_in(client, bureau_admin)

    page = client.post(
        reverse("exams_certificate", args=[alices.pk]), {"action": "revoke", "reason": "  "}
    )

    assert page.status_code == 200
    # The admin speaks the staff member's language: Chinese by default.
    assert page.context["form"].errors == {"reason": ["请填写原因：将记入历史记录。"]}
    alices.refresh_from_db()
    assert alices.status == CertificateStatus.VALID


def test_the_bureau_reinstates_and_the_history_keeps_both(client, bureau_admin, issued):
    alices = issued["alice"]
    url = reverse("exams_certificate", args=[alices.pk])
    signed_in(client, bureau_admin)
    client.post(url, {"action": "revoke", "reason": "误判"})

    client.post(url, {"action": "reinstate", "reason": "复核后恢复：监控显示无异常"})
    alices.refresh_from_db()
    page = client.get(url).content.decode()

    assert alices.status == CertificateStatus.VALID and alices.revoked_at is None
    assert [e.action for e in alices.events.all()] == ["issued", "revoked", "reinstated"]
    assert "复核后恢复：监控显示无异常" in page and "Had been revoked: 误判" in page
    assert certificates.verify(number=alices.number, name="王建国").state == "valid"


def test_a_renewal_is_shown_in_the_history_with_the_old_and_new_expiry(
    client, bureau_admin, issued
):
    alices = issued["alice"]
    before = alices.expires_on
    renewed = certificates.renew(
        certificate=alices, by=bureau_admin, reason="复审合格", today=before
    )
    signed_in(client, bureau_admin)

    page = client.get(reverse("exams_certificate", args=[alices.pk])).content.decode()

    assert "复审合格" in page
    assert f"Valid until {before.isoformat()} → {renewed.expires_on.isoformat()}" in page


def test_the_bureau_renews_by_hand_with_a_later_pass_of_the_holder(
    client, bureau_admin, issued, alice, other_session
):
    alices = issued["alice"]
    before = alices.expires_on
    renewal_exam = passed_at(other_session, alice, 7)
    url = reverse("exams_certificate", args=[alices.pk])
    signed_in(client, bureau_admin)
    assert f'value="attempt:{renewal_exam.pk}"' in client.get(url).content.decode()

    missing = client.post(url, {"action": "renew", "reason": "复审合格"})
    response = client.post(
        url, {"action": "renew", "reason": "复审合格", "evidence": f"attempt:{renewal_exam.pk}"}
    )

    assert "Choose the pass or the course." in missing.content.decode()
    assert response.status_code == 302
    alices.refresh_from_db()
    assert alices.expires_on == certificates.add_years(before, 3)
    event = alices.events.get(action=CertificateAction.RENEWED)
    assert (event.attempt, event.by, event.reason) == (renewal_exam, bureau_admin, "复审合格")
    # Used once: the pass is no longer offered.
    assert f'value="attempt:{renewal_exam.pk}"' not in client.get(url).content.decode()


def test_a_centre_admin_cannot_renew(client, centre_admin, issued):
    alices = issued["alice"]
    signed_in(client, centre_admin)

    response = client.post(
        reverse("exams_certificate", args=[alices.pk]),
        {"action": "renew", "reason": "复审合格", "evidence": "attempt:1"},
        headers=XHR,
    )

    assert response.status_code == 403
    assert not alices.events.filter(action=CertificateAction.RENEWED).exists()


def test_a_centre_admin_sees_the_history_but_cannot_revoke(client, centre_admin, issued):
    alices = issued["alice"]
    url = reverse("exams_certificate", args=[alices.pk])
    signed_in(client, centre_admin)

    page = client.get(url)
    xhr = client.post(url, {"action": "revoke", "reason": "我想吊销"}, headers=XHR)
    plain = client.post(url, {"action": "revoke", "reason": "我想吊销"})

    assert page.status_code == 200 and page.context["form"] is None
    assert "Revoke the certificate" not in page.content.decode()
    assert xhr.status_code == 403
    assert plain.status_code == 302 and plain["Location"] == reverse("wagtailadmin_home")
    alices.refresh_from_db()
    assert alices.status == CertificateStatus.VALID
    assert list(alices.events.values_list("action", flat=True)) == ["issued"]


# ---------------------------------------------------------------------------
# A session's certificates as one ZIP
# ---------------------------------------------------------------------------


def test_a_centre_admin_downloads_a_sessions_certificates_as_one_zip(
    client, centre_admin, bureau_admin, issued, session, django_capture_on_commit_callbacks
):
    carol = UserFactory(username="carol", real_name="周小燕")
    issued["carol"] = issue_for(session, carol, 3)
    for name in ("alice", "carol"):  # bob's is not rendered yet: the ZIP renders it
        issued[name] = certificates.store_pdf(certificate_id=issued[name].pk)
    certificates.revoke(certificate=issued["carol"], by=bureau_admin, reason="证书信息有误")
    url = reverse("exams_session_certificates_zip", args=[session.pk])
    signed_in(client, centre_admin)

    offered = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url)  # the task runs eagerly in unit tests
    job_page = client.get(started["Location"])
    download = client.get(started["Location"] + "&download=1")

    # Carol's, revoked, is not handed out again.
    assert "2 valid certificates of this session have their PDF" in offered.content.decode()
    assert started.status_code == 302 and "?job=" in started["Location"]
    assert job_page.context["job"]["status"] == "done"
    assert job_page.context["job"]["done"] == job_page.context["job"]["total"] == 2
    assert "The ZIP is ready." in job_page.content.decode()
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    alices, bobs = issued["alice"], issued["bob"]
    assert sorted(archive.namelist()) == sorted(
        [f"{alices.number}-王建国.pdf", f"{bobs.number}-李秀英.pdf"]
    )
    assert archive.read(f"{alices.number}-王建国.pdf") == alices.pdf.open("rb").read()
    bobs.refresh_from_db()
    assert archive.read(f"{bobs.number}-李秀英.pdf") == bobs.pdf.open("rb").read()


def test_staff_download_a_certificate_made_without_its_pdf(client, centre_admin, issued):
    alices = issued["alice"]
    assert not alices.pdf  # issued in bulk, say, and not rendered yet
    signed_in(client, centre_admin)

    response = client.get(reverse("exams_certificate_pdf", args=[alices.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_zip_job_is_the_askers_and_the_session_their_centres(
    client, centre_admin, bureau_admin, issued, session, other_session
):
    certificates.store_pdf(certificate_id=issued["alice"].pk)
    url = reverse("exams_session_certificates_zip", args=[session.pk])
    token = certificate_zip.zip_job_start(session=session, user=bureau_admin)
    signed_in(client, centre_admin)

    someone_elses = client.get(url, {"job": token})
    other_centre = client.get(reverse("exams_session_certificates_zip", args=[other_session.pk]))

    assert someone_elses.status_code == 404
    assert other_centre.status_code == 404


def test_a_zip_that_fails_says_so_instead_of_waiting_forever(
    client, centre_admin, issued, session, monkeypatch
):
    certificates.store_pdf(certificate_id=issued["alice"].pk)
    token = certificate_zip.zip_job_start(session=session, user=centre_admin)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(certificate_zip, "_write_zip", broken)
    with pytest.raises(OSError):
        certificate_zip.store_session_zip(session_id=session.pk, token=token)
    signed_in(client, centre_admin)
    page = client.get(reverse("exams_session_certificates_zip", args=[session.pk]), {"job": token})

    assert page.context["job"]["status"] == "failed"
    assert "The ZIP could not be made." in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_zips_older_than_a_day_are_deleted(
    issued, session, bureau_admin, django_capture_on_commit_callbacks
):
    certificates.store_pdf(certificate_id=issued["alice"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        token = certificate_zip.zip_job_start(session=session, user=bureau_admin)
    name = certificate_zip.zip_jobs.get(token)["file"]

    certificate_zip.purge_old_zips(now=timezone.now() + datetime.timedelta(hours=23))
    kept = storages["private"].exists(name)
    certificate_zip.purge_old_zips(now=timezone.now() + datetime.timedelta(hours=25))

    assert kept
    assert not storages["private"].exists(name)


def test_a_second_click_on_revoke_is_refused_and_does_not_reinstate(client, bureau_admin, issued):
    alices = issued["alice"]
    client.force_login(bureau_admin)
    url = reverse("exams_certificate", args=[alices.pk])
    client.post(url, {"action": "revoke", "reason": "考试舞弊"})
    client.post(url, {"action": "revoke", "reason": "考试舞弊"})  # the page drawn before
    alices.refresh_from_db()
    assert alices.status == "revoked"
    assert [e.action for e in alices.events.all()] == ["issued", "revoked"]


def test_the_bureau_edits_the_certificate_settings_and_others_do_not(
    client, bureau_admin, centre_admin
):
    url = reverse("wagtailsettings:edit", args=["exams", "certificatesettings"])
    signed_in(client, bureau_admin)
    page = client.get(url, follow=True)
    assert page.status_code == 200 and b"Seal" in page.content
    signed_in(client, centre_admin)
    refused = client.get(url, follow=True)
    # Wagtail sends those without the permission back to the dashboard.
    assert refused.redirect_chain[-1][0] == reverse("wagtailadmin_home")


def settings_form(client, **files):
    url = reverse("wagtailsettings:edit", args=["exams", "certificatesettings"])
    page = client.get(url, follow=True)
    form = {
        "issuer": "杭州市西湖区应急管理局",
        "title": "安全生产培训合格证",
        "signatory": "张卫东",
        "number_format": "yearly",
        "validity_years": 3,
        "renewal_window_days": 90,
        **files,
    }
    return client.post(page.redirect_chain[-1][0] if page.redirect_chain else url, form)


def test_the_seal_is_re_encoded_kept_private_and_shown_to_the_bureau_only(
    client, bureau_admin, centre_admin
):
    image = io.BytesIO()
    Image.new("RGBA", (1600, 1600), (200, 0, 0, 128)).save(image, format="PNG")
    upload = SimpleUploadedFile("seal.png", image.getvalue() + b"<script>", "image/png")
    signed_in(client, bureau_admin)

    settings_form(client, seal=upload)

    seal = CertificateSettings.load().seal
    try:
        assert seal.storage is storages["private"] and seal.name.startswith("certificate-stamps/")
        with Image.open(seal.path) as stored:  # re-encoded: bounded, transparent, no trailer
            assert (stored.format, stored.mode, stored.size) == ("PNG", "RGBA", (800, 800))
        assert b"<script>" not in Path(seal.path).read_bytes()
        shown = client.get(reverse("exams_certificate_stamp", args=["seal"]))
        assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
        signed_in(client, centre_admin)
        refused = client.get(reverse("exams_certificate_stamp", args=["seal"]), headers=XHR)
        assert refused.status_code == 403
    finally:
        seal.delete()


def test_a_file_that_is_not_an_image_is_refused_as_the_seal(client, bureau_admin):
    signed_in(client, bureau_admin)
    upload = SimpleUploadedFile("seal.png", b"<html><script>alert(1)</script></html>", "image/png")

    response = settings_form(client, seal=upload)

    assert not CertificateSettings.load().seal
    assert response.status_code == 200  # the form again, with the error
    assert "Upload a valid image." in response.content.decode()


def test_the_bureau_prints_every_certificate_again_and_follows_the_progress(
    client, bureau_admin, issued, django_capture_on_commit_callbacks
):
    signed_in(client, bureau_admin)
    url = reverse("exams_certificates_rerender")
    assert url in client.get(LIST).content.decode()
    assert "print the 3 stored certificates again" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    following = client.get(response["Location"]).content.decode()

    assert "Done: 3 certificates were printed again." in following
    for certificate in Certificate.objects.all():
        assert certificate.pdf and CertificateAction.RENDERED in certificate.events.values_list(
            "action", flat=True
        )
        certificate.pdf.delete(save=False)


def test_only_the_bureau_prints_again(client, centre_admin, issued):
    signed_in(client, centre_admin)

    assert reverse("exams_certificates_rerender") not in client.get(LIST).content.decode()
    response = client.post(reverse("exams_certificates_rerender"), headers=XHR)

    assert response.status_code == 403

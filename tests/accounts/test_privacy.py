"""
PIPL in the admin: the bureau exports everything Ankang holds about a person
(and nobody else's), and erases on request what the law lets go while the
training archive (results, certificates) stays; both are the bureau's alone
and both are in the audit log.
"""

import datetime
import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from accounts.models import User
from cms.quiz.models import Play, Quiz
from cms.quiz.services import person_key_for_phone
from exams import certificates
from exams.choices import AttemptStatus
from exams.models import Attempt, Booking, Certificate
from proctoring.choices import SnapshotKind
from proctoring.models import Snapshot
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.proctoring import frames

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def signed_in(client, user):
    """The admin in English, whatever translations the project adds."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def jpeg():
    return frames.jpeg(frames.astronaut())


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(
        title="“5·12”防灾减灾知识竞赛",
        slug="512-privacy",
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=5),
    )


def sat_and_passed(person, quiz):
    """A pass with its certificate (and PDF), a snapshot, a check-in photo and a quiz play."""
    attempt = graded_attempt(person, an_exam())
    certificate = certificates.issue(attempt_id=attempt.pk)
    certificate.pdf.save("c.pdf", ContentFile(b"%PDF-1.4 certificate"), save=True)
    Snapshot.objects.create(
        attempt=attempt,
        image=ContentFile(jpeg(), name="frame.jpg"),
        kind=SnapshotKind.INTERVAL,
        sequence=1,
        taken_at=timezone.now(),
    )
    attempt.booking.check_in_photo.save("desk.jpg", ContentFile(jpeg()), save=True)
    person.photo.save("me.jpg", ContentFile(jpeg()), save=True)
    Play.objects.create(
        quiz=quiz,
        person_key=person_key_for_phone(person.phone),
        real_name=person.real_name,
        phone=person.phone,
        town="西溪街道",
        deadline=timezone.now(),
        score=90,
    )
    return attempt


@pytest.fixture
def alices(alice, quiz):
    return sat_and_passed(alice, quiz)


@pytest.fixture
def bobs(bob, quiz):
    return sat_and_passed(bob, quiz)


def page_url(person):
    return reverse("accounts_privacy", args=[person.pk])


def export_url(person):
    return reverse("accounts_privacy_export", args=[person.pk])


def erase_url(person):
    return reverse("accounts_privacy_erase", args=[person.pk])


def exported(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("personal-data.json"))
    return data, archive.namelist()


def erase(client, person, **form):
    return client.post(
        erase_url(person), {"reason": "本人书面申请，2026-11-20，编号 017", "confirm": "on", **form}
    )


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def test_the_export_holds_the_persons_data_and_nobody_elses(
    client, bureau_admin, alice, bob, alices, bobs
):
    signed_in(client, bureau_admin)

    response = client.post(export_url(alice))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data, names = exported(response)
    text = json.dumps(data, ensure_ascii=False)
    assert data["account"]["real_name"] == "王建国"
    assert data["account"]["id_number"] == alice.id_number
    assert data["account"]["phone"] == alice.phone
    alices_certificate = Certificate.objects.get(holder=alice)
    assert [c["number"] for c in data["certificates"]] == [alices_certificate.number]
    assert [a["score"] for a in data["attempts"]] == ["92.0"]
    assert [p["name"] for p in data["quiz_plays"]] == ["王建国"]
    assert len(data["snapshots"]) == 1 and len(data["bookings"]) == 1
    assert f"certificates/{alices_certificate.number}.pdf" in names
    assert any(name.startswith("snapshots/") for name in names)
    assert any(name.startswith("check-in/") for name in names)
    assert any(name.startswith("photo/") for name in names)
    bobs_certificate = Certificate.objects.get(holder=bob)
    assert "李秀英" not in text and bob.id_number not in text and bob.phone not in text
    assert bobs_certificate.number not in text
    assert f"certificates/{bobs_certificate.number}.pdf" not in names


def test_the_export_is_in_the_audit_log(client, bureau_admin, alice, alices):
    signed_in(client, bureau_admin)
    client.post(export_url(alice), REMOTE_ADDR="10.9.8.7")

    entry = LogEntry.objects.get_for_object(alice).get(additional_data__privacy__isnull=False)
    assert entry.actor == bureau_admin and entry.remote_addr == "10.9.8.7"
    log = client.get(reverse("accounts_audit_log")).content.decode()
    assert "Personal data exported" in log


# ---------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------


def test_erasure_removes_contact_details_and_faces_and_keeps_results_and_certificates(
    client, bureau_admin, alice, bob, alices, bobs, django_capture_on_commit_callbacks
):
    number, phone = alice.id_number, alice.phone
    snapshot = Snapshot.objects.get(attempt=alices)
    private = storages["private"]
    faces = [
        snapshot.image.name,
        Booking.objects.get(pk=alices.booking_id).check_in_photo.name,
        alice.photo.name,
    ]
    signed_in(client, bureau_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = erase(client, alice)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "has been erased" in page and "The account is closed." in page
    alice = User.objects.get(pk=alice.pk)
    assert alice.phone == "" and alice.email == "" and not alice.photo
    assert phone not in alice.username
    assert not alice.is_active and not alice.has_usable_password()
    # The training archive: the name and ID number, the result and the certificate.
    assert alice.real_name == "王建国" and alice.id_number == number
    assert Attempt.objects.get(pk=alices.pk).score == alices.score
    assert Certificate.objects.get(holder=alice).status == "valid"
    # Faces and the quiz entry are gone.
    assert not Snapshot.objects.filter(attempt=alices).exists()
    assert not any(private.exists(name) for name in faces)
    assert not Booking.objects.get(pk=alices.booking_id).check_in_photo
    play = Play.objects.get(town="西溪街道", score=90, real_name="")
    assert play.phone == "" and play.person_key != person_key_for_phone(phone)
    # Bob is untouched.
    assert Snapshot.objects.filter(attempt=bobs).exists()
    assert Play.objects.filter(real_name="李秀英").exists()
    assert User.objects.get(pk=bob.pk).phone == bob.phone


def test_erasure_deletes_failed_sign_ins_as_well_as_sign_ins(client, bureau_admin, alice, alices):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    seen = {"username": alice.username, "ip_address": "203.0.113.9", "user_agent": "Phone"}
    AccessLog.objects.create(attempt_time=now, **seen)
    AccessFailureLog.objects.create(attempt_time=now, **seen)
    AccessAttempt.objects.create(attempt_time=now, failures_since_start=2, **seen)
    signed_in(client, bureau_admin)

    data, _ = exported(client.post(export_url(alice)))
    assert len(data["sign_ins"]) == 1 and len(data["failed_sign_ins"]) == 2
    erase(client, alice)

    assert not AccessLog.objects.filter(ip_address="203.0.113.9").exists()
    assert not AccessFailureLog.objects.filter(ip_address="203.0.113.9").exists()
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()


def test_the_erased_person_can_no_longer_sign_in(client, bureau_admin, alice, alices):
    signed_in(client, bureau_admin)
    erase(client, alice)
    client.logout()
    assert not client.login(username="alice", password="correct-horse-battery")


def test_erasure_is_in_the_audit_log_with_its_reason(client, bureau_admin, alice, alices):
    signed_in(client, bureau_admin)
    erase(client, alice)

    entry = LogEntry.objects.get_for_object(alice).get(additional_data__privacy__isnull=False)
    assert entry.actor == bureau_admin
    assert entry.additional_data["reason"] == "本人书面申请，2026-11-20，编号 017"
    assert entry.additional_data["snapshots"] == 1
    log = client.get(reverse("accounts_audit_log")).content.decode()
    assert "Personal data erased on request" in log and "编号 017" in log


def test_erasure_asks_for_a_reason_and_a_confirmation(client, bureau_admin, alice, alices):
    signed_in(client, bureau_admin)

    response = client.post(erase_url(alice), {"reason": "  "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the data is erased." in page
    assert "Tick the box to confirm the erasure." in page
    assert User.objects.get(pk=alice.pk).phone == alice.phone


@pytest.mark.parametrize(
    "status",
    # Prepared: the paper is drawn and she may be at the check-in desk already.
    [AttemptStatus.PREPARED, AttemptStatus.STARTED, AttemptStatus.SUBMITTED],
)
def test_erasure_is_refused_while_an_exam_is_in_progress(
    client, bureau_admin, alice, alices, status
):
    Attempt.objects.filter(pk=alices.pk).update(status=status)
    signed_in(client, bureau_admin)

    response = erase(client, alice)

    assert response.status_code == 409
    assert "An exam of theirs is in progress or waiting for its grade." in (
        response.content.decode()
    )
    assert User.objects.get(pk=alice.pk).phone == alice.phone
    assert Snapshot.objects.filter(attempt=alices).exists()
    assert not LogEntry.objects.filter(additional_data__privacy__isnull=False).exists()


# ---------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["centre_admin", "proctor", "trainer", "publicity_editor"])
def test_only_the_bureau_exports_or_erases(request, client, alice, alices, persona):
    signed_in(client, request.getfixturevalue(persona))

    refused = [
        client.get(page_url(alice)),
        client.post(export_url(alice)),
        erase(client, alice),
    ]

    assert all(r.status_code == 302 and r["Location"].split("?")[0] == "/admin/" for r in refused)
    assert User.objects.get(pk=alice.pk).phone == alice.phone
    assert not LogEntry.objects.filter(additional_data__privacy__isnull=False).exists()


def test_the_bureau_finds_personal_data_beside_each_person(client, bureau_admin, alice):
    signed_in(client, bureau_admin)
    users = client.get("/admin/users/").content.decode()
    assert page_url(alice) in users
    page = client.get(page_url(alice)).content.decode()
    assert alice.id_number_masked in page and alice.id_number not in page

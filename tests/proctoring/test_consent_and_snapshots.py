"""
Consent before the camera, the snapshot API's safety (what it refuses, where
it keeps files), the analysis of each upload by its task, incidents grouped
rather than spammed, who may look at a snapshot (and the log of every look),
review decisions, and retention.
"""

import datetime
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from exams import delivery
from exams.choices import AttemptStatus
from exams.models import Attempt, Certificate
from proctoring import selectors, services
from proctoring.choices import Decision, IncidentKind, Severity
from proctoring.models import Consent, Incident, Snapshot, SnapshotView
from tests.proctoring import frames
from tests.proctoring.conftest import pass_camera_check

pytestmark = pytest.mark.django_db


def upload(client, attempt, content, *, sequence=1, name="frame.jpg", **fields):
    return client.post(
        reverse("api:attempt-snapshots", args=[attempt.pk]),
        {
            "image": SimpleUploadedFile(name, content, content_type="image/jpeg"),
            "sequence": sequence,
            "taken_at": timezone.now().isoformat(),
            **fields,
        },
    )


def started(attempt):
    if selectors.is_proctored(attempt):
        pass_camera_check(attempt)
    return delivery.start(attempt_id=attempt.pk, candidate=attempt.candidate)


# ---------------------------------------------------------------------------
# Consent
# ---------------------------------------------------------------------------


def test_a_proctored_sitting_does_not_start_without_consent(seat, alice, policy):
    attempt = seat(alice)
    with pytest.raises(services.ConsentRequired) as refused:
        delivery.start(attempt_id=attempt.pk, candidate=alice)
    assert "consent" in str(refused.value.message)
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PREPARED


def test_consent_records_the_policy_version_and_time_and_lets_the_sitting_start(
    seat, alice, policy, client
):
    attempt = seat(alice)
    client.force_login(alice)
    response = client.post(
        reverse("api:attempt-consent", args=[attempt.pk]), {"policy_version": "2026-1"}
    )
    assert response.status_code == 201
    consent = Consent.objects.get(attempt=attempt)
    assert consent.policy_version == "2026-1"
    assert abs(consent.given_at - timezone.now()) < datetime.timedelta(seconds=5)

    # The camera check comes next, and the server holds to it, whatever the page does.
    refused = client.post(reverse("api:attempt-start", args=[attempt.pk]))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "camera_check_required"
    checked = client.post(
        reverse("api:attempt-camera-check", args=[attempt.pk]),
        {"image": SimpleUploadedFile("check.jpg", frames.jpeg(frames.astronaut()), "image/jpeg")},
    )
    assert checked.status_code == 200, checked.content
    assert started(attempt).status == AttemptStatus.STARTED


def test_consent_to_an_outdated_notice_is_refused(seat, alice, policy, client):
    attempt = seat(alice)
    client.force_login(alice)
    response = client.post(
        reverse("api:attempt-consent", args=[attempt.pk]), {"policy_version": "2025-9"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "policy_changed"
    assert not Consent.objects.exists()


def test_without_a_policy_in_force_a_sitting_is_not_proctored(seat, alice):
    attempt = seat(alice)
    assert not selectors.is_proctored(attempt)
    assert started(attempt).status == AttemptStatus.STARTED


def test_the_start_screen_asks_for_consent_before_the_camera(seat, alice, policy, client):
    attempt = seat(alice)
    client.force_login(alice)
    page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert policy.text in page
    assert 'data-policy-version="2026-1"' in page
    response = client.post(reverse("exams:attempt", args=[attempt.pk]), follow=True)
    assert "give your consent" in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PREPARED


# ---------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------


def test_an_upload_without_consent_is_refused(seat, alice, policy, client):
    attempt = seat(alice)
    client.force_login(alice)
    response = upload(client, attempt, frames.jpeg(frames.astronaut()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert not Snapshot.objects.exists()


def test_an_upload_for_another_candidates_attempt_is_not_found(consented, bob, client):
    client.force_login(bob)
    response = upload(client, consented, frames.jpeg(frames.astronaut()))
    assert response.status_code == 404
    assert not Snapshot.objects.exists()


def test_a_frame_is_re_encoded_small_without_exif_under_a_random_name(consented, alice, client):
    started(consented)
    client.force_login(alice)
    big = Image.fromarray(frames.two_portraits()).resize((1600, 800))
    exif = Image.Exif()
    exif[0x010F] = "GPS-Camera"  # Make
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", exif=exif.tobytes())
    response = upload(client, consented, buffer.getvalue() + b"<script>alert(1)</script>")
    assert response.status_code == 201
    snapshot = Snapshot.objects.exclude(kind="check").get()
    assert (snapshot.width, snapshot.height) == (640, 320)
    with snapshot.image.open("rb") as file:
        stored = file.read()
    assert b"GPS-Camera" not in stored and b"<script>" not in stored
    assert "frame" not in snapshot.image.name
    assert snapshot.image.storage.location.endswith("private")


def test_an_html_file_named_jpg_is_refused(consented, alice, client):
    client.force_login(alice)
    response = upload(client, consented, b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unusable_snapshot"


@override_settings(PROCTORING_SNAPSHOT_MAX_BYTES=50_000)
def test_an_oversized_file_is_refused(consented, alice, client):
    client.force_login(alice)
    noise = Image.effect_noise((640, 480), 100).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    response = upload(client, consented, buffer.getvalue(), name="frame.png")
    assert response.status_code == 400
    assert not Snapshot.objects.exists()


def test_an_image_larger_than_a_webcam_frame_is_refused(consented, alice, client):
    client.force_login(alice)
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000)).save(buffer, format="JPEG")
    response = upload(client, consented, buffer.getvalue())
    assert response.status_code == 400


def _bomb_png(width, height):
    """A PNG header claiming a huge picture over a few bytes of zeros: a decompression bomb."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_unopened(consented, alice, client):
    client.force_login(alice)
    response = upload(client, consented, _bomb_png(60_000, 60_000), name="frame.png")
    assert response.status_code == 400
    assert not Snapshot.objects.exists()


@override_settings(PROCTORING_SNAPSHOTS_PER_ATTEMPT=3)  # the camera check's, and two
def test_an_attempt_takes_a_limited_number_of_snapshots_and_a_retry_is_not_one_more(
    consented, alice, client
):
    started(consented)
    client.force_login(alice)
    frame = frames.jpeg(frames.astronaut())
    assert upload(client, consented, frame, sequence=1).status_code == 201
    assert upload(client, consented, frame, sequence=1).status_code == 200  # a retry
    assert upload(client, consented, frame, sequence=2).status_code == 201
    refused = upload(client, consented, frame, sequence=3)
    assert refused.status_code == 409
    assert Snapshot.objects.exclude(kind="check").count() == 2


# ---------------------------------------------------------------------------
# Analysis (the task runs eagerly here; tests/proctoring/test_worker.py uses a real worker)
# ---------------------------------------------------------------------------


def test_each_snapshot_is_measured_and_its_flags_recorded(
    consented, alice, client, django_capture_on_commit_callbacks
):
    started(consented)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, consented, frames.jpeg(frames.astronaut()), sequence=1)
        upload(client, consented, frames.jpeg(frames.empty_scene()), sequence=2)
        upload(client, consented, frames.jpeg(frames.two_portraits()), sequence=3)
    one, empty, two = Snapshot.objects.exclude(kind="check").order_by("sequence")
    assert (one.face_count, empty.face_count, two.face_count) == (1, 0, 2)
    assert one.identity_distance is not None and one.identity_distance < 95
    assert one.brightness > 100 and one.sharpness > 300
    incidents = {incident.kind: incident for incident in Incident.objects.all()}
    assert set(incidents) == {IncidentKind.NO_FACE, IncidentKind.SEVERAL_FACES}
    assert incidents[IncidentKind.NO_FACE].snapshot == empty
    assert incidents[IncidentKind.SEVERAL_FACES].severity == Severity.SERIOUS
    assert 0 < incidents[IncidentKind.SEVERAL_FACES].confidence <= 1


def test_analysing_a_snapshot_twice_records_its_flags_once(consented):
    started(consented)
    snapshot = Snapshot.objects.create(
        attempt=consented,
        kind="interval",
        sequence=1,
        taken_at=timezone.now(),
        image=SimpleUploadedFile("x.jpg", frames.jpeg(frames.chelsea())),
    )
    services.analyse_snapshot(snapshot.pk)
    services.analyse_snapshot(snapshot.pk)
    assert Incident.objects.get().count == 1


def test_repeated_flags_of_a_kind_count_up_on_one_incident(consented):
    attempt = started(consented)
    start = timezone.now()
    for minute in (0, 1, 2, 9):
        services.record_incident(
            attempt=attempt,
            kind=IncidentKind.WINDOW_BLUR,
            reason="blur",
            at=start + datetime.timedelta(minutes=minute),
        )
    first, later = Incident.objects.order_by("first_at")
    assert (first.count, later.count) == (3, 1)
    assert first.last_at == start + datetime.timedelta(minutes=2)


def test_a_browser_event_with_its_frame_is_an_incident_with_that_snapshot(consented, alice, client):
    started(consented)
    client.force_login(alice)
    response = upload(
        client, consented, frames.jpeg(frames.astronaut()), kind="event", event="tab_hidden"
    )
    assert response.status_code == 201
    incident = Incident.objects.get(kind=IncidentKind.TAB_HIDDEN)
    assert incident.snapshot == Snapshot.objects.exclude(kind="check").get()


def test_the_camera_lost_is_reported_without_a_frame(consented, alice, client):
    started(consented)
    client.force_login(alice)
    response = client.post(
        reverse("api:attempt-events", args=[consented.pk]), {"kind": "camera_lost"}
    )
    assert response.status_code == 201
    assert Incident.objects.get().kind == IncidentKind.CAMERA_LOST


# ---------------------------------------------------------------------------
# Who sees snapshots
# ---------------------------------------------------------------------------


@pytest.fixture
def snapshot(consented):
    started(consented)
    return Snapshot.objects.create(
        attempt=consented,
        kind="interval",
        sequence=1,
        taken_at=timezone.now(),
        image=SimpleUploadedFile("x.jpg", frames.jpeg(frames.astronaut())),
    )


def test_a_proctor_of_the_centre_sees_a_snapshot_and_the_look_is_logged(snapshot, proctor, client):
    client.force_login(proctor)
    response = client.get(reverse("api:snapshot-image", args=[snapshot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    view = SnapshotView.objects.get()
    assert (view.viewer, view.snapshot, view.attempt) == (proctor, snapshot, snapshot.attempt)


@pytest.mark.parametrize("who", ["other_proctor", "bob"])
def test_a_proctor_of_another_centre_or_a_candidate_gets_not_found(snapshot, client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("api:snapshot-image", args=[snapshot.pk])).status_code == 404
    assert (
        client.get(reverse("api:attempt-timeline", args=[snapshot.attempt_id])).status_code == 404
    )
    assert not SnapshotView.objects.exists()


def test_the_bureau_sees_any_centres_snapshots(snapshot, bureau_admin, client):
    client.force_login(bureau_admin)
    assert client.get(reverse("api:snapshot-image", args=[snapshot.pk])).status_code == 200


# ---------------------------------------------------------------------------
# Review and retention
# ---------------------------------------------------------------------------


def _serious(attempt):
    return services.record_incident(
        attempt=attempt, kind=IncidentKind.SEVERAL_FACES, reason="2 faces", confidence=0.8
    )


def test_an_unresolved_serious_flag_puts_the_attempt_under_review(consented, proctor):
    attempt = started(consented)
    services.record_incident(attempt=attempt, kind=IncidentKind.WINDOW_BLUR, reason="blur")
    assert not selectors.under_review(attempt)
    incident = _serious(attempt)
    assert selectors.under_review(attempt)
    services.decide(
        incident_id=incident.pk, by=proctor, decision=Decision.DISMISSED, note="同一人镜像"
    )
    assert not selectors.under_review(attempt)


def test_a_confirmed_serious_flag_can_void_the_attempt_with_the_reason(
    consented, alice, proctor, client
):
    attempt = started(consented)
    delivery.terminate(attempt_id=attempt.pk, by=proctor, reason="另有一人")
    incident = _serious(attempt)
    services.decide(
        incident_id=incident.pk, by=proctor, decision=Decision.CONFIRMED, note="他人代考", void=True
    )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.VOIDED
    assert attempt.events.last().reason == "他人代考"
    client.force_login(alice)
    page = client.get(reverse("proctoring:my-snapshots", args=[attempt.pk])).content.decode()
    assert "Your attempt was voided after review. The reason: 他人代考" in page


def test_retention_deletes_the_files_and_rows_but_keeps_the_incidents(snapshot, proctor):
    attempt = snapshot.attempt
    path = snapshot.image.path
    services.record_incident(
        attempt=attempt, kind=IncidentKind.TAB_HIDDEN, reason="tab", snapshot=snapshot
    )
    delivery.submit(attempt_id=attempt.pk, candidate=attempt.candidate)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert services.purge_old_snapshots(now=attempt.graded_at + datetime.timedelta(days=89)) == 0
    # The upload and the camera check's identity photo.
    assert services.purge_old_snapshots(now=attempt.graded_at + datetime.timedelta(days=91)) == 2
    import os

    assert not os.path.exists(path)
    assert not Snapshot.objects.exists()
    assert Incident.objects.get().snapshot is None


def test_practice_is_never_proctored_and_takes_no_consent(sitting, alice, policy, client):
    exam = sitting.exam
    practice = Attempt.objects.create(candidate=alice, exam=exam, paper=exam.paper, practice=True)
    assert not selectors.is_proctored(practice)
    client.force_login(alice)
    response = client.post(
        reverse("api:attempt-consent", args=[practice.pk]), {"policy_version": "2026-1"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_proctored"
    assert upload(client, practice, frames.jpeg(frames.astronaut())).status_code == 403


def test_a_second_screen_reported_with_its_frame_is_a_major_incident(consented, alice, client):
    started(consented)
    client.force_login(alice)
    response = upload(
        client, consented, frames.jpeg(frames.astronaut()), kind="event", event="second_screen"
    )
    assert response.status_code == 201
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity) == (IncidentKind.SECOND_SCREEN, Severity.MAJOR)


def test_a_pass_under_review_gets_its_certificate_only_when_the_flag_is_dismissed(
    consented, proctor, django_capture_on_commit_callbacks
):
    attempt = started(consented)
    for item in attempt.questions.select_related("question"):
        item.selected = item.question.answer
        item.save(update_fields=["selected"])
    incident = _serious(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.submit(attempt_id=attempt.pk, candidate=attempt.candidate, page=attempt.page)
    attempt.refresh_from_db()
    assert attempt.passed
    assert not Certificate.objects.filter(attempt=attempt).exists()  # held back for review

    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            incident_id=incident.pk, by=proctor, decision=Decision.DISMISSED, note="是镜子里的本人"
        )
    assert Certificate.objects.filter(attempt=attempt).count() == 1


def test_voiding_an_attempt_after_its_certificate_was_issued_revokes_it(
    consented, proctor, django_capture_on_commit_callbacks
):
    attempt = started(consented)
    for item in attempt.questions.select_related("question"):
        item.selected = item.question.answer
        item.save(update_fields=["selected"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery.submit(attempt_id=attempt.pk, candidate=attempt.candidate, page=attempt.page)
    certificate = Certificate.objects.get(attempt=attempt)
    # The analysis of the last snapshots finds a second person after grading.
    incident = _serious(attempt)
    services.decide(
        incident_id=incident.pk, by=proctor, decision=Decision.CONFIRMED, note="有人代考", void=True
    )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revocation_reason) == ("revoked", "有人代考")
    with pytest.raises(ValidationError):  # decided once, for the record
        services.decide(
            incident_id=incident.pk, by=proctor, decision=Decision.DISMISSED, note="改判"
        )


def test_a_policy_someone_consented_to_cannot_be_reworded_only_replaced(consented, policy):
    policy.text = "改过的告知"
    with pytest.raises(ValidationError):
        policy.full_clean()
    policy.refresh_from_db()
    policy.in_force_from = policy.in_force_from.replace(year=2027)  # when it applies may change
    policy.full_clean()

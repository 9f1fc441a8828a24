"""
The camera check, the proctor's live board and its actions (messages reach
the candidate's page, irregularities are recorded with who recorded them),
the review queue, and the candidate's view of what is kept of them.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exams import delivery
from proctoring import selectors, services
from proctoring.choices import Decision, IncidentKind, SnapshotKind
from proctoring.models import Incident, Snapshot, SnapshotView
from tests.factories import UserFactory
from tests.proctoring import frames
from tests.proctoring.conftest import pass_camera_check

pytestmark = pytest.mark.django_db


def check(client, attempt, rgb):
    return client.post(
        reverse("api:attempt-camera-check", args=[attempt.pk]),
        {"image": SimpleUploadedFile("check.jpg", frames.jpeg(rgb), content_type="image/jpeg")},
        headers={"Accept-Language": "en"},
    )


def test_the_camera_check_says_what_is_wrong_in_plain_words(consented, alice, client):
    client.force_login(alice)
    response = check(client, consented, frames.empty_scene())
    assert response.json() == {
        "passed": False,
        "problems": ["We cannot see your face: sit facing the camera."],
    }
    dark = check(client, consented, frames.darkened(frames.astronaut(), 0.1)).json()
    assert "The picture is too dark: turn on a light or uncover the camera." in dark["problems"]
    assert not Snapshot.objects.exists()


def test_a_passed_camera_check_keeps_the_identity_photo_for_the_proctor(consented, alice, client):
    client.force_login(alice)
    assert check(client, consented, frames.astronaut()).json() == {"passed": True, "problems": []}
    kept = Snapshot.objects.get()
    assert kept.kind == SnapshotKind.CHECK
    assert kept.face_count == 1 and kept.identity_distance < 95


def test_the_camera_check_needs_consent_first(seat, alice, policy, client):
    attempt = seat(alice)
    client.force_login(alice)
    assert check(client, attempt, frames.astronaut()).status_code == 403


@pytest.fixture
def sitting_started(consented):
    pass_camera_check(consented)
    attempt = delivery.start(attempt_id=consented.pk, candidate=consented.candidate)
    snapshot = Snapshot.objects.create(
        attempt=attempt,
        kind="interval",
        sequence=1,
        taken_at=timezone.now(),
        image=SimpleUploadedFile("x.jpg", frames.jpeg(frames.two_portraits())),
    )
    services.analyse_snapshot(snapshot.pk)
    return attempt


def test_the_board_shows_every_seat_with_its_state_time_snapshot_and_flags(
    sitting_started, bob, seat, proctor, client
):
    seat(bob, check_in_photo=False)
    client.force_login(proctor)
    session = sitting_started.booking.session
    page = client.get(reverse("proctoring:board", args=[session.pk]))
    assert page.status_code == 200
    data = client.get(reverse("api:proctoring-board", args=[session.pk])).json()
    by_name = {seat["name"]: seat for seat in data["seats"]}
    alice_seat = by_name["王建国"]
    assert alice_seat["status"] == "started"
    assert 0 < alice_seat["remaining_seconds"] <= 3600
    assert alice_seat["consented"] is True
    assert alice_seat["last_snapshot"] == Snapshot.objects.exclude(kind="check").get().pk
    assert [flag["kind"] for flag in alice_seat["flags"]] == ["several_faces"]
    assert alice_seat["worst"] == 3
    assert by_name["李秀英"]["status"] == "prepared"
    assert by_name["李秀英"]["flags"] == []


def test_the_board_costs_the_same_queries_however_many_seats(
    sitting_started, bob, seat, django_assert_max_num_queries
):
    session = sitting_started.booking.session
    with CaptureQueriesContext(connection) as one_seat:
        selectors.board(session)
    for candidate in (bob, UserFactory(), UserFactory()):
        attempt = seat(candidate, check_in_photo=False)
        Snapshot.objects.create(
            attempt=attempt,
            kind="interval",
            sequence=1,
            taken_at=timezone.now(),
            image=SimpleUploadedFile("x.jpg", frames.jpeg(frames.astronaut())),
        )
    with django_assert_max_num_queries(len(one_seat)):
        seats = selectors.board(session)["seats"]
    assert len(seats) == 4 and all(seat["last_snapshot"] for seat in seats)


def test_a_proctor_of_another_centre_sees_no_board(sitting_started, other_proctor, client):
    client.force_login(other_proctor)
    session = sitting_started.booking.session
    assert client.get(reverse("api:proctoring-board", args=[session.pk])).status_code == 404
    assert client.get(reverse("proctoring:board", args=[session.pk])).status_code == 404


def test_a_message_from_the_proctor_reaches_the_candidates_page(
    sitting_started, alice, proctor, client
):
    client.force_login(proctor)
    sent = client.post(
        reverse("api:attempt-messages", args=[sitting_started.pk]),
        {"text": "请把手机放到考场前面"},
        content_type="application/json",
    )
    assert sent.status_code == 201
    client.force_login(alice)
    state = client.get(reverse("api:attempt-proctoring", args=[sitting_started.pk])).json()
    assert [message["text"] for message in state["messages"]] == ["请把手机放到考场前面"]
    after = client.get(
        reverse("api:attempt-proctoring", args=[sitting_started.pk]),
        {"after": state["messages"][0]["id"]},
    ).json()
    assert after["messages"] == []
    assert state["next_sequence"] == 2


def test_an_irregularity_is_recorded_with_its_category_and_who_recorded_it(
    sitting_started, proctor, other_proctor, client
):
    client.force_login(other_proctor)
    url = reverse("api:attempt-irregularities", args=[sitting_started.pk])
    body = {"category": "noise", "note": "大声自言自语"}
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(proctor)
    assert client.post(url, body, content_type="application/json").status_code == 201
    incident = Incident.objects.get(kind=IncidentKind.IRREGULARITY)
    assert (incident.category, incident.reason, incident.recorded_by) == (
        "noise",
        "大声自言自语",
        proctor,
    )


def test_the_review_queue_puts_serious_flags_first_and_records_decisions(
    sitting_started, proctor, client
):
    client.force_login(proctor)
    queue = client.get(reverse("proctoring:review-queue")).content.decode()
    assert "王建国" in queue
    incident = Incident.objects.get()
    response = client.post(
        reverse("proctoring:review-attempt", args=[sitting_started.pk]),
        {"incident": incident.pk, "decision": "dismissed", "note": "墙上的海报"},
        follow=True,
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert (incident.decision, incident.decided_by, incident.note) == (
        Decision.DISMISSED,
        proctor,
        "墙上的海报",
    )
    queue = client.get(reverse("proctoring:review-queue")).content.decode()
    assert "王建国" not in queue
    assert reverse("proctoring:board", args=[sitting_started.booking.session_id]) in queue


def test_a_candidate_sees_the_snapshots_kept_of_them_and_no_one_elses(
    sitting_started, alice, bob, client
):
    snapshot = Snapshot.objects.exclude(kind="check").get()
    client.force_login(alice)
    page = client.get(reverse("proctoring:my-snapshots", args=[sitting_started.pk]))
    assert reverse("proctoring:my-snapshot", args=[snapshot.pk]) in page.content.decode()
    assert client.get(reverse("proctoring:my-snapshot", args=[snapshot.pk])).status_code == 200
    assert SnapshotView.objects.get().viewer == alice
    client.force_login(bob)
    assert (
        client.get(reverse("proctoring:my-snapshots", args=[sitting_started.pk])).status_code == 404
    )
    assert client.get(reverse("proctoring:my-snapshot", args=[snapshot.pk])).status_code == 404


def test_the_exam_page_takes_snapshots_only_when_proctored_and_consented(
    sitting_started, alice, client
):
    client.force_login(alice)
    page = client.get(reverse("exams:attempt", args=[sitting_started.pk])).content.decode()
    assert "js/proctoring_exam.js" in page
    assert reverse("api:attempt-snapshots", args=[sitting_started.pk]) in page


def test_the_evidence_report_holds_the_timeline_decisions_and_flagged_frames(
    sitting_started, proctor, other_proctor, client
):
    incident = Incident.objects.get()
    services.decide(
        incident_id=incident.pk, by=proctor, decision=Decision.CONFIRMED, note="旁边有人提示"
    )
    client.force_login(other_proctor)
    url = reverse("proctoring:evidence", args=[sitting_started.pk])
    assert client.get(url).status_code == 404
    client.force_login(proctor)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Several faces in view" in text
    assert "旁边有人提示" in text
    assert "王建国" in text
    # The embedded frame counts as a look at it.
    assert SnapshotView.objects.filter(viewer=proctor, snapshot=incident.snapshot).exists()


def pdf_text(pdf):
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_check_in_photo_is_shown_to_the_centres_staff_and_each_look_is_logged(
    consented, proctor, other_proctor, client
):
    consented.booking.session.centre.proctors.add(proctor)
    url = reverse("proctoring:check-in-photo", args=[consented.booking_id])

    client.force_login(other_proctor)
    assert client.get(url).status_code == 404
    client.force_login(proctor)
    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    look = SnapshotView.objects.get()
    assert (look.attempt, look.viewer, look.image) == (consented, proctor, "check_in")

"""
Appeals: a candidate whose attempt was voided is told why and may appeal once,
within the appeal period; a bureau admin decides, with reasons the candidate
reads. Upheld, the attempt counts again and its certificate comes back.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from exams import delivery
from exams.choices import AttemptStatus
from exams.models import Certificate, CertificateStatus
from proctoring import services
from proctoring.choices import AppealStatus, Decision, IncidentKind
from proctoring.models import Appeal, Snapshot
from tests.factories import UserFactory
from tests.proctoring.conftest import pass_camera_check

pytestmark = pytest.mark.django_db


def voided_pass(attempt, proctor, capture):
    """The candidate answers everything right and passes; a confirmed serious flag voids it."""
    pass_camera_check(attempt)
    attempt = delivery.start(attempt_id=attempt.pk, candidate=attempt.candidate)
    for item in attempt.questions.select_related("question"):
        item.selected = item.question.answer
        item.save(update_fields=["selected"])
    with capture(execute=True):
        delivery.submit(attempt_id=attempt.pk, candidate=attempt.candidate, page=attempt.page)
    incident = services.record_incident(
        attempt=attempt, kind=IncidentKind.SEVERAL_FACES, reason="2 faces", confidence=0.8
    )
    services.decide(
        incident_id=incident.pk, by=proctor, decision=Decision.CONFIRMED, note="他人代考", void=True
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def voided(consented, proctor, django_capture_on_commit_callbacks):
    return voided_pass(consented, proctor, django_capture_on_commit_callbacks)


def my_page(attempt):
    return reverse("proctoring:my-snapshots", args=[attempt.pk])


def test_the_candidate_is_told_why_and_appeals_once(voided, alice, client):
    client.force_login(alice)
    result = client.get(reverse("exams:attempt-result", args=[voided.pk])).content.decode()
    assert my_page(voided) in result

    page = client.get(my_page(voided)).content.decode()
    assert "The reason: 他人代考" in page and "Appeal this decision" in page

    empty = client.post(my_page(voided), {"grounds": " "})
    sent = client.post(my_page(voided), {"grounds": "镜子里的是我自己，考场有监控可查。"})
    again = client.post(my_page(voided), {"grounds": "再申诉一次"})

    assert "Say why the decision should be changed." in empty.content.decode()
    assert sent.status_code == 302 and again.status_code == 403
    appeal = Appeal.objects.get()
    assert (appeal.attempt, appeal.status) == (voided, AppealStatus.PENDING)
    assert appeal.grounds == "镜子里的是我自己，考场有监控可查。"
    page = client.get(my_page(voided)).content.decode()
    assert "Waiting for the bureau&#x27;s decision" in page and "Appeal this decision" not in page


def test_an_appeal_is_once_in_time_and_only_for_a_voided_attempt_of_ones_own(
    voided, alice, consented
):
    bob = UserFactory(username="bob", real_name="王建国")
    with pytest.raises(type(voided).DoesNotExist):
        services.lodge_appeal(attempt_id=voided.pk, candidate=bob, grounds="不是我")
    late = timezone.now() + datetime.timedelta(days=31)
    with pytest.raises(services.AppealRefused):
        services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="晚了", now=late)
    services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="冤枉")
    with pytest.raises(services.AppealRefused):
        services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="再来")


def test_another_candidate_cannot_see_or_appeal(voided, client):
    client.force_login(UserFactory(username="bob", real_name="王建国"))
    assert client.get(my_page(voided)).status_code == 404
    assert client.post(my_page(voided), {"grounds": "x"}).status_code == 404
    assert not Appeal.objects.exists()


def test_upheld_the_attempt_counts_again_and_its_certificate_is_reinstated(
    voided, alice, bureau_admin, client
):
    certificate = Certificate.objects.get(attempt=voided)
    assert certificate.status == CertificateStatus.REVOKED
    appeal = services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="是我本人")
    client.force_login(bureau_admin)
    url = reverse("proctoring:appeal", args=[appeal.pk])
    assert "是我本人" in client.get(url).content.decode()

    client.post(url, {"decision": "uphold", "note": "复看录像：第二张脸是墙上的海报。"})

    appeal.refresh_from_db()
    voided.refresh_from_db()
    certificate.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by == bureau_admin
    assert voided.status == AttemptStatus.GRADED and voided.passed
    assert voided.events.last().reason == "复看录像：第二张脸是墙上的海报。"
    assert certificate.status == CertificateStatus.VALID
    client.force_login(alice)
    page = client.get(my_page(voided)).content.decode()
    assert "Upheld: the attempt counts again" in page and "墙上的海报" in page


def test_rejected_the_attempt_stays_voided_and_the_candidate_reads_why(voided, alice, bureau_admin):
    appeal = services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="是我本人")
    with pytest.raises(ValidationError):
        services.decide_appeal(appeal_id=appeal.pk, by=bureau_admin, uphold=False, note="")

    services.decide_appeal(
        appeal_id=appeal.pk, by=bureau_admin, uphold=False, note="录像清楚显示另一人作答。"
    )

    voided.refresh_from_db()
    assert voided.status == AttemptStatus.VOIDED
    assert Certificate.objects.get(attempt=voided).status == CertificateStatus.REVOKED
    with pytest.raises(services.AppealRefused):  # decided once
        services.decide_appeal(appeal_id=appeal.pk, by=bureau_admin, uphold=True, note="改判")


def test_only_the_bureau_decides(voided, alice, proctor, centre_admin, client):
    appeal = services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="是我本人")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(appeal_id=appeal.pk, by=proctor, uphold=True, note="我同意")
    for person in (proctor, centre_admin, alice):
        client.force_login(person)
        url = reverse("proctoring:appeal", args=[appeal.pk])
        assert client.post(url, {"decision": "uphold", "note": "x"}).status_code == 403
        assert client.get(reverse("proctoring:appeals")).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.PENDING


def test_a_pending_appeal_keeps_its_evidence_past_the_retention_period(voided, alice, bureau_admin):
    assert Snapshot.objects.filter(attempt=voided).exists()  # the camera check's photo
    services.lodge_appeal(attempt_id=voided.pk, candidate=alice, grounds="是我本人")
    later = timezone.now() + datetime.timedelta(days=200)

    assert services.purge_old_snapshots(now=later) == 0

    Appeal.objects.update(status=AppealStatus.REJECTED)
    assert services.purge_old_snapshots(now=later) > 0

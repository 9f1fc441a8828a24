"""
The audit log: staff changes to certificates, attempts and people are
recorded with who made them and from where; no entry holds a full ID number
or phone number; the bureau alone reads the log, a page at a time.
"""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from exams import certificates, delivery
from exams.models import Attempt, Certificate, CertificateSettings, NumberFormat
from proctoring.choices import IncidentKind
from proctoring.models import Incident
from proctoring.services import record_incident
from tests.accounts.test_personal_data import edit_form_data
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.exams.conftest import bank, centre, exam, make_question, make_session, room  # noqa: F401
from tests.factories import valid_id_number
from tests.proctoring.conftest import consented, pass_camera_check, policy, seat, sitting  # noqa: F401

pytestmark = pytest.mark.django_db

AUDIT_LOG = "/admin/accounts/audit-log/"


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


def entries_on(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


@pytest.fixture
def alices_certificate(alice):
    return certificates.issue(attempt_id=graded_attempt(alice, an_exam()).pk)


def test_a_revocation_is_logged_with_who_from_where_and_what_changed(
    client, bureau_admin, alices_certificate
):
    signed_in(client, bureau_admin)
    client.post(
        reverse("exams_certificate", args=[alices_certificate.pk]),
        {"action": "revoke", "reason": "考试舞弊，经复核属实"},
        REMOTE_ADDR="10.20.30.40",
    )

    entry = entries_on(alices_certificate).last()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == bureau_admin
    assert entry.remote_addr == "10.20.30.40"
    assert entry.changes_dict["status"] == ["valid", "revoked"]
    assert entry.changes_dict["revocation_reason"] == ["", "考试舞弊，经复核属实"]


def test_the_address_is_the_connections_not_a_forged_forwarded_for(
    client, bureau_admin, alices_certificate
):
    signed_in(client, bureau_admin)
    client.post(
        reverse("exams_certificate", args=[alices_certificate.pk]),
        {"action": "revoke", "reason": "证书信息有误"},
        REMOTE_ADDR="10.20.30.40",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert entries_on(alices_certificate).last().remote_addr == "10.20.30.40"


def test_voiding_an_attempt_is_logged_with_the_proctor(
    client,
    proctor,
    consented,  # noqa: F811
):
    pass_camera_check(consented)
    attempt = delivery.start(attempt_id=consented.pk, candidate=consented.candidate)
    delivery.submit(attempt_id=attempt.pk, candidate=attempt.candidate, page=attempt.page)
    incident = record_incident(
        attempt=attempt, kind=IncidentKind.SEVERAL_FACES, reason="2 faces", confidence=0.8
    )
    client.force_login(proctor)
    client.post(
        reverse("proctoring:review-attempt", args=[attempt.pk]),
        {"incident": incident.pk, "decision": "confirmed", "note": "他人代考", "void": "on"},
    )

    voided = entries_on(Attempt.objects.get(pk=attempt.pk)).last()
    assert voided.actor == proctor
    assert voided.changes_dict["status"] == ["graded", "voided"]
    decided = entries_on(Incident.objects.get(pk=incident.pk)).last()
    assert decided.actor == proctor
    assert decided.changes_dict["decision"] == ["open", "confirmed"]


def test_a_decision_through_the_api_with_a_token_is_logged_with_the_proctor(
    proctor,
    consented,  # noqa: F811
):
    pass_camera_check(consented)
    attempt = delivery.start(attempt_id=consented.pk, candidate=consented.candidate)
    incident = record_incident(
        attempt=attempt, kind=IncidentKind.SEVERAL_FACES, reason="2 faces", confidence=0.8
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=proctor).key}")

    response = api.post(
        reverse("api:incident-decision", args=[incident.pk]),
        {"decision": "dismissed", "note": "光线反射"},
        format="json",
    )

    assert response.status_code == 200
    decided = entries_on(Incident.objects.get(pk=incident.pk)).last()
    assert decided.changes_dict["decision"] == ["open", "dismissed"]
    assert decided.actor == proctor


def test_a_change_to_a_persons_details_is_logged_with_the_phone_masked(client, superuser, alice):
    signed_in(client, superuser)
    response = client.post(
        f"/admin/users/edit/{alice.pk}/",
        edit_form_data(alice, phone="13912345678", employer="杭州新安化工有限公司"),
    )
    assert response.status_code == 302

    entry = entries_on(alice).filter(changes__has_key="employer").last()
    assert entry.actor == superuser
    assert entry.changes_dict["employer"] == ["杭州恒泰化工有限公司", "杭州新安化工有限公司"]
    assert entry.changes_dict["phone"][1] == "139****5678"
    assert "13912345678" not in str(entry.changes)


def test_a_username_made_of_a_mobile_number_is_never_shown_or_kept_in_full(
    client, bureau_admin, alice
):
    # People imported from a list without a name are "p" and their mobile number.
    alice.username, alice.real_name = "p13912345678", ""
    alice.save()
    alices_attempt = graded_attempt(alice, an_exam())
    with translation.override("zh-hans"):
        certificate = certificates.issue(attempt_id=alices_attempt.pk)
    with set_actor(alice):  # as the middleware does for a signed-in request
        alice.employer = "杭州新安化工有限公司"
        alice.save()
        certificates.revoke(certificate=certificate, by=alice, reason="本人申请")

    logged = " ".join(
        f"{e.object_repr} {e.changes_text} {e.changes}" for e in LogEntry.objects.all()
    )
    assert "13912345678" not in logged
    assert "139****5678" in logged
    page = signed_in(client, bureau_admin).get(AUDIT_LOG).content.decode()
    assert "13912345678" not in page
    assert "139****5678" in page  # who acted: the entry's actor, masked


def test_no_entry_ever_holds_a_full_id_number(client, bureau_admin, superuser, alice):
    """
    A special-operations certificate's number is T + the ID number, a reason
    may quote it, and a new one is typed into the person's form.
    """
    config = CertificateSettings.load()
    config.number_format = NumberFormat.SPECIAL_OPERATIONS
    config.save()
    certificate = certificates.issue(attempt_id=graded_attempt(alice, an_exam()).pk)
    assert alice.id_number in certificate.number
    signed_in(client, bureau_admin)
    client.post(
        reverse("exams_certificate", args=[certificate.pk]),
        {"action": "revoke", "reason": f"持证人身份证号 {alice.id_number} 登记错误"},
    )
    new_number = valid_id_number(4242)
    signed_in(client, superuser)
    client.post(f"/admin/users/edit/{alice.pk}/", edit_form_data(alice, new_id_number=new_number))

    logged = " ".join(
        f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.additional_data}"
        for entry in LogEntry.objects.all()
    )
    assert entries_on(certificate).exists()
    assert alice.id_number not in logged and new_number not in logged
    assert alice.id_number[:3] + "*" * 11 + alice.id_number[-4:] in logged
    signed_in(client, bureau_admin)
    page = client.get(AUDIT_LOG).content.decode()
    assert alice.id_number not in page and new_number not in page


def test_the_bureau_reads_the_log_with_who_and_what(client, bureau_admin, alices_certificate):
    signed_in(client, bureau_admin)
    client.post(
        reverse("exams_certificate", args=[alices_certificate.pk]),
        {"action": "revoke", "reason": "考试舞弊，经复核属实"},
        REMOTE_ADDR="10.20.30.40",
    )

    page = client.get(AUDIT_LOG, {"record": ContentType.objects.get_for_model(Certificate).pk})

    assert page.status_code == 200
    text = page.content.decode()
    assert "吴国平" in text and "10.20.30.40" in text
    assert "Valid → Revoked" in text
    assert {row["entry"].content_type.model for row in page.context["rows"]} == {"certificate"}


def test_the_log_is_filtered_by_who(client, bureau_admin, superuser, alices_certificate, alice):
    signed_in(client, superuser)
    client.post(f"/admin/users/edit/{alice.pk}/", edit_form_data(alice, town="西溪街道"))
    signed_in(client, bureau_admin)
    client.post(
        reverse("exams_certificate", args=[alices_certificate.pk]),
        {"action": "revoke", "reason": "证书信息有误"},
    )

    page = client.get(AUDIT_LOG, {"actor": "吴国平"})

    actors = {row["entry"].actor for row in page.context["rows"]}
    assert actors == {bureau_admin}


def test_the_log_is_a_page_at_a_time(client, bureau_admin, alice):
    for town in range(60):
        alice.town = f"街道{town}"
        alice.save()
    signed_in(client, bureau_admin)

    first = client.get(AUDIT_LOG)
    second = client.get(AUDIT_LOG, {"p": 2})

    assert len(first.context["rows"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert second.context["rows"] and len(second.context["rows"]) < 50


@pytest.mark.parametrize("persona", ["centre_admin", "proctor", "trainer", "publicity_editor"])
def test_only_the_bureau_reads_the_log(request, client, persona):
    signed_in(client, request.getfixturevalue(persona))
    response = client.get(AUDIT_LOG)
    assert response.status_code == 302 and response["Location"].split("?")[0] == "/admin/"
    menu = client.get("/admin/").content.decode()
    assert AUDIT_LOG not in menu


def test_the_menu_offers_the_log_to_the_bureau(client, bureau_admin):
    signed_in(client, bureau_admin)
    assert AUDIT_LOG in client.get("/admin/").content.decode()

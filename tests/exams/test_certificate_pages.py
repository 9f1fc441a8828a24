"""
Certificates for people: the public verification page and its JSON twin
(valid, expired, revoked, not found; a tampered token; a wrong name; nothing
private shown; the limit per address), and the holder's "My certificates"
with its renewal reminder and owner-only PDF downloads.

Alice (王建国) holds the certificate; Bob (李秀英) is another candidate; the
public is a client that is not signed in.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from exams import certificates
from exams.choices import AttemptStatus, BookingStatus
from exams.models import Attempt, Booking, Certificate, CertificateSettings

pytestmark = pytest.mark.django_db

API = "/api/v1/certificates/verify/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def verify_url():
    return reverse("certificates:verify")


@pytest.fixture
def passed(session):
    """passed(person, seat=1) → the certificate issued for person's graded pass (no PDF yet)."""

    def make(person, seat=1):
        booking = Booking.objects.create(
            session=session,
            candidate=person,
            seat=seat,
            ticket_number=f"XH{session.pk:04d}{seat:04d}",
            status=BookingStatus.CHECKED_IN,
        )
        attempt = Attempt.objects.create(
            booking=booking,
            candidate=person,
            exam=session.exam,
            paper=session.exam.paper,
            status=AttemptStatus.GRADED,
            graded_at=timezone.now(),
            score=88,
            max_score=100,
            passed=True,
        )
        return certificates.issue(attempt_id=attempt.pk)

    return make


@pytest.fixture
def alices(passed, alice):
    return passed(alice)


def token_of(certificate):
    return certificates.certificate_token(certificate)


def check_by_form(client, number, name, **extra):
    return client.post(verify_url(), {"number": number, "name": name}, **extra)


# ---------------------------------------------------------------------------
# The public verification page
# ---------------------------------------------------------------------------


def test_the_qr_link_says_valid_with_the_masked_name_exam_and_dates_only(client, alices, alice):
    page = client.get(verify_url(), {"t": token_of(alices)})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Valid certificate" in text
    assert "王*国" in text
    assert "危险化学品安全管理人员考试" in text
    assert alices.issued_on.isoformat() in text and alices.expires_on.isoformat() in text
    assert "王建国" not in text
    assert alice.id_number not in text and alice.id_number_masked not in text
    assert alice.phone not in text and alice.employer not in text
    assert "Score" not in text and "88.0" not in text  # the score is not the public's
    assert "no-store" in page["Cache-Control"]


def test_the_number_and_name_typed_on_a_phone_say_valid(client, alices):
    page = check_by_form(client, alices.number.lower(), " 王建国 ")

    assert page.status_code == 200
    assert "Valid certificate" in page.content.decode()
    assert "王*国" in page.content.decode()


def test_a_wrong_name_is_answered_exactly_like_an_unknown_number(client, alices):
    wrong_name = check_by_form(client, alices.number, "王建")
    unknown = check_by_form(client, "AK-2000-999999", "王建国")

    for page in (wrong_name, unknown):
        text = page.content.decode()
        assert page.status_code == 200
        assert "No such certificate" in text
        assert "No certificate has this number with this name." in text
        assert "王*国" not in text and "危险化学品安全管理人员考试" not in text
    assert wrong_name.context["result"] == unknown.context["result"]


def test_found_and_not_found_cost_the_page_the_same_queries(client, alices):
    client.get(verify_url())  # the site's menu and languages are cached on the first page
    costs = []
    for number, name in ((alices.number, "王建国"), (alices.number, "王建"), ("AK-1999-1", "某")):
        with CaptureQueriesContext(connection) as queries:
            check_by_form(client, number, name)
        costs.append(len(queries))

    assert costs[0] == costs[1] == costs[2]


def test_a_tampered_token_is_not_found(client, alices, passed, bob):
    token = token_of(alices)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    page = client.get(verify_url(), {"t": tampered})

    assert page.status_code == 200
    assert "No such certificate" in page.content.decode()
    assert "The link is not one of ours, or it was changed." in page.content.decode()
    assert "王*国" not in page.content.decode()


def test_an_expired_certificate_says_so_with_its_dates(client, alices):
    Certificate.objects.filter(pk=alices.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    text = client.get(verify_url(), {"t": token_of(alices)}).content.decode()

    assert "This certificate has expired" in text
    assert (timezone.localdate() - datetime.timedelta(days=1)).isoformat() in text


def test_a_revoked_certificate_says_revoked_with_the_date(client, alices, bureau_admin):
    certificates.revoke(certificate=alices, by=bureau_admin, reason="考试舞弊，经复核属实")

    text = check_by_form(client, alices.number, "王建国").content.decode()

    assert "This certificate has been revoked" in text
    assert f"Revoked on</dt><dd>{timezone.localdate().isoformat()}" in text
    assert "舞弊" not in text  # the reason is the bureau's record, not the public's


def test_a_missing_name_is_asked_for_and_nothing_is_checked(client, alices, settings):
    settings.CERTIFICATE_VERIFY_RATE = "1/minute"

    page = check_by_form(client, alices.number, "")

    assert "Type the holder&#x27;s name as printed." in page.content.decode()
    assert page.context["result"] is None
    # The empty form used no check of the budget.
    assert check_by_form(client, alices.number, "王建国").status_code == 200


def test_the_limit_per_address_holds_for_the_page_and_the_api_together(client, alices, settings):
    settings.CERTIFICATE_VERIFY_RATE = "3/minute"
    here = {"REMOTE_ADDR": "203.0.113.7"}

    answers = [
        check_by_form(client, alices.number, "王建国", **here).status_code,
        client.get(verify_url(), {"t": token_of(alices)}, **here).status_code,
        client.post(API, {"number": "AK-2000-1", "name": "某人"}, **here).status_code,
    ]
    page = check_by_form(client, alices.number, "王建国", **here)
    api = client.post(API, {"token": token_of(alices)}, **here)
    # A forged X-Forwarded-For is not a new address.
    forged = check_by_form(client, alices.number, "王建国", HTTP_X_FORWARDED_FOR="1.2.3.4", **here)
    elsewhere = check_by_form(client, alices.number, "王建国", REMOTE_ADDR="198.51.100.2")

    assert answers == [200, 200, 200]
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "此网络查验次数过多" in page.content.decode()  # the public site's default language
    assert page.context["result"] is None
    assert api.status_code == 429 and api.json()["error"]["code"] == "throttled"
    assert forged.status_code == 429
    assert elsewhere.status_code == 200 and "证书有效" in elsewhere.content.decode()


# ---------------------------------------------------------------------------
# The JSON endpoint
# ---------------------------------------------------------------------------


def test_the_api_answers_valid_with_the_public_fields_only(client, alices):
    answer = client.post(API, {"number": alices.number, "name": "王建国"}, format="json")

    assert answer.status_code == 200
    assert answer.json() == {
        "state": "valid",
        "masked_name": "王*国",
        "exam": "危险化学品安全管理人员考试",
        "issued_on": alices.issued_on.isoformat(),
        "expires_on": alices.expires_on.isoformat(),
        "revoked_on": None,
    }


def test_the_api_answers_revoked_expired_and_not_found(client, alices, passed, bob, bureau_admin):
    bobs = passed(bob, seat=2)
    certificates.revoke(certificate=alices, by=bureau_admin, reason="证书信息有误")
    Certificate.objects.filter(pk=bobs.pk).update(expires_on=datetime.date(2020, 1, 1))
    token = token_of(alices)

    revoked = client.post(API, {"token": token}).json()
    expired = client.post(API, {"number": bobs.number, "name": "李秀英"}).json()
    wrong_name = client.post(API, {"number": bobs.number, "name": "王建国"}).json()
    tampered = client.post(API, {"token": token.replace(":", ";", 1)}).json()

    assert revoked["state"] == "revoked"
    assert revoked["revoked_on"] == timezone.localdate().isoformat()
    assert expired["state"] == "expired" and expired["expires_on"] == "2020-01-01"
    assert wrong_name == {"state": "not_found"}
    assert tampered == {"state": "not_found"}


def test_the_api_wants_a_token_or_a_number_and_a_name(client, alices):
    answer = client.post(API, {"number": alices.number})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"})

    paths = json.loads(schema.content)["paths"]
    assert "post" in paths["/api/v1/certificates/verify/"]
    assert paths["/api/v1/certificates/verify/"]["post"]["security"] == [{}]


# ---------------------------------------------------------------------------
# My certificates and the PDF
# ---------------------------------------------------------------------------


def test_my_certificates_lists_mine_only(client, alices, passed, bob):
    passed(bob, seat=2)
    client.force_login(alices.holder)

    page = client.get(reverse("certificates:mine"))

    text = page.content.decode()
    assert page.status_code == 200
    assert alices.number in text and "✓ Valid" in text
    assert Certificate.objects.get(holder=bob).number not in text
    assert reverse("certificates:pdf", args=[alices.pk]) in text
    assert "Due for renewal review" not in text
    assert "no-store" in page["Cache-Control"]


def test_my_certificates_reminds_of_the_renewal_review_within_the_window(client, alices):
    config = CertificateSettings.load()
    config.renewal_window_days = 60
    config.save()
    soon = timezone.localdate() + datetime.timedelta(days=45)
    Certificate.objects.filter(pk=alices.pk).update(expires_on=soon)
    client.force_login(alices.holder)

    text = client.get(reverse("certificates:mine")).content.decode()

    assert f"Due for renewal review: this certificate expires on {soon.isoformat()}." in text


def test_my_certificates_needs_signing_in(client):
    page = client.get(reverse("certificates:mine"))

    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_the_holder_downloads_the_stored_pdf_never_cached(client, alices):
    alices = certificates.store_pdf(certificate_id=alices.pk)
    stored = alices.pdf.read()
    client.force_login(alices.holder)

    response = client.get(reverse("certificates:pdf", args=[alices.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]


def test_a_certificate_without_its_pdf_yet_is_rendered_on_download(client, alices):
    assert not alices.pdf
    client.force_login(alices.holder)

    response = client.get(reverse("certificates:pdf", args=[alices.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    alices.refresh_from_db()
    assert alices.pdf


def test_another_candidate_and_the_public_cannot_download_it(client, alices, bob):
    url = reverse("certificates:pdf", args=[alices.pk])

    anonymous = client.get(url)
    client.force_login(bob)
    as_bob = client.get(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_bob.status_code == 404


def test_a_revoked_certificate_is_no_longer_downloaded(client, alices, bureau_admin):
    certificates.revoke(certificate=alices, by=bureau_admin, reason="证书信息有误")
    client.force_login(alices.holder)

    page = client.get(reverse("certificates:mine")).content.decode()
    download = client.get(reverse("certificates:pdf", args=[alices.pk]))

    assert f"Revoked on {timezone.localdate().isoformat()}" in page
    assert reverse("certificates:pdf", args=[alices.pk]) not in page
    assert download.status_code == 404

"""
A pass becomes a certificate a stranger can check: alice passes her exam
(graded by the server, which queues the certificate; the worker runs eagerly
here), downloads her certificate's PDF from "My certificates" in Chromium,
and an inspector on a phone verifies it by number and name, and by its QR
link. axe finds nothing serious on the pages.
"""

import subprocess
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from exams import certificates, delivery, services
from exams.choices import PaperKind, QuestionStatus
from exams.models import (
    Attempt,
    Certificate,
    Exam,
    Paper,
    PaperQuestion,
    QuestionBank,
)
from tests.browser.conftest import checked_in_booking, serious_accessibility_violations
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def passed(home, alice):
    """Alice sat a two-question paper at a test centre, answered both right and handed it in."""
    bank = QuestionBank.objects.create(name="有限空间题库", owner="区安全生产考试中心")
    paper = Paper.objects.create(
        name="有限空间作业考试卷",
        kind=PaperKind.FIXED,
        pass_mark=Decimal("60"),
        shuffle_questions=False,
        shuffle_options=False,
    )
    for order, stem in enumerate(("进入有限空间前应当（ ）。", "有限空间作业必须有人监护（ ）。")):
        question = services.question_create(
            bank=bank,
            type="single",
            stem=f"<p>{stem}</p>",
            options=["先通风、检测", "直接进入", "戴口罩进入", "独自进入"],
            answer=[0],
            explanation="先通风、再检测、后作业。",
            status=QuestionStatus.ACTIVE,
            tags=("有限空间",),
        )
        PaperQuestion.objects.create(
            paper=paper, question=question, points=Decimal(50), sort_order=order
        )
    exam = Exam.objects.create(
        title="有限空间作业安全考试", target_role="safety_manager", paper=paper
    )
    booking = checked_in_booking(exam, alice)
    attempt = delivery.start(attempt_id=Attempt.objects.get(booking=booking).pk, candidate=alice)
    for sequence, position in enumerate((1, 2), start=1):
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=alice,
            page=attempt.page,
            client_id=uuid.uuid4(),
            sequence=sequence,
            position=position,
            selected=[0],
        )
    # Graded at once; the pass queues its certificate on commit (run eagerly here).
    return delivery.submit(attempt_id=attempt.pk, candidate=alice)


def check(page, artifacts, name, width=None):
    page.screenshot(path=artifacts / f"certificate-{name}.png", full_page=True)
    assert serious_accessibility_violations(page) == []
    if width:
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{name} scrolls sideways on a phone ({scrolled}px wide)"


def test_the_candidate_downloads_the_certificate_and_a_phone_verifies_it(
    live_server, page, phone, passed, artifacts, tmp_path
):
    assert passed.passed
    certificate = Certificate.objects.get(attempt=passed)
    assert certificate.pdf, "the pass was not issued a rendered certificate"

    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/exams/results/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_text("✓ Passed")).to_be_visible()
    page.get_by_role("link", name="My certificates").first.click()
    expect(page.locator("h1")).to_have_text("My certificates")
    card = page.locator(".card", has_text=certificate.number)
    expect(card).to_contain_text("有限空间作业安全考试")
    expect(card).to_contain_text("✓ Valid")
    check(page, artifacts, "mine")

    with page.expect_download() as download:
        card.get_by_role("link", name="Download the certificate (PDF)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes() == certificate.pdf.open("rb").read()
    text = subprocess.run(
        ["pdftotext", str(saved), "-"], capture_output=True, check=True, text=True
    ).stdout
    # A formal design spaces the characters of a name out.
    assert certificate.number in text and "王建国" in "".join(text.split())

    phone.goto(f"{live_server.url}/en/certificates/verify/")
    check(phone, artifacts, "verify-form", width=390)
    phone.get_by_label("Certificate number").fill(certificate.number.lower())
    phone.get_by_label("Holder's full name").fill("王建国")
    phone.get_by_role("button", name="Verify").click()
    verdict = phone.get_by_role("status")
    expect(verdict).to_contain_text("Valid certificate")
    expect(verdict).to_contain_text("王*国")
    expect(verdict).to_contain_text("有限空间作业安全考试")
    expect(verdict).to_contain_text(certificate.expires_on.isoformat())
    expect(phone.locator("main")).not_to_contain_text("王建国")
    check(phone, artifacts, "verify-valid", width=390)

    phone.get_by_label("Holder's full name").fill("王建")
    phone.get_by_role("button", name="Verify").click()
    expect(phone.get_by_role("status")).to_contain_text("No such certificate")

    # The QR's link, in Chinese, the site's language.
    query = certificates.verification_url(certificate).split("?", 1)[1]
    phone.goto(f"{live_server.url}/certificates/verify/?{query}")
    expect(phone.locator(".verdict--valid")).to_contain_text("王*国")
    check(phone, artifacts, "verify-qr", width=390)

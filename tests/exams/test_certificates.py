"""
Certificates: issued once on a pass, numbered without duplicates, revoked,
reinstated and renewed with history, due for renewal review (复审), and
verified with the public fields only.

The PDF itself is tested in test_certificate_pdf.py; a real worker killed
mid-task in tests/integration/test_certificate_worker.py.
"""

import base64
import datetime
import io
import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import resolve
from django.utils import timezone, translation

from exams import certificates, grading, services, tasks
from exams.choices import AttemptStatus
from exams.models import (
    Attempt,
    AttemptQuestion,
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateSettings,
    CertificateStatus,
    NumberFormat,
)
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_files_left(db):
    yield
    for certificate in Certificate.objects.exclude(pdf=""):
        certificate.pdf.delete(save=False)


@pytest.fixture
def exam(db):
    return an_exam()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", real_name="李秀英")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", real_name="王建国")


@pytest.fixture
def config(db):
    return CertificateSettings.load()


def actions(certificate):
    return list(certificate.events.values_list("action", flat=True))


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


def test_it_issues_a_pass_its_certificate_with_number_dates_and_score(alice, exam):
    graded_at = datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai
    attempt = graded_attempt(alice, exam, score="93.5", graded_at=graded_at)

    certificate = certificates.issue(attempt_id=attempt.pk)

    assert certificate.number == "AK-2026-000001"
    assert (certificate.holder, certificate.exam, certificate.score) == (
        alice,
        exam,
        Decimal("93.5"),
    )
    assert certificate.issued_on == datetime.date(2026, 3, 2)
    assert certificate.expires_on == datetime.date(2029, 3, 2)
    assert certificate.status == CertificateStatus.VALID
    assert actions(certificate) == [CertificateAction.ISSUED]


def test_numbers_follow_each_other_within_a_year_and_start_again_the_next(alice, bob, exam):
    def issued(candidate, year):
        when = datetime.datetime(year, 6, 1, 4, tzinfo=datetime.UTC)
        return certificates.issue(attempt_id=graded_attempt(candidate, exam, graded_at=when).pk)

    assert [issued(alice, 2026).number, issued(bob, 2026).number, issued(bob, 2027).number] == [
        "AK-2026-000001",
        "AK-2026-000002",
        "AK-2027-000001",
    ]


def test_special_operations_numbers_are_t_and_the_id_number(alice, exam, config):
    config.number_format = NumberFormat.SPECIAL_OPERATIONS
    config.save()
    second_exam = an_exam("危险化学品特种作业考试")

    first = certificates.issue(attempt_id=graded_attempt(alice, exam).pk)
    second = certificates.issue(attempt_id=graded_attempt(alice, second_exam).pk)

    assert first.number == f"T{alice.id_number}"
    assert second.number == f"T{alice.id_number}-2"
    assert not CertificateCounter.objects.exists()


def test_the_qr_code_of_a_t_number_does_not_carry_the_id_number(alice, exam, config):
    config.number_format = NumberFormat.SPECIAL_OPERATIONS
    config.save()
    certificate = certificates.issue(attempt_id=graded_attempt(alice, exam).pk)

    url = certificates.verification_url(certificate)
    payload = parse_qs(urlsplit(url).query)["t"][0].split(":")[0]

    assert alice.id_number not in url
    assert alice.id_number.encode() not in base64.urlsafe_b64decode(payload + "==")
    assert certificates.verify(token=parse_qs(urlsplit(url).query)["t"][0]).state == "valid"


def test_validity_follows_the_bureaus_setting_and_29_february_becomes_28(alice, exam, config):
    config.validity_years = 2
    config.save()
    leap_day = datetime.datetime(2028, 2, 29, 4, tzinfo=datetime.UTC)

    certificate = certificates.issue(attempt_id=graded_attempt(alice, exam, graded_at=leap_day).pk)

    assert certificate.expires_on == datetime.date(2030, 2, 28)


@pytest.mark.parametrize(
    "attempt_kind",
    [
        {"passed": False, "score": "61.0"},
        {"practice": True},
    ],
    ids=["a fail", "practice"],
)
def test_a_fail_or_a_practice_round_gets_no_certificate_and_uses_no_number(
    alice, exam, attempt_kind
):
    attempt = graded_attempt(alice, exam, **attempt_kind)

    assert certificates.issue(attempt_id=attempt.pk) is None
    assert certificates.certificate_held_back(attempt)
    assert not Certificate.objects.exists()
    assert not CertificateCounter.objects.filter(last__gt=0).exists()


def test_an_attempt_not_yet_graded_is_held_back(alice, exam):
    attempt = graded_attempt(alice, exam)
    attempt.status = AttemptStatus.SUBMITTED

    assert certificates.certificate_held_back(attempt)


def test_issuing_again_returns_the_same_certificate_and_records_nothing_new(alice, exam):
    attempt = graded_attempt(alice, exam)

    first = certificates.issue(attempt_id=attempt.pk)
    again = certificates.issue(attempt_id=attempt.pk)

    assert again.pk == first.pk and again.number == first.number
    assert Certificate.objects.count() == 1
    assert actions(first) == [CertificateAction.ISSUED]
    assert CertificateCounter.objects.get().last == 1


def test_an_issue_rolled_back_gives_its_number_back(alice, bob, exam):
    lost = graded_attempt(alice, exam)
    with pytest.raises(RuntimeError), transaction.atomic():
        certificates.issue(attempt_id=lost.pk)
        raise RuntimeError("the worker's transaction never committed")

    kept = certificates.issue(attempt_id=graded_attempt(bob, exam).pk)

    assert kept.number.endswith("-000001")


def test_grading_a_pass_issues_its_certificate_with_its_pdf_once_committed(
    alice, exam, django_capture_on_commit_callbacks
):
    exam.paper.pass_mark = Decimal("0")
    exam.paper.save()
    attempt = graded_attempt(alice, exam)
    Attempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.SUBMITTED)
    attempt.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        grading.grade(attempt)
    assert not Certificate.objects.exists()  # nothing before the grade is committed
    for callback in queued:
        callback()

    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.pdf and certificate.pdf.read().startswith(b"%PDF")


def test_grading_a_practice_round_queues_nothing(alice, exam, django_capture_on_commit_callbacks):
    exam.paper.pass_mark = Decimal("0")
    exam.paper.save()
    attempt = graded_attempt(alice, exam, practice=True)
    Attempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.SUBMITTED)
    attempt.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        grading.grade(attempt)

    assert attempt.passed and not queued
    assert not Certificate.objects.exists()


def test_a_correction_that_turns_a_fail_into_a_pass_issues_the_certificate(
    alice, exam, make_question, trainer, bureau_admin, django_capture_on_commit_callbacks
):
    question = make_question(type="single", answer=[1])
    attempt = graded_attempt(alice, exam, score="0", passed=False)
    AttemptQuestion.objects.create(
        attempt=attempt, position=1, question=question, points=Decimal("100"), selected=[2]
    )
    exam.paper.pass_mark = Decimal("60")
    exam.paper.save()
    corrected = services.question_revise(question=question, user=trainer, answer=[2])

    with django_capture_on_commit_callbacks(execute=True):
        grading.regrade(question=corrected, by=bureau_admin, reason="答案有误，更正为丙")

    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.score == Decimal("100") and certificate.pdf


def test_a_correction_that_turns_a_pass_into_a_fail_revokes_the_certificate(
    alice, exam, make_question, trainer, bureau_admin, django_capture_on_commit_callbacks
):
    question = make_question(type="single", answer=[1])
    attempt = graded_attempt(alice, exam, score="100", passed=True)
    AttemptQuestion.objects.create(
        attempt=attempt,
        position=1,
        question=question,
        points=Decimal("100"),
        selected=[1],
        earned=100,
    )
    exam.paper.pass_mark = Decimal("60")
    exam.paper.save()
    issued = certificates.issue(attempt_id=attempt.pk)
    corrected = services.question_revise(question=question, user=trainer, answer=[2])

    with django_capture_on_commit_callbacks(execute=True):
        grading.regrade(question=corrected, by=bureau_admin, reason="答案有误，更正为丙")

    issued.refresh_from_db()
    assert issued.status == CertificateStatus.REVOKED
    assert "答案有误，更正为丙" in issued.revocation_reason
    assert certificates.verify(token=certificates.certificate_token(issued)).state == "revoked"


def test_a_correction_that_changes_a_passing_score_reprints_the_certificate(
    alice, exam, make_question, trainer, bureau_admin, django_capture_on_commit_callbacks
):
    right, wrong = (
        make_question(type="single", answer=[1]),
        make_question(type="single", answer=[1]),
    )
    attempt = graded_attempt(alice, exam, score="60", passed=True)
    AttemptQuestion.objects.create(
        attempt=attempt, position=1, question=right, points=Decimal("60"), selected=[1], earned=60
    )
    AttemptQuestion.objects.create(
        attempt=attempt, position=2, question=wrong, points=Decimal("40"), selected=[2], earned=0
    )
    exam.paper.pass_mark = Decimal("60")
    exam.paper.save()
    issued = certificates.issue_and_render(attempt_id=attempt.pk)
    first_pdf = issued.pdf.name
    corrected = services.question_revise(question=wrong, user=trainer, answer=[2])

    with django_capture_on_commit_callbacks(execute=True):
        grading.regrade(question=corrected, by=bureau_admin, reason="答案有误")

    issued.refresh_from_db()
    assert (issued.status, issued.score) == (CertificateStatus.VALID, Decimal("100"))
    assert issued.pdf.name != first_pdf
    assert actions(issued) == [
        CertificateAction.ISSUED,
        CertificateAction.RESCORED,
        CertificateAction.RENDERED,
    ]


def test_a_task_redelivered_after_the_worker_died_before_the_pdf_finishes_it(alice, exam):
    attempt = graded_attempt(alice, exam)
    # The first delivery committed the certificate, then its worker was lost.
    issued = certificates.issue(attempt_id=attempt.pk)
    assert not issued.pdf

    tasks.issue_certificate.delay(attempt.pk)  # redelivered
    tasks.issue_certificate.delay(attempt.pk)  # and delivered once more

    certificate = Certificate.objects.get()
    assert (certificate.pk, certificate.number) == (issued.pk, issued.number)
    assert certificate.pdf.read().startswith(b"%PDF")
    assert actions(certificate) == [CertificateAction.ISSUED]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_run_concurrently_issues_one_certificate_with_one_number(alice, exam):
    attempt = graded_attempt(alice, exam)
    runs = 4
    barrier, errors = threading.Barrier(runs), []

    def run():
        translation.activate("en")
        try:
            barrier.wait()
            tasks.issue_certificate.apply(args=[attempt.pk], throw=True)
        except Exception as error:  # noqa: BLE001 - the test looks at every error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    certificate = Certificate.objects.get()
    assert certificate.number == f"AK-{certificate.issued_on.year}-000001"
    assert certificate.pdf.read().startswith(b"%PDF")
    assert actions(certificate) == [CertificateAction.ISSUED]
    assert CertificateCounter.objects.get().last == 1
    _folders, files = certificate.pdf.storage.listdir("certificates")
    assert certificate.pdf.name.rsplit("/", 1)[1] in files
    certificate.pdf.delete(save=False)  # before the flush that ends a transactional test


# ---------------------------------------------------------------------------
# Re-rendering in bulk
# ---------------------------------------------------------------------------


def test_rerender_all_replaces_each_pdf_and_records_it(
    alice, bob, exam, superuser, django_capture_on_commit_callbacks
):
    issued = [
        certificates.issue_and_render(attempt_id=graded_attempt(person, exam).pk)
        for person in (alice, bob)
    ]
    before = {c.pk: c.pdf.name for c in issued}
    assert all(before.values())

    with django_capture_on_commit_callbacks(execute=True):  # the job runs eagerly in tests
        assert certificates.rerender_all(by=superuser) == 2

    for certificate in Certificate.objects.all():
        assert certificate.pdf.name != before[certificate.pk]
        assert certificate.pdf.read().startswith(b"%PDF")
        assert not certificate.pdf.storage.exists(before[certificate.pk])
        rendered = certificate.events.get(action=CertificateAction.RENDERED)
        assert rendered.by == superuser


def test_a_pdf_left_behind_by_a_killed_render_is_purged_after_a_day(alice, exam, tmp_path):
    certificate = certificates.issue(attempt_id=graded_attempt(alice, exam).pk)
    # A folder of this test's own: the shared one holds other runs' certificates.
    storage = FileSystemStorage(location=tmp_path)
    recorded = storage.save("certificates/recorded.pdf", ContentFile(b"%PDF-1.7 recorded"))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=recorded)
    orphan = storage.save("certificates/left-behind.pdf", ContentFile(b"%PDF-1.7 orphan"))

    assert certificates.purge_unreferenced_pdfs(storage=storage) == 0  # maybe still recording
    a_day_later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    assert certificates.purge_unreferenced_pdfs(now=a_day_later, storage=storage) == 1

    assert not storage.exists(orphan)
    assert storage.exists(recorded)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="")


# ---------------------------------------------------------------------------
# Revocation and reinstatement
# ---------------------------------------------------------------------------


@pytest.fixture
def certificate(alice, exam):
    return certificates.issue(attempt_id=graded_attempt(alice, exam).pk)


def test_revoking_records_who_when_and_why(certificate, bureau_admin):
    revoked = certificates.revoke(certificate=certificate, by=bureau_admin, reason="冒名顶替考试")

    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revocation_reason == "冒名顶替考试" and revoked.revoked_at is not None
    event = revoked.events.get(action=CertificateAction.REVOKED)
    assert (event.by, event.reason) == (bureau_admin, "冒名顶替考试")


def test_revoking_needs_a_reason_and_a_valid_certificate(certificate, bureau_admin):
    with pytest.raises(ValidationError):
        certificates.revoke(certificate=certificate, by=bureau_admin, reason="  ")
    certificates.revoke(certificate=certificate, by=bureau_admin, reason="冒名顶替")
    with pytest.raises(certificates.CertificateStateError):
        certificates.revoke(certificate=certificate, by=bureau_admin, reason="again")


def test_reinstating_makes_it_valid_and_keeps_the_revocation_in_the_history(
    certificate, bureau_admin
):
    certificates.revoke(certificate=certificate, by=bureau_admin, reason="冒名顶替")

    reinstated = certificates.reinstate(
        certificate=certificate, by=bureau_admin, reason="复核后确认为本人"
    )

    assert reinstated.status == CertificateStatus.VALID and reinstated.revoked_at is None
    assert actions(reinstated) == [
        CertificateAction.ISSUED,
        CertificateAction.REVOKED,
        CertificateAction.REINSTATED,
    ]
    assert reinstated.events.last().details["revocation_reason"] == "冒名顶替"
    with pytest.raises(certificates.CertificateStateError):
        certificates.reinstate(certificate=certificate, by=bureau_admin, reason="again")


# ---------------------------------------------------------------------------
# Renewal review (复审)
# ---------------------------------------------------------------------------


def test_renewing_before_expiry_extends_from_the_old_expiry(certificate, bureau_admin, exam, alice):
    renewal_exam = graded_attempt(alice, exam)
    old = certificate.expires_on
    today = old - datetime.timedelta(days=30)

    renewed = certificates.renew(
        certificate=certificate,
        by=bureau_admin,
        reason="复审考试合格",
        via_attempt=renewal_exam,
        today=today,
    )

    assert renewed.expires_on == old.replace(year=old.year + 3)
    event = renewed.events.get(action=CertificateAction.RENEWED)
    assert event.details == {
        "attempt": renewal_exam.pk,
        "expires_before": old.isoformat(),
        "expires_after": renewed.expires_on.isoformat(),
    }


def test_passing_the_exam_again_in_the_renewal_window_extends_the_certificate_once(
    alice, exam, config
):
    first = certificates.issue_and_render(
        attempt_id=graded_attempt(
            alice, exam, graded_at=timezone.now() - datetime.timedelta(days=3 * 365 - 30)
        ).pk
    )
    printed, old_expiry = first.pdf.name, first.expires_on
    assert (old_expiry - timezone.localdate()).days <= config.renewal_window_days
    renewal_exam = graded_attempt(alice, exam)

    renewed = certificates.issue_and_render(attempt_id=renewal_exam.pk)
    again = certificates.issue_and_render(attempt_id=renewal_exam.pk)  # a re-delivered task

    assert renewed.pk == again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert again.expires_on == certificates.add_years(old_expiry, 3)
    assert again.pdf.name != printed  # the new expiry is printed
    event = again.events.get(action=CertificateAction.RENEWED)
    assert event.attempt == renewal_exam
    assert event.details["expires_before"] == old_expiry.isoformat()


def test_the_catch_up_sweep_queues_a_lost_certificate_but_not_a_renewing_pass(
    alice, exam, config, django_capture_on_commit_callbacks
):
    first = certificates.issue_and_render(
        attempt_id=graded_attempt(
            alice, exam, graded_at=timezone.now() - datetime.timedelta(days=3 * 365 - 30)
        ).pk
    )
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    renewal_exam = graded_attempt(alice, exam, graded_at=an_hour_ago)
    certificates.issue_and_render(attempt_id=renewal_exam.pk)
    # Bob's pass was graded while the broker was down: its task never left.
    lost = graded_attempt(UserFactory(), exam, graded_at=an_hour_ago)

    with django_capture_on_commit_callbacks(execute=True):
        queued = certificates.queue_missing(older_than=datetime.timedelta(minutes=5))

    # The renewing pass extended Alice's certificate and needs nothing more;
    # Bob's gets his (the test runs tasks eagerly).
    assert queued == 1
    assert Certificate.objects.filter(attempt=lost).exclude(pdf="").exists()
    assert Certificate.objects.filter(attempt__candidate=alice).get() == first
    assert certificates.queue_missing(older_than=datetime.timedelta(minutes=5)) == 0


def test_a_pass_cannot_renew_twice(certificate, bureau_admin, exam, alice):
    renewal_exam = graded_attempt(alice, exam)
    certificates.renew(
        certificate=certificate, by=bureau_admin, reason="复审", via_attempt=renewal_exam
    )

    with pytest.raises(ValidationError):
        certificates.renew(
            certificate=certificate, by=bureau_admin, reason="复审", via_attempt=renewal_exam
        )


def test_renewing_after_expiry_extends_from_today(certificate, bureau_admin):
    today = certificate.expires_on + datetime.timedelta(days=10)

    renewed = certificates.renew(
        certificate=certificate, by=bureau_admin, reason="复审合格", today=today
    )

    assert renewed.expires_on == today.replace(year=today.year + 3)


def test_renewal_by_someone_elses_exam_or_of_a_revoked_certificate_is_refused(
    certificate, bureau_admin, bob, exam
):
    with pytest.raises(ValidationError):
        certificates.renew(
            certificate=certificate,
            by=bureau_admin,
            reason="复审",
            via_attempt=graded_attempt(bob, exam),
        )
    certificates.revoke(certificate=certificate, by=bureau_admin, reason="冒名顶替")
    with pytest.raises(certificates.CertificateStateError):
        certificates.renew(certificate=certificate, by=bureau_admin, reason="复审")


def test_due_for_renewal_lists_valid_certificates_expiring_within_the_window(
    alice, bob, bureau_admin, config
):
    config.renewal_window_days = 60
    config.save()
    today = datetime.date(2026, 11, 29)

    def expiring_in(person, days):
        # Each of another exam: a second pass of the same exam would renew the first.
        exam = an_exam(f"考试{days}")
        certificate = certificates.issue(attempt_id=graded_attempt(person, exam).pk)
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_on=today + datetime.timedelta(days=days)
        )
        return certificate

    soon, last_day = expiring_in(alice, 5), expiring_in(bob, 60)
    expiring_in(alice, 61)  # not yet
    expiring_in(bob, -1)  # already expired
    revoked = expiring_in(alice, 10)
    certificates.revoke(certificate=revoked, by=bureau_admin, reason="冒名顶替")

    assert list(certificates.due_for_renewal(today=today)) == [soon, last_day]
    assert list(
        certificates.due_for_renewal(Certificate.objects.filter(holder=bob), today=today)
    ) == [last_day]


# ---------------------------------------------------------------------------
# Public verification
# ---------------------------------------------------------------------------


def test_the_verification_url_is_the_public_page_with_a_signed_token(certificate, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://ankang.example.cn/"

    url = certificates.verification_url(certificate)

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://ankang.example.cn/certificates/verify/"
    )
    assert resolve(parts.path).view_name == "certificates:verify"
    token = parse_qs(parts.query)["t"][0]
    assert certificates.verify(token=token).state == "valid"


def test_verifying_by_token_shows_the_public_fields_only(certificate):
    result = certificates.verify(token=certificates.certificate_token(certificate))

    assert result == certificates.Verification(
        state="valid",
        masked_name="李*英",
        exam_title="有限空间作业安全考试",
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        revoked_on=None,
    )


def test_the_token_is_the_same_each_time_a_certificate_is_printed(certificate):
    assert certificates.certificate_token(certificate) == certificates.certificate_token(
        Certificate.objects.get(pk=certificate.pk)
    )


def test_a_tampered_token_is_not_found(certificate):
    token = certificates.certificate_token(certificate)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    assert certificates.verify(token=forged).state == "not_found"
    assert certificates.verify(token="").state == "not_found"


def test_verifying_by_number_needs_the_holders_name(certificate):
    right = certificates.verify(number=certificate.number.lower(), name=" 李 秀英 ")
    wrong = certificates.verify(number=certificate.number, name="李秀")

    assert right.state == "valid"
    assert wrong == certificates.Verification(state="not_found")


def test_a_revoked_certificate_says_revoked_with_its_date(certificate, bureau_admin):
    when = datetime.datetime(2026, 5, 12, 17, tzinfo=datetime.UTC)  # 13 May in Shanghai
    certificates.revoke(certificate=certificate, by=bureau_admin, reason="冒名顶替", now=when)

    result = certificates.verify(number=certificate.number, name="李秀英")

    assert (result.state, result.revoked_on) == ("revoked", datetime.date(2026, 5, 13))


def test_an_expired_certificate_says_expired(certificate):
    day_after = certificate.expires_on + datetime.timedelta(days=1)

    assert certificates.verify(number=certificate.number, name="李秀英", today=day_after).state == (
        "expired"
    )
    assert certificates.verify(
        number=certificate.number, name="李秀英", today=certificate.expires_on
    ).state == ("valid")


def test_found_and_not_found_cost_the_same_one_query(certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert certificates.verify(number=certificate.number, name="李秀英").found
    with django_assert_num_queries(1):
        assert not certificates.verify(number="AK-2026-999999", name="李秀英").found
    with django_assert_num_queries(1):
        assert not certificates.verify(token="forged").found


@pytest.mark.parametrize(
    ("name", "masked"),
    [("李秀英", "李*英"), ("王𡃁", "王*"), ("欧阳娜娜", "欧**娜"), ("张", "*"), ("", "")],
)
def test_names_are_masked_keeping_the_first_and_last_character(name, masked):
    assert certificates.mask_name(name) == masked


def test_the_issue_date_is_the_day_of_grading_in_china(alice, exam):
    late_evening_utc = datetime.datetime(2026, 12, 31, 17, tzinfo=datetime.UTC)

    certificate = certificates.issue(
        attempt_id=graded_attempt(alice, exam, graded_at=late_evening_utc).pk
    )

    assert certificate.issued_on == datetime.date(2027, 1, 1)
    assert certificate.number == "AK-2027-000001"
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------


def test_seed_demo_issues_li_xiuying_the_certificate_of_her_pass_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    certificate = Certificate.objects.get()
    assert certificate.holder.username == "candidate2"
    assert certificate.holder.real_name == "李秀英"
    assert certificate.attempt.passed and not certificate.attempt.practice
    assert certificate.issued_on == timezone.localdate(certificate.attempt.graded_at)
    assert certificate.issued_on < timezone.localdate()  # she sat it a month ago
    assert certificates.verify(number=certificate.number, name="李秀英").state == "valid"
    seal = CertificateSettings.load().seal  # the demo bureau's seal is printed on it
    assert seal and seal.storage.exists(seal.name)
    seal.delete()

"""
Certificates: issued on a pass, numbered, rendered once, verified by anyone.

- `issue` turns a graded pass into exactly one certificate. It is run by the
  `issue_certificate` task, which grading queues on commit; a retry, a
  duplicate delivery or a worker killed mid-way finds the certificate already
  there (the attempt is unique on `Certificate`, and the attempt row is
  locked while it is issued) and only finishes what is missing: the PDF.
- Numbers come from a locked yearly counter (`AK-2026-000123`), taken in the
  same transaction as the certificate, so a rolled-back issue gives its
  number back; or, for special operations, `T` + the holder's ID number.
- `revoke`, `reinstate` and `renew` are the bureau's writes, each recorded in
  the certificate's history; `due_for_renewal` lists what needs a renewal
  review (复审).
- `verify` answers the public verification page, by the QR code's signed
  token or by number and name, with the public fields only.
"""

import datetime
import hmac
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError
from exams.choices import AttemptStatus
from exams.models import (
    Attempt,
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateEvent,
    CertificateSettings,
    CertificateStatus,
    NumberFormat,
)

TOKEN_SALT = "exams.certificate"  # noqa: S105 - a salt, not a secret
# Where the public verification page lives (the QR code on every printed
# certificate points here, so it must not move): `certificates:verify`.
VERIFY_PATH = "/certificates/verify/"


class CertificateStateError(DomainError):
    code = "certificate_state"
    status = 409


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


def certificate_held_back(attempt):
    """
    Whether `attempt` must not (yet) get a certificate: it is not a graded
    pass, it is a practice round, or a serious proctoring flag on it awaits
    review (the review queues the certificate itself when it clears it).
    """
    if attempt.practice or attempt.status != AttemptStatus.GRADED or attempt.passed is not True:
        return True
    # Proctoring builds on exams, so exams asks it here rather than at import.
    from proctoring.selectors import under_review

    return under_review(attempt)


def queue_issue(attempt):
    """Queue the certificate of a graded pass, once the caller's transaction commits."""
    if certificate_held_back(attempt):
        return
    from exams import tasks

    tasks.issue_certificate.delay_on_commit(attempt.pk)


def queue_missing(*, older_than, now=None, batch=500):
    """
    Queue again the certificates of passes graded more than `older_than` ago
    (a timedelta) that have none, or none with its PDF: their task was lost,
    queued while the broker was down. Only the last week's passes. Returns
    how many were queued (those held back are not).
    """
    now = now or timezone.now()
    passes = (
        Attempt.objects.filter(
            status=AttemptStatus.GRADED,
            passed=True,
            practice=False,
            graded_at__lt=now - older_than,
            graded_at__gt=now - datetime.timedelta(days=7),
        )
        .filter(Q(certificate__isnull=True) | Q(certificate__pdf=""))
        # A pass that renewed a certificate held has none of its own, by design.
        .exclude(
            Exists(
                CertificateEvent.objects.filter(
                    attempt=OuterRef("pk"), action=CertificateAction.RENEWED
                )
            )
        )
        # The newest first: a lost task is most likely recent, and passes held
        # back for review must not crowd it out of the batch.
        .order_by("-graded_at")[:batch]
    )
    queued = 0
    for attempt in passes:
        if not certificate_held_back(attempt):
            queue_issue(attempt)
            queued += 1
    return queued


def add_years(day, years):
    """`day` `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _next_yearly_number(year):
    # The counter row is created if missing (a no-op when it exists), then
    # locked until the issuing transaction ends: two certificates never share
    # a number, and a rolled-back issue leaves no gap.
    CertificateCounter.objects.bulk_create([CertificateCounter(year=year)], ignore_conflicts=True)
    counter = CertificateCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AK-{year}-{counter.last:06d}"


def _special_operations_number(holder):
    """
    `T` + the ID number, like the national special-operations card; a second
    certificate of the same holder (another operation type) gets `-2`, `-3`…
    """
    base = f"T{holder.id_number}"
    taken = set(
        Certificate.objects.filter(number__startswith=base).values_list("number", flat=True)
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def certificate_number(*, holder, year, number_format):
    """The next number in `number_format`; a holder without an ID number gets a yearly one."""
    if number_format == NumberFormat.SPECIAL_OPERATIONS and holder.id_number:
        return _special_operations_number(holder)
    return _next_yearly_number(year)


def issue(*, attempt_id):
    """
    The certificate of a graded pass: created the first time, the same one
    every time after. None while the attempt is held back.
    """
    try:
        return _issue(attempt_id)
    except IntegrityError:
        # The unique attempt caught a second issuer that got past the lock
        # (it cannot today; the constraint is the last word).
        return Certificate.objects.get(attempt_id=attempt_id)


@transaction.atomic
def _issue(attempt_id):
    # Locking the attempt makes concurrent issuers of one attempt take turns:
    # the second finds the first one's certificate.
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("candidate", "exam")
        .get(pk=attempt_id)
    )
    existing = Certificate.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    renewal = (
        CertificateEvent.objects.filter(attempt=attempt, action=CertificateAction.RENEWED)
        .select_related("certificate")
        .first()
    )
    if renewal is not None:
        return renewal.certificate
    if certificate_held_back(attempt):
        return None
    config = CertificateSettings.load()
    issued_on = timezone.localdate(attempt.graded_at or timezone.now())
    due = (
        due_for_renewal(
            Certificate.objects.filter(holder=attempt.candidate, exam=attempt.exam),
            today=issued_on,
        )
        .select_for_update(of=("self",))
        .first()
    )
    if due is not None:
        # The holder passed the same exam during the renewal review window
        # (复审): the certificate they hold is extended, not doubled.
        return renew(
            certificate=due,
            by=None,
            reason=_("Passed the exam again during the renewal review."),
            via_attempt=attempt,
            today=issued_on,
        )
    certificate = Certificate.objects.create(
        attempt=attempt,
        holder=attempt.candidate,
        exam=attempt.exam,
        number=certificate_number(
            holder=attempt.candidate, year=issued_on.year, number_format=config.number_format
        ),
        score=attempt.score,
        issued_on=issued_on,
        expires_on=add_years(issued_on, config.validity_years),
    )
    _record(
        certificate,
        CertificateAction.ISSUED,
        details={"number": certificate.number, "expires_on": certificate.expires_on.isoformat()},
    )
    return certificate


def issue_and_render(*, attempt_id):
    """
    What the `issue_certificate` task does: issue (or renew), then render the
    PDF if it has none or it was printed before the renewal.
    """
    certificate = issue(attempt_id=attempt_id)
    if certificate is not None and _needs_render(certificate):
        certificate = store_pdf(certificate_id=certificate.pk)
    return certificate


def _needs_render(certificate):
    if not certificate.pdf:
        return True
    return certificate.events.filter(
        action=CertificateAction.RENEWED, at__gt=certificate.rendered_at
    ).exists()


def _record(certificate, action, *, by=None, reason="", details=None, attempt=None):
    return CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        by=by,
        reason=reason[:255],
        details=details or {},
        attempt=attempt,
    )


# ---------------------------------------------------------------------------
# The PDF, kept in private storage
# ---------------------------------------------------------------------------


def store_pdf(*, certificate_id, by=None, record=False):
    """
    Render a certificate's PDF and keep it, replacing the earlier file.
    `record` adds a RENDERED event (a re-render after a template change).
    Two renders at once both write a file; only the one that replaces the
    file it started from is kept.
    """
    from django.core.files.base import ContentFile

    from exams import certificate_pdf

    certificate = Certificate.objects.select_related("holder", "exam").get(pk=certificate_id)
    earlier = certificate.pdf.name or ""
    pdf = certificate_pdf.render_certificate(certificate)
    storage = certificate.pdf.storage
    name = storage.save(certificate_pdf.file_name(certificate), ContentFile(pdf))
    with transaction.atomic():
        now = timezone.now()
        won = Certificate.objects.filter(pk=certificate.pk, pdf=earlier).update(
            pdf=name, rendered_at=now
        )
        if won and record:
            _record(certificate, CertificateAction.RENDERED, by=by)
    if not won:
        storage.delete(name)
    elif earlier:
        storage.delete(earlier)
    certificate.refresh_from_db()
    return certificate


def with_stored_pdf(certificate):
    """
    `certificate` with its PDF on file: one not rendered yet (the worker is
    busy, a certificate made in bulk) or whose file was lost is rendered now.
    """
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        return store_pdf(certificate_id=certificate.pk)
    return certificate


def purge_unreferenced_pdfs(now=None, storage=None):
    """
    Delete PDFs that no certificate points to: a render whose worker died
    between writing the file and recording it. Only files older than a day,
    so that a render in progress keeps its file. Returns how many went.
    """
    now = now or timezone.now()
    storage = storage or Certificate._meta.get_field("pdf").storage
    try:
        _folders, files = storage.listdir("certificates")
    except FileNotFoundError:
        return 0
    names = {f"certificates/{name}" for name in files}
    kept = set(Certificate.objects.filter(pdf__in=names).values_list("pdf", flat=True))
    gone = [
        name
        for name in names - kept
        if now - storage.get_modified_time(name) > datetime.timedelta(days=1)
    ]
    for name in gone:
        storage.delete(name)
    return len(gone)


def rerender_all(*, by=None, certificates=None):
    """
    Queue a bulk job that renders the PDFs of `certificates` (default: all)
    again, after the template or the bureau's settings changed. Returns how
    many are queued.
    """
    from exams import tasks

    queryset = Certificate.objects.all() if certificates is None else certificates
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    if ids:
        tasks.rerender_certificates.delay_on_commit(ids, by.pk if by else None)
    return len(ids)


# ---------------------------------------------------------------------------
# Revocation, reinstatement, renewal review (复审)
# ---------------------------------------------------------------------------


def _locked(certificate):
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def _require_reason(reason):
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason."))
    return reason.strip()


@transaction.atomic
def revoke(*, certificate, by, reason, now=None):
    """Revoke a valid certificate: the verification page then says revoked, with the date."""
    reason = _require_reason(reason)
    certificate = _locked(certificate)
    if certificate.status == CertificateStatus.REVOKED:
        raise CertificateStateError(_("This certificate is already revoked."))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = now or timezone.now()
    certificate.revocation_reason = reason[:255]
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    _record(certificate, CertificateAction.REVOKED, by=by, reason=reason)
    return certificate


def revoke_for_voided_attempt(attempt, *, by, reason):
    """Revoke the certificate of an attempt voided after it was issued, if there is one."""
    certificate = Certificate.objects.filter(
        attempt=attempt, status=CertificateStatus.VALID
    ).first()
    if certificate is not None:
        revoke(certificate=certificate, by=by, reason=reason)


def follow_regrade(attempt, *, passed_before, by, reason):
    """
    Bring the certificate of a re-graded attempt into line with its new score
    (inside the re-grade's transaction):
    - a fail that became a pass gets its certificate;
    - a pass that became a fail loses it: revoked, with the correction as the
      reason, so the verification page stops saying valid;
    - a pass that stays a pass has its new score printed: the PDF is rendered
      again once the re-grade commits.
    """
    if not passed_before:
        queue_issue(attempt)
        return
    certificate = Certificate.objects.filter(attempt=attempt).first()
    if certificate is None:
        return
    if not attempt.passed:
        if certificate.status == CertificateStatus.VALID:
            revoke(
                certificate=certificate,
                by=by,
                reason=_("Re-graded below the pass mark: %(reason)s") % {"reason": reason},
            )
        return
    before = certificate.score
    certificate.score = attempt.score
    certificate.save(update_fields=["score"])
    _record(
        certificate,
        CertificateAction.RESCORED,
        by=by,
        reason=reason,
        details={"score_before": str(before), "score_after": str(attempt.score)},
    )
    from exams import tasks

    tasks.render_certificate.delay_on_commit(certificate.pk, by.pk if by else None)


@transaction.atomic
def reinstate(*, certificate, by, reason):
    """Make a revoked certificate valid again; the revocation stays in its history."""
    reason = _require_reason(reason)
    certificate = _locked(certificate)
    if certificate.status != CertificateStatus.REVOKED:
        raise CertificateStateError(_("Only a revoked certificate can be reinstated."))
    revoked = {
        "revoked_at": certificate.revoked_at.isoformat(),
        "revocation_reason": certificate.revocation_reason,
    }
    certificate.status = CertificateStatus.VALID
    certificate.revoked_at = None
    certificate.revocation_reason = ""
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    _record(certificate, CertificateAction.REINSTATED, by=by, reason=reason, details=revoked)
    return certificate


@transaction.atomic
def renew(*, certificate, by, reason, via_attempt=None, via_training=None, today=None):
    """
    A renewal review (复审) passed: extend the expiry by the validity period
    from the later of today and the current expiry. `via_attempt` (a passed
    renewal exam of the holder) or `via_training` (a completed
    `training.Enrolment` of the holder) is what justified it; it is recorded.
    """
    reason = _require_reason(reason)
    today = today or timezone.localdate()
    certificate = _locked(certificate)
    if certificate.status == CertificateStatus.REVOKED:
        raise CertificateStateError(_("A revoked certificate cannot be renewed."))
    details = {}
    if via_attempt is not None:
        if via_attempt.candidate_id != certificate.holder_id or certificate_held_back(via_attempt):
            raise ValidationError(_("The renewal exam must be a pass of the holder."))
        if CertificateEvent.objects.filter(
            attempt=via_attempt, action=CertificateAction.RENEWED
        ).exists() or hasattr(via_attempt, "certificate"):
            raise ValidationError(_("This pass has already been used for a certificate."))
        details["attempt"] = via_attempt.pk
    if via_training is not None:
        if via_training.learner_id != certificate.holder_id or via_training.completed_at is None:
            raise ValidationError(_("The training must be completed by the holder."))
        details["training"] = via_training.pk
    before = certificate.expires_on
    validity = CertificateSettings.load().validity_years
    certificate.expires_on = add_years(max(today, before), validity)
    certificate.save(update_fields=["expires_on"])
    details |= {
        "expires_before": before.isoformat(),
        "expires_after": certificate.expires_on.isoformat(),
    }
    _record(
        certificate,
        CertificateAction.RENEWED,
        by=by,
        reason=reason,
        details=details,
        attempt=via_attempt,
    )
    # The new expiry is printed once this commits.
    from exams import tasks

    tasks.render_certificate.delay_on_commit(certificate.pk, by.pk if by else None)
    return certificate


def renewal_evidence(certificate):
    """
    What may justify renewing `certificate` by hand: the holder's passes
    graded since it was issued that have not issued or renewed a certificate,
    and the courses the holder completed since then. Two short lists.
    """
    from training.models import Enrolment

    used = CertificateEvent.objects.filter(
        action=CertificateAction.RENEWED, attempt__isnull=False
    ).values("attempt_id")
    passes = (
        Attempt.objects.filter(
            candidate=certificate.holder_id,
            practice=False,
            status=AttemptStatus.GRADED,
            passed=True,
            graded_at__date__gte=certificate.issued_on,
            certificate__isnull=True,
        )
        .exclude(pk__in=used)
        .select_related("exam")
        .order_by("-graded_at")
    )
    trainings = Enrolment.objects.filter(
        learner=certificate.holder_id, completed_at__date__gte=certificate.issued_on
    ).order_by("-completed_at")
    return {"passes": list(passes), "trainings": list(trainings)}


def due_for_renewal(queryset=None, *, today=None):
    """Valid certificates expiring between today and the end of the renewal review window."""
    today = today or timezone.localdate()
    window = CertificateSettings.load().renewal_window_days
    queryset = Certificate.objects.all() if queryset is None else queryset
    return (
        queryset.filter(
            status=CertificateStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=window),
        )
        .select_related("holder", "exam")
        .order_by("expires_on", "pk")
    )


# ---------------------------------------------------------------------------
# Public verification
# ---------------------------------------------------------------------------


def certificate_token(certificate):
    """
    The signed token the QR code carries. It names the certificate by its
    database id, not its number: a special-operations number is `T` + the
    holder's ID number, and a signed token is readable by anyone who decodes
    it. No timestamp: a certificate's token is the same every time it is printed.
    """
    return signing.Signer(salt=TOKEN_SALT).sign_object({"c": certificate.pk})


def verification_url(certificate, request=None):
    """The absolute address of the verification page for `certificate`, as on its QR code."""
    query = urlencode({"t": certificate_token(certificate)})
    if request is not None:
        return request.build_absolute_uri(f"{VERIFY_PATH}?{query}")
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{VERIFY_PATH}?{query}"


def mask_name(name):
    """`李*英`, `王*`, `欧阳**`: the first and (from three characters) the last character."""
    characters = list(name or "")
    if len(characters) <= 1:
        return "*" * len(characters)
    if len(characters) == 2:
        return f"{characters[0]}*"
    return f"{characters[0]}{'*' * (len(characters) - 2)}{characters[-1]}"


def _normal_name(name):
    return (
        "".join(unicodedata.normalize("NFKC", name or "").split())
        .replace("·", "")
        .replace("•", "")
        .casefold()
    )


class VerificationState:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Verification:
    """What the public may learn about a certificate: nothing else leaves `verify`."""

    state: str
    masked_name: str = ""
    exam_title: str = ""
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    revoked_on: datetime.date | None = None

    @property
    def found(self):
        return self.state != VerificationState.NOT_FOUND


def _id_from_token(token):
    try:
        certificate_id = signing.Signer(salt=TOKEN_SALT).unsign_object(token).get("c")
    except (signing.BadSignature, AttributeError, ValueError):
        return None
    return certificate_id if isinstance(certificate_id, int) else None


def verify(*, token=None, number=None, name=None, today=None):
    """
    Check a certificate by its QR code's token, or by its number and the
    holder's name. Found or not, the work is the same (one query by number and
    one constant-time comparison of names), so the answer's timing does not
    tell whether a number exists.
    """
    today = today or timezone.localdate()
    by_token = token is not None
    if by_token:
        wanted = {"pk": _id_from_token(token)}
    else:
        wanted = {"number": (number or "").strip().upper() or None}
    certificate = (
        Certificate.objects.select_related("holder", "exam")
        .only(
            "number",
            "status",
            "issued_on",
            "expires_on",
            "revoked_at",
            "holder__real_name",
            "exam__title",
        )
        .filter(**wanted)
        .first()
    )
    held = _normal_name(certificate.holder.real_name if certificate else "")
    given = held if by_token else _normal_name(name)
    name_matches = hmac.compare_digest(given.encode(), held.encode()) and bool(given)
    if certificate is None or not name_matches:
        return Verification(state=VerificationState.NOT_FOUND)
    if certificate.status == CertificateStatus.REVOKED:
        state = VerificationState.REVOKED
    elif certificate.expires_on < today:
        state = VerificationState.EXPIRED
    else:
        state = VerificationState.VALID
    return Verification(
        state=state,
        masked_name=mask_name(certificate.holder.real_name),
        exam_title=certificate.exam.title,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        revoked_on=(
            timezone.localdate(certificate.revoked_at)
            if state == VerificationState.REVOKED
            else None
        ),
    )

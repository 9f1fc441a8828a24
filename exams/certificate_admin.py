"""
Certificates in the Wagtail admin: the list (search by number, name or full ID
card number; filters by status, exam, session and expiry; Excel export), the
list due for renewal review (复审), one certificate with its history and the
bureau's revoke and reinstate, and a session's certificates as one ZIP.

The bureau sees every certificate; a centre admin those won in the sessions of
the centres they administer (exams.certificate_selectors). Revoking and
reinstating are the bureau's alone. ID numbers are shown masked; a full one
searched for is not echoed back.
"""

import datetime
import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from openpyxl import Workbook
from wagtail.admin.paginator import WagtailPaginator

from accounts import idcard
from accounts.models import User
from accounts.services import user_find_by_id_number
from config import xlsx
from exams import certificate_zip, certificates
from exams.centre_selectors import administered_sessions
from exams.certificate_selectors import (
    certificates_for,
    may_revoke,
    may_see_certificates,
    search,
    session_certificates,
)
from exams.models import Certificate, CertificateSettings, CertificateStatus, Exam

PER_PAGE = 50

EXPIRED = "expired"
STATUS_CHOICES = [
    ("", gettext_lazy("All")),
    (CertificateStatus.VALID, gettext_lazy("Valid")),
    (EXPIRED, gettext_lazy("Expired")),
    (CertificateStatus.REVOKED, gettext_lazy("Revoked")),
]


def _staff_only(user):
    if not may_see_certificates(user):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# The list, the renewal review list and the export
# ---------------------------------------------------------------------------


class CertificateFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUS_CHOICES, required=False)
    exam = forms.ModelChoiceField(
        label=gettext_lazy("Exam"), queryset=Exam.objects.all(), required=False
    )
    session = forms.ModelChoiceField(
        label=gettext_lazy("Exam session"), queryset=None, required=False
    )
    expires_before = forms.DateField(
        label=gettext_lazy("Expiring by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Set by a search for a full ID card number, which then leaves the URL.
    holder = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = administered_sessions(user).order_by("-starts_at")

    def id_number(self):
        """The full ID card number searched for, when the search is shaped like one."""
        number = idcard.normalise(self.cleaned_data["q"])
        return number if idcard.SHAPE.match(number) else None

    def filter(self, found):
        data = self.cleaned_data
        today = timezone.localdate()
        if data["status"] == CertificateStatus.VALID:
            found = found.filter(status=CertificateStatus.VALID, expires_on__gte=today)
        elif data["status"] == EXPIRED:
            found = found.filter(status=CertificateStatus.VALID, expires_on__lt=today)
        elif data["status"] == CertificateStatus.REVOKED:
            found = found.filter(status=CertificateStatus.REVOKED)
        if data["exam"]:
            found = found.filter(exam=data["exam"])
        if data["session"]:
            found = found.filter(attempt__booking__session=data["session"])
        if data["expires_before"]:
            found = found.filter(expires_on__lte=data["expires_before"])
        if data["holder"] is not None:
            found = found.filter(holder_id=data["holder"])
        return search(found, data["q"])


def _filtered(request):
    form = CertificateFilterForm(request.GET, user=request.user)
    found = certificates_for(request.user)
    return form, form.filter(found) if form.is_valid() else found.none()


def _listing(request, template, found, **context):
    paginator = WagtailPaginator(found, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    today = timezone.localdate()
    for certificate in page:
        certificate.has_expired = certificate.expires_on < today
    return TemplateResponse(
        request,
        template,
        {
            "certificates": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            **context,
        },
    )


def certificate_list(request):
    _staff_only(request.user)
    form, found = _filtered(request)
    number = form.id_number() if form.is_valid() else None
    person = user_find_by_id_number(number) if number else None
    if person and certificates_for(request.user).filter(holder=person).exists():
        # Shown as that person's certificates, so that the number is in no link of the page.
        query = request.GET.copy()
        for name in ("q", "p"):
            query.pop(name, None)
        query["holder"] = person.pk
        return redirect(f"{request.path}?{query.urlencode()}")
    data = form.cleaned_data if form.is_valid() else {}
    holder = None
    if data.get("holder") is not None:
        # Named only when they hold a certificate this person may see.
        holder = User.objects.filter(
            pk=data["holder"], certificates__in=certificates_for(request.user)
        ).first()
    session = data.get("session")
    return _listing(
        request,
        "exams/certificates/admin_list.html",
        found,
        form=form,
        searched_id=idcard.mask_id_number(number) if number else None,
        query="" if number else data.get("q", ""),
        holder=holder,
        session=session,
        export_query="" if number else request.GET.urlencode(),
        may_rerender=may_revoke(request.user),
    )


def renewal_list(request):
    """Valid certificates expiring within the renewal review window, soonest first."""
    _staff_only(request.user)
    found = certificates.due_for_renewal(certificates_for(request.user))
    return _listing(request, "exams/certificates/admin_renewal.html", found)


COLUMNS = [
    (gettext_lazy("Certificate number"), 18),
    (pgettext_lazy("person", "Name"), 12),
    (gettext_lazy("ID card number"), 22),
    (gettext_lazy("Employer"), 28),
    (gettext_lazy("Exam"), 30),
    (gettext_lazy("Test centre"), 22),
    (gettext_lazy("Score"), 8),
    (gettext_lazy("Issued on"), 12),
    (gettext_lazy("Valid until"), 12),
    (gettext_lazy("Status"), 10),
    (gettext_lazy("Revoked on"), 12),
]


def export_certificates(request):
    _staff_only(request.user)
    _form, found = _filtered(request)
    # On disk rather than in memory, like the bookings export.
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = Workbook(write_only=True)
    sheet = xlsx.write_only_sheet(workbook, _("Certificates"), COLUMNS)
    today = timezone.localdate()
    for certificate in found.iterator(chunk_size=500):
        holder, booking = certificate.holder, certificate.attempt.booking
        xlsx.append_row(
            sheet,
            [
                certificate.number,
                holder.real_name,
                holder.id_number_masked,
                holder.employer,
                certificate.exam.title,
                booking.session.centre.name if booking else "",
                certificate.score,
                certificate.issued_on.isoformat(),
                certificate.expires_on.isoformat(),
                _status_label(certificate, today),
                timezone.localdate(certificate.revoked_at).isoformat()
                if certificate.revoked_at
                else "",
            ],
        )
    workbook.save(file)
    file.seek(0)
    filename = f"{_('Certificates')}-{today:%Y%m%d}.xlsx"
    return FileResponse(file, as_attachment=True, filename=filename, content_type=xlsx.CONTENT_TYPE)


def _status_label(certificate, today):
    if certificate.status == CertificateStatus.REVOKED:
        return str(_("Revoked"))
    return str(_("Expired") if certificate.expires_on < today else _("Valid"))


# ---------------------------------------------------------------------------
# One certificate: its history, revoke and reinstate
# ---------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the certificate's history."),
        error_messages={"required": gettext_lazy("Give a reason: it is kept in the history.")},
    )


class RenewalForm(ReasonForm):
    """A renewal review (复审) recorded by hand, with the pass or the training that justifies it."""

    evidence = forms.ChoiceField(
        label=gettext_lazy("Justified by"),
        help_text=gettext_lazy(
            "A pass or a completed course of the holder since the certificate was issued."
        ),
        error_messages={"required": gettext_lazy("Choose the pass or the course.")},
    )

    def __init__(self, *args, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.passes = {str(attempt.pk): attempt for attempt in evidence["passes"]}
        self.trainings = {str(enrolment.pk): enrolment for enrolment in evidence["trainings"]}
        self.fields["evidence"].choices = [
            ("", "—"),
            *(
                (
                    f"attempt:{pk}",
                    _("Exam passed: %(exam)s, %(date)s, score %(score)s")
                    % {
                        "exam": attempt.exam.title,
                        "date": timezone.localdate(attempt.graded_at).isoformat(),
                        "score": attempt.score.normalize(),
                    },
                )
                for pk, attempt in self.passes.items()
            ),
            *(
                (
                    f"training:{pk}",
                    _("Course completed: %(course)s, %(date)s")
                    % {
                        "course": enrolment.course_title,
                        "date": timezone.localdate(enrolment.completed_at).isoformat(),
                    },
                )
                for pk, enrolment in self.trainings.items()
            ),
        ]

    def justification(self):
        kind, _colon, pk = self.cleaned_data["evidence"].partition(":")
        if kind == "attempt":
            return {"via_attempt": self.passes[pk]}
        return {"via_training": self.trainings[pk]}


@never_cache
def certificate_detail(request, certificate_id):
    _staff_only(request.user)
    certificate = get_object_or_404(certificates_for(request.user), pk=certificate_id)
    revoked = certificate.status == CertificateStatus.REVOKED
    action = request.POST.get("action") if request.method == "POST" else None
    form = renewal_form = None
    if may_revoke(request.user):
        form = ReasonForm(request.POST if action in ("revoke", "reinstate") else None)
        if not revoked:
            renewal_form = RenewalForm(
                request.POST if action == "renew" else None,
                evidence=certificates.renewal_evidence(certificate),
            )
    if request.method == "POST":
        if form is None or action not in ("revoke", "reinstate", "renew"):
            raise PermissionDenied
        if done := _change(
            request, certificate, action, renewal_form if action == "renew" else form
        ):
            messages.success(request, done)
            return redirect("exams_certificate", certificate.pk)
    return TemplateResponse(
        request,
        "exams/certificates/admin_detail.html",
        {
            "certificate": certificate,
            "holder": certificate.holder,
            "session": certificate.attempt.booking.session if certificate.attempt.booking else None,
            "has_expired": certificate.expires_on < timezone.localdate(),
            "form": form,
            "renewal_form": renewal_form,
            "revoked": revoked,
            "events": certificate.events.select_related("by", "attempt__exam"),
        },
    )


def _change(request, certificate, action, form):
    """
    Revoke, reinstate or renew as the pressed button says, not as the page was
    drawn: a second click, or a page older than another admin's change, is
    refused by the service instead of undoing the first. The success message,
    or None with the errors on the form or in the messages.
    """
    if form is None or not form.is_valid():
        return None
    reason = form.cleaned_data["reason"]
    try:
        if action == "renew":
            renewed = certificates.renew(
                certificate=certificate, by=request.user, reason=reason, **form.justification()
            )
            return _("Renewed: the certificate is now valid until %(date)s.") % {
                "date": renewed.expires_on.isoformat()
            }
        change = certificates.revoke if action == "revoke" else certificates.reinstate
        change(certificate=certificate, by=request.user, reason=reason)
    except certificates.CertificateStateError as refused:
        messages.error(request, refused.message)
        return None
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if action == "revoke":
        return _("The certificate is revoked: verification now says so.")
    return _("The certificate is reinstated.")


@never_cache
def rerender(request):
    """
    After the certificate design or the bureau's settings changed: print every
    stored certificate again (the bureau's decision). The page then follows
    the bulk job, counting the PDFs rendered since it was started.
    """
    if not may_revoke(request.user):
        raise PermissionDenied
    found = Certificate.objects.all()
    if request.method == "POST":
        started = timezone.now()
        total = certificates.rerender_all(by=request.user, certificates=found)
        return redirect(f"{request.path}?since={started.timestamp():.6f}&total={total}")
    progress = None
    try:
        since = datetime.datetime.fromtimestamp(float(request.GET["since"]), tz=datetime.UTC)
        total = int(request.GET["total"])
    except (KeyError, ValueError, OverflowError):
        pass
    else:
        done = found.filter(rendered_at__gte=since).count()
        progress = {"done": min(done, total), "total": total, "finished": done >= total}
    return TemplateResponse(
        request,
        "exams/certificates/admin_rerender.html",
        {"count": found.count(), "progress": progress},
    )


@never_cache
def stamp(request, name):
    """The stored seal or signature, for those who may edit the certificate settings."""
    if not request.user.has_perm("exams.change_certificatesettings") or name not in (
        "seal",
        "signature",
    ):
        raise PermissionDenied
    stored = getattr(CertificateSettings.load(), name)
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), content_type="image/png")


@never_cache
def certificate_pdf(request, certificate_id):
    """The stored PDF, for staff who may see the certificate."""
    _staff_only(request.user)
    certificate = certificates.with_stored_pdf(
        get_object_or_404(certificates_for(request.user), pk=certificate_id)
    )
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"证书-{certificate.number}.pdf",
        content_type="application/pdf",
    )


# ---------------------------------------------------------------------------
# A session's certificates as one ZIP
# ---------------------------------------------------------------------------


@never_cache
def session_zip(request, session_id):
    """
    GET: how many certificates the session has, and a button to prepare the
    ZIP. POST: the worker builds it; the page then follows the job (?job=…)
    with a progress bar until it can be downloaded. Kept for a day.
    """
    _staff_only(request.user)
    session = get_object_or_404(administered_sessions(request.user), pk=session_id)
    count = session_certificates(session).count()
    if request.method == "POST":
        if not count:
            raise Http404
        token = certificate_zip.zip_job_start(session=session, user=request.user)
        return redirect(f"{request.path}?job={token}")
    job = None
    if token := request.GET.get("job"):
        job = certificate_zip.zip_jobs.for_page(token, session=session, user=request.user)
        if job["status"] == "done" and request.GET.get("download"):
            starts = timezone.localtime(session.starts_at)
            filename = f"{_('Certificates')}-{session.centre.code}-{starts:%Y%m%d-%H%M}.zip"
            return certificate_zip.zip_jobs.download(
                job, filename=filename, content_type="application/zip"
            )
    return TemplateResponse(
        request,
        "exams/certificates/admin_zip.html",
        {"session": session, "count": count, "job": job, "token": token},
    )

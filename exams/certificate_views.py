"""
Certificates for people: the public verification page (no login) and the
holder's "My certificates" with the PDF downloads. Phone first, no JavaScript.

Verification answers valid, expired, revoked (with the date) or not found, and
shows the masked name, the exam and the dates — nothing more. A check, by the
QR's signed token or by number and name, is limited per address (shared with
the JSON endpoint); the answer takes the same time found or not, which is the
verify service's work: this view adds no branch before it that depends on
what is stored.
"""

import math

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from exams import certificates
from exams.certificate_selectors import certificates_of
from exams.models import Certificate, CertificateStatus

PER_PAGE = 20
DEFAULT_VERIFY_RATE = "20/minute"


class VerifyThrottle(SimpleRateThrottle):
    """
    Checks per client address, whoever is signed in, in the shared cache: one
    budget for the page and the JSON endpoint together. The rate is the
    setting CERTIFICATE_VERIFY_RATE ("20/minute" unless set).
    """

    scope = "certificate_verify"

    def get_rate(self):
        return getattr(settings, "CERTIFICATE_VERIFY_RATE", DEFAULT_VERIFY_RATE)

    def get_ident(self, request):
        # X-Forwarded-For is anyone's to write: trusted only when the
        # deployment says how many proxies stand in front (NUM_PROXIES).
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        max_length=32,
        error_messages={"required": gettext_lazy("Type the certificate number.")},
    )
    name = forms.CharField(
        label=gettext_lazy("Holder's full name"),
        max_length=64,
        error_messages={"required": gettext_lazy("Type the holder's name as printed.")},
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()

    def clean_name(self):
        return self.cleaned_data["name"].strip()


@never_cache
def verify(request):
    """
    GET ?t=<token>: the QR's link. POST number and name: the form (a name is
    kept out of addresses, histories and logs). GET alone: the empty form.
    """
    form = VerifyForm(request.POST or None)
    result, retry_after = None, None
    token = request.GET.get("t", "").strip()
    if token or (request.method == "POST" and form.is_valid()):
        throttle = VerifyThrottle()
        if throttle.allow_request(request, None):
            if token:
                result = certificates.verify(token=token)
            else:
                result = certificates.verify(
                    number=form.cleaned_data["number"], name=form.cleaned_data["name"]
                )
        else:
            retry_after = math.ceil(throttle.wait() or 1)
    response = TemplateResponse(
        request,
        "exams/certificates/verify.html",
        {
            "form": VerifyForm() if token else form,
            "result": result,
            "throttled": retry_after is not None,
            "by_token": bool(token),
        },
        status=200 if retry_after is None else 429,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@login_required
def my_certificates(request):
    today = timezone.localdate()
    mine = certificates_of(request.user)
    due = set(certificates.due_for_renewal(mine, today=today).values_list("pk", flat=True))
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    for certificate in page:
        certificate.has_expired = certificate.expires_on < today
        certificate.due_for_renewal = certificate.pk in due
    return TemplateResponse(
        request, "exams/certificates/my_certificates.html", {"certificates": page}
    )


@never_cache
@login_required
def certificate_pdf(request, certificate_id):
    """
    The holder's own certificate as stored; anyone else's, or a revoked one
    (a PDF that no longer stands), is not found.
    """
    certificate = get_object_or_404(
        Certificate, pk=certificate_id, holder=request.user, status=CertificateStatus.VALID
    )
    certificate = certificates.with_stored_pdf(certificate)
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"证书-{certificate.number}.pdf",
        content_type="application/pdf",
    )

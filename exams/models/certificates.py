"""
Certificates: a graded pass becomes exactly one certificate (the attempt is
unique), with a number, validity, its PDF kept in private storage, and a
history of everything that happened to it (issued, re-rendered, revoked,
reinstated, renewed). The bureau's name, seal and signatory for the PDF are a
Wagtail setting.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from accounts.models import private_storage
from exams.certificate_forms import CertificateSettingsForm, StampInput
from exams.models.attempts import SCORE, Attempt
from exams.models.centres import Exam


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class CertificateAction(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RENDERED = "rendered", _("PDF rendered again")
    REVOKED = "revoked", _("Revoked")
    REINSTATED = "reinstated", _("Reinstated")
    RENEWED = "renewed", _("Renewed")
    RESCORED = "rescored", _("Score corrected by a re-grade")


class NumberFormat(models.TextChoices):
    YEARLY = "yearly", _("AK-<year>-<6 digits>")
    SPECIAL_OPERATIONS = "special_operations", _("T + ID number (special operations)")


class Certificate(models.Model):
    # One certificate per passing attempt: the unique constraint makes issuing idempotent.
    attempt = models.OneToOneField(
        Attempt, verbose_name=_("attempt"), on_delete=models.PROTECT, related_name="certificate"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    exam = models.ForeignKey(
        Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    score = models.DecimalField(_("score"), **SCORE)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", storage=private_storage, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["expires_on"], name="certificate_expiry")]

    def __str__(self):
        return self.number


class CertificateEvent(models.Model):
    """The certificate's history: what happened, by whom, when and why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=CertificateAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)
    # The pass that renewed the certificate: one renewal per attempt, which is
    # what makes a renewal by a re-delivered issuing task happen once.
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # e.g. the expiry before and after a renewal, or the training that renewed it.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt"],
                condition=models.Q(action="renewed"),
                name="one_renewal_per_attempt",
            )
        ]

    def __str__(self):
        return f"{self.certificate_id}: {self.action}"


class CertificateCounter(models.Model):
    """The last number given in a year, locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


@register_setting(icon="doc-full")
class CertificateSettings(BaseGenericSetting):
    """What the bureau prints on its certificates, and how they are numbered and renewed."""

    issuer = models.CharField(
        _("issuing authority"), max_length=120, default="杭州市西湖区应急管理局"
    )
    title = models.CharField(_("certificate title"), max_length=60, default="安全生产培训合格证")
    seal = models.ImageField(
        _("seal"),
        upload_to="certificate-stamps/",
        storage=private_storage,
        blank=True,
        help_text=_("The bureau's seal as a PNG with a transparent background. Kept private."),
    )
    signatory = models.CharField(_("signatory"), max_length=60, blank=True)
    signature = models.ImageField(
        _("signature"),
        upload_to="certificate-stamps/",
        storage=private_storage,
        blank=True,
        help_text=_("A scanned signature as a PNG with a transparent background. Kept private."),
    )
    number_format = models.CharField(
        _("number format"), max_length=20, choices=NumberFormat.choices, default=NumberFormat.YEARLY
    )
    validity_years = models.PositiveSmallIntegerField(
        _("valid for (years)"), default=3, validators=[MinValueValidator(1)]
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal review window (days)"),
        default=90,
        help_text=_("Certificates expiring within this many days are due for renewal review."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("issuer"), FieldPanel("title")], heading=_("Printed on the certificate")
        ),
        FieldRowPanel(
            [
                FieldPanel("seal", widget=StampInput),
                FieldPanel("signature", widget=StampInput),
            ]
        ),
        FieldPanel("signatory"),
        FieldRowPanel(
            [
                FieldPanel("number_format"),
                FieldPanel("validity_years"),
                FieldPanel("renewal_window_days"),
            ]
        ),
    ]

    base_form_class = CertificateSettingsForm

    class Meta:
        verbose_name = _("certificate settings")

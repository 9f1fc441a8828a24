"""
Proctoring records: the bureau's consent policy and each candidate's consent,
the webcam snapshots of an attempt with their measurements, the incidents
(flags) that roll up into the attempt's timeline, and the log of who looked
at which snapshot.

Snapshots are sensitive personal information (faces): their files live in
private storage under random names, and rows and files are deleted after the
retention period. Incidents, consents and the access log stay.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from accounts.models import private_storage
from exams.models import Attempt
from proctoring.choices import (
    AppealStatus,
    Decision,
    IncidentKind,
    IrregularityCategory,
    Severity,
    SnapshotKind,
)


class ConsentPolicy(models.Model):
    """
    What the camera captures, why, who sees it and how long it is kept: the
    text a candidate consents to. The bureau edits it as a snippet; a new
    wording is a new version, so that every consent names what was agreed to.
    While no policy is in force, sittings are not proctored.
    """

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(
        _("text"),
        help_text=_("What is captured, why, who sees it and how long it is kept."),
    )
    in_force_from = models.DateTimeField(_("in force from"), default=timezone.now)

    panels = [
        FieldPanel("version"),
        FieldPanel("title"),
        FieldPanel("text"),
        FieldPanel("in_force_from"),
    ]

    class Meta:
        verbose_name = _("proctoring consent policy")
        verbose_name_plural = _("proctoring consent policies")
        ordering = ["-in_force_from", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.version})"

    def clean(self):
        # Once a candidate has agreed to a version, its words are what they
        # agreed to: a change of wording is a new version, never an edit.
        if self.pk is None or not Consent.objects.filter(policy_id=self.pk).exists():
            return
        stored = ConsentPolicy.objects.get(pk=self.pk)
        if (stored.version, stored.title, stored.text) != (self.version, self.title, self.text):
            raise ValidationError(
                _(
                    "Candidates have consented to this version, so its words stay as they are. "
                    "Add the new wording as a new policy with a new version."
                )
            )


class Consent(models.Model):
    """A candidate's separate consent to webcam proctoring, for one sitting."""

    attempt = models.OneToOneField(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="consent"
    )
    policy = models.ForeignKey(
        ConsentPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    policy_version = models.CharField(_("policy version"), max_length=20)
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.attempt_id} · {self.policy_version}"


class Snapshot(models.Model):
    """One webcam frame of an attempt, re-encoded, and what the analysis measured on it."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="snapshots"
    )
    image = models.ImageField(
        _("image"),
        storage=private_storage,
        upload_to="snapshots/%Y/%m/",
        width_field="width",
        height_field="height",
    )
    width = models.PositiveSmallIntegerField(default=0)
    height = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=SnapshotKind.choices)
    # The page numbers its snapshots; a retried upload carries the same number.
    sequence = models.PositiveIntegerField(_("sequence"))
    taken_at = models.DateTimeField(_("taken (candidate's clock)"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    analysed_at = models.DateTimeField(_("analysed"), null=True, blank=True)
    face_count = models.PositiveSmallIntegerField(_("faces"), null=True, blank=True)
    brightness = models.FloatField(_("brightness"), null=True, blank=True)
    sharpness = models.FloatField(_("sharpness"), null=True, blank=True)
    identity_distance = models.FloatField(
        _("distance from the check-in face"), null=True, blank=True
    )
    measurements = models.JSONField(_("measurements"), default=dict, blank=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["attempt", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "sequence"], name="one_snapshot_per_sequence"
            )
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.sequence}"


class Incident(models.Model):
    """
    A flag on an attempt: from the analysis of a snapshot, from the exam page,
    or recorded by the proctor. The same kind happening again within a few
    minutes counts up on one incident instead of adding another.
    """

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    category = models.CharField(
        _("category"), max_length=12, choices=IrregularityCategory.choices, blank=True
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    reason = models.CharField(_("reason"), max_length=255)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    first_at = models.DateTimeField(_("first"), default=timezone.now)
    last_at = models.DateTimeField(_("last"), default=timezone.now)
    # The latest frame showing it; kept as evidence until retention deletes it.
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["attempt", "first_at", "pk"]
        indexes = [models.Index(fields=["attempt", "kind", "last_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ×{self.count}"


class SnapshotView(models.Model):
    """
    Every look at a face of the attempt, a snapshot or the photo taken at the
    check-in desk: who, when, which. Kept after the image is deleted.
    """

    class Image(models.TextChoices):
        SNAPSHOT = "snapshot", _("Snapshot")
        CHECK_IN_PHOTO = "check_in", _("Check-in photo")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+")
    image = models.CharField(max_length=10, choices=Image.choices, default=Image.SNAPSHOT)
    snapshot = models.ForeignKey(
        Snapshot, null=True, on_delete=models.SET_NULL, related_name="views"
    )
    # The snapshot's number, 0 for the check-in photo.
    snapshot_sequence = models.PositiveIntegerField()
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("snapshot view")
        verbose_name_plural = _("snapshot views")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.viewer_id} → {self.attempt_id} #{self.snapshot_sequence}"


class CandidateMessage(models.Model):
    """A message from the proctor to one candidate, shown on the exam page within seconds."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="messages"
    )
    text = models.CharField(_("message"), max_length=500)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message to a candidate")
        verbose_name_plural = _("messages to candidates")
        ordering = ["attempt", "sent_at", "pk"]

    def __str__(self):
        return self.text


class Appeal(models.Model):
    """
    A candidate's appeal against the voiding of their attempt: one per
    attempt (the unique attempt is the "once"), decided by a bureau admin.
    """

    attempt = models.OneToOneField(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="appeal"
    )
    grounds = models.TextField(_("grounds"), max_length=2000)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.attempt_id}: {self.status}"

"""
Attempts: a candidate's paper for one sitting, drawn before the session starts
so that a room pressing "Start" together costs the server little.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exams.choices import AttemptStatus
from exams.models.centres import Booking
from exams.models.questions import POINTS, Paper, Question


class Attempt(models.Model):
    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="attempt"
    )
    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), on_delete=models.PROTECT, related_name="attempts"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.PREPARED
    )
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Fixed by the server at the start; the candidate's clock never moves it.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self):
        return f"{self.booking} · {self.get_status_display()}"


class AttemptEvent(models.Model):
    """Every change of an attempt's status: from what, to what, by whom, when and why."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=AttemptStatus.choices)
    to_status = models.CharField(max_length=16, choices=AttemptStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.attempt_id}: {self.from_status} → {self.to_status}"


class AttemptQuestion(models.Model):
    """One question of an attempt, in the candidate's order, with their option order."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    # The version drawn: editing the question later never changes this attempt.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(**POINTS)
    option_order = models.JSONField(default=list)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_question_a_position")
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"

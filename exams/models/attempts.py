"""
Attempts: a candidate's paper for one sitting (drawn before the session starts,
so that a room pressing "Start" together costs the server little) or for a
practice round (模拟考试), its answers as saved, and its timeline.
"""

import math

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exams.choices import AttemptAction, AttemptStatus
from exams.models.centres import Booking, Exam
from exams.models.questions import POINTS, Paper, Question

SCORE = {"max_digits": 6, "decimal_places": 1}


class Attempt(models.Model):
    """
    One candidate's paper and answers. A sitting at a test centre belongs to
    its booking; a practice attempt has none, is unproctored and never counts
    toward certification.
    """

    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempt",
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    exam = models.ForeignKey(
        Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="attempts"
    )
    practice = models.BooleanField(_("practice"), default=False)
    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), on_delete=models.PROTECT, related_name="attempts"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.PREPARED
    )
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Fixed by the server at the start, moved only by extra time and pauses;
    # the candidate's clock never moves it.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    extra_minutes = models.PositiveSmallIntegerField(_("extra time (minutes)"), default=0)
    # The highest save sequence number received, and the one page allowed to save.
    sequence = models.BigIntegerField(default=0)
    page = models.UUIDField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE)
    max_score = models.DecimalField(_("out of"), null=True, blank=True, **SCORE)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.CheckConstraint(
                condition=Q(practice=True, booking__isnull=True)
                | Q(practice=False, booking__isnull=False),
                name="attempt_practice_has_no_booking",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_open_by_deadline")]

    def __str__(self):
        return f"{self.exam} · {self.candidate} · {self.get_status_display()}"

    @property
    def is_open(self):
        return self.status == AttemptStatus.STARTED

    @property
    def is_paused(self):
        return self.paused_at is not None

    def remaining_seconds(self, now):
        """
        Whole seconds left by the server's clock, rounded up (0 only when time
        is up); a pause stops it.
        """
        if self.deadline is None:
            return None
        until = self.paused_at or now
        return max(0, math.ceil((self.deadline - until).total_seconds()))


class AttemptEvent(models.Model):
    """
    The attempt's timeline: every status change (from what, to what), and the
    takeovers, pauses, extra time and re-grades; by whom, when and why.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(
        max_length=16, choices=AttemptAction.choices, default=AttemptAction.STATUS
    )
    from_status = models.CharField(max_length=16, choices=AttemptStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AttemptStatus.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        if self.action == AttemptAction.STATUS:
            return f"{self.attempt_id}: {self.from_status} → {self.to_status}"
        return f"{self.attempt_id}: {self.action}"


class AttemptQuestion(models.Model):
    """
    One question of an attempt, in the candidate's order, with their option
    order and their answer as last saved.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    # The version drawn: editing the question later never changes this attempt.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(**POINTS)
    option_order = models.JSONField(default=list)
    # The options chosen, as original indexes (true/false: 0 true, 1 false).
    selected = models.JSONField(default=list)
    flagged = models.BooleanField(default=False)
    # The sequence number of the save that set `selected`: an older one never overwrites it.
    saved_sequence = models.BigIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    earned = models.DecimalField(null=True, blank=True, **SCORE)
    # The version whose key graded this answer: a re-grade points it at the corrected one.
    graded_with = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_question_a_position")
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"

    @property
    def key_question(self):
        return self.graded_with or self.question


class AnswerSave(models.Model):
    """
    Every save the exam page sent, applied or not: retries and duplicates are
    recognised by the page's `client_id`, and a dispute ("I chose B") can be
    settled from this record.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="saves")
    client_id = models.UUIDField()
    sequence = models.BigIntegerField()
    position = models.PositiveSmallIntegerField()
    selected = models.JSONField(default=list)
    flagged = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    # False when a newer answer to the same question was already stored.
    applied = models.BooleanField()

    class Meta:
        ordering = ["attempt", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "client_id"], name="one_save_a_client_id")
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position} seq {self.sequence}"


class Regrading(models.Model):
    """A corrected question's key applied to the attempts that drew an earlier version."""

    question = models.ForeignKey(
        Question, verbose_name=_("corrected question"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=255)
    attempts_regraded = models.PositiveIntegerField(default=0)
    results_changed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("re-grading")
        verbose_name_plural = _("re-gradings")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.question_id} @ {self.at:%Y-%m-%d %H:%M}"

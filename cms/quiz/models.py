"""
A campaign quiz and what its players leave behind.

A quiz draws its questions from the question bank (banks, knowledge-point
tags and a difficulty range, or a hand-picked list). Each play gets its own
random draw, stored as one `PlayAnswer` row per question before the first is
shown, so that timing and scoring happen on the server against that list.
"""

import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Orderable

from accounts.fields import EncryptedTextField
from cms.quiz.choices import PlayerDetails, PlayFlag, PlayStatus
from cms.quiz.choosers import QuestionChooserWidget


def split_tags(text):
    return [tag.strip() for tag in text.replace("，", ",").split(",") if tag.strip()]


def new_token():
    return secrets.token_urlsafe(24)


class Quiz(ClusterableModel):
    """One knowledge quiz of a campaign, e.g. this year's 5·12 quiz."""

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(
        _("address"),
        unique=True,
        allow_unicode=False,
        help_text=_("The last part of the quiz's address, e.g. 2026-5-12."),
    )
    rules = models.TextField(
        _("rules"), blank=True, help_text=_("Shown to players before they start.")
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))

    banks = ParentalManyToManyField(
        "exams.QuestionBank", verbose_name=_("question banks"), blank=True, related_name="+"
    )
    tags = models.CharField(
        _("knowledge points"),
        max_length=255,
        blank=True,
        help_text=_("Comma-separated; leave empty for every question of the banks."),
    )
    difficulty_min = models.PositiveSmallIntegerField(
        _("easiest"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("hardest"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    questions_per_play = models.PositiveSmallIntegerField(
        _("questions per play"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    seconds_per_question = models.PositiveSmallIntegerField(
        _("seconds per question"),
        null=True,
        blank=True,
        default=20,
        validators=[MinValueValidator(5)],
    )
    seconds_per_play = models.PositiveIntegerField(
        _("seconds per play"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10)],
        help_text=_("Instead of, or as well as, a limit per question."),
    )
    plays_per_day = models.PositiveSmallIntegerField(
        _("plays per person per day"), default=2, validators=[MinValueValidator(1)]
    )
    details = models.CharField(
        _("players give"),
        max_length=10,
        choices=PlayerDetails.choices,
        default=PlayerDetails.FULL,
    )
    ask_employer = models.BooleanField(
        _("ask for the employer"),
        default=True,
        help_text=_("Besides the town, so that employers can be ranked too."),
    )
    star_score = models.PositiveSmallIntegerField(
        _("safety-star score"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("A play scoring at least this (out of 100) earns the safety-star badge."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        TabbedInterface(
            [
                ObjectList(
                    [
                        FieldPanel("title"),
                        FieldPanel("slug"),
                        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                        FieldPanel("rules"),
                        InlinePanel("themes", label=_("Daily themes"), heading=_("Daily themes")),
                    ],
                    heading=_("Quiz"),
                ),
                ObjectList(
                    [
                        MultiFieldPanel(
                            [
                                FieldPanel("banks", widget=forms.CheckboxSelectMultiple),
                                FieldPanel("tags"),
                                FieldRowPanel(
                                    [FieldPanel("difficulty_min"), FieldPanel("difficulty_max")]
                                ),
                            ],
                            heading=_("Draw from the bank"),
                        ),
                        MultipleChooserPanel(
                            "picked_questions",
                            chooser_field_name="question",
                            label=_("Hand-picked questions"),
                            heading=_("Hand-picked questions"),
                            help_text=_(
                                "When any are chosen, plays draw from these instead of the banks."
                            ),
                            # Publicity editors choose questions; the bank's editors edit them.
                            panels=[
                                FieldPanel(
                                    "question", widget=QuestionChooserWidget(show_edit_link=False)
                                )
                            ],
                        ),
                        FieldRowPanel(
                            [
                                FieldPanel("questions_per_play"),
                                FieldPanel("seconds_per_question"),
                                FieldPanel("seconds_per_play"),
                            ]
                        ),
                        FieldRowPanel([FieldPanel("plays_per_day"), FieldPanel("star_score")]),
                    ],
                    heading=_("Questions"),
                ),
                ObjectList(
                    [
                        FieldPanel("details"),
                        FieldPanel("ask_employer"),
                        InlinePanel("towns", label=_("Towns"), heading=_("Towns")),
                    ],
                    heading=_("Players"),
                ),
            ]
        )
    ]

    class Meta:
        verbose_name = _("campaign quiz")
        verbose_name_plural = _("campaign quizzes")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The quiz must close after it opens.")
        if (
            self.difficulty_min
            and self.difficulty_max
            and self.difficulty_min > self.difficulty_max
        ):
            errors["difficulty_max"] = _("The hardest level cannot be below the easiest.")
        if not self.seconds_per_question and not self.seconds_per_play:
            errors["seconds_per_question"] = _("Set a time per question, per play, or both.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("cms:quiz", args=[self.slug])

    @property
    def tag_list(self):
        return split_tags(self.tags)

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def asks_for_identity(self):
        return self.details == PlayerDetails.FULL

    def theme_on(self, day):
        return next((theme for theme in self.themes.all() if theme.date == day), None)


class QuizQuestion(Orderable):
    """
    A hand-picked question, chosen in the quiz editor with a searchable
    chooser. It names the version picked; plays ask its current version.
    """

    quiz = ParentalKey(Quiz, related_name="picked_questions", on_delete=models.CASCADE)
    question = models.ForeignKey(
        "exams.Question", verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("hand-picked question")

    def __str__(self):
        return str(self.question)


class QuizTown(Orderable):
    """A town or sub-district (街镇) players choose from; the unit of the town ranking."""

    quiz = ParentalKey(Quiz, related_name="towns", on_delete=models.CASCADE)
    name = models.CharField(_("town"), max_length=64)

    panels = [FieldPanel("name")]

    def __str__(self):
        return self.name


class QuizTheme(Orderable):
    """A day's theme: shown to players that day, and narrowing the draw to its knowledge points."""

    quiz = ParentalKey(Quiz, related_name="themes", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    theme = models.CharField(_("theme"), max_length=120)
    tags = models.CharField(
        _("knowledge points"),
        max_length=255,
        blank=True,
        help_text=_(
            "Comma-separated. If the pool has too few such questions, the whole pool is used."
        ),
    )

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("theme")]), FieldPanel("tags")]

    @property
    def tag_list(self):
        return split_tags(self.tags)


class Play(models.Model):
    """
    One person's play of a quiz: who (as they said), the questions drawn, the
    score and time. `person_key` identifies the person for the daily limit
    and the one-active-play rule: a keyed digest of the phone number when the
    quiz asks for one, otherwise a random id kept in the browser.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="plays")
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    person_key = models.CharField(max_length=64, db_index=True)
    nickname = models.CharField(_("nickname"), max_length=20, blank=True)
    real_name = models.CharField(_("name"), max_length=30, blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    town = models.CharField(_("town"), max_length=64, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    under_14 = models.BooleanField(_("under 14, playing with a guardian"), default=False)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # For players known only by a browser cookie: a keyed digest of the
    # address and the browser's user agent (see services.start_play).
    device_key = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PlayStatus.choices, default=PlayStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    correct = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    duration_ms = models.PositiveIntegerField(_("time taken (ms)"), default=0)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    disqualified = models.BooleanField(_("disqualified"), default=False)
    # A flagged play the publicity centre looked at and kept: it enters the prize draw.
    flags_cleared = models.BooleanField(_("flags cleared"), default=False)

    class Meta:
        verbose_name = _("quiz play")
        verbose_name_plural = _("quiz plays")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "person_key"],
                condition=models.Q(status=PlayStatus.ACTIVE),
                name="quiz_one_active_play_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["quiz", "status", "-score", "duration_ms"]),
            models.Index(fields=["quiz", "person_key", "started_at"]),
            models.Index(fields=["quiz", "device_key", "started_at"]),
        ]

    def __str__(self):
        return f"{self.display_name} · {self.score}"

    @property
    def display_name(self):
        """What the leaderboard shows: the nickname, or the surname and a star."""
        if self.nickname:
            return self.nickname
        if self.real_name:
            return self.real_name[0] + "*" * max(len(self.real_name) - 1, 1)
        return "—"

    @property
    def masked_phone(self):
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""

    @property
    def seconds(self):
        return round(self.duration_ms / 1000, 1)

    @property
    def flag_reasons(self):
        """Why the play was flagged, once per kind, e.g. "Answered faster than … (×3)"."""
        counts = {}
        for flag in self.flags:
            counts[flag.get("flag")] = counts.get(flag.get("flag"), 0) + 1
        reasons = []
        for kind, count in counts.items():
            label = PlayFlag(kind).label if kind in PlayFlag.values else kind
            reasons.append(f"{label} (×{count})" if count > 1 else str(label))
        return reasons

    @property
    def is_star(self):
        return self.status == PlayStatus.FINISHED and self.score >= self.quiz.star_score


class PlayAnswer(models.Model):
    """One drawn question of a play: when it was shown and what was answered."""

    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey("exams.Question", on_delete=models.PROTECT, related_name="+")
    option_order = models.JSONField(default=list)  # shown position → original option index
    served_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    selected = models.JSONField(null=True, blank=True)  # original option indexes
    is_correct = models.BooleanField(null=True)
    timed_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["play", "position"]
        constraints = [
            models.UniqueConstraint(fields=["play", "position"], name="quiz_answer_position_unique")
        ]

    def __str__(self):
        return f"{self.play_id}/{self.position + 1}"

    @property
    def is_closed(self):
        return self.answered_at is not None or self.timed_out


class PrizeDraw(models.Model):
    """
    A random prize draw (抽奖) among the safety stars, recorded so that anyone
    can re-run it: the entrants in a fixed order, the seed, and the winners
    that `random.Random(seed).sample(entrants, winner_count)` gives.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="prize_draws")
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seed = models.CharField(_("seed"), max_length=64)
    winner_count = models.PositiveSmallIntegerField(_("winners"))
    entrants = models.JSONField(_("entrants"), default=list)  # play ids, ascending
    winners = models.JSONField(_("winners"), default=list)  # play ids, in the order drawn

    class Meta:
        verbose_name = _("prize draw")
        verbose_name_plural = _("prize draws")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.quiz} · {self.seed}"

"""
The question bank (题库) and papers (试卷).

A question is versioned: its versions share a `lineage`, exactly one is
current, and a paper or an attempt points at the version it used, so editing
a question never changes a past paper or result.
"""

import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, PreviewableMixin

from accounts.choices import Industry
from accounts.models import private_storage
from exams.choices import (
    ImportFormat,
    ImportStatus,
    MultipleChoiceScoring,
    PaperKind,
    QuestionStatus,
    QuestionType,
)
from exams.importers.base import OPTION_LABELS, html_to_text

POINTS = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0.5"))]}


class QuestionBank(models.Model):
    """
    A bank of questions owned by a test centre or the publicity centre. Its
    editor groups may author in it; the bureau may author everywhere.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    owner = models.CharField(
        _("owner"), max_length=120, help_text=_("The test centre or the publicity centre.")
    )
    description = models.TextField(_("description"), blank=True)
    editor_groups = models.ManyToManyField(
        Group, verbose_name=_("groups that author here"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("owner"),
        FieldPanel("description"),
        FieldPanel("editor_groups"),
    ]

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class QuestionTag(TaggedItemBase):
    content_object = models.ForeignKey(
        "exams.Question", related_name="tagged_items", on_delete=models.CASCADE
    )


class Question(PreviewableMixin, models.Model):
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="questions"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(default=True, editable=False)
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    stem = models.TextField(_("question"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("answer"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    tags = TaggableManager(verbose_name=_("knowledge points"), through=QuestionTag, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    # Normalised stem and options, to find duplicates (services.fingerprint).
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="question_version_unique"),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=models.Q(is_current=True),
                name="question_one_current_version",
            ),
            models.CheckConstraint(
                condition=models.Q(difficulty__gte=1, difficulty__lte=5),
                name="question_difficulty_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["bank", "is_current", "status", "type"])]

    def __str__(self):
        text = self.stem_text
        return text if len(text) <= 40 else f"{text[:40]}…"

    @property
    def stem_text(self):
        return html_to_text(self.stem)

    @property
    def option_items(self):
        """[(label, text), …]: the options as the bank shows them, A to H."""
        return list(zip(OPTION_LABELS, self.options, strict=False))

    @property
    def answer_display(self):
        if self.type == QuestionType.TRUE_FALSE:
            return _("True") if self.answer == [0] else _("False")
        return "".join(OPTION_LABELS[i] for i in self.answer)

    def get_preview_template(self, request, mode_name):
        return "exams/question_preview.html"

    def get_preview_context(self, request, mode_name):
        return {**super().get_preview_context(request, mode_name), "question": self}


class Paper(ClusterableModel):
    """
    An exam paper (试卷): a fixed list of questions, or a blueprint from which
    every candidate gets a different random draw.
    """

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PaperKind.choices, default=PaperKind.BLUEPRINT
    )
    banks = ParentalManyToManyField(
        QuestionBank, verbose_name=_("banks to draw from"), blank=True, related_name="+"
    )
    pass_mark = models.DecimalField(_("pass mark"), default=Decimal("80"), **POINTS)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(1)]
    )
    multiple_choice_scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        default=MultipleChoiceScoring.ALL_OR_NOTHING,
    )
    shuffle_questions = models.BooleanField(_("shuffle question order"), default=True)
    shuffle_options = models.BooleanField(_("shuffle option order"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel(
            [FieldPanel("kind"), FieldPanel("duration_minutes"), FieldPanel("pass_mark")]
        ),
        MultiFieldPanel(
            [
                FieldPanel("multiple_choice_scoring"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_options"),
            ],
            heading=_("Scoring and order"),
        ),
        FieldPanel("banks", widget=forms.CheckboxSelectMultiple),
        InlinePanel("rules", label=_("Blueprint rule"), heading=_("Blueprint rules")),
        InlinePanel("fixed_questions", label=_("Question"), heading=_("Fixed questions")),
    ]

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @cached_property
    def total_points(self):
        if self.kind == PaperKind.FIXED:
            return sum((q.points for q in self.fixed_questions.all()), Decimal("0"))
        return sum((rule.count * rule.points for rule in self.rules.all()), Decimal("0"))


class PaperQuestion(Orderable):
    paper = ParentalKey(Paper, related_name="fixed_questions", on_delete=models.CASCADE)
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), default=Decimal("2"), **POINTS)

    panels = [FieldPanel("question"), FieldPanel("points")]


class BlueprintRule(Orderable):
    """Draw `count` questions of `type` matching the tags and difficulty, `points` each."""

    paper = ParentalKey(Paper, related_name="rules", on_delete=models.CASCADE)
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    tags = models.CharField(
        _("knowledge points"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated; a question qualifies with any of them. Empty: any."),
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    difficulty_min = models.PositiveSmallIntegerField(
        _("easiest"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("hardest"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    count = models.PositiveSmallIntegerField(_("questions"), validators=[MinValueValidator(1)])
    points = models.DecimalField(_("points each"), **POINTS)

    panels = [
        FieldRowPanel([FieldPanel("type"), FieldPanel("count"), FieldPanel("points")]),
        FieldRowPanel(
            [
                FieldPanel("tags"),
                FieldPanel("industry"),
                FieldPanel("difficulty_min"),
                FieldPanel("difficulty_max"),
            ]
        ),
    ]

    @property
    def tag_list(self):
        return self.split_tags(self.tags)

    @staticmethod
    def split_tags(text):
        """'储存，运输, 应急' → ['储存', '运输', '应急'] (full-width commas too)."""
        return [tag.strip() for tag in (text or "").replace("，", ",").split(",") if tag.strip()]


class ImportJob(models.Model):
    """An upload of questions, checked (dry run) or imported by a Celery task."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(upload_to="question-imports/", storage=private_storage)
    file_name = models.CharField(max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    dry_run = models.BooleanField(_("check only, import nothing"), default=True)
    on_duplicate = models.CharField(max_length=12, default="skip")
    import_valid_rows = models.BooleanField(
        _("import the valid questions even if others have errors"), default=False
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    # {"summary": {...}, "rows": [{"location", "status", "message", "stem"}], "error": str}
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question import")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def percent(self):
        return round(100 * self.processed / self.total) if self.total else 0

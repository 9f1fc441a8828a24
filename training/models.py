"""
Courses and the learning record.

    HomePage
    └── TrainingIndexPage → CoursePage → LessonPage

A course and its lessons are Wagtail pages, written by trainers and published
through the moderation workflow. What learners did is kept in plain models
that point at the pages but do not depend on them: an enrolment and a lesson's
progress keep the title they had, and survive the page being revised, moved
or deleted, because the learning record (学时记录) is an archive the regulator
may ask for years later.
"""

import secrets
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from accounts.choices import Industry, TargetRole
from cms.blocks import BaseStreamBlock
from cms.models import ContentPage, paginate
from training.blocks import LessonStreamBlock, correct_choice
from training.choices import EnrolmentSource, StudySessionState


def seconds_to_hours(seconds):
    """Learning hours (学时) for a number of seconds, to one decimal place, rounded down."""
    per_hour = settings.TRAINING_MINUTES_PER_HOUR * 60
    return (Decimal(int(seconds)) / per_hour).quantize(Decimal("0.1"), rounding="ROUND_DOWN")


class TrainingIndexPage(ContentPage):
    """The list of courses, filterable by who they are for and by industry."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["training.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        courses = (
            CoursePage.objects.child_of(self)
            .live()
            .public()
            .select_related("listing_image")
            .order_by("path")
        )
        role = request.GET.get("role")
        industry = request.GET.get("industry")
        # A JSON list matched as text: the same on PostgreSQL and SQLite.
        if role in TargetRole.values:
            courses = courses.filter(target_roles__icontains=f'"{role}"')
        if industry in Industry.values:
            courses = courses.filter(industries__icontains=f'"{industry}"')
        context.update(
            courses=paginate(request, courses),
            roles=TargetRole.choices,
            industries=Industry.choices,
            selected_role=role,
            selected_industry=industry,
        )
        return context


class CoursePageForm(WagtailAdminPageForm):
    target_roles = forms.MultipleChoiceField(
        label=_("Target roles"),
        choices=TargetRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries"),
        choices=Industry.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked for a course that applies to every industry."),
    )


class CoursePage(ContentPage):
    """
    A course (课程): who it is for, how many learning hours it gives, and its
    lessons, which are its child pages in the order the page tree shows.
    """

    target_roles = models.JSONField(_("target roles"), default=list)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    required_hours = models.DecimalField(
        _("required learning hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Learning hours (学时) a learner must earn to complete the course."),
    )
    must_finish_in_order = models.BooleanField(
        _("lessons must be finished in order"),
        default=False,
        help_text=_("A learner can open a lesson only after finishing the ones before it."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("course introduction"), blank=True)

    base_form_class = CoursePageForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("target_roles"),
                FieldPanel("industries"),
                FieldRowPanel([FieldPanel("required_hours"), FieldPanel("must_finish_in_order")]),
            ],
            heading=_("Who it is for and what it gives"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types = ["training.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().order_by("path")

    @property
    def required_seconds(self):
        return int(self.required_hours * settings.TRAINING_MINUTES_PER_HOUR * 60)

    def target_role_labels(self):
        return [TargetRole(role).label for role in self.target_roles if role in TargetRole.values]

    def industry_labels(self):
        return [Industry(value).label for value in self.industries if value in Industry.values]

    def get_context(self, request, *args, **kwargs):
        from training import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.course_for_learner(course=self, user=request.user))
        return context


class LessonPage(Page):
    """One lesson: text, images, videos, courseware and check questions."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(LessonStreamBlock(), verbose_name=_("lesson content"))

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["training.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @cached_property
    def course(self):
        return self.get_parent().specific

    def check_questions(self):
        """{block id: question value} of the lesson's check questions."""
        return {
            block.id: block.value for block in self.body if block.block_type == "check_question"
        }

    def requirements(self):
        """
        What finishing the lesson takes: {"videos": {block id: document id},
        "questions": [block ids]}. Read on every heartbeat, so taken from the
        raw stream (no block parsing, no document queries) and cached for the
        published revision.
        """
        key = f"training:lesson-requirements:{self.pk}:{self.live_revision_id}"
        requirements = cache.get(key)
        if requirements is None:
            blocks = self.body.raw_data
            requirements = {
                "videos": {
                    block["id"]: block["value"]["video"]
                    for block in blocks
                    if block["type"] == "lesson_video" and block["value"].get("video")
                },
                "questions": [block["id"] for block in blocks if block["type"] == "check_question"],
            }
            cache.set(key, requirements, 60 * 60 * 24)
        return requirements

    def correct_choice(self, block_id):
        question = self.check_questions().get(block_id)
        return None if question is None else correct_choice(question)

    def serve(self, request, *args, **kwargs):
        from training.views import serve_lesson

        return serve_lesson(self, request, super().serve, *args, **kwargs)


class Enrolment(models.Model):
    """A learner on a course, and the learning hours they have earned on it."""

    # The learning record is an archive: a person who has one is not deleted
    # before the retention period is over.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    course_title = models.CharField(_("course title"), max_length=255)
    source = models.CharField(_("enrolled by"), max_length=10, choices=EnrolmentSource.choices)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    seconds_credited = models.FloatField(_("seconds credited"), default=0)
    last_studied_at = models.DateTimeField(_("last studied"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_enrolment_per_course")
        ]

    def __str__(self):
        return f"{self.learner} · {self.course_title}"

    @property
    def hours_credited(self):
        return seconds_to_hours(self.seconds_credited)

    @property
    def percent(self):
        """Share of the course's required learning hours earned, 0–100."""
        if self.course is None or not self.course.required_seconds:
            return 100 if self.completed_at else 0
        return min(100, int(100 * self.seconds_credited / self.course.required_seconds))


class LessonProgress(models.Model):
    """
    What a learner has done in one lesson: time credited, the parts of each
    video watched, the check questions answered, and when it was completed.
    """

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="lessons"
    )
    lesson = models.ForeignKey(
        LessonPage,
        verbose_name=_("lesson"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="progress",
    )
    lesson_title = models.CharField(_("lesson title"), max_length=255)
    seconds_credited = models.FloatField(_("seconds credited"), default=0)
    # {video block id: {"duration": s, "position": s, "watched": [[from, to], ...]}}
    videos = models.JSONField(default=dict, blank=True)
    # {question block id: {"choice": [indexes], "correct": bool}}
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    content_seen_at = models.DateTimeField(_("read to the end"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self):
        return self.lesson_title

    @property
    def minutes_credited(self):
        return int(self.seconds_credited // 60)


class StudySession(models.Model):
    """
    One lesson page open in one browser tab, from opening to closing: the
    evidence behind the time credited. The page holds `token` and reports
    (heartbeats) with increasing sequence numbers; the server's clock, not the
    page, decides how much time each report is worth.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sessions"
    )
    progress = models.ForeignKey(
        LessonProgress, on_delete=models.CASCADE, related_name="study_sessions"
    )
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    state = models.CharField(
        max_length=12, choices=StudySessionState.choices, default=StudySessionState.ACTIVE
    )
    started_at = models.DateTimeField(auto_now_add=True)
    last_beat_at = models.DateTimeField()
    last_sequence = models.PositiveIntegerField(default=0)
    seconds_credited = models.FloatField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        indexes = [models.Index(fields=["learner", "state"])]
        constraints = [
            # Time counts in one place at a time (防止多点登录).
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(state=StudySessionState.ACTIVE),
                name="one_active_study_session_per_learner",
            )
        ]

    def __str__(self):
        return f"{self.learner} · {self.progress} · {self.started_at:%Y-%m-%d %H:%M}"

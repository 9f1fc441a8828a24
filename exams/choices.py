"""Vocabularies of the question bank and papers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True/false")


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class MultipleChoiceScoring(models.TextChoices):
    """The two common rules for multiple-choice questions (多选题)."""

    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit for a correct subset, nothing for any wrong choice")


class PaperKind(models.TextChoices):
    FIXED = "fixed", _("Fixed paper")
    BLUEPRINT = "blueprint", _("Random draw from a blueprint")


class ImportFormat(models.TextChoices):
    EXCEL = "xlsx", _("Excel (.xlsx)")
    MOODLE = "moodle", _("Moodle XML")
    GIFT = "gift", _("GIFT")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip questions already in the bank")
    NEW_VERSION = "new_version", _("Add them as a new version")

"""Vocabularies of training: how a person came to a course, and how a study session ends."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentSource(models.TextChoices):
    SELF = "self", _("Enrolled themselves")
    CENTRE = "centre", _("Enrolled by a test centre")


class StudySessionState(models.TextChoices):
    """
    A study session is one open lesson page. Only one is active per learner:
    opening a lesson elsewhere supersedes (pauses) the one before.
    """

    ACTIVE = "active", _("Studying")
    SUPERSEDED = "superseded", _("Paused by another page")
    ENDED = "ended", _("Ended")


class BeatOutcome(models.TextChoices):
    """What the server made of one heartbeat; the page shows it to the learner."""

    COUNTED = "counted", _("Time is being counted.")
    HIDDEN = "hidden", _("The page was hidden, so that time does not count.")
    IDLE = "idle", _("No activity for a while, so the clock has stopped. Carry on to resume.")
    PAUSED = (
        "paused",
        _("This lesson is paused because you opened a lesson in another tab or on another device."),
    )
    ENDED = "ended", _("This study session has ended. Reload the page to continue.")
    STALE = "stale", _("An old or repeated report; nothing was counted.")


class CheckQuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True/false")

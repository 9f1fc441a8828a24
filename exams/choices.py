"""Vocabularies of the question bank and papers."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class SessionStatus(models.TextChoices):
    """An exam session (场次) moves forward only, by SESSION_TRANSITIONS."""

    SCHEDULED = "scheduled", _("Scheduled")
    CHECK_IN = "check_in", _("Open for check-in")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


SESSION_TRANSITIONS = {
    SessionStatus.SCHEDULED: {SessionStatus.CHECK_IN, SessionStatus.CLOSED},
    SessionStatus.CHECK_IN: {SessionStatus.RUNNING, SessionStatus.CLOSED},
    SessionStatus.RUNNING: {SessionStatus.CLOSED},
    SessionStatus.CLOSED: set(),
}


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come (缺考)")
    CANCELLED = "cancelled", _("Cancelled")


# A booking in one of these holds its seat and counts against the capacity.
SEAT_HOLDING = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


class BookingSource(models.TextChoices):
    CANDIDATE = "candidate", _("Booked by the candidate")
    CENTRE = "centre", _("Booked by the test centre")


class BookingAction(models.TextChoices):
    """What the audit trail of a booking records."""

    BOOKED = "booked", _("Booked")
    SEAT_CHANGED = "seat_changed", _("Seat changed")
    RESCHEDULED = "rescheduled", _("Moved to another session")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Marked as not come")


class AttemptStatus(models.TextChoices):
    """
    Where a candidate's attempt stands. It moves only along ATTEMPT_TRANSITIONS:
    prepared (paper drawn before the session) → started → submitted, or
    auto-submitted (time up), or terminated (by a proctor) → graded; a proctor
    or the bureau may void it.
    """

    PREPARED = "prepared", _("Prepared")
    STARTED = "started", pgettext_lazy("attempt", "In progress")
    SUBMITTED = "submitted", _("Submitted")
    AUTO_SUBMITTED = "auto_submitted", _("Submitted when time was up")
    TERMINATED = "terminated", _("Terminated by the proctor")
    GRADED = "graded", _("Graded")
    VOIDED = "voided", _("Voided")


ATTEMPT_TRANSITIONS = {
    AttemptStatus.PREPARED: {AttemptStatus.STARTED, AttemptStatus.VOIDED},
    AttemptStatus.STARTED: {
        AttemptStatus.SUBMITTED,
        AttemptStatus.AUTO_SUBMITTED,
        AttemptStatus.TERMINATED,
    },
    AttemptStatus.SUBMITTED: {AttemptStatus.GRADED},
    AttemptStatus.AUTO_SUBMITTED: {AttemptStatus.GRADED},
    AttemptStatus.TERMINATED: {AttemptStatus.GRADED, AttemptStatus.VOIDED},
    AttemptStatus.GRADED: {AttemptStatus.VOIDED},
    # Only an appeal upheld by the bureau brings a voided attempt back.
    AttemptStatus.VOIDED: {AttemptStatus.GRADED},
}


class AttemptAction(models.TextChoices):
    """What an attempt's timeline records besides its status changes."""

    STATUS = "status", _("Status changed")
    TAKEOVER = "takeover", _("Opened on another screen")
    PAUSED = "paused", _("Paused by the proctor")
    RESUMED = "resumed", _("Resumed by the proctor")
    EXTRA_TIME = "extra_time", _("Extra time granted")
    REGRADED = "regraded", _("Re-graded")

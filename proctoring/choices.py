"""What a snapshot is taken for, what an incident is about, and how serious it is."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SnapshotKind(models.TextChoices):
    INTERVAL = "interval", _("Every few seconds")
    EVENT = "event", _("At a browser event")
    CHECK = "check", _("Camera check")


class Severity(models.IntegerChoices):
    MINOR = 1, _("Minor")
    MAJOR = 2, _("Major")
    SERIOUS = 3, _("Serious")


class IncidentKind(models.TextChoices):
    # From the analysis of a snapshot.
    NO_FACE = "no_face", _("No face in view")
    SEVERAL_FACES = "several_faces", _("Several faces in view")
    DARK = "dark", _("Camera covered or too dark")
    BLURRED = "blurred", _("Picture blurred")
    FACE_SMALL = "face_small", _("Face too far from the camera")
    FACE_CUT_OFF = "face_cut_off", _("Face cut off at the edge")
    NOT_SAME_PERSON = "not_same_person", _("Not the person checked in")
    # From the exam page.
    TAB_HIDDEN = "tab_hidden", _("Left the exam tab")
    WINDOW_BLUR = "window_blur", _("Switched to another window")
    FULLSCREEN_EXIT = "fullscreen_exit", _("Left full screen")
    COPY_PASTE = "copy_paste", _("Tried to copy or paste")
    CAMERA_LOST = "camera_lost", _("Camera lost or denied")
    SECOND_SCREEN = "second_screen", _("A second screen is connected")
    # Recorded by the proctor.
    IRREGULARITY = "irregularity", _("Irregularity recorded by the proctor")


# What each kind weighs when it first happens. The analysis can raise a kind's
# severity with its confidence (a confident "not the same person" is serious).
SEVERITY = {
    IncidentKind.NO_FACE: Severity.MAJOR,
    IncidentKind.SEVERAL_FACES: Severity.SERIOUS,
    IncidentKind.DARK: Severity.MAJOR,
    IncidentKind.BLURRED: Severity.MINOR,
    IncidentKind.FACE_SMALL: Severity.MINOR,
    IncidentKind.FACE_CUT_OFF: Severity.MINOR,
    IncidentKind.NOT_SAME_PERSON: Severity.SERIOUS,
    IncidentKind.TAB_HIDDEN: Severity.MAJOR,
    IncidentKind.WINDOW_BLUR: Severity.MINOR,
    IncidentKind.FULLSCREEN_EXIT: Severity.MINOR,
    IncidentKind.COPY_PASTE: Severity.MAJOR,
    IncidentKind.CAMERA_LOST: Severity.MAJOR,
    IncidentKind.SECOND_SCREEN: Severity.MAJOR,
    IncidentKind.IRREGULARITY: Severity.MAJOR,
}

# The events the exam page may report (the rest come from the server).
BROWSER_EVENTS = (
    IncidentKind.TAB_HIDDEN,
    IncidentKind.WINDOW_BLUR,
    IncidentKind.FULLSCREEN_EXIT,
    IncidentKind.COPY_PASTE,
    IncidentKind.CAMERA_LOST,
    IncidentKind.SECOND_SCREEN,
)
BROWSER_EVENT_CHOICES = [(kind.value, kind.label) for kind in BROWSER_EVENTS]


class IrregularityCategory(models.TextChoices):
    BEHAVIOUR = "behaviour", _("Behaviour")
    ENVIRONMENT = "environment", _("Environment")
    TECHNICAL = "technical", _("Technical")
    IDENTITY = "identity", _("Identity")
    ILLNESS = "illness", _("Illness")
    NOISE = "noise", _("Noise")


class Decision(models.TextChoices):
    OPEN = "open", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the bureau's decision")
    UPHELD = "upheld", _("Upheld: the attempt counts again")
    REJECTED = "rejected", _("Rejected: the attempt stays voided")

"""
Where and when exams are sat: exams, test centres (考点) with their rooms
(考场), exam sessions (场次) and the candidates' bookings, with the audit
trail of every change to a booking.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from accounts.choices import Industry, TargetRole
from accounts.models import private_storage
from exams.choices import (
    SEAT_HOLDING,
    BookingAction,
    BookingSource,
    BookingStatus,
    SessionStatus,
)
from exams.models.questions import Paper


class Exam(models.Model):
    """
    An exam (考试项目): what is sat, by whom, and what must come before it.
    Sessions at test centres are scheduled for an exam; a candidate may book
    one when `training.services.eligibility_for` says the required courses
    are complete.
    """

    title = models.CharField(_("title"), max_length=200)
    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), null=True, blank=True, on_delete=models.PROTECT
    )
    target_role = models.CharField(_("target role"), max_length=20, choices=TargetRole.choices)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    required_courses = models.ManyToManyField(
        "training.CoursePage",
        verbose_name=_("required courses"),
        blank=True,
        related_name="exams",
        help_text=_("Courses a candidate must complete, with their learning hours, to book."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("One sitting plus one re-sit (补考) is the rule."),
    )
    pass_valid_months = models.PositiveSmallIntegerField(
        _("a pass is valid for (months)"),
        default=12,
        help_text=_("How long a pass can still lead to a certificate."),
    )
    one_question_per_screen = models.BooleanField(
        _("one question per screen"),
        default=True,
        help_text=_("Otherwise the whole paper is on one page."),
    )
    show_mistakes = models.BooleanField(
        _("show mistakes after submission"),
        default=True,
        help_text=_(
            "The result page lists the questions answered wrongly, with the key and explanation."
        ),
    )
    practice_open = models.BooleanField(
        _("open for practice (模拟考试)"),
        default=True,
        help_text=_("Learners enrolled in a required course may practise; practice never counts."),
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("target_role"), FieldPanel("industry")]),
        FieldPanel("paper"),
        FieldPanel("required_courses", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("pass_valid_months")]),
        MultiFieldPanel(
            [
                FieldPanel("one_question_per_screen"),
                FieldPanel("show_mistakes"),
                FieldPanel("practice_open"),
            ],
            heading=_("Exam page"),
        ),
    ]

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["title"]

    def __str__(self):
        return self.title


class TestCentre(models.Model):
    """A standardised test centre (标准化考点), its staff, and its rooms."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("A short code printed on tickets, e.g. XH01."),
    )
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("centre admins"),
        blank=True,
        related_name="administered_centres",
    )
    proctors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proctors"),
        blank=True,
        related_name="proctored_centres",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("admins", widget=forms.CheckboxSelectMultiple),
        FieldPanel("proctors", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("test centre")
        verbose_name_plural = _("test centres")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Room(models.Model):
    """An exam room (考场): its seats are numbered 1 to `seat_count`, row by row."""

    centre = models.ForeignKey(
        TestCentre, verbose_name=_("test centre"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=60)
    seat_count = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    seats_per_row = models.PositiveSmallIntegerField(
        _("seats per row"),
        default=6,
        validators=[MinValueValidator(1)],
        help_text=_("The room plan: who sits next to whom."),
    )

    class Meta:
        verbose_name = _("exam room")
        verbose_name_plural = _("exam rooms")
        ordering = ["centre", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="one_room_name")]

    def __str__(self):
        return f"{self.centre} · {self.name}"


class ExamSession(models.Model):
    """One sitting of an exam (场次): a room at a centre, a start, a duration, seats to book."""

    exam = models.ForeignKey(
        Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="sessions"
    )
    centre = models.ForeignKey(
        TestCentre, verbose_name=_("test centre"), on_delete=models.PROTECT, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("exam room"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(1)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1)],
        help_text=_("At most the room's number of seats."),
    )
    booking_opens_at = models.DateTimeField(_("booking opens"))
    booking_closes_at = models.DateTimeField(_("booking closes"))
    check_in_grace_minutes = models.PositiveSmallIntegerField(
        _("late check-in allowed (minutes)"),
        default=15,
        help_text=_("After the start plus this, bookings not checked in become no-shows."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    proctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proctor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proctored_sessions",
    )

    panels = [
        FieldRowPanel([FieldPanel("exam"), FieldPanel("centre"), FieldPanel("room")]),
        FieldRowPanel(
            [FieldPanel("starts_at"), FieldPanel("duration_minutes"), FieldPanel("capacity")]
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("booking_opens_at"), FieldPanel("booking_closes_at")]),
                FieldPanel("check_in_grace_minutes"),
            ],
            heading=_("Booking and check-in"),
        ),
        FieldPanel("proctor"),
    ]

    class Meta:
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["centre", "starts_at"])]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.exam} · {self.centre} {self.room.name} · {local:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        errors = {}
        if self.exam_id and not self.exam.paper_id:
            errors["exam"] = _("Choose a paper for this exam before scheduling its sessions.")
        if self.room_id and self.centre_id and self.room.centre_id != self.centre_id:
            errors["room"] = _("Choose a room of this test centre.")
        if self.room_id and self.capacity and self.capacity > self.room.seat_count:
            errors["capacity"] = _("The room has only %(seats)d seats.") % {
                "seats": self.room.seat_count
            }
        if (
            self.booking_opens_at
            and self.booking_closes_at
            and self.booking_closes_at <= self.booking_opens_at
        ):
            errors["booking_closes_at"] = _("Booking must close after it opens.")
        if self.booking_closes_at and self.starts_at and self.booking_closes_at > self.starts_at:
            errors["booking_closes_at"] = _("Booking must close before the session starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    @property
    def check_in_closes_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.check_in_grace_minutes)

    def booking_is_open(self, now=None):
        now = now or timezone.now()
        return (
            self.status in (SessionStatus.SCHEDULED, SessionStatus.CHECK_IN)
            and self.booking_opens_at <= now <= self.booking_closes_at
        )


class Booking(models.Model):
    """A candidate's seat in a session, from booking to check-in (or no-show)."""

    session = models.ForeignKey(
        ExamSession,
        verbose_name=_("exam session"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    seat = models.PositiveSmallIntegerField(_("seat"))
    ticket_number = models.CharField(_("admission ticket number"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    source = models.CharField(_("booked by"), max_length=10, choices=BookingSource.choices)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    check_in_photo = models.ImageField(
        _("photo taken at check-in"),
        storage=private_storage,
        upload_to="check-in/%Y/%m/",
        blank=True,
    )
    ticket_pdf = models.FileField(
        _("admission ticket"), storage=private_storage, upload_to="tickets/%Y/%m/", blank=True
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["session", "seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate"],
                condition=Q(status__in=SEAT_HOLDING),
                name="one_booking_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "seat"],
                condition=Q(status__in=SEAT_HOLDING),
                name="one_candidate_per_seat",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_number} · {self.candidate}"

    @property
    def seat_label(self):
        return f"{self.seat:02d}"


class BookingEvent(models.Model):
    """The audit trail of a booking: who did what, when, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=BookingAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # What changed, e.g. {"seat": [3, 7]} or {"session": [12, 15]}.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.booking} · {self.get_action_display()}"

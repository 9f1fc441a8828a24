"""
Check-in at the centre desk (考点签到), and no-shows (缺考).

The desk finds a booking by the QR code of its admission ticket (read from a
webcam frame here with OpenCV, or in a desk device) or by its typed ticket
number; the proctor compares the registered photo with a photo taken now and
checks the candidate in.

The rules:

- The desk is staffed by the proctors and admins of the session's test centre
  (being named a session's proctor is not enough); the bureau's admins and
  superusers may staff any desk.
- Check-in opens `CHECK_IN_OPENS_BEFORE` the start and closes at the session's
  `check_in_closes_at` (the start plus its grace period), whatever the
  session's status, except that a closed session takes no one. The first
  check-in of a scheduled session opens it for check-in (which also has the
  candidates' papers drawn, see `bookings.session_transition`).
- Only a booked candidate can be checked in, once.
- Once check-in has closed, every booking still booked becomes a no-show
  (`mark_no_shows`, run every minute by Celery beat).

A check-in locks the session and then the booking, in the order that the
booking services use, so that a check-in, a seat change and the no-show sweep
of one session take turns.
"""

import io
from collections import Counter

import cv2
import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from accounts.images import reencode_photo
from config.errors import DomainError
from exams import bookings
from exams.choices import BookingAction, BookingStatus, SessionStatus
from exams.models import Attempt, Booking, BookingEvent, ExamSession, TestCentre
from exams.tickets import booking_for_token

CHECK_IN_OPENS_BEFORE = timezone.timedelta(minutes=60)

# A desk sends a downscaled webcam frame; anything much larger is not one.
MAX_FRAME_BYTES = 3 * 1024 * 1024
MAX_FRAME_PIXELS = 4096 * 4096
FRAME_FORMATS = {"JPEG", "PNG", "WEBP"}


class CheckInRefused(DomainError):
    code = "check_in_refused"
    status = 409


class TicketNotFound(DomainError):
    code = "ticket_not_found"
    status = 404
    default_message = gettext_lazy("No booking has this admission ticket number.")


class OtherSession(DomainError):
    code = "other_session"
    status = 409


class UnreadableFrame(DomainError):
    code = "unreadable_frame"
    status = 400
    default_message = gettext_lazy("This is not a picture that can be read.")


def _local(moment):
    return timezone.localtime(moment).strftime("%H:%M")


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------


def sees_every_centre(user):
    """The bureau's admins and superusers may staff any desk."""
    return user.is_bureau


def _staffed_centres(user):
    return TestCentre.objects.filter(Q(proctors=user) | Q(admins=user))


def is_desk_staff(user):
    """
    Whether the person may staff any check-in desk at all: the role (the
    permission to see bookings) and a place at a centre, both still held.
    """
    return (
        user.is_authenticated
        and user.has_perm("exams.view_booking")
        and (sees_every_centre(user) or _staffed_centres(user).exists())
    )


def desk_sessions(user):
    """The sessions whose desk the person may staff: those of the centres they staff."""
    if not is_desk_staff(user):
        return ExamSession.objects.none()
    if sees_every_centre(user):
        return ExamSession.objects.all()
    return ExamSession.objects.filter(centre__in=_staffed_centres(user))


def sessions_for_desk(user, now=None):
    """
    The sessions whose desk the person may staff, with their counts: today's
    first (by start), then the coming ones (soonest first), then earlier ones
    (latest first).
    """
    sessions = desk_sessions(user).select_related("exam", "centre", "room")
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timezone.timedelta(days=1)
    return sessions.annotate(
        desk_group=Case(
            When(starts_at__gte=today, starts_at__lt=tomorrow, then=Value(0)),
            When(starts_at__gte=tomorrow, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        **_counts(),
    ).order_by(
        "desk_group",
        Case(When(desk_group__lt=2, then=F("starts_at"))).asc(),
        Case(When(desk_group=2, then=F("starts_at"))).desc(),
        "pk",
    )


def _counts():
    return {
        f"{status}_count": Count("bookings", filter=Q(bookings__status=status))
        for status in (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
    }


def desk_counts(session):
    """How the room stands: candidates still expected, checked in, not come, and all booked."""
    counts = session.bookings.aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        checked_in=Count("pk", filter=Q(status=BookingStatus.CHECKED_IN)),
        no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    return {**counts, "total": counts["booked"] + counts["checked_in"] + counts["no_show"]}


def bookings_for_desk(user):
    """The bookings whose candidates the person may see at a desk (never cancelled ones)."""
    return (
        Booking.objects.filter(session__in=desk_sessions(user))
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("candidate", "session")
    )


def attempts_for_desk(user):
    """The attempts a proctor may pause, extend or terminate: their sessions' (never practice)."""
    return Attempt.objects.filter(booking__session__in=desk_sessions(user))


def check_in_opens_at(session):
    return session.starts_at - CHECK_IN_OPENS_BEFORE


def find_booking(*, session, token=None, ticket_number=None):
    """
    The booking of `session` named by a ticket's QR token or its typed number.
    Raises InvalidTicket (forged or altered QR), TicketNotFound, OtherSession,
    or CheckInRefused for a cancelled booking: its ticket is void.
    """
    if token:
        booking = booking_for_token(token)
    else:
        booking = (
            Booking.objects.select_related("session__exam", "session__room", "candidate")
            .filter(ticket_number=(ticket_number or "").strip())
            .first()
        )
        if booking is None:
            raise TicketNotFound()
    if booking.session.centre_id != session.centre_id:
        # Another centre's ticket: its sessions are none of this desk's business.
        raise TicketNotFound()
    if booking.session_id != session.pk:
        other = booking.session
        raise OtherSession(
            _(
                "This ticket is for another session: %(exam)s, %(room)s, "
                "%(date)s at %(time)s. Send the candidate there."
            )
            % {
                "exam": other.exam.title,
                "room": other.room.name,
                "date": timezone.localtime(other.starts_at).strftime("%Y-%m-%d"),
                "time": _local(other.starts_at),
            }
        )
    if booking.status == BookingStatus.CANCELLED:
        raise CheckInRefused(_("This booking was cancelled or moved: the ticket is void."))
    return booking


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------


def _refusal(booking, session, now):
    if booking.status == BookingStatus.CHECKED_IN:
        return _("%(name)s was already checked in at %(time)s.") % {
            "name": booking.candidate,
            "time": _local(booking.checked_in_at),
        }
    if booking.status == BookingStatus.NO_SHOW:
        return _("Check-in closed at %(time)s: %(name)s was marked as not come.") % {
            "name": booking.candidate,
            "time": _local(session.check_in_closes_at),
        }
    if booking.status == BookingStatus.CANCELLED:
        return _("This booking was cancelled or moved: the ticket is void.")
    if session.status == SessionStatus.CLOSED:
        return _("This session is closed.")
    if now < check_in_opens_at(session):
        return _("Check-in opens at %(time)s.") % {"time": _local(check_in_opens_at(session))}
    if now > session.check_in_closes_at:
        return _("Check-in closed at %(time)s.") % {"time": _local(session.check_in_closes_at)}
    return None


def check_in(*, booking, by, photo=None):
    """
    Check a booked candidate in, keeping the photo taken at the desk (decoded
    and re-encoded, under a random name, in private storage). Raises
    CheckInRefused, also for a photo that is not one.
    """
    clean = None
    if photo is not None:
        # Decoded and re-encoded before the room's lock is taken: the other
        # desks of the room need not wait for it.
        try:
            clean = reencode_photo(photo)
        except ValidationError as error:
            raise CheckInRefused(" ".join(error.messages)) from error
    return _check_in(booking=booking, by=by, photo=clean)


@transaction.atomic
def _check_in(*, booking, by, photo):
    now = timezone.now()
    session = ExamSession.objects.select_for_update().get(pk=booking.session_id)
    booking = Booking.objects.select_for_update().select_related("candidate").get(pk=booking.pk)
    if reason := _refusal(booking, session, now):
        raise CheckInRefused(reason)
    if photo is not None:
        booking.check_in_photo.save(photo.name, photo, save=False)
    booking.status = BookingStatus.CHECKED_IN
    booking.checked_in_at = now
    booking.save(update_fields=["status", "checked_in_at", "check_in_photo"])
    bookings._record(booking, BookingAction.CHECKED_IN, by, photo=bool(photo))
    if session.status == SessionStatus.SCHEDULED:
        bookings.session_transition(session=session, to=SessionStatus.CHECK_IN, by=by)
    return booking


def mark_no_shows(now=None):
    """
    Every booking still booked in a session whose check-in has closed becomes
    a no-show. Returns how many per room. Each session is one transaction, and
    a second run finds nothing left to do.
    """
    now = now or timezone.now()
    due = (
        ExamSession.objects.filter(starts_at__lte=now, bookings__status=BookingStatus.BOOKED)
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    counts = Counter()
    for session_id in due:
        counts.update(_mark_session_no_shows(session_id, now))
    return dict(counts)


@transaction.atomic
def _mark_session_no_shows(session_id, now):
    session = ExamSession.objects.select_for_update().select_related("room").get(pk=session_id)
    if now <= session.check_in_closes_at:
        return {}
    absent = list(session.bookings.select_for_update().filter(status=BookingStatus.BOOKED))
    if not absent:
        return {}
    Booking.objects.filter(pk__in=[b.pk for b in absent]).update(status=BookingStatus.NO_SHOW)
    BookingEvent.objects.bulk_create(
        BookingEvent(
            booking=booking,
            action=BookingAction.NO_SHOW,
            details={"check_in_closed_at": session.check_in_closes_at.isoformat()},
        )
        for booking in absent
    )
    return {session.room: len(absent)}


# ---------------------------------------------------------------------------
# QR codes in webcam frames
# ---------------------------------------------------------------------------


def decode_qr(image_bytes):
    """
    The text of the QR code in a picture (a JPEG, PNG or WebP frame from a
    desk's webcam), or None when there is none. Raises UnreadableFrame for
    anything else, or anything too large to be a webcam frame.
    """
    if len(image_bytes) > MAX_FRAME_BYTES:
        raise UnreadableFrame(
            _("The picture is larger than %(limit)d MB.") % {"limit": MAX_FRAME_BYTES // 2**20}
        )
    # Pillow reads only the header: refuse what is not a picture, or one with
    # so many pixels that decoding it would be the attack, before OpenCV does.
    try:
        with Image.open(io.BytesIO(image_bytes)) as header:
            if header.format not in FRAME_FORMATS:
                raise UnreadableFrame()
            width, height = header.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise UnreadableFrame() from error
    if width * height > MAX_FRAME_PIXELS:
        raise UnreadableFrame()
    image = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise UnreadableFrame()
    # The classic detector misses about one clean code in a hundred; the ArUco-
    # based one reads those. Trying both costs little on a 640×480 frame.
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        try:
            text, _points, _straight = detector.detectAndDecode(image)
        except cv2.error:  # a code OpenCV found but could not make sense of
            continue
        if text:
            return text
    return None


def purge_check_in_photos(now=None):
    """
    Delete the photos taken at check-in once CHECK_IN_PHOTO_RETENTION_DAYS have
    passed since their session: a face is sensitive personal information,
    kept only as long as a dispute about who sat the exam may arise.
    """
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.CHECK_IN_PHOTO_RETENTION_DAYS)
    old = list(
        Booking.objects.filter(session__starts_at__lt=cutoff)
        .exclude(check_in_photo="")
        .values_list("pk", "check_in_photo")
    )
    if not old:
        return 0
    storage = Booking._meta.get_field("check_in_photo").storage
    with transaction.atomic():
        Booking.objects.filter(pk__in=[pk for pk, _name in old]).update(check_in_photo="")
        transaction.on_commit(lambda: [storage.delete(name) for _pk, name in old])
    return len(old)

"""
Booking seats in exam sessions: the rules, and every change with its audit trail.

Capacity holds under concurrent bookings because every booking of a session
first locks the session's row (`SELECT … FOR UPDATE`): bookings of one session
take turns, count the seats held, and take the lowest free seat. The partial
unique constraints on Booking (one seat, one booking per candidate and
session) are the last line if a code path forgets.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from exams import tasks
from exams.choices import (
    SEAT_HOLDING,
    SESSION_TRANSITIONS,
    BookingAction,
    BookingSource,
    BookingStatus,
    SessionStatus,
)
from exams.models import Booking, BookingEvent, ExamSession
from training.services import eligibility_for


class BookingRefused(DomainError):
    """The candidate cannot book this session; `details["reasons"]` says why, in words."""

    code = "booking_refused"
    status = 409

    def __init__(self, reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__(" ".join(self.reasons), details={"reasons": self.reasons})


class BookingChangeRefused(DomainError):
    code = "booking_change_refused"
    status = 409


class IllegalSessionTransition(DomainError):
    code = "illegal_transition"
    status = 409
    default_message = gettext_lazy("An exam session cannot go back to an earlier state.")


def refusals(*, session, candidate, now=None, moving_from=None):
    """
    Why `candidate` cannot book `session` now: a list of messages, empty when
    they can. `moving_from` is the booking being rescheduled, which does not
    count against them.
    """
    now = now or timezone.now()
    reasons = []
    if not session.booking_is_open(now):
        if now < session.booking_opens_at:
            reasons.append(
                _("Booking for this session opens on %(date)s.")
                % {"date": timezone.localtime(session.booking_opens_at).strftime("%Y-%m-%d %H:%M")}
            )
        else:
            reasons.append(_("Booking for this session has closed."))
    held = Booking.objects.filter(candidate=candidate, status__in=SEAT_HOLDING)
    if moving_from is not None:
        held = held.exclude(pk=moving_from.pk)
    if held.filter(session=session).exists():
        reasons.append(_("You have already booked this session."))
    elif held.filter(
        session__exam=session.exam, status=BookingStatus.BOOKED, session__starts_at__gt=now
    ).exists():
        reasons.append(
            _("You already have a booking for this exam. Cancel or move it to book another.")
        )
    sittings = held.filter(session__exam=session.exam).exclude(status=BookingStatus.BOOKED)
    if sittings.count() >= session.exam.attempts_allowed:
        reasons.append(
            _("You have used the %(count)d sittings this exam allows.")
            % {"count": session.exam.attempts_allowed}
        )
    reasons.extend(eligibility_for(candidate, session.exam).reasons)
    taken = session.bookings.filter(status__in=SEAT_HOLDING)
    if moving_from is not None:
        taken = taken.exclude(pk=moving_from.pk)
    if taken.count() >= session.capacity:
        reasons.append(_("This session is full."))
    return reasons


def _lock_session(session_id):
    return ExamSession.objects.select_for_update().select_related("exam", "room").get(pk=session_id)


def _lock_candidate(candidate):
    # Two bookings of one candidate (two sessions of one exam) take turns too.
    get_user_model().objects.select_for_update().filter(pk=candidate.pk).first()


def _free_seat(session):
    taken = set(session.bookings.filter(status__in=SEAT_HOLDING).values_list("seat", flat=True))
    return next(seat for seat in range(1, session.room.seat_count + 1) if seat not in taken)


def _new_ticket_number():
    """Ten digits, unguessable, never starting with 0 (Excel would drop it)."""
    while True:
        number = str(secrets.randbelow(9 * 10**9) + 10**9)
        if not Booking.objects.filter(ticket_number=number).exists():
            return number


def _record(booking, action, by, reason="", **details):
    BookingEvent.objects.create(
        booking=booking, action=action, by=by, reason=reason, details=details
    )


@transaction.atomic
def book(*, session, candidate, by=None, source=BookingSource.CANDIDATE, now=None):
    """Book the lowest free seat of `session` for `candidate`, or raise BookingRefused."""
    session = _lock_session(session.pk)
    _lock_candidate(candidate)
    reasons = refusals(session=session, candidate=candidate, now=now)
    if reasons:
        raise BookingRefused(reasons)
    booking = Booking.objects.create(
        session=session,
        candidate=candidate,
        seat=_free_seat(session),
        ticket_number=_new_ticket_number(),
        source=source,
    )
    _record(booking, BookingAction.BOOKED, by or candidate)
    tasks.render_admission_ticket.delay_on_commit(booking.pk)
    _prepare_if_late(session)
    return booking


def _prepare_if_late(session):
    """A booking made after papers were drawn (check-in open) gets its paper too."""
    if session.status != SessionStatus.SCHEDULED and session.exam.paper_id:
        tasks.prepare_session_attempts.delay_on_commit(session.pk)


@transaction.atomic
def cancel(*, booking, by, reason=""):
    """Cancel a booking that has not been sat. A candidate may until booking closes."""
    session = _lock_session(booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.BOOKED:
        raise BookingChangeRefused(_("Only a booking that has not been sat can be cancelled."))
    if by == booking.candidate and not session.booking_is_open():
        raise BookingChangeRefused(
            _("Booking for this session has closed: ask the test centre to cancel it.")
        )
    if timezone.now() >= session.starts_at:
        raise BookingChangeRefused(_("The session has started: the booking can no longer change."))
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    _drop_ticket(booking)
    _record(booking, BookingAction.CANCELLED, by, reason)
    return booking


@transaction.atomic
def reschedule(*, booking, to_session, by, reason=""):
    """Move a booking to another session of the same exam: a new seat, a new ticket."""
    if to_session.exam_id != booking.session.exam_id:
        raise BookingChangeRefused(_("A booking can move only to a session of the same exam."))
    # Lock both sessions in a fixed order, so that two moves cannot deadlock.
    for session_id in sorted({booking.session_id, to_session.pk}):
        _lock_session(session_id)
    target = _lock_session(to_session.pk)
    _lock_candidate(booking.candidate)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.BOOKED or timezone.now() >= booking.session.starts_at:
        raise BookingChangeRefused(_("Only a booking that has not been sat can be moved."))
    reasons = refusals(session=target, candidate=booking.candidate, moving_from=booking)
    if reasons:
        raise BookingRefused(reasons)
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    _drop_ticket(booking)
    moved = Booking.objects.create(
        session=target,
        candidate=booking.candidate,
        seat=_free_seat(target),
        ticket_number=_new_ticket_number(),
        source=booking.source,
    )
    _record(booking, BookingAction.RESCHEDULED, by, reason, to_booking=moved.pk)
    _record(moved, BookingAction.RESCHEDULED, by, reason, from_booking=booking.pk)
    tasks.render_admission_ticket.delay_on_commit(moved.pk)
    _prepare_if_late(target)
    return moved


@transaction.atomic
def change_seat(*, booking, seat, by, reason=""):
    session = _lock_session(booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    # Checked again under the lock: a check-in may have come in meanwhile.
    if booking.status != BookingStatus.BOOKED or timezone.now() >= session.starts_at:
        raise BookingChangeRefused(_("This booking can no longer be changed."))
    if not 1 <= seat <= session.room.seat_count:
        raise BookingChangeRefused(
            _("Room %(room)s has seats 1 to %(last)d.")
            % {"room": session.room.name, "last": session.room.seat_count}
        )
    if session.bookings.filter(status__in=SEAT_HOLDING, seat=seat).exclude(pk=booking.pk).exists():
        raise BookingChangeRefused(_("Seat %(seat)d is taken.") % {"seat": seat})
    old = booking.seat
    booking.seat = seat
    try:
        with transaction.atomic():
            booking.save(update_fields=["seat"])
    except IntegrityError as error:  # taken meanwhile by a path that did not lock
        raise BookingChangeRefused(_("Seat %(seat)d is taken.") % {"seat": seat}) from error
    _record(booking, BookingAction.SEAT_CHANGED, by, reason, seat=[old, seat])
    tasks.render_admission_ticket.delay_on_commit(booking.pk)  # the ticket shows the seat
    return booking


def tickets_outdated(session):
    """
    The session's time or place changed: its candidates' stored tickets go
    (a download renders afresh) and are printed again by the worker.
    """
    for booking in session.bookings.filter(
        status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN]
    ):
        _drop_ticket(booking)
        tasks.render_admission_ticket.delay_on_commit(booking.pk)


def _drop_ticket(booking):
    """A ticket that no longer holds is deleted, file and all (personal data)."""
    name, storage = booking.ticket_pdf.name, booking.ticket_pdf.storage
    if name:
        Booking.objects.filter(pk=booking.pk).update(ticket_pdf="")
        booking.ticket_pdf.name = ""
        # The file goes once the change is committed: a rollback keeps both.
        transaction.on_commit(lambda: storage.delete(name))


def _cancel_all(session, *, by, reason):
    for booking in session.bookings.select_for_update().filter(status=BookingStatus.BOOKED):
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
        _drop_ticket(booking)
        _record(booking, BookingAction.CANCELLED, by, reason)


def close_finished_sessions(now=None):
    """Sessions that have ended are closed (after their no-shows are marked)."""
    now = now or timezone.now()
    closed = 0
    for session in ExamSession.objects.exclude(status=SessionStatus.CLOSED).filter(
        starts_at__lt=now
    ):
        if session.ends_at < now:
            session_transition(session=session, to=SessionStatus.CLOSED)
            closed += 1
    return closed


@transaction.atomic
def session_transition(*, session, to, by=None):
    """Move a session forward (scheduled → check-in → running → closed), or raise."""
    session = _lock_session(session.pk)
    if to not in SESSION_TRANSITIONS[SessionStatus(session.status)]:
        raise IllegalSessionTransition()
    session.status = to
    session.save(update_fields=["status"])
    if to == SessionStatus.CLOSED and timezone.now() < session.starts_at:
        # Called off before it began: its candidates keep their sittings.
        _cancel_all(session, by=by, reason=_("The session was called off."))
    if to == SessionStatus.CHECK_IN and session.exam.paper_id:
        # Papers are drawn while candidates check in, not when they press "Start".
        # (A session's exam has a paper: ExamSession.clean sees to it.)
        tasks.prepare_session_attempts.delay_on_commit(session.pk)
    return session

"""
The live attempt: start and resume, saving answers, submitting, and the
proctor's control of the clock.

Three rules hold everything together:

- **The server's clock decides.** The deadline is fixed at the start and only
  a proctor moves it (extra time, or a pause that stops the clock). The
  candidate's clock is never asked.
- **A newer answer is never overwritten by an older one.** Each save carries
  the page's sequence number and a client-generated id. A save whose id was
  seen before is a retry and changes nothing; a save older than what is stored
  for that question is recorded but not applied. Either way the answer is what
  the server has stored, so the page can trust it.
- **One live page per attempt.** Every start or resume hands out a new page
  token; saves from an older page are refused as taken over.

Every function that changes an attempt locks its row first, so a save racing
a submit, or two tabs racing each other, are served one after the other.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from exams import grading, selectors, services
from exams.attempts import AttemptNotReady, move
from exams.choices import AttemptAction, AttemptStatus, BookingStatus, QuestionType, SessionStatus
from exams.models import AnswerSave, Attempt, AttemptEvent, AttemptQuestion


class AttemptClosed(DomainError):
    code = "attempt_closed"
    default_message = gettext_lazy("This exam has been submitted: answers can no longer change.")


class TimeUp(DomainError):
    code = "time_up"
    default_message = gettext_lazy(
        "Time is up: answers given after the end of the exam are not accepted."
    )


class Paused(DomainError):
    code = "paused"
    default_message = gettext_lazy(
        "The proctor has paused your exam. Your answer is kept and sent when it resumes."
    )


class TakenOver(DomainError):
    code = "taken_over"
    default_message = gettext_lazy(
        "This exam has been opened on another screen. Continue there; this page has stopped."
    )


class NotPractisable(DomainError):
    code = "not_practisable"
    status = 403


def _locked(attempt_id, candidate=None, *, related=("exam", "paper", "booking__session")):
    attempts = Attempt.objects.select_for_update(of=("self",)).select_related(*related)
    if candidate is not None:
        attempts = attempts.filter(candidate=candidate)
    return attempts.get(pk=attempt_id)


def _record(attempt, action, *, by=None, reason=""):
    AttemptEvent.objects.create(attempt=attempt, action=action, by=by, reason=reason[:255])


# ---------------------------------------------------------------------------
# Start, resume, practice
# ---------------------------------------------------------------------------


@transaction.atomic
def start(*, attempt_id, candidate, now=None):
    """
    Start the candidate's attempt, or resume it: either way this page becomes
    the live one (an earlier page is told it was taken over on its next call).
    The deadline is fixed at the first start, by the server's clock; resuming
    keeps it. Raises Attempt.DoesNotExist for an attempt that is not theirs.
    """
    now = now or timezone.now()
    attempt = _locked(attempt_id, candidate)
    if attempt.status == AttemptStatus.PREPARED:
        if not attempt.practice:
            _check_sitting_ready(attempt)
        move(attempt, AttemptStatus.STARTED, by=candidate)
        attempt.started_at = now
        attempt.deadline = now + timezone.timedelta(minutes=duration_minutes(attempt))
    elif attempt.status == AttemptStatus.STARTED:
        if attempt.page is not None:
            _record(attempt, AttemptAction.TAKEOVER, by=candidate)
    else:
        raise AttemptClosed()
    attempt.page = uuid.uuid4()
    attempt.save(update_fields=["status", "started_at", "deadline", "page"])
    return attempt


def _check_sitting_ready(attempt):
    booking, session = attempt.booking, attempt.booking.session
    if booking.status != BookingStatus.CHECKED_IN:
        raise AttemptNotReady(_("Check in at the desk first: the proctor then lets you start."))
    if session.status not in (SessionStatus.CHECK_IN, SessionStatus.RUNNING):
        raise AttemptNotReady(_("This exam session is not open."))
    # A proctored sitting starts only with the candidate's consent to the
    # camera and a camera check passed.
    from proctoring.services import check_ready

    check_ready(attempt)


def duration_minutes(attempt):
    if attempt.practice:
        return attempt.paper.duration_minutes
    return attempt.booking.session.duration_minutes


def may_practise(*, exam, candidate):
    """Practice (模拟考试): the rule is `selectors.practice_exams`."""
    return selectors.practice_exams(candidate).filter(pk=exam.pk).exists()


@transaction.atomic
def start_practice(*, exam, candidate, now=None):
    """
    A practice attempt: drawn now, unproctored, as many as the learner likes,
    never counting toward certification. An unfinished one is resumed rather
    than a second one begun.
    """
    if not may_practise(exam=exam, candidate=candidate):
        raise NotPractisable(
            _("Practice for this exam is open to learners enrolled in its course.")
        )
    # The learner's row serialises two clicks on "Practise" into one attempt.
    get_user_model().objects.select_for_update().filter(pk=candidate.pk).first()
    open_one = Attempt.objects.filter(
        candidate=candidate, exam=exam, practice=True, status=AttemptStatus.STARTED
    ).first()
    if open_one is not None:
        return start(attempt_id=open_one.pk, candidate=candidate, now=now)
    drawn = services.draw_paper(paper=exam.paper)
    attempt = Attempt.objects.create(
        candidate=candidate, exam=exam, paper=exam.paper, practice=True
    )
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            position=position,
            question=item.question,
            points=item.points,
            option_order=list(item.option_order),
        )
        for position, item in enumerate(drawn, start=1)
    )
    return start(attempt_id=attempt.pk, candidate=candidate, now=now)


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def _original(item, positions):
    """The candidate's chosen positions → original option indexes, checked."""
    question = item.question
    count = 2 if question.type == QuestionType.TRUE_FALSE else len(question.options)
    if not isinstance(positions, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in positions
    ):
        raise ValidationError(_("An answer is a list of option numbers."), code="invalid")
    if len(set(positions)) != len(positions) or any(not 0 <= p < count for p in positions):
        raise ValidationError(_("This question has no such option."), code="invalid")
    if question.type != QuestionType.MULTIPLE and len(positions) > 1:
        raise ValidationError(_("Choose one option for this question."), code="invalid")
    if not item.option_order:
        return sorted(positions)
    return sorted(item.option_order[p] for p in positions)


@transaction.atomic
def save_answer(
    *,
    attempt_id,
    candidate,
    page,
    client_id,
    sequence,
    position,
    selected,
    flagged=False,
    now=None,
):
    """
    Store one answer (and the review flag) for one question, unless a newer
    one is stored already. Returns (item, outcome) where outcome is "saved",
    "stale" (an older save arriving late: recorded, not applied) or
    "duplicate" (a retry of a save already received); `item` holds what is
    stored either way.
    """
    now = now or timezone.now()
    # Everything a save checks is on the attempt's own row.
    attempt = _locked(attempt_id, candidate, related=())
    item = _item(attempt, position)
    if AnswerSave.objects.filter(attempt=attempt, client_id=client_id).exists():
        return item, "duplicate"
    _check_open_for_answers(attempt, page, now)
    original = _original(item, selected)
    applied = sequence > item.saved_sequence
    if applied:
        item.selected, item.flagged = original, bool(flagged)
        item.saved_sequence, item.saved_at = sequence, now
        item.save(update_fields=["selected", "flagged", "saved_sequence", "saved_at"])
    AnswerSave.objects.create(
        attempt=attempt,
        client_id=client_id,
        sequence=sequence,
        position=position,
        selected=original,
        flagged=bool(flagged),
        applied=applied,
    )
    if sequence > attempt.sequence:
        # The row is locked; an UPDATE, not save(): the page's bookkeeping is
        # not audited, and save() would cost the audit log a read of the row
        # on every answer.
        attempt.sequence = sequence
        Attempt.objects.filter(pk=attempt.pk).update(sequence=sequence)
    return item, "saved" if applied else "stale"


def _item(attempt, position):
    try:
        return attempt.questions.select_related("question").get(position=position)
    except AttemptQuestion.DoesNotExist:
        raise ValidationError(_("This paper has no question %(n)s.") % {"n": position}) from None


def _check_open_for_answers(attempt, page, now):
    if attempt.status != AttemptStatus.STARTED:
        raise AttemptClosed()
    if page is None or str(attempt.page) != str(page):
        raise TakenOver()
    if attempt.is_paused:
        raise Paused()
    grace = timezone.timedelta(seconds=settings.EXAM_ANSWER_GRACE_SECONDS)
    if now > attempt.deadline + grace:
        raise TimeUp()


# ---------------------------------------------------------------------------
# Submitting and closing
# ---------------------------------------------------------------------------


@transaction.atomic
def submit(*, attempt_id, candidate, page=None, now=None):
    """
    Hand the paper in and grade it at once. Submitting again returns the
    graded attempt (a retry after a lost response). After the deadline the
    attempt counts as submitted when time was up.
    """
    now = now or timezone.now()
    attempt = _locked(attempt_id, candidate)
    if attempt.status != AttemptStatus.STARTED:
        if attempt.status == AttemptStatus.PREPARED:
            raise AttemptNotReady(_("This exam has not started."))
        return attempt
    if page is not None and str(attempt.page) != str(page):
        raise TakenOver()
    if attempt.is_paused:
        raise Paused()
    time_up = now >= attempt.deadline
    _close(
        attempt,
        AttemptStatus.AUTO_SUBMITTED if time_up else AttemptStatus.SUBMITTED,
        by=candidate,
        now=now,
    )
    return attempt


def _close(attempt, to, *, by=None, reason="", now):
    move(attempt, to, by=by, reason=reason)
    attempt.submitted_at = now
    attempt.page = None
    attempt.save(update_fields=["status", "submitted_at", "page", "paused_at"])
    if to != AttemptStatus.TERMINATED:
        grading.grade(attempt, now=now)


def _overdue(attempt, cutoff):
    if attempt.is_paused:
        return attempt.booking is not None and attempt.booking.session.status == (
            SessionStatus.CLOSED
        )
    return attempt.deadline < cutoff


def close_overdue(now=None, batch=500):
    """
    Submit the attempts whose time ran out more than a grace period ago (the
    candidate closed the page, or lost power), grading the answers saved.
    Run every few seconds by the beat; returns how many it closed.
    """
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.EXAM_CLOSE_GRACE_SECONDS)
    # A pause stops the clock, but not past the end of the session: a pause
    # the proctor forgot to lift ends when the session closes.
    overdue = Attempt.objects.filter(
        Q(paused_at__isnull=True, deadline__lt=cutoff)
        | Q(paused_at__isnull=False, booking__session__status=SessionStatus.CLOSED),
        status=AttemptStatus.STARTED,
    ).values_list("pk", flat=True)[:batch]
    closed = 0
    for attempt_id in overdue:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("exam", "paper", "booking__session")
                .filter(pk=attempt_id, status=AttemptStatus.STARTED)
                .first()
            )
            if attempt is None or not _overdue(attempt, cutoff):
                continue
            attempt.paused_at = None
            _close(attempt, AttemptStatus.AUTO_SUBMITTED, reason=_("Time was up."), now=now)
            closed += 1
    return closed


# ---------------------------------------------------------------------------
# The proctor's controls
# ---------------------------------------------------------------------------


# The most extra time a proctor grants in one go.
EXTRA_MINUTES_MAX = 120


def _open_for_proctor(attempt):
    if attempt.status != AttemptStatus.STARTED:
        raise AttemptClosed(_("This attempt is not in progress."))


@transaction.atomic
def pause(*, attempt_id, by, reason="", now=None):
    """Stop the candidate's clock (a fire alarm, a broken machine)."""
    now = now or timezone.now()
    attempt = _locked(attempt_id)
    _open_for_proctor(attempt)
    if not attempt.is_paused:
        attempt.paused_at = now
        attempt.save(update_fields=["paused_at"])
        _record(attempt, AttemptAction.PAUSED, by=by, reason=reason)
    return attempt


@transaction.atomic
def resume(*, attempt_id, by, reason="", now=None):
    """Start the clock again: the deadline moves by the time it stood still."""
    now = now or timezone.now()
    attempt = _locked(attempt_id)
    _open_for_proctor(attempt)
    if attempt.is_paused:
        attempt.deadline += now - attempt.paused_at
        attempt.paused_at = None
        attempt.save(update_fields=["deadline", "paused_at"])
        _record(attempt, AttemptAction.RESUMED, by=by, reason=reason)
    return attempt


@transaction.atomic
def add_time(*, attempt_id, minutes, by, reason):
    """Grant extra time; the reason is kept on the timeline."""
    if not 1 <= minutes <= EXTRA_MINUTES_MAX:
        raise ValidationError(
            _("Extra time is between 1 and %(max)s minutes.") % {"max": EXTRA_MINUTES_MAX}
        )
    if not reason.strip():
        raise ValidationError(_("Say why extra time is granted."))
    attempt = _locked(attempt_id)
    _open_for_proctor(attempt)
    attempt.deadline += timezone.timedelta(minutes=minutes)
    attempt.extra_minutes += minutes
    attempt.save(update_fields=["deadline", "extra_minutes"])
    _record(
        attempt,
        AttemptAction.EXTRA_TIME,
        by=by,
        reason=_("%(minutes)s minutes: %(reason)s") % {"minutes": minutes, "reason": reason},
    )
    return attempt


@transaction.atomic
def terminate(*, attempt_id, by, reason, now=None):
    """End an attempt for misconduct. It is graded or voided after review, not now."""
    if not reason.strip():
        raise ValidationError(_("Say why the attempt is terminated."))
    now = now or timezone.now()
    attempt = _locked(attempt_id)
    _open_for_proctor(attempt)
    _close(attempt, AttemptStatus.TERMINATED, by=by, reason=reason, now=now)
    return attempt

"""
Writes to the learning record: enrolment, study sessions, heartbeats, check answers.

How time becomes learning hours. The lesson page reports (a heartbeat) every
TRAINING_HEARTBEAT_SECONDS while it is open, and at once when it is hidden or
shown again. Each report describes the interval since the one before: was the
page visible throughout, how long since the learner's last input, where the
video is. The *server's* clock measures the interval, and it is capped at one
and a half heartbeats, so a page that was asleep, or lies, gains at most that
much. Nothing the page sends is a number of seconds to credit:

- a hidden page earns nothing for the interval;
- an idle page earns only up to TRAINING_IDLE_LIMIT_SECONDS after the last input;
- a playing video earns the seconds it actually advanced (never more than
  the interval): seeking ahead earns nothing;
- a report whose sequence number is not newer than the last (a retry, a
  replay, an out-of-order arrival) earns nothing;
- only one study session per learner is active: opening a lesson elsewhere
  pauses the earlier page, which earns nothing until the learner takes over.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import GroupPagePermission

from accounts.choices import ROLE_GROUP_NAMES, Role
from config.errors import DomainError
from training.blocks import VIDEO_WATCHED_SHARE
from training.choices import BeatOutcome, EnrolmentSource, StudySessionState
from training.media import video_seconds
from training.models import Enrolment, LessonProgress, StudySession, seconds_to_hours

# A video position may run this far ahead of the server's clock (network jitter).
VIDEO_TOLERANCE_SECONDS = 2.0


class NotEnrolled(DomainError):
    code = "not_enrolled"
    status = 403

    def __init__(self, course):
        super().__init__(_("Enrol in “%(course)s” first.") % {"course": course.title})


class LessonLocked(DomainError):
    code = "lesson_locked"
    status = 403

    def __init__(self, lesson):
        super().__init__(
            _("Finish the lessons before “%(lesson)s” first: this course is taken in order.")
            % {"lesson": lesson.title}
        )


class UnknownCheckQuestion(DomainError):
    code = "unknown_question"
    status = 404
    default_message = gettext_lazy(
        "This question is no longer part of the lesson. Reload the page."
    )


class InvalidCheckAnswer(DomainError):
    code = "invalid_answer"
    status = 400
    default_message = gettext_lazy("Choose an answer first.")


# ---------------------------------------------------------------------------
# Enrolment
# ---------------------------------------------------------------------------


@transaction.atomic
def enrol(*, learner, course, enrolled_by=None):
    """Enrol `learner` in `course`, or return the enrolment they already have."""
    enrolment, _created = Enrolment.objects.get_or_create(
        learner=learner,
        course=course,
        defaults={
            "course_title": course.title,
            "source": EnrolmentSource.SELF
            if enrolled_by in (None, learner)
            else EnrolmentSource.CENTRE,
            "enrolled_by": enrolled_by or learner,
        },
    )
    return enrolment


def enrolment_for(*, learner, course):
    enrolment = Enrolment.objects.filter(learner=learner, course=course).first()
    if enrolment is None:
        raise NotEnrolled(course)
    return enrolment


def lesson_is_open(*, enrolment, lesson, course=None):
    """In a course taken in order, a lesson opens when every lesson before it is complete."""
    course = course or lesson.course
    if not course.must_finish_in_order:
        return True
    earlier = [page.pk for page in course.lessons() if page.path < lesson.path]
    done = LessonProgress.objects.filter(
        enrolment=enrolment, lesson_id__in=earlier, completed_at__isnull=False
    ).count()
    return done == len(earlier)


# ---------------------------------------------------------------------------
# Study sessions and heartbeats
# ---------------------------------------------------------------------------


@transaction.atomic
def study_start(*, learner, lesson, user_agent=""):
    """
    Open a study session on `lesson`. Any other active session of the learner
    (another tab, another device) is paused: time counts in one place only.
    """
    # Two pages opened at the same moment must not both stay active: starts of
    # one learner take turns on the learner's row.
    get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
    course = lesson.course
    enrolment = enrolment_for(learner=learner, course=course)
    if not lesson_is_open(enrolment=enrolment, lesson=lesson, course=course):
        raise LessonLocked(lesson)
    progress, _created = LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"lesson_title": lesson.title}
    )
    now = timezone.now()
    StudySession.objects.filter(learner=learner, state=StudySessionState.ACTIVE).update(
        state=StudySessionState.SUPERSEDED, ended_at=now
    )
    return StudySession.objects.create(
        learner=learner, progress=progress, last_beat_at=now, user_agent=user_agent[:200]
    )


@dataclass
class Beat:
    """One heartbeat as the page reports it. None of it is trusted as time."""

    sequence: int
    visible: bool
    idle_seconds: float
    at_end: bool = False
    final: bool = False
    video_id: str = ""
    video_position: float | None = None
    video_duration: float | None = None
    video_playing: bool = False


@dataclass
class BeatResult:
    outcome: str
    credited: float
    progress: LessonProgress
    lesson_completed_now: bool = False
    course_completed_now: bool = False
    messages: list = field(default_factory=list)


def heartbeat(*, learner, token, beat):
    """Credit the interval since the session's last heartbeat, by the rules above."""
    with transaction.atomic():
        session = (
            # The progress row too: a check answer may complete the lesson meanwhile.
            StudySession.objects.select_for_update(of=("self", "progress"))
            .select_related("progress__enrolment__course", "progress__lesson")
            .filter(learner=learner, token=token)
            .first()
        )
        if session is None:
            raise StudySessionNotFound()
        progress = session.progress
        if session.state == StudySessionState.SUPERSEDED:
            return BeatResult(BeatOutcome.PAUSED, 0, progress)
        if session.state == StudySessionState.ENDED:
            return BeatResult(BeatOutcome.ENDED, 0, progress)
        if beat.sequence <= session.last_sequence:
            return BeatResult(BeatOutcome.STALE, 0, progress)

        now = timezone.now()
        interval = (now - session.last_beat_at).total_seconds()
        window = max(0.0, min(interval, settings.TRAINING_HEARTBEAT_SECONDS * 1.5))
        outcome, credited, video_changed = _credit(progress, beat, window)

        session.last_sequence = beat.sequence
        session.last_beat_at = now
        session.seconds_credited = F("seconds_credited") + credited
        if beat.final:
            session.state = StudySessionState.ENDED
            session.ended_at = now
        session.save(
            update_fields=["last_sequence", "last_beat_at", "seconds_credited", "state", "ended_at"]
        )

        progress.seconds_credited += credited
        seen_end = beat.at_end and beat.visible and progress.content_seen_at is None
        if seen_end:
            progress.content_seen_at = now
        progress.save(update_fields=["seconds_credited", "videos", "content_seen_at"])
        enrolment = progress.enrolment
        if credited:
            Enrolment.objects.filter(pk=enrolment.pk).update(
                seconds_credited=F("seconds_credited") + credited, last_studied_at=now
            )
            # One active session per learner: nothing else adds to this enrolment meanwhile.
            enrolment.seconds_credited += credited
            enrolment.last_studied_at = now

        result = BeatResult(outcome, credited, progress)
        # Only reading to the end or watching can finish a lesson; only time, a course.
        result.lesson_completed_now, result.course_completed_now = _refresh_completion(
            progress, now, lesson_may_change=seen_end or video_changed
        )
        return result


class StudySessionNotFound(DomainError):
    code = "study_session_not_found"
    status = 404
    default_message = gettext_lazy(
        "This study session is not yours or no longer exists. Reload the page."
    )


def _credit(progress, beat, window):
    """(outcome, seconds credited, whether video progress changed) for one interval."""
    if not beat.visible:
        return BeatOutcome.HIDDEN, 0.0, False
    # Reading: active until the idle limit after the last input.
    idle_limit = settings.TRAINING_IDLE_LIMIT_SECONDS
    reading = min(window, max(0.0, window - max(0.0, beat.idle_seconds) + idle_limit))
    watched, video_changed = _watch(progress, beat, window)
    credited = max(reading, watched)
    if credited <= 0:
        return BeatOutcome.IDLE, 0.0, video_changed
    return BeatOutcome.COUNTED, round(credited, 3), video_changed


def _watch(progress, beat, window):
    """Record the part of a video watched in this interval; return (seconds watched, changed)."""
    video_id = beat.video_id
    if not video_id or beat.video_position is None or progress.lesson is None:
        return 0.0, False
    document_id = progress.lesson.requirements()["videos"].get(video_id)
    if document_id is None:
        return 0.0, False
    state = progress.videos.setdefault(video_id, {"duration": None, "position": 0.0, "watched": []})
    if state["duration"] is None:
        # Measured on the server; only a file OpenCV cannot read falls back to
        # what the page reports, and then the first report is kept.
        state["duration"] = video_seconds(document_id) or (
            float(beat.video_duration) if beat.video_duration else None
        )
    position = max(0.0, float(beat.video_position))
    if state["duration"]:
        position = min(position, state["duration"])
    advance = position - state["position"]
    if beat.video_playing and 0 < advance <= window + VIDEO_TOLERANCE_SECONDS:
        # Played at normal speed: watched as far as the server's clock allows.
        # What the page is ahead by (network jitter) carries to the next report,
        # so rapid reports cannot stretch the tolerance.
        watched = min(advance, window)
        start = state["position"]
        state["watched"] = _merge(state["watched"], [start, start + watched])
        state["position"] = start + watched
        return watched, True
    # Paused, rewound, or a jump the clock cannot explain (seeking ahead):
    # follow the video, record nothing as watched.
    state["position"] = position
    return 0.0, True


def _merge(ranges, new):
    """Add [from, to] to a list of disjoint watched ranges, merging overlaps."""
    merged = []
    for start, end in sorted([*ranges, new]):
        if merged and start <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def video_watched_share(state):
    duration = state.get("duration")
    if not duration:
        return 0.0
    return min(1.0, sum(end - start for start, end in state["watched"]) / duration)


def lesson_requirements(progress):
    """What is still missing before the lesson is complete, as messages for the learner."""
    lesson = progress.lesson
    missing = []
    if lesson is None:
        return missing
    if progress.content_seen_at is None:
        missing.append(_("Read the lesson to the end."))
    requirements = lesson.requirements()
    for video_id in requirements["videos"]:
        if video_watched_share(progress.videos.get(video_id, {})) < VIDEO_WATCHED_SHARE:
            missing.append(_("Watch the video to the end."))
            break
    unanswered = set(requirements["questions"]) - set(progress.answers)
    if unanswered:
        missing.append(
            _("Answer the check questions (%(count)d left).") % {"count": len(unanswered)}
        )
    return missing


def _refresh_completion(progress, now, *, lesson_may_change=True):
    """Mark the lesson, then the course, complete when they are. Returns what completed now."""
    lesson_now = False
    if (
        lesson_may_change
        and progress.completed_at is None
        and progress.lesson
        and not lesson_requirements(progress)
    ):
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])
        lesson_now = True
    return lesson_now, _refresh_course_completion(progress.enrolment, now)


def lessons_finished(enrolment, course):
    """(finished, total) over the course's live lessons."""
    lessons = list(course.lessons().values_list("pk", flat=True))
    done = LessonProgress.objects.filter(
        enrolment=enrolment, lesson_id__in=lessons, completed_at__isnull=False
    ).count()
    return done, len(lessons)


def _refresh_course_completion(enrolment, now):
    """Mark the enrolment complete when every lesson is and the hours are earned."""
    course = enrolment.course
    if (
        enrolment.completed_at is not None
        or course is None
        # Cheap first: most heartbeats come long before the hours are reached.
        or enrolment.seconds_credited < course.required_seconds
    ):
        return False
    done, total = lessons_finished(enrolment, course)
    if done < total:
        return False
    # Once complete, always complete: a lesson added later does not undo it.
    Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(completed_at=now)
    enrolment.completed_at = now
    return True


# ---------------------------------------------------------------------------
# Check questions
# ---------------------------------------------------------------------------


@transaction.atomic
def check_answer(*, learner, lesson, block_id, choice):
    """
    Record a learner's answer to a check question and return
    (correct, correct_choice, explanation, progress). Answering again is
    allowed (it is practice); the first answer is the one kept.
    """
    enrolment = enrolment_for(learner=learner, course=lesson.course)
    if not lesson_is_open(enrolment=enrolment, lesson=lesson):
        raise LessonLocked(lesson)
    question = lesson.check_questions().get(block_id)
    if question is None:
        raise UnknownCheckQuestion()
    expected = lesson.correct_choice(block_id)
    option_count = 2 if question["question_type"] == "true_false" else len(question["options"])
    choice = sorted(set(choice))
    if not choice or any(not 0 <= index < option_count for index in choice):
        raise InvalidCheckAnswer()
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"lesson_title": lesson.title}
    )
    correct = choice == expected
    if block_id not in progress.answers:
        progress.answers[block_id] = {"choice": choice, "correct": correct}
        progress.save(update_fields=["answers"])
    _refresh_completion(progress, timezone.now())
    return correct, expected, question["explanation"], progress


def purge_old_study_sessions():
    """
    Delete study sessions (the heartbeat-level evidence) older than the
    retention period. Enrolments and lesson progress, the record itself, stay.
    """
    years = settings.TRAINING_RECORD_RETENTION_YEARS
    cutoff = timezone.now() - timezone.timedelta(days=365 * years + years // 4)
    deleted, _ = StudySession.objects.filter(started_at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------


@dataclass
class Eligibility:
    eligible: bool
    reasons: list

    def __bool__(self):
        return self.eligible


def eligibility_for(candidate, exam):
    """
    Whether `candidate` may sit `exam`: every course the exam requires is
    complete with its learning hours. When not, `reasons` says what is
    missing, in words the candidate and the centre admin can act on.
    """
    courses = list(exam.required_courses.all())
    enrolments = {
        e.course_id: e for e in Enrolment.objects.filter(learner=candidate, course__in=courses)
    }
    reasons = []
    for course in courses:
        enrolment = enrolments.get(course.pk)
        if enrolment is None:
            reasons.append(
                _("Not enrolled in the required course “%(course)s”.") % {"course": course.title}
            )
        else:
            # A course revised since (a lesson removed, fewer hours) may be complete now.
            enrolment.course = course
            _refresh_course_completion(enrolment, timezone.now())
            if enrolment.completed_at is None:
                reasons.append(_course_shortfall(enrolment, course))
    return Eligibility(eligible=not reasons, reasons=reasons)


def _course_shortfall(enrolment, course):
    done, total = lessons_finished(enrolment, course)
    return _(
        "The course “%(course)s” is not complete: %(hours)s of %(required)s learning hours, "
        "%(done)d of %(lessons)d lessons finished."
    ) % {
        "course": course.title,
        "hours": seconds_to_hours(enrolment.seconds_credited),
        "required": course.required_hours,
        "done": done,
        "lessons": total,
    }


# ---------------------------------------------------------------------------
# The training section
# ---------------------------------------------------------------------------

TRAINER_PAGE_PERMISSIONS = ["add_page", "change_page"]


def training_section_open_to_trainers(index_page):
    """
    Trainers draft and revise courses (and their lessons) under a training
    section; publishing stays with the moderation workflow's reviewers.
    """
    trainers = Group.objects.get(name=ROLE_GROUP_NAMES[Role.TRAINER])
    for codename in TRAINER_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=trainers,
            page=index_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )

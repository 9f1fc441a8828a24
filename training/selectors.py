"""Reads of courses and the learning record, for pages, the API and the admin."""

from django.db.models import Avg, Count, F, Q

from accounts.services import user_find_by_id_number
from exams.models import Exam
from training.models import Enrolment, LessonProgress, seconds_to_hours
from training.services import eligibility_for, lesson_requirements


def course_for_learner(*, course, user):
    """What the course page shows a visitor: the lessons, and for a learner their progress."""
    lessons = list(course.lessons())
    enrolment = None
    if user.is_authenticated:
        enrolment = Enrolment.objects.filter(learner=user, course=course).first()
    progress = {}
    if enrolment:
        progress = {p.lesson_id: p for p in enrolment.lessons.filter(lesson__in=lessons)}
    rows, previous_done = [], True
    for lesson in lessons:
        lesson_progress = progress.get(lesson.pk)
        done = bool(lesson_progress and lesson_progress.completed_at)
        rows.append(
            {
                "lesson": lesson,
                "progress": lesson_progress,
                "done": done,
                "open": enrolment is not None
                and (not course.must_finish_in_order or previous_done),
            }
        )
        previous_done = previous_done and done
    return {
        "enrolment": enrolment,
        "lesson_rows": rows,
        "lessons_done": sum(row["done"] for row in rows),
        "course_percent": enrolment.percent if enrolment else 0,
    }


def lesson_state(progress):
    """The learner's state in a lesson, as the lesson page and the API show it."""
    enrolment = progress.enrolment
    course = enrolment.course
    return {
        "lesson_seconds": round(progress.seconds_credited),
        "lesson_complete": progress.completed_at is not None,
        "missing": [str(message) for message in lesson_requirements(progress)],
        "answered": sorted(progress.answers),
        "videos": {
            video_id: {
                "position": state["position"],
                # Watched without a gap from the start: how far "no skipping" lets one go.
                "furthest": next((end for start, end in state["watched"][:1] if start <= 1), 0),
            }
            for video_id, state in progress.videos.items()
        },
        "course_seconds": round(enrolment.seconds_credited),
        "course_hours": str(seconds_to_hours(enrolment.seconds_credited)),
        "course_required_hours": str(course.required_hours) if course else None,
        "course_percent": enrolment.percent,
        "course_complete": enrolment.completed_at is not None,
    }


def enrolments_for_learner(user):
    return (
        Enrolment.objects.filter(learner=user)
        .select_related("course")
        .order_by("completed_at", "-last_studied_at", "-enrolled_at")
    )


def exam_eligibility_for_learner(user):
    """The exams that require a course the learner is on, each with their eligibility."""
    exams = (
        Exam.objects.filter(required_courses__enrolments__learner=user)
        .distinct()
        .prefetch_related("required_courses")
    )
    return [(exam, eligibility_for(user, exam)) for exam in exams]


def lesson_progress_for(enrolment):
    return enrolment.lessons.select_related("lesson").order_by("started_at")


def course_statistics(courses):
    """Per course: enrolled, in progress, completed, average seconds credited. One query."""
    return {
        row["course"]: row
        for row in Enrolment.objects.filter(course__in=courses)
        .values("course")
        .annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            in_progress=Count("pk", filter=Q(completed_at__isnull=True, seconds_credited__gt=0)),
            average_seconds=Avg("seconds_credited"),
        )
    }


def learners_for_course(*, course, query=""):
    """The learners of a course, searchable by name, phone, employer or full ID number."""
    enrolments = Enrolment.objects.filter(course=course).select_related("learner")
    query = query.strip()
    if query:
        by_id = user_find_by_id_number(query)
        condition = (
            Q(learner__real_name__icontains=query)
            | Q(learner__phone__icontains=query)
            | Q(learner__employer__icontains=query)
        )
        if by_id:
            condition |= Q(learner=by_id)
        enrolments = enrolments.filter(condition)
    return enrolments.annotate(
        # Lessons of the course as it is now, as eligibility counts them.
        lessons_done=Count(
            "lessons",
            filter=Q(lessons__completed_at__isnull=False, lessons__lesson__live=True),
        )
    ).order_by(F("last_studied_at").desc(nulls_last=True), "-enrolled_at", "-pk")


def record_rows(enrolments):
    """The learning record (学时记录) as rows: one per lesson studied, under each enrolment."""
    progress = (
        LessonProgress.objects.filter(enrolment__in=enrolments)
        .order_by("enrolment_id", "started_at")
        .iterator(chunk_size=2000)
    )
    by_enrolment = {}
    for item in progress:
        by_enrolment.setdefault(item.enrolment_id, []).append(item)
    for enrolment in enrolments:
        yield enrolment, by_enrolment.get(enrolment.pk, [])

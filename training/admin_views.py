"""The learning record in the Wagtail admin: the trainers' dashboard, learners and exports."""

import tempfile

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.paginator import WagtailPaginator

from accounts import idcard
from config import xlsx
from training import exporters, selectors
from training.models import CoursePage, Enrolment, seconds_to_hours

COURSES_PER_PAGE = 20
LEARNERS_PER_PAGE = 50

# The dashboard chart, in SVG user units: a label column, then the bars.
CHART_WIDTH = 760
CHART_LABEL_WIDTH = 230
CHART_BAR_SPACE = 460
CHART_ROW_HEIGHT = 40
CHART_BAR_HEIGHT = 14
CHART_TOP = 10


def _paginate(request, items, per_page):
    paginator = WagtailPaginator(items, per_page)
    page = paginator.get_page(request.GET.get("p"))
    return page, paginator.get_elided_page_range(page.number)


@permission_required("training.view_enrolment", raise_exception=True)
def dashboard(request):
    courses, page_range = _paginate(
        request, CoursePage.objects.live().order_by("path"), COURSES_PER_PAGE
    )
    statistics = selectors.course_statistics(list(courses))
    rows = []
    for course in courses:
        figures = statistics.get(course.pk, {})
        rows.append(
            {
                "course": course,
                "enrolled": figures.get("enrolled", 0),
                "in_progress": figures.get("in_progress", 0),
                "completed": figures.get("completed", 0),
                "average_hours": seconds_to_hours(figures.get("average_seconds") or 0),
            }
        )
    return TemplateResponse(
        request,
        "training/admin/dashboard.html",
        {
            "courses": courses,
            "elided_page_range": page_range,
            "rows": rows,
            "chart": _chart(rows),
        },
    )


def _chart(rows):
    """Bar geometry for enrolled and completed learners per course, scaled to the largest."""
    largest = max((row["enrolled"] for row in rows), default=0) or 1
    courses = []
    for index, row in enumerate(rows):
        top = CHART_TOP + index * CHART_ROW_HEIGHT
        bars = []
        for offset, key in enumerate(["enrolled", "completed"]):
            y = top + offset * (CHART_BAR_HEIGHT + 2)
            width = round(CHART_BAR_SPACE * row[key] / largest, 1)
            bars.append(
                {
                    "key": key,
                    "value": row[key],
                    "y": y,
                    "width": width,
                    "text_x": CHART_LABEL_WIDTH + width + 6,
                    "text_y": y + CHART_BAR_HEIGHT / 2,
                }
            )
        courses.append(
            {"title": row["course"].title, "label_y": top + CHART_BAR_HEIGHT + 1, "bars": bars}
        )
    return {
        "courses": courses,
        "width": CHART_WIDTH,
        "height": CHART_TOP * 2 + len(rows) * CHART_ROW_HEIGHT,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_height": CHART_BAR_HEIGHT,
        "label_x": CHART_LABEL_WIDTH - 10,
    }


@permission_required("training.view_enrolment", raise_exception=True)
def course_learners(request, course_id):
    course = get_object_or_404(CoursePage, pk=course_id)
    query = request.GET.get("q", "").strip()
    enrolments, page_range = _paginate(
        request, selectors.learners_for_course(course=course, query=query), LEARNERS_PER_PAGE
    )
    for enrolment in enrolments:
        enrolment.course = course  # the same for every row: spares a query per row
    masked_id = _masked_id_number(query)
    return TemplateResponse(
        request,
        "training/admin/course_learners.html",
        {
            "course": course,
            "query": query,
            # A full ID number searched for is not echoed back into the page.
            "query_shown": masked_id or query,
            "searched_by_id": bool(masked_id),
            "enrolments": enrolments,
            "elided_page_range": page_range,
            "lesson_count": course.lessons().count(),
            "enrol_from_excel_url": _enrol_from_excel_url(request.user, course),
        },
    )


def _masked_id_number(query):
    number = idcard.normalise(query)
    return idcard.mask_id_number(number) if idcard.SHAPE.match(number) else None


def _enrol_from_excel_url(user, course):
    if not user.has_perm("training.add_enrolment"):
        return None
    return reverse("training_enrol_from_excel", args=[course.pk])


@permission_required("training.view_enrolment", raise_exception=True)
def learner_record(request, enrolment_id):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "course"), pk=enrolment_id
    )
    course = enrolment.course
    progress = list(selectors.lesson_progress_for(enrolment))
    by_lesson = {item.lesson_id: item for item in progress if item.lesson_id}
    # The course's lessons in order, studied or not; then what was studied in
    # lessons since removed from the course, which stays in the record.
    rows = []
    lessons = list(course.lessons()) if course else []
    for lesson in lessons:
        rows.append(_lesson_row(lesson.title, by_lesson.get(lesson.pk)))
    shown = {lesson.pk for lesson in lessons}
    rows += [
        _lesson_row(item.lesson_title, item) for item in progress if item.lesson_id not in shown
    ]
    return TemplateResponse(
        request,
        "training/admin/learner_record.html",
        {
            "enrolment": enrolment,
            "learner": enrolment.learner,
            "course": course,
            "rows": rows,
            "lessons_done": sum(
                1 for lesson in lessons if getattr(by_lesson.get(lesson.pk), "completed_at", None)
            ),
        },
    )


def _lesson_row(title, progress):
    return {
        "title": title,
        "progress": progress,
        "minutes": progress.minutes_credited if progress else 0,
        "hours": seconds_to_hours(progress.seconds_credited if progress else 0),
    }


@permission_required("training.view_enrolment", raise_exception=True)
def export_course_record(request, course_id):
    course = get_object_or_404(CoursePage, pk=course_id)
    enrolments = selectors.learners_for_course(course=course).order_by("enrolled_at", "pk")
    # On disk rather than in memory: a course's record can run to many thousands
    # of rows. FileResponse closes the file once it has been sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    exporters.write_learning_record(file, enrolments)
    file.seek(0)
    filename = f"{_('Learning record')}-{course.title}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(file, as_attachment=True, filename=filename, content_type=xlsx.CONTENT_TYPE)

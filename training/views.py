"""Learner pages: enrolling, the lesson page's gatekeeping, and "My learning"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from wagtail.documents.views.serve import serve as serve_document

from training import selectors, services
from training.models import CoursePage, Enrolment


def serve_lesson(lesson, request, serve, *args, **kwargs):
    """A lesson is for its course's learners, and, in a course taken in order, in turn."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = lesson.course
    enrolment = Enrolment.objects.filter(learner=request.user, course=course).first()
    if enrolment is None:
        messages.info(request, _("Enrol in this course to open its lessons."))
        return redirect(course.url)
    if not services.lesson_is_open(enrolment=enrolment, lesson=lesson, course=course):
        messages.info(
            request, _("Finish the earlier lessons first: this course is taken in order.")
        )
        return redirect(course.url)
    return serve(request, *args, **kwargs)


@require_POST
@login_required
def enrol(request, course_id):
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    services.enrol(learner=request.user, course=course)
    messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.url)


@login_required
def my_learning(request):
    enrolments = Paginator(selectors.enrolments_for_learner(request.user), 20).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "training/my_learning.html",
        {
            "enrolments": enrolments,
            "exams": selectors.exam_eligibility_for_learner(request.user),
        },
    )


@login_required
def my_record(request, enrolment_id):
    enrolment = get_object_or_404(Enrolment, pk=enrolment_id, learner=request.user)
    return TemplateResponse(
        request,
        "training/my_record.html",
        {"enrolment": enrolment, "lessons": selectors.lesson_progress_for(enrolment)},
    )


# PDF courseware is shown inside the lesson page; the site otherwise refuses to
# be framed. Wagtail's own view still checks the document's collection privacy.
courseware = xframe_options_sameorigin(serve_document)

"""Question import and export screens in the Wagtail admin."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams import exporters, selectors, services
from exams.forms import ImportForm
from exams.models import ImportJob
from exams.viewsets import QuestionFilterSet

EXPORT_TYPES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "moodle": ("application/xml", "xml"),
    "gift": ("text/plain; charset=utf-8", "gift.txt"),
}


@permission_required("exams.add_question", raise_exception=True)
def import_questions(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                bank=form.cleaned_data["bank"],
                uploaded_file=form.cleaned_data["file"],
                user=request.user,
                dry_run=True,
                on_duplicate=form.cleaned_data["on_duplicate"],
                import_valid_rows=form.cleaned_data["import_valid_rows"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("exams_import_job", job.pk)
    jobs = ImportJob.objects.filter(bank__in=selectors.banks_for_author(request.user))
    return TemplateResponse(
        request,
        "exams/admin/import.html",
        {
            "form": form,
            "jobs": Paginator(jobs.select_related("bank"), 20).get_page(request.GET.get("p")),
        },
    )


def _job_for(request, pk):
    return get_object_or_404(
        ImportJob.objects.select_related("bank"),
        pk=pk,
        bank__in=selectors.banks_for_author(request.user),
    )


@permission_required("exams.add_question", raise_exception=True)
def import_job(request, pk):
    job = _job_for(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "percent": job.percent,
                "processed": job.processed,
                "total": job.total,
            }
        )
    rows = job.report.get("rows", [])
    # Problems first: the rows a person has to fix.
    order = {"error": 0, "skipped": 1, "duplicate": 2, "new_version": 3, "ok": 4}
    rows = sorted(rows, key=lambda row: order.get(row["status"], 5))
    return TemplateResponse(
        request,
        "exams/admin/import_job.html",
        {
            "job": job,
            "summary": job.report.get("summary", {}),
            "error": job.report.get("error"),
            "rows": Paginator(rows, 100).get_page(request.GET.get("p")),
        },
    )


@require_POST
@permission_required("exams.add_question", raise_exception=True)
def import_job_confirm(request, pk):
    job = _job_for(request, pk)
    try:
        again = services.import_job_repeat(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exams_import_job", job.pk)
    return redirect("exams_import_job", again.pk)


@permission_required("exams.add_question", raise_exception=True)
def import_template(request):
    response = HttpResponse(exporters.excel_template(), content_type=EXPORT_TYPES["xlsx"][0])
    response["Content-Disposition"] = 'attachment; filename="question-import-template.xlsx"'
    return response


@permission_required("exams.view_question", raise_exception=True)
def export_questions(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_TYPES:
        return HttpResponse(_("Unknown export format."), status=400)
    questions = QuestionFilterSet(
        request.GET, queryset=selectors.questions_for_author(request.user), request=request
    ).qs.prefetch_related("tags")
    if request.GET.get("q"):
        questions = questions.filter(stem__icontains=request.GET["q"])
    parsed = [services.as_parsed(question) for question in questions]
    writer = {
        "xlsx": exporters.export_excel,
        "moodle": exporters.export_moodle_xml,
        "gift": exporters.export_gift,
    }[fmt]
    content_type, extension = EXPORT_TYPES[fmt]
    response = HttpResponse(writer(parsed), content_type=content_type)
    name = f"questions-{datetime.date.today():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

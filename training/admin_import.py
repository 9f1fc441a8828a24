"""Centre admins enrol a list of people in a course from Excel, in the Wagtail admin."""

import io
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from config import xlsx
from config.xlsx import ImportFileError
from training.enrolment_import import (
    COLUMNS,
    EXAMPLE_ROW,
    EnrolmentReport,
    RowOutcome,
    enrol_from_workbook,
)
from training.models import CoursePage

ROWS_PER_PAGE = 100
# The report is shown after a redirect (so that reloading the page does not
# post the file again) and page by page; it waits in the cache meanwhile.
REPORT_SECONDS = 60 * 60
TEXT_FORMAT = "@"


class EnrolmentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy(
            "One person a row, under the header 姓名, 身份证号, 手机号, 工作单位, "
            "as in the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    import_valid_rows = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if some rows have errors"),
        required=False,
        help_text=gettext_lazy("Off: a file with any error enrols nobody."),
    )


@permission_required("training.add_enrolment", raise_exception=True)
def enrol_from_excel(request, course_id):
    # People are enrolled only in courses they can study.
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if request.method == "GET" and "report" in request.GET:
        shown = _cached_report(request, course, request.GET["report"])
        if shown is not None:
            report = EnrolmentReport.from_dict(shown["report"])
            return TemplateResponse(
                request,
                "training/admin/enrol_from_excel.html",
                {
                    "course": course,
                    "file_name": shown["file_name"],
                    "report": report,
                    "counts": report.counts,
                    "outcomes": RowOutcome,
                    "rows": Paginator(report.problems_first(), ROWS_PER_PAGE).get_page(
                        request.GET.get("p")
                    ),
                },
            )
        messages.warning(request, _("That report is no longer kept. Upload the file again."))

    form = EnrolmentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = enrol_from_workbook(
                course=course,
                uploaded_file=upload,
                enrolled_by=request.user,
                import_valid_rows=form.cleaned_data["import_valid_rows"],
            )
        except ImportFileError as error:
            form.add_error("file", str(error.message))
        except IntegrityError:
            # Someone in the file registered, or was imported, meanwhile; the
            # whole import was rolled back and a new attempt will match them.
            form.add_error(
                "file",
                _(
                    "Someone in this file was registered by another person at the same time. "
                    "Nothing was imported: upload the file again."
                ),
            )
        else:
            token = secrets.token_urlsafe(16)
            cache.set(
                _report_key(token),
                {
                    "user": request.user.pk,
                    "course": course.pk,
                    "file_name": upload.name,
                    "report": report.as_dict(),
                },
                REPORT_SECONDS,
            )
            url = reverse("training_enrol_from_excel", args=[course.pk])
            return redirect(f"{url}?report={token}")
    return TemplateResponse(
        request, "training/admin/enrol_from_excel.html", {"course": course, "form": form}
    )


def _report_key(token):
    return f"training:enrolment-report:{token}"


def _cached_report(request, course, token):
    """The report behind `token`, if it is this person's, for this course, and still kept."""
    shown = cache.get(_report_key(token))
    if shown and shown["user"] == request.user.pk and shown["course"] == course.pk:
        return shown
    return None


@permission_required("training.add_enrolment", raise_exception=True)
def enrolment_template(request):
    """An empty list to fill in: the header and one example row, numbers kept as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名名单"
    sheet.append(list(COLUMNS.values()))
    sheet.append([EXAMPLE_ROW[column] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCD", (12, 22, 16, 36), strict=True):
        sheet.column_dimensions[letter].width = width
    # Typed into a General cell, an ID number becomes a number and loses its
    # last digits (Excel keeps 15); a text column keeps what is typed.
    for letter in "BC":
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        sheet[f"{letter}2"].number_format = TEXT_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="enrolment-template.xlsx"'
    return response

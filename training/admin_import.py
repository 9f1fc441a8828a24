"""Centre admins enrol a list of people in a course from Excel, in the Wagtail admin."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts import person_import
from accounts.person_import_admin import PeopleFileForm, import_and_keep, kept_report
from config import xlsx
from training.enrolment_import import EnrolmentReport, RowOutcome, enrol_from_workbook
from training.models import CoursePage

ROWS_PER_PAGE = 100
TEMPLATE = "training/admin/enrol_from_excel.html"


class EnrolmentImportForm(PeopleFileForm):
    file_help_text = gettext_lazy(
        "One person a row, under the header 姓名, 身份证号, 手机号, 工作单位, as in the template."
    )
    valid_rows_help_text = gettext_lazy("Off: a file with any error enrols nobody.")


@permission_required("training.add_enrolment", raise_exception=True)
def enrol_from_excel(request, course_id):
    # People are enrolled only in courses they can study.
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    context = {"course": course, "outcomes": RowOutcome}
    scope = f"course:{course.pk}"
    shown = kept_report(request, EnrolmentReport, scope=scope, rows_per_page=ROWS_PER_PAGE)
    if shown is not None:
        return TemplateResponse(request, TEMPLATE, {**context, **shown})

    form = EnrolmentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = import_and_keep(
            request,
            form,
            lambda file, import_valid_rows: enrol_from_workbook(
                course=course,
                uploaded_file=file,
                enrolled_by=request.user,
                import_valid_rows=import_valid_rows,
            ),
            scope=scope,
            report_url=reverse("training_enrol_from_excel", args=[course.pk]),
        )
        if response is not None:
            return response
    return TemplateResponse(request, TEMPLATE, {**context, "form": form})


@permission_required("training.add_enrolment", raise_exception=True)
def enrolment_template(request):
    """An empty list to fill in: the header and one example row, numbers kept as text."""
    content = person_import.template_workbook(
        sheet_title="报名名单",
        columns=person_import.COLUMNS,
        example_row=person_import.EXAMPLE_ROW,
        widths=person_import.TEMPLATE_COLUMN_WIDTH,
    )
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="enrolment-template.xlsx"'
    return response

"""
The monthly reports in the Wagtail admin, for the bureau only: the list (a
page at a time, newest month first) with each PDF to download, and "Generate
now" for a chosen month, which queues the worker and shows the month as being
generated until its PDF is stored (the page looks again every few seconds).
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator

from exams.models import MonthlyReport
from exams.statistics import report
from exams.statistics.selectors import months_back

PER_PAGE = 24
# The months a report can be asked for: the one just ended and those before it.
MONTHS_OFFERED = 36


def may_see_reports(user):
    return user.is_authenticated and user.is_bureau


def _bureau_only(user):
    if not may_see_reports(user):
        raise PermissionDenied


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_reports(request.user)


def menu_item():
    return ReportsMenuItem(
        gettext_lazy("Monthly reports"),
        reverse("exams_monthly_reports"),
        name="monthly_reports",
        icon_name="doc-full",
        order=91,
    )


def urls():
    return [
        path("exams/reports/", reports, name="exams_monthly_reports"),
        path("exams/reports/generate/", generate, name="exams_monthly_report_generate"),
        path("exams/reports/<int:report_id>.pdf", download, name="exams_monthly_report_pdf"),
    ]


def month_choices(today=None):
    """The months a report can be made of, newest first: the month just ended and earlier."""
    latest = report.month_just_ended(today)
    return [
        (
            months_back(latest, back).isoformat(),
            date_format(months_back(latest, back), "YEAR_MONTH_FORMAT"),
        )
        for back in range(MONTHS_OFFERED)
    ]


class GenerateReportForm(forms.Form):
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        coerce=datetime.date.fromisoformat,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()


@never_cache
def reports(request):
    _bureau_only(request.user)
    page = WagtailPaginator(
        MonthlyReport.objects.select_related("generated_by"), PER_PAGE
    ).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "exams/reports/reports.html",
        {
            "reports": page,
            "form": GenerateReportForm(),
            "pending": any(item.is_pending for item in page),
        },
    )


@require_POST
def generate(request):
    _bureau_only(request.user)
    form = GenerateReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month that has ended."))
        return redirect("exams_monthly_reports")
    month = form.cleaned_data["month"]
    report.request_report(month=month, by=request.user)
    messages.success(
        request,
        _("The report of %(month)s is being generated; this page updates itself.")
        % {"month": date_format(month, "YEAR_MONTH_FORMAT")},
    )
    return redirect("exams_monthly_reports")


@never_cache
def download(request, report_id):
    _bureau_only(request.user)
    monthly = get_object_or_404(MonthlyReport, pk=report_id)
    if not monthly.pdf:
        raise Http404
    return FileResponse(
        monthly.pdf.open("rb"),
        as_attachment=True,
        filename=f"培训考试月报-{monthly.month:%Y-%m}.pdf",
        content_type="application/pdf",
    )

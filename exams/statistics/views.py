"""
The dashboard in the Wagtail admin: the bureau sees every centre (or one it
picks), a centre admin the centres they administer, one at a time; nobody
else. Filters are a GET form; every table can be downloaded as Excel with the
same filters, and the long employer table has a page of its own.
"""

import datetime
from dataclasses import replace

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator

from accounts.choices import Industry
from config import xlsx
from exams.centre_selectors import administered_centres
from exams.certificate_selectors import may_see_certificates
from exams.checkin import is_desk_staff, sees_every_centre
from exams.choices import BookingStatus
from exams.models import CertificateStatus, Exam
from exams.statistics import charts, exporters, selectors, tables
from exams.statistics.selectors import Filters

# The employer table is as long as the district has employers: the dashboard
# shows the largest and links to all of them, a page at a time.
EMPLOYERS_SHOWN = 20
EMPLOYERS_PER_PAGE = 50
ONE_DAY = datetime.timedelta(days=1)


def may_see_dashboard(user):
    """The bureau, and the admins of a test centre (their centre's figures only)."""
    return user.is_authenticated and may_see_certificates(user)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_dashboard(request.user)


def menu_item():
    return DashboardMenuItem(
        gettext_lazy("Statistics"),
        reverse("exams_dashboard"),
        name="dashboard",
        icon_name="table",
        order=90,
    )


def urls():
    return [
        path("exams/dashboard/", dashboard, name="exams_dashboard"),
        path("exams/dashboard/employers/", employers, name="exams_dashboard_employers"),
        path("exams/dashboard/<slug:table>.xlsx", export, name="exams_dashboard_export"),
    ]


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    centre = forms.TypedChoiceField(label=gettext_lazy("Test centre"), coerce=int, required=False)
    industry = forms.ChoiceField(
        label=gettext_lazy("Industry"),
        choices=[("", gettext_lazy("All industries")), *Industry.choices],
        required=False,
    )
    exam = forms.TypedChoiceField(label=gettext_lazy("Exam"), coerce=int, required=False)

    def __init__(self, *, filters, centres, exams, every_centre):
        super().__init__(
            initial={
                "start": filters.start.isoformat(),
                "end": filters.end.isoformat(),
                "centre": filters.centre_id or "",
                "industry": filters.industry,
                "exam": filters.exam_id or "",
            }
        )
        everywhere = [("", _("All test centres"))] if every_centre else []
        self.fields["centre"].choices = everywhere + [(c.pk, c.name) for c in centres]
        self.fields["exam"].choices = [("", _("All exams"))] + [(e.pk, e.title) for e in exams]


def _scope(request):
    """
    The filters the query asks for, as far as the person may see (a centre
    admin their centres only), with the centres and exams to choose from; a
    centre or exam that does not exist is dropped rather than shown as zeros.
    """
    if not may_see_dashboard(request.user):
        raise PermissionDenied
    filters = Filters.from_query(request.GET, user=request.user)
    centres = list(administered_centres(request.user).only("pk", "name"))
    exams = list(Exam.objects.only("pk", "title"))
    if filters.centre_id not in {centre.pk for centre in centres}:
        filters = replace(filters, centre_id=None)
    if filters.exam_id not in {exam.pk for exam in exams}:
        filters = replace(filters, exam_id=None)
    return filters, centres, exams


def _described(filters, *, centres, exams):
    """The filters in words, for the page's heading and the export's second sheet."""
    centre = next((c.name for c in centres if c.pk == filters.centre_id), None)
    exam = next((e.title for e in exams if e.pk == filters.exam_id), None)
    return [
        (_("Dates"), f"{filters.start:%Y-%m-%d} – {filters.end:%Y-%m-%d}"),
        (_("Test centre"), centre or _("All test centres")),
        (
            _("Industry"),
            Industry(filters.industry).label if filters.industry else _("All industries"),
        ),
        (_("Exam"), exam or _("All exams")),
    ]


def _dashboard_link(filters, **changes):
    query = {**filters.as_query(), **changes}
    return f"{reverse('exams_dashboard')}?{urlencode(query)}"


def _figure_links(request, filters):
    """Where each headline figure's list is, for the figures that have one this person may see."""
    user = request.user
    today = timezone.localdate()
    certificates = reverse("exams_certificates")
    exam = {"exam": filters.exam_id} if filters.exam_id else {}
    links = {
        "certificates_issued": f"{certificates}?{urlencode(exam)}",
        "certificates_revoked": f"{certificates}?"
        + urlencode({"status": CertificateStatus.REVOKED, **exam}),
        "certificates_expiring_90": f"{certificates}?"
        + urlencode(
            {
                "status": CertificateStatus.VALID,
                "expires_before": (
                    today + datetime.timedelta(days=selectors.EXPIRING_DAYS)
                ).isoformat(),
                **exam,
            }
        ),
    }
    if user.has_perm("exams.view_booking"):
        links["no_shows"] = f"{reverse('exams_bookings')}?" + urlencode(
            {"status": BookingStatus.NO_SHOW, **exam}
        )
    if is_desk_staff(user):
        links["incidents"] = reverse("proctoring:review-queue")
    if user.has_perm("training.view_enrolment"):
        links["learning_hours"] = reverse("training_dashboard")
    if user.has_perm("cms.view_quiz"):
        links["quiz_players"] = reverse("wagtailsnippets_cms_quiz:list")
    return links


def _rendered(table, rows, *, links=None):
    """The table's rows as (text, link) cells; `links` gives a link for a row's first cell."""
    rendered = []
    for row in rows:
        cells = [(tables.shown(row.get(c.key), c.kind), None) for c in table.columns]
        if links and (link := links(row)):
            cells[0] = (cells[0][0], link)
        rendered.append(cells)
    return rendered


@never_cache
def dashboard(request):
    filters, centres, exams = _scope(request)
    every_centre = sees_every_centre(request.user)
    found = selectors.dashboard_figures(filters, employers=EMPLOYERS_SHOWN + 1)
    figures, months, industries = found["summary"], found["month"], found["industry"]
    employer_rows = found["employer"]
    rows = {
        "month": months,
        "industry": industries,
        "exam": found["exam"],
        "centre": found["centre"],
        "employer": employer_rows[:EMPLOYERS_SHOWN],
        "incidents": found["incidents"],
        "towns": found["towns"],
    }
    drill_down = {
        "month": lambda row: _dashboard_link(
            filters,
            start=max(row["month"], filters.start).isoformat(),
            end=(
                min(selectors.months_back(row["month"], -1), filters.end + ONE_DAY) - ONE_DAY
            ).isoformat(),
        ),
        "industry": lambda row: (
            _dashboard_link(filters, industry=row["key"]) if row["key"] else None
        ),
        "exam": lambda row: _dashboard_link(filters, exam=row["key"]),
        "centre": (lambda row: _dashboard_link(filters, centre=row["key"]))
        if every_centre
        else None,
    }
    export_query = urlencode(filters.as_query())
    summary_export = f"{reverse('exams_dashboard_export', args=['summary'])}?{export_query}"
    sections = [
        {
            "table": tables.TABLES[name],
            "rows": _rendered(tables.TABLES[name], found, links=drill_down.get(name)),
            "export": f"{reverse('exams_dashboard_export', args=[name])}?{export_query}",
        }
        for name, found in rows.items()
    ]
    links = _figure_links(request, filters)
    headline = [
        {
            "key": key,
            "label": label,
            "value": tables.shown(figures[key], kind),
            "link": links.get(key),
        }
        for key, label, kind in tables.FIGURES
    ]
    return TemplateResponse(
        request,
        "exams/statistics/dashboard.html",
        {
            "form": DashboardFilterForm(
                filters=filters, centres=centres, exams=exams, every_centre=every_centre
            ),
            "filters": filters,
            "described": _described(filters, centres=centres, exams=exams),
            "headline": headline,
            "summary_export": summary_export,
            "month_chart": charts.month_chart(months),
            "industry_chart": charts.rate_chart(industries),
            "sections": sections,
            "more_employers": len(employer_rows) > EMPLOYERS_SHOWN,
            "employers_link": f"{reverse('exams_dashboard_employers')}?{export_query}",
            "every_centre": every_centre,
            "single_centre": not every_centre and len(centres) == 1,
            "computed_at": found["computed_at"],
        },
    )


@never_cache
def employers(request):
    """Every employer's figures, a page at a time."""
    filters, centres, exams = _scope(request)
    table = tables.TABLES["employer"]
    paginator = WagtailPaginator(selectors.dimension_rows(filters, "employer"), EMPLOYERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    export_query = urlencode(filters.as_query())
    return TemplateResponse(
        request,
        "exams/statistics/employers.html",
        {
            "table": table,
            "rows": _rendered(table, selectors.labelled(page.object_list, "employer")),
            "page": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "described": _described(filters, centres=centres, exams=exams),
            "dashboard_link": f"{reverse('exams_dashboard')}?{export_query}",
            "export": f"{reverse('exams_dashboard_export', args=['employer'])}?{export_query}",
        },
    )


@never_cache
def export(request, table):
    filters, centres, exams = _scope(request)
    if table not in tables.TABLES:
        raise Http404
    chosen = tables.TABLES[table]
    content = exporters.table_workbook(
        chosen,
        chosen.rows(filters),
        described=_described(filters, centres=centres, exams=exams),
    )
    filename = f"{chosen.title}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    return HttpResponse(
        content,
        content_type=xlsx.CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )

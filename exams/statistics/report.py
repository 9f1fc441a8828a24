"""
The bureau's monthly report (每月安全生产形势分析): a PDF in Chinese of one
month's figures, read from the dashboard's selectors so that the report and
the dashboard never disagree: the headline figures, the figures by industry
and by test centre, proctoring incidents by type, campaign reach by town,
and the pass rate of the twelve months up to it as an inline SVG line.

The beat makes last month's report at 06:00 on the 1st; the bureau can ask
for any month from the admin (`request_report` queues the same task). Making
a month again replaces its PDF. Rendering follows the certificates: WeasyPrint
with the CSS read from disk and Noto CJK embedded, nothing fetched.
"""

import datetime
import functools
import secrets

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from exams.models import MonthlyReport
from exams.statistics import selectors, tables
from exams.statistics.selectors import Filters, months_back

REPORT_LANGUAGE = "zh-hans"
TREND_MONTHS = 12
# The pass-rate line's drawing area, in CSS pixels of the PDF (A4 portrait width).
CHART_WIDTH, CHART_HEIGHT = 640, 200
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 40, 12, 14, 30


def month_just_ended(today=None):
    """The first day of the month before `today`'s: what the report of the 1st is about."""
    return months_back(today or timezone.localdate(), 1)


def month_filters(month):
    """The whole calendar month that starts on `month`, every centre, exam and industry."""
    return Filters(start=month, end=months_back(month, -1) - datetime.timedelta(days=1))


def pass_rate_line(months):
    """
    The geometry of the pass-rate line over `months` (rows of
    `selectors.by_month`): a point a month with sittings, the axis 0-100 %.
    A month without sittings breaks the line rather than dropping to 0.
    """
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / max(len(months), 1)
    baseline = CHART_TOP + plot_height
    points, segments, segment = [], [], []
    for index, row in enumerate(months):
        x = round(CHART_LEFT + slot * index + slot / 2, 1)
        rate = row["pass_rate"]
        point = {"x": x, "label": f"{row['month']:%Y-%m}", "rate": rate, "y": None}
        if rate is not None:
            point["y"] = round(baseline - plot_height * rate / 100, 1)
            segment.append(f"{x},{point['y']}")
        elif segment:
            segments.append(" ".join(segment))
            segment = []
        points.append(point)
    if segment:
        segments.append(" ".join(segment))
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": baseline,
        "label_y": baseline + 18,
        "ticks": [
            {"value": value, "y": round(baseline - plot_height * value / 100, 1)}
            for value in (0, 50, 100)
        ],
        "points": points,
        "segments": segments,
    }


def _table(name, rows):
    """One of the dashboard's tables (its title and columns) with `rows` as the page shows them."""
    table = tables.TABLES[name]
    return {
        "title": table.title,
        "columns": table.columns,
        "rows": [
            [tables.shown(row.get(column.key), column.kind) for column in table.columns]
            for row in rows
        ],
    }


def report_context(month):
    """Everything the report shows for `month`, from the dashboard's selectors."""
    filters = month_filters(month)
    figures = selectors.summary(filters)
    trend = Filters(start=months_back(month, TREND_MONTHS - 1), end=filters.end)
    return {
        "month": month,
        "figures": figures,
        "headline": [
            {"label": label, "value": tables.shown(figures[key], kind)}
            for key, label, kind in tables.FIGURES
        ],
        "trend": pass_rate_line(selectors.by_month(trend)),
        "sections": [
            _table("industry", selectors.by_dimension(filters, "industry")),
            _table("centre", selectors.by_dimension(filters, "centre")),
            _table("incidents", selectors.incidents_by_type(filters)),
            _table("towns", selectors.campaign_reach_by_town(filters)),
        ],
    }


@functools.cache
def _css():
    with open(finders.find("css/monthly_report.css"), encoding="utf-8") as css:
        return css.read()


def report_html(month, *, generated_at):
    with translation.override(REPORT_LANGUAGE):
        return render_to_string(
            "exams/reports/monthly_report.html",
            {**report_context(month), "generated_at": generated_at, "css": _css()},
        )


def render_report(month, *, generated_at=None):
    """The report of `month` as a PDF (bytes)."""
    from weasyprint import HTML

    from exams.certificate_pdf import font_config  # one font configuration per process

    html = report_html(month, generated_at=generated_at or timezone.now())
    return HTML(string=html).write_pdf(font_config=font_config())


def store_report(*, month, by=None):
    """
    Render `month`'s report and keep it, replacing the earlier PDF; return
    the report. Two renders at once both write a file; only the one that
    replaces the file it started from is kept.
    """
    report, _ = MonthlyReport.objects.get_or_create(month=month)
    earlier = report.pdf.name or ""
    now = timezone.now()
    pdf = render_report(month, generated_at=now)
    storage = report.pdf.storage
    # A random name: the file's address must not be guessable from the month.
    name = storage.save(f"reports/{month:%Y-%m}-{secrets.token_hex(8)}.pdf", ContentFile(pdf))
    with transaction.atomic():
        won = MonthlyReport.objects.filter(pk=report.pk, pdf=earlier).update(
            pdf=name, generated_at=now, generated_by=by, requested_at=None
        )
    if not won:
        storage.delete(name)
    elif earlier:
        storage.delete(earlier)
    report.refresh_from_db()
    return report


def request_report(*, month, by):
    """
    Ask for `month`'s report from the admin: the list shows it as being
    generated until the worker has stored the PDF.
    """
    from exams import tasks

    with transaction.atomic():
        report, _ = MonthlyReport.objects.get_or_create(month=month)
        report.requested_at = timezone.now()
        report.save(update_fields=["requested_at"])
        tasks.generate_monthly_report.delay_on_commit(month.isoformat(), by.pk if by else None)
    return report

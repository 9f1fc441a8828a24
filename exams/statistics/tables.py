"""
The dashboard's tables, defined once: the page shows them and the Excel
export writes them from the same rows and columns, so the two always hold the
same figures for the same filters.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from exams.statistics import selectors

TEXT, MONTH, COUNT, RATE, SCORE, HOURS = "text", "month", "count", "rate", "score", "hours"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    width: int = 12


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple
    rows: object  # rows(filters) -> list[dict]

    def cells(self, row):
        """The row's values in column order, as written to Excel."""
        return [excel_value(row.get(column.key), column.kind) for column in self.columns]


def excel_value(value, kind):
    if value is None:
        return None
    if kind == MONTH:
        return f"{value:%Y-%m}"
    if kind == TEXT:
        return str(value)
    return value


def shown(value, kind):
    """A value as the page shows it: 50.0 %, 76.5, 2026-03, — for nothing."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{number_format(value, 1)} %"
    if kind in (SCORE, HOURS):
        return number_format(value, 1)
    if kind == COUNT:
        return number_format(value, 0, force_grouping=True)
    return excel_value(value, kind)


SITTING_COLUMNS = (
    Column("examined", _("Candidates examined")),
    Column("attempts", _("Sittings")),
    Column("passed", _("Passed")),
    Column("pass_rate", _("Pass rate (%)"), RATE),
    Column("average_score", _("Average score"), SCORE),
)


def _dimension(name, title, label):
    return Table(
        name,
        title,
        (Column("label", label, TEXT, 32), *SITTING_COLUMNS),
        lambda filters: selectors.by_dimension(filters, name),
    )


def _summary_rows(filters):
    figures = selectors.summary(filters)
    return [{"figure": str(label), "value": figures[key]} for key, label, _kind in FIGURES]


# The headline figures in the order the page shows them: key, label, kind.
FIGURES = (
    ("examined", _("Candidates examined"), COUNT),
    ("attempts", _("Sittings"), COUNT),
    ("passed", _("Passed"), COUNT),
    ("pass_rate", _("Pass rate (%)"), RATE),
    ("average_score", _("Average score"), SCORE),
    ("resit_rate", _("Re-sit rate (%)"), RATE),
    ("no_shows", _("No-shows"), COUNT),
    ("certificates_issued", _("Certificates issued"), COUNT),
    ("certificates_revoked", _("Certificates revoked"), COUNT),
    ("certificates_expiring_90", _("Certificates expiring in 90 days"), COUNT),
    ("learning_hours", _("Learning hours credited"), HOURS),
    ("incidents", _("Proctoring incidents"), COUNT),
    ("incident_confirmation_rate", _("Incidents confirmed on review (%)"), RATE),
    ("quiz_players", _("Campaign quiz players"), COUNT),
)

TABLES = {
    table.name: table
    for table in (
        Table(
            "summary",
            _("Headline figures"),
            (Column("figure", _("Figure"), TEXT, 36), Column("value", _("Value"), SCORE)),
            _summary_rows,
        ),
        Table(
            "month",
            _("By month"),
            (Column("month", _("Month"), MONTH, 10), *SITTING_COLUMNS),
            selectors.by_month,
        ),
        _dimension("industry", _("By industry"), _("Industry")),
        _dimension("exam", _("By exam"), _("Exam")),
        _dimension("centre", _("By test centre"), _("Test centre")),
        _dimension("employer", _("By employer"), _("Employer")),
        Table(
            "incidents",
            _("Proctoring incidents by type"),
            (
                Column("label", pgettext_lazy("incident", "Type"), TEXT, 32),
                Column("count", _("Incidents")),
                Column("confirmed", _("Confirmed")),
                Column("dismissed", _("Dismissed")),
                Column("confirmation_rate", _("Confirmation rate (%)"), RATE),
            ),
            selectors.incidents_by_type,
        ),
        Table(
            "towns",
            _("Campaign reach by town"),
            (
                Column("town", _("Town"), TEXT, 20),
                Column("players", _("Players")),
                Column("plays", _("Plays")),
                Column("average_score", _("Average score"), SCORE),
            ),
            selectors.campaign_reach_by_town,
        ),
    )
}

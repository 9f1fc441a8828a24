"""
The bureau's figures for a date range, a centre, an industry and an exam:
candidates examined, pass rates, re-sits, no-shows, certificates, learning
hours, proctoring incidents and campaign reach.

Every function here costs a fixed, small number of queries whatever the
number of attempts: the database counts and averages (conditional aggregates,
GROUP BY, TruncMonth in Asia/Shanghai); Python only divides the totals it gets
back. The dashboard, its Excel exports and the monthly report all read these,
so a figure is the same wherever it is shown.

What counts:
- a *sitting* is a graded attempt at a test centre (not practice, not voided),
  dated by when it was graded; its industry is the exam's industry;
- rates are percentages with one decimal, None when there is nothing to divide by.

`proctoring` and `cms.quiz` build on `exams`, so their models are imported
inside the functions that need them, never when this module loads.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.choices import Industry
from exams.centre_selectors import administered_centres
from exams.checkin import sees_every_centre
from exams.choices import AttemptStatus, BookingStatus
from exams.models import Attempt, Booking, Certificate, CertificateStatus, Exam, TestCentre

# The default range: this month and the eleven before it, so that the chart
# by month has twelve whole bars (the last one up to today).
DEFAULT_MONTHS = 12
EXPIRING_DAYS = 90
# Dates outside these years are typing mistakes, not ranges anyone means.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

DIMENSIONS = ("industry", "exam", "centre", "employer")
# What a sitting is grouped by for each dimension. Exams and centres are
# grouped by id alone and named afterwards: a narrower sort for the database.
_GROUPS = {
    "industry": "exam__industry",
    "exam": "exam_id",
    "centre": "booking__session__centre_id",
    "employer": "candidate__employer",
}


@dataclass(frozen=True)
class Filters:
    """What the figures are about: a range of local dates (both included) and optional filters."""

    start: datetime.date
    end: datetime.date
    centre_id: int | None = None
    industry: str = ""
    exam_id: int | None = None

    @classmethod
    def from_query(cls, data, *, user):
        """
        The filters a GET query asks for, as far as `user` may see them: the
        bureau any centre or all, a centre admin one of the centres they
        administer (another centre asked for is replaced by theirs). Raises
        PermissionDenied for anyone else.
        """
        today = timezone.localdate()
        start = _parse_date(data.get("start")) or months_back(today, DEFAULT_MONTHS - 1)
        end = _parse_date(data.get("end")) or today
        if start > end:
            start, end = end, start
        centre_id = _parse_int(data.get("centre"))
        if not sees_every_centre(user):
            theirs = list(administered_centres(user).values_list("pk", flat=True))
            if not theirs:
                raise PermissionDenied
            if centre_id not in theirs:
                centre_id = theirs[0]
        industry = data.get("industry") or ""
        return cls(
            start=start,
            end=end,
            centre_id=centre_id,
            industry=industry if industry in Industry.values else "",
            exam_id=_parse_int(data.get("exam")),
        )

    def as_query(self):
        """The GET parameters that give these filters back (for links and exports)."""
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.centre_id is not None:
            query["centre"] = self.centre_id
        if self.industry:
            query["industry"] = self.industry
        if self.exam_id is not None:
            query["exam"] = self.exam_id
        return query

    @property
    def bounds(self):
        """The range as aware datetimes [since, until): local midnights, `until` after `end`."""
        zone = timezone.get_default_timezone()
        since = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return since, until


def months_back(day, months):
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _parse_date(value):
    try:
        day = datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def _parse_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def rate(part, whole):
    """`part` of `whole` as a percentage with one decimal; None when `whole` is 0."""
    return round(100 * part / whole, 1) if whole else None


def _score(value):
    # PostgreSQL averages decimals as Decimal, SQLite as float: one type for the screens.
    return round(float(value), 1) if value is not None else None


# ---------------------------------------------------------------------------
# What the figures are computed from
# ---------------------------------------------------------------------------


def graded_sittings(filters):
    """The graded sittings (not practice, not voided) of the range, by the filters."""
    since, until = filters.bounds
    sittings = Attempt.objects.filter(
        practice=False, status=AttemptStatus.GRADED, graded_at__gte=since, graded_at__lt=until
    )
    return _by_sitting(sittings, filters, prefix="")


def _by_sitting(queryset, filters, *, prefix):
    """`queryset` narrowed by centre, exam and industry, reached through `prefix` (an attempt)."""
    if filters.centre_id is not None:
        queryset = queryset.filter(**{f"{prefix}booking__session__centre_id": filters.centre_id})
    if filters.exam_id is not None:
        queryset = queryset.filter(**{f"{prefix}exam_id": filters.exam_id})
    if filters.industry:
        queryset = queryset.filter(**{f"{prefix}exam__industry": filters.industry})
    return queryset


SITTING_FIGURES = {
    "examined": Count("candidate", distinct=True),
    "attempts": Count("pk"),
    "passed": Count("pk", filter=Q(passed=True)),
    "average_score": Avg("score"),
}


def _finish(row):
    """A row of SITTING_FIGURES with its pass rate, and the average as a float."""
    row["pass_rate"] = rate(row["passed"], row["attempts"])
    row["average_score"] = _score(row["average_score"])
    return row


# ---------------------------------------------------------------------------
# The headline figures
# ---------------------------------------------------------------------------


def summary(filters):
    """Every headline figure of the dashboard, in seven queries."""
    sittings = graded_sittings(filters)
    figures = _finish(sittings.aggregate(**SITTING_FIGURES))
    # Candidates with two or more sittings of one exam in the range: re-sits (补考).
    resitting = (
        sittings.values("candidate", "exam")
        .annotate(sittings=Count("pk"))
        .filter(sittings__gt=1)
        .values("candidate")
        .distinct()
        .count()
    )
    figures["resitting"] = resitting
    figures["resit_rate"] = rate(resitting, figures["examined"])
    figures["no_shows"] = no_shows(filters).count()
    figures.update(_certificate_figures(filters))
    figures["learning_hours"] = learning_hours(filters)
    figures.update(_incident_figures(filters))
    figures["quiz_players"] = quiz_players(filters)
    return figures


def no_shows(filters):
    """Bookings of the range's sessions marked as not come (缺考) when their check-in closed."""
    since, until = filters.bounds
    bookings = Booking.objects.filter(
        status=BookingStatus.NO_SHOW,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
    )
    if filters.centre_id is not None:
        bookings = bookings.filter(session__centre_id=filters.centre_id)
    if filters.exam_id is not None:
        bookings = bookings.filter(session__exam_id=filters.exam_id)
    if filters.industry:
        bookings = bookings.filter(session__exam__industry=filters.industry)
    return bookings


def certificates(filters):
    """Certificates won at the filtered centre, exam and industry (any date)."""
    return _by_sitting(Certificate.objects.all(), filters, prefix="attempt__")


def _certificate_figures(filters, *, today=None):
    since, until = filters.bounds
    today = today or timezone.localdate()
    return certificates(filters).aggregate(
        certificates_issued=Count(
            "pk", filter=Q(issued_on__gte=filters.start, issued_on__lte=filters.end)
        ),
        certificates_revoked=Count(
            "pk",
            filter=Q(status=CertificateStatus.REVOKED, revoked_at__gte=since, revoked_at__lt=until),
        ),
        # Not bound to the range: what is due in the next 90 days from today.
        certificates_expiring_90=Count(
            "pk",
            filter=Q(
                status=CertificateStatus.VALID,
                expires_on__gte=today,
                expires_on__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
            ),
        ),
    )


def learning_hours(filters):
    """
    Hours credited on the enrolments studied in the range (last studied then),
    of the filtered industry's learners and the exam's required courses; for a
    centre, of the learners who booked a sitting there.
    """
    from training.models import Enrolment

    since, until = filters.bounds
    enrolments = Enrolment.objects.filter(last_studied_at__gte=since, last_studied_at__lt=until)
    if filters.centre_id is not None:
        enrolments = enrolments.filter(
            learner__in=Booking.objects.filter(session__centre_id=filters.centre_id).values(
                "candidate"
            )
        )
    if filters.industry:
        enrolments = enrolments.filter(learner__industry=filters.industry)
    if filters.exam_id is not None:
        enrolments = enrolments.filter(course__exams=filters.exam_id)
    seconds = enrolments.aggregate(seconds=Sum("seconds_credited"))["seconds"] or 0
    return round(seconds / 3600, 1)


def incidents(filters):
    """Proctoring incidents first seen in the range, on sittings of the filters."""
    from proctoring.models import Incident

    since, until = filters.bounds
    found = Incident.objects.filter(first_at__gte=since, first_at__lt=until)
    return _by_sitting(found, filters, prefix="attempt__")


def _decisions():
    from proctoring.choices import Decision

    return {
        "count": Count("pk"),
        "confirmed": Count("pk", filter=Q(decision=Decision.CONFIRMED)),
        "dismissed": Count("pk", filter=Q(decision=Decision.DISMISSED)),
    }


def _confirmation_rate(row):
    # Of the incidents a reviewer decided: those still open say nothing yet.
    return rate(row["confirmed"], row["confirmed"] + row["dismissed"])


def _incident_figures(filters):
    row = incidents(filters).aggregate(**_decisions())
    return {
        "incidents": row["count"],
        "incidents_confirmed": row["confirmed"],
        "incidents_dismissed": row["dismissed"],
        "incident_confirmation_rate": _confirmation_rate(row),
    }


def quiz_plays(filters):
    """
    Campaign quiz plays started in the range, bots disqualified excluded.
    Campaigns are the publicity centre's, for the whole district: they know
    no test centre, exam or industry, so only the dates apply.
    """
    from cms.quiz.models import Play

    since, until = filters.bounds
    return Play.objects.filter(started_at__gte=since, started_at__lt=until, disqualified=False)


def quiz_players(filters):
    return quiz_plays(filters).values("person_key").distinct().count()


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------


def month_range(filters):
    """The first day of every month the range touches, in order."""
    months, month = [], filters.start.replace(day=1)
    while month <= filters.end:
        months.append(month)
        month = months_back(month, -1)
    return months


def by_month(filters):
    """SITTING_FIGURES for every month of the range (Asia/Shanghai), empty months included."""
    rows = (
        graded_sittings(filters)
        .annotate(month=TruncMonth("graded_at", tzinfo=timezone.get_default_timezone()))
        .values("month")
        .annotate(**SITTING_FIGURES)
        .order_by("month")
    )
    found = {_as_date(row.pop("month")): row for row in rows}
    empty = {"examined": 0, "attempts": 0, "passed": 0, "average_score": None}
    return [_finish({"month": month, **found.get(month, empty)}) for month in month_range(filters)]


def _as_date(value):
    # TruncMonth gives an aware datetime in the zone asked for; the month is its date.
    return value.date() if isinstance(value, datetime.datetime) else value


def dimension_rows(filters, dimension):
    """
    The sittings grouped by `dimension` ("industry", "exam", "centre" or
    "employer"), most sittings first: a values queryset to slice or paginate,
    whose rows `labelled` completes.
    """
    key = _GROUPS[dimension]
    return (
        graded_sittings(filters).values(key).annotate(**SITTING_FIGURES).order_by("-attempts", key)
    )


def _names(dimension, keys):
    """What each key of `dimension` is called, in at most one query."""
    if dimension == "industry":
        names = dict(Industry.choices)
        return {key: names.get(key) or _("General (no industry)") for key in keys}
    if dimension == "employer":
        return {key: key or _("Employer not given") for key in keys}
    model = Exam if dimension == "exam" else TestCentre
    field = "title" if dimension == "exam" else "name"
    return dict(model.objects.filter(pk__in=keys).values_list("pk", field))


def labelled(rows, dimension):
    """Rows of `dimension_rows` with a key, a label and the pass rate."""
    key = _GROUPS[dimension]
    rows = [dict(row) for row in rows]
    names = _names(dimension, [row[key] for row in rows])
    return [
        _finish({"key": row[key], "label": str(names.get(row.pop(key), "")), **row}) for row in rows
    ]


def by_dimension(filters, dimension, *, limit=None):
    """SITTING_FIGURES by industry, exam, centre or employer, with a label; at most `limit` rows."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    rows = dimension_rows(filters, dimension)
    return labelled(rows[:limit] if limit else rows, dimension)


def incidents_by_type(filters):
    """Incidents of the range by kind, with how many a reviewer confirmed and dismissed."""
    from proctoring.choices import IncidentKind

    kinds = dict(IncidentKind.choices)
    rows = incidents(filters).values("kind").annotate(**_decisions()).order_by("-count", "kind")
    return [
        {
            "kind": row["kind"],
            "label": str(kinds.get(row["kind"], row["kind"])),
            "count": row["count"],
            "confirmed": row["confirmed"],
            "dismissed": row["dismissed"],
            "confirmation_rate": _confirmation_rate(row),
        }
        for row in rows
    ]


def campaign_reach_by_town(filters):
    """Quiz players (people), plays and the average finished score by town (街镇), widest first."""
    from cms.quiz.choices import PlayStatus

    rows = (
        quiz_plays(filters)
        .exclude(town="")
        .values("town")
        .annotate(
            players=Count("person_key", distinct=True),
            plays=Count("pk"),
            average_score=Avg("score", filter=Q(status=PlayStatus.FINISHED)),
        )
        .order_by("-players", "town")
    )
    return [{**row, "average_score": _score(row["average_score"])} for row in rows]


# ---------------------------------------------------------------------------
# The dashboard's figures, kept for a while and warmed by the worker
# ---------------------------------------------------------------------------


def dashboard_figures(filters, *, employers=None, refresh=False):
    """
    Everything the dashboard page shows for `filters`: the headline figures
    and each table's rows. Kept in the cache for STATISTICS_CACHE_SECONDS (in
    the current language: some labels are words), so that the bureau's usual
    view, which the worker computes afresh every few minutes (`refresh`, by
    `warm_dashboards`), opens at once; any other filter is computed on the
    first look. Figures are as of `computed_at`.
    """
    seconds = settings.STATISTICS_CACHE_SECONDS
    query = urlencode(sorted(filters.as_query().items()))
    key = f"statistics:dashboard:{get_language()}:{employers}:{query}"
    if seconds and not refresh:
        found = cache.get(key)
        if found is not None:
            return found
    figures = {
        "computed_at": timezone.now(),
        "summary": summary(filters),
        "month": by_month(filters),
        "industry": by_dimension(filters, "industry"),
        "exam": by_dimension(filters, "exam"),
        "centre": by_dimension(filters, "centre"),
        "employer": by_dimension(filters, "employer", limit=employers),
        "incidents": incidents_by_type(filters),
        "towns": campaign_reach_by_town(filters),
    }
    if seconds:
        cache.set(key, figures, seconds)
    return figures


def usual_views(today=None):
    """The filters the dashboard opens with: every centre (the bureau), and each centre."""
    today = today or timezone.localdate()
    start = months_back(today, DEFAULT_MONTHS - 1)
    views = [Filters(start=start, end=today)]
    views += [
        Filters(start=start, end=today, centre_id=pk)
        for pk in TestCentre.objects.values_list("pk", flat=True)
    ]
    return views

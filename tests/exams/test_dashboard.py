"""
The bureau's dashboard: figures hand-computed on a few sittings (pass rate,
average, re-sits, no-shows, months in Asia/Shanghai, certificates, learning
hours, incidents, campaign reach), who may see which centre, the Excel
exports holding the page's figures, and a query count that does not grow with
the number of attempts.
"""

import datetime
import io
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from accounts.choices import Industry
from cms.quiz.choices import PlayStatus
from cms.quiz.models import Play, Quiz
from config import xlsx
from exams.choices import AttemptStatus, BookingSource, BookingStatus, PaperKind
from exams.models import (
    Attempt,
    Booking,
    Certificate,
    CertificateStatus,
    Exam,
    ExamSession,
    Paper,
    Room,
)
from exams.models import TestCentre as Centre  # not a test class
from exams.statistics import selectors, tables, views
from exams.statistics.selectors import Filters
from proctoring.choices import Decision, IncidentKind, Severity
from proctoring.models import Incident
from tests.factories import UserFactory
from training.models import Enrolment

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/exams/dashboard/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH_APRIL = {"start": "2026-03-01", "end": "2026-04-30"}
_numbers = itertools.count(1)


def at(text):
    """A moment in Shanghai time: at("2026-04-01 01:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def an_exam(title, industry):
    paper = Paper.objects.create(name=f"{title}试卷", kind=PaperKind.FIXED)
    return Exam.objects.create(
        title=title, target_role="safety_manager", paper=paper, industry=industry
    )


def a_centre(code, name):
    centre = Centre.objects.create(name=name, code=code, address="文三路 1 号")
    Room.objects.create(centre=centre, name="第一考场", seat_count=80, seats_per_row=8)
    return centre


def a_booking(candidate, exam, centre, starts_at, status=BookingStatus.CHECKED_IN):
    number = next(_numbers)
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=centre.rooms.get(),
        starts_at=starts_at,
        capacity=80,
        booking_opens_at=starts_at - datetime.timedelta(days=14),
        booking_closes_at=starts_at - datetime.timedelta(days=1),
    )
    return Booking.objects.create(
        session=session,
        candidate=candidate,
        seat=1,
        ticket_number=f"DB{number:08d}",
        status=status,
        source=BookingSource.CENTRE,
    )


def a_sitting(candidate, exam, centre, graded_at, score, *, status=AttemptStatus.GRADED):
    booking = a_booking(candidate, exam, centre, graded_at - datetime.timedelta(hours=2))
    return Attempt.objects.create(
        booking=booking,
        candidate=candidate,
        exam=exam,
        paper=exam.paper,
        status=status,
        submitted_at=graded_at,
        graded_at=graded_at,
        score=Decimal(score),
        max_score=Decimal("100"),
        passed=Decimal(score) >= 80,
    )


def a_certificate(attempt, issued_on, *, expires_on=None, revoked_at=None):
    return Certificate.objects.create(
        attempt=attempt,
        holder=attempt.candidate,
        exam=attempt.exam,
        number=f"AK-TEST-{next(_numbers):06d}",
        score=attempt.score,
        issued_on=issued_on,
        expires_on=expires_on or issued_on + datetime.timedelta(days=3 * 365),
        status=CertificateStatus.REVOKED if revoked_at else CertificateStatus.VALID,
        revoked_at=revoked_at,
    )


def an_incident(attempt, kind, decision, first_at):
    return Incident.objects.create(
        attempt=attempt,
        kind=kind,
        severity=Severity.MAJOR,
        reason="test",
        decision=decision,
        first_at=first_at,
        last_at=first_at,
    )


def a_play(quiz, person, town, score, started_at, status=PlayStatus.FINISHED):
    return Play.objects.create(
        quiz=quiz,
        person_key=person,
        town=town,
        score=score,
        status=status,
        started_at=started_at,
        deadline=started_at + datetime.timedelta(minutes=5),
    )


@pytest.fixture
def west_lake(centre_admin):
    centre = a_centre("XH01", "西湖区安全生产考点")
    centre.admins.add(centre_admin)
    return centre


@pytest.fixture
def gongshu():
    return a_centre("GS01", "拱墅区安全生产考点")


@pytest.fixture
def chemicals():
    return an_exam("危险化学品安全管理人员考试", Industry.HAZARDOUS_CHEMICALS)


@pytest.fixture
def confined():
    return an_exam("有限空间作业安全考试", Industry.CONFINED_SPACES)


@pytest.fixture
def spring(west_lake, gongshu, chemicals, confined):
    """
    March and April 2026, by Shanghai time:
    - alice (恒泰化工) fails chemicals at West Lake just after midnight on
      1 April (still 31 March in UTC), then re-sits and passes on 15 April;
    - bob (江南冷链) passes chemicals at Gongshu late on 31 March;
    - carol (恒泰化工) fails confined spaces at West Lake on 20 April;
    - a practice round and a voided sitting that count for nothing;
    - no-shows: one at each centre, one in May, and a booking still open.
    """
    alice = UserFactory(real_name="王建国", employer="恒泰化工")
    bob = UserFactory(real_name="李秀英", employer="江南冷链")
    carol = UserFactory(real_name="张伟", employer="恒泰化工")
    sittings = {
        "alice_fails": a_sitting(alice, chemicals, west_lake, at("2026-04-01 01:00"), "60"),
        "alice_resits": a_sitting(alice, chemicals, west_lake, at("2026-04-15 10:00"), "85"),
        "bob_passes": a_sitting(bob, chemicals, gongshu, at("2026-03-31 23:00"), "90"),
        "carol_fails": a_sitting(carol, confined, west_lake, at("2026-04-20 10:00"), "71"),
    }
    a_sitting(carol, chemicals, gongshu, at("2026-04-21 10:00"), "99", status=AttemptStatus.VOIDED)
    Attempt.objects.create(
        candidate=carol,
        exam=chemicals,
        paper=chemicals.paper,
        practice=True,
        status=AttemptStatus.GRADED,
        graded_at=at("2026-04-10 10:00"),
        score=Decimal("100"),
        max_score=Decimal("100"),
        passed=True,
    )
    dave = UserFactory(real_name="刘洋")
    a_booking(dave, chemicals, west_lake, at("2026-04-02 09:00"), BookingStatus.NO_SHOW)
    a_booking(dave, chemicals, gongshu, at("2026-04-03 09:00"), BookingStatus.NO_SHOW)
    a_booking(dave, chemicals, west_lake, at("2026-05-02 09:00"), BookingStatus.NO_SHOW)
    a_booking(dave, confined, west_lake, at("2026-04-04 09:00"), BookingStatus.BOOKED)
    return {"alice": alice, "bob": bob, "carol": carol, **sittings}


def signed_in(client, user):
    """The admin in English, whatever translations the project adds."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def spring_filters(**fields):
    return Filters(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 4, 30), **fields)


# ---------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------


def test_it_counts_sittings_pass_rate_average_resits_and_no_shows(spring):
    figures = selectors.summary(spring_filters())

    assert figures["examined"] == 3
    assert figures["attempts"] == 4
    assert figures["passed"] == 2
    assert figures["pass_rate"] == 50.0
    assert figures["average_score"] == 76.5  # (60 + 85 + 90 + 71) / 4
    assert figures["resit_rate"] == 33.3  # alice of three
    assert figures["no_shows"] == 2


def test_it_buckets_months_by_shanghai_time(spring):
    months = selectors.by_month(spring_filters())

    assert months == [
        {
            "month": datetime.date(2026, 3, 1),
            "examined": 1,
            "attempts": 1,
            "passed": 1,
            "pass_rate": 100.0,
            "average_score": 90.0,
        },
        {
            "month": datetime.date(2026, 4, 1),
            "examined": 2,
            "attempts": 3,
            "passed": 1,
            "pass_rate": 33.3,
            "average_score": 72.0,  # (60 + 85 + 71) / 3
        },
    ]


def test_it_shows_empty_months_of_the_range_as_zero(spring):
    months = selectors.by_month(
        Filters(start=datetime.date(2026, 2, 15), end=datetime.date(2026, 5, 3))
    )

    assert [(row["month"].month, row["attempts"], row["pass_rate"]) for row in months] == [
        (2, 0, None),
        (3, 1, 100.0),
        (4, 3, 33.3),
        (5, 0, None),
    ]


def test_it_breaks_figures_down_by_industry_exam_centre_and_employer(spring):
    filters = spring_filters()
    with translation_en():
        industry = selectors.by_dimension(filters, "industry")
    assert [
        (row["label"], row["examined"], row["attempts"], row["passed"], row["pass_rate"])
        for row in industry
    ] == [
        ("Hazardous chemicals", 2, 3, 2, 66.7),
        ("Confined spaces", 1, 1, 0, 0.0),
    ]
    centres = selectors.by_dimension(filters, "centre")
    assert [(row["label"], row["attempts"], row["average_score"]) for row in centres] == [
        ("西湖区安全生产考点", 3, 72.0),
        ("拱墅区安全生产考点", 1, 90.0),
    ]
    employers = selectors.by_dimension(filters, "employer")
    assert [(row["label"], row["examined"], row["attempts"]) for row in employers] == [
        ("恒泰化工", 2, 3),
        ("江南冷链", 1, 1),
    ]
    exams = selectors.by_dimension(filters, "exam", limit=1)
    assert [(row["label"], row["attempts"]) for row in exams] == [("危险化学品安全管理人员考试", 3)]


def test_it_narrows_every_figure_to_a_centre_an_industry_or_an_exam(spring, west_lake, confined):
    at_west_lake = selectors.summary(spring_filters(centre_id=west_lake.pk))
    assert (at_west_lake["examined"], at_west_lake["attempts"], at_west_lake["passed"]) == (2, 3, 1)
    assert at_west_lake["no_shows"] == 1

    chemicals = selectors.summary(spring_filters(industry=Industry.HAZARDOUS_CHEMICALS))
    assert (chemicals["examined"], chemicals["attempts"], chemicals["pass_rate"]) == (2, 3, 66.7)

    confined_only = selectors.summary(spring_filters(exam_id=confined.pk))
    assert (confined_only["attempts"], confined_only["average_score"]) == (1, 71.0)
    assert confined_only["resit_rate"] == 0.0


def test_it_counts_certificates_issued_revoked_and_expiring(spring):
    today = timezone.localdate()
    a_certificate(spring["alice_resits"], datetime.date(2026, 4, 15))
    a_certificate(
        spring["bob_passes"],
        datetime.date(2026, 4, 1),
        revoked_at=at("2026-04-20 12:00"),
    )
    a_certificate(
        spring["carol_fails"],  # an old certificate (the attempt does not matter here)
        datetime.date(2024, 1, 1),
        expires_on=today + datetime.timedelta(days=30),
    )

    figures = selectors.summary(spring_filters())

    assert figures["certificates_issued"] == 2
    assert figures["certificates_revoked"] == 1
    assert figures["certificates_expiring_90"] == 1


def test_it_counts_learning_hours_incidents_and_campaign_reach(spring):
    for seconds, studied in ((5400, "2026-04-02 10:00"), (1800, "2026-03-05 10:00")):
        Enrolment.objects.create(
            learner=spring["carol"],
            course_title=f"课程{seconds}",
            source="self",
            seconds_credited=seconds,
            last_studied_at=at(studied),
        )
    Enrolment.objects.create(
        learner=spring["bob"],
        course_title="去年的课程",
        source="self",
        seconds_credited=36000,
        last_studied_at=at("2025-04-02 10:00"),
    )
    attempt = spring["alice_fails"]
    an_incident(attempt, IncidentKind.NO_FACE, Decision.CONFIRMED, at("2026-04-01 00:40"))
    an_incident(attempt, IncidentKind.NO_FACE, Decision.DISMISSED, at("2026-04-01 00:50"))
    an_incident(attempt, IncidentKind.TAB_HIDDEN, Decision.OPEN, at("2026-04-01 00:55"))
    quiz = Quiz.objects.create(
        title="5·12 知识竞赛",
        slug="2026-5-12",
        opens_at=at("2026-03-01 00:00"),
        closes_at=at("2026-06-01 00:00"),
    )
    a_play(quiz, "k1", "西溪街道", 80, at("2026-04-05 10:00"))
    a_play(quiz, "k1", "西溪街道", 60, at("2026-04-06 10:00"))
    a_play(quiz, "k2", "西溪街道", 100, at("2026-04-07 10:00"))
    a_play(quiz, "k3", "北山街道", 0, at("2026-04-07 11:00"), status=PlayStatus.ACTIVE)
    a_play(quiz, "k4", "北山街道", 90, at("2026-05-07 11:00"))

    filters = spring_filters()
    figures = selectors.summary(filters)

    assert figures["learning_hours"] == 2.0  # (5400 + 1800) / 3600
    assert (figures["incidents"], figures["incident_confirmation_rate"]) == (3, 50.0)
    assert figures["quiz_players"] == 3
    with translation_en():
        kinds = selectors.incidents_by_type(filters)
    assert kinds == [
        {
            "kind": "no_face",
            "label": "No face in view",
            "count": 2,
            "confirmed": 1,
            "dismissed": 1,
            "confirmation_rate": 50.0,
        },
        {
            "kind": "tab_hidden",
            "label": "Left the exam tab",
            "count": 1,
            "confirmed": 0,
            "dismissed": 0,
            "confirmation_rate": None,
        },
    ]
    assert selectors.campaign_reach_by_town(filters) == [
        {"town": "西溪街道", "players": 2, "plays": 3, "average_score": 80.0},
        {"town": "北山街道", "players": 1, "plays": 1, "average_score": None},
    ]


def translation_en():
    return translation.override("en")


def test_it_reads_filters_from_the_query_within_what_the_person_may_see(
    centre_admin, bureau_admin, alice, west_lake, gongshu, time_machine
):
    time_machine.move_to(at("2026-11-29 10:00"))
    third = a_centre("BJ01", "滨江区安全生产考点")
    third.admins.add(centre_admin)
    query = {"centre": str(gongshu.pk), "industry": "no-such-industry", "exam": "x"}

    assert Filters.from_query(query, user=bureau_admin) == Filters(
        start=datetime.date(2025, 12, 1), end=datetime.date(2026, 11, 29), centre_id=gongshu.pk
    )
    theirs = Filters.from_query(query, user=centre_admin)
    assert theirs.centre_id == third.pk  # BJ01 before XH01: their first centre, not Gongshu
    chosen = Filters.from_query(
        {"centre": west_lake.pk, "start": "2026-04-30", "end": "2026-03-01"}, user=centre_admin
    )
    assert chosen == spring_filters(centre_id=west_lake.pk)
    with pytest.raises(PermissionDenied):
        Filters.from_query({}, user=alice)


# ---------------------------------------------------------------------------
# The page and its exports
# ---------------------------------------------------------------------------


def page_of(client, **query):
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def headline(soup):
    return {
        figure["data-figure"]: figure.dd.get_text(strip=True)
        for figure in soup.select("#figures [data-figure]")
    }


def table_cells(soup, name):
    return [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in soup.select(f"#table-{name} tbody tr")
    ]


def workbook_rows(client, name, **query):
    response = client.get(f"{DASHBOARD}{name}.xlsx", query)
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def as_shown(table, values):
    """An exported row as the page writes it (Excel holds months as text already)."""
    return [
        value if isinstance(value, str) else tables.shown(value, column.kind)
        for column, value in zip(table.columns, values, strict=True)
    ]


def test_it_shows_the_bureau_every_centre_with_charts_tables_and_links(
    client, bureau_admin, spring
):
    soup = page_of(signed_in(client, bureau_admin), **MARCH_APRIL)

    figures = headline(soup)
    assert (figures["examined"], figures["attempts"], figures["passed"]) == ("3", "4", "2")
    assert (figures["pass_rate"], figures["average_score"]) == ("50.0 %", "76.5")
    assert (figures["resit_rate"], figures["no_shows"]) == ("33.3 %", "2")
    assert table_cells(soup, "month") == [
        ["2026-03", "1", "1", "1", "100.0 %", "90.0"],
        ["2026-04", "2", "3", "1", "33.3 %", "72.0"],
    ]
    assert [row[0] for row in table_cells(soup, "centre")] == [
        "西湖区安全生产考点",
        "拱墅区安全生产考点",
    ]
    charts = soup.select("svg[role=img]")
    assert [chart.title.get_text() for chart in charts] == [
        "Sittings and passes by month",
        "Pass rate by industry",
    ]
    assert all(chart.desc.get_text() for chart in charts)
    no_shows = soup.select_one("[data-figure=no_shows] a")["href"]
    assert no_shows == "/admin/exams/bookings/?status=no_show"
    for label in soup.select("form.dashboard-filters label"):
        assert soup.find(id=label["for"]) is not None
    menu = client.get("/admin/").content.decode()
    assert DASHBOARD in menu


def test_it_drills_down_from_a_row_to_its_figures(client, bureau_admin, spring, west_lake):
    soup = page_of(signed_in(client, bureau_admin), **MARCH_APRIL)
    link = soup.select_one("#table-centre tbody th a")

    assert link.get_text() == "西湖区安全生产考点"
    response = client.get(link["href"])
    figures = headline(BeautifulSoup(response.content, "html.parser"))
    assert (figures["examined"], figures["attempts"], figures["passed"]) == ("2", "3", "1")

    april = soup.select("#table-month tbody th a")[1]["href"]
    figures = headline(BeautifulSoup(client.get(april).content, "html.parser"))
    assert "start=2026-04-01&end=2026-04-30" in april
    assert (figures["examined"], figures["attempts"], figures["passed"]) == ("2", "3", "1")


def test_it_keeps_a_centre_admin_to_their_centre_even_when_asked_for_another(
    client, centre_admin, spring, west_lake, gongshu
):
    signed_in(client, centre_admin)
    soup = page_of(client, **MARCH_APRIL, centre=gongshu.pk)

    figures = headline(soup)
    assert (figures["examined"], figures["attempts"], figures["no_shows"]) == ("2", "3", "1")
    assert "拱墅区安全生产考点" not in soup.get_text()
    assert table_cells(soup, "centre") == [["西湖区安全生产考点", "2", "3", "1", "33.3 %", "72.0"]]
    exported = workbook_rows(client, "centre", **MARCH_APRIL, centre=gongshu.pk)
    assert exported == [["西湖区安全生产考点", 2, 3, 1, 33.3, 72.0]]
    assert DASHBOARD in client.get("/admin/").content.decode()


@pytest.mark.parametrize("persona", ["alice", "trainer", "proctor", "publicity_editor"])
def test_it_refuses_everyone_but_the_bureau_and_centre_admins(client, request, persona, west_lake):
    person = request.getfixturevalue(persona)
    if persona == "proctor":
        west_lake.proctors.add(person)
    client.force_login(person)

    for address in (DASHBOARD, f"{DASHBOARD}summary.xlsx", f"{DASHBOARD}employers/"):
        response = client.get(address)
        assert response.status_code in (302, 403), address
        assert b"dashboard-figures" not in response.content
    if persona != "alice":  # a candidate has no admin at all
        assert DASHBOARD not in client.get("/admin/").content.decode()


def test_it_exports_every_table_with_the_figures_on_the_page(client, bureau_admin, spring):
    an_incident(
        spring["alice_fails"], IncidentKind.DARK, Decision.CONFIRMED, at("2026-04-01 00:40")
    )
    signed_in(client, bureau_admin)
    soup = page_of(client, **MARCH_APRIL)

    summary = workbook_rows(client, "summary", **MARCH_APRIL)
    assert summary[:4] == [
        ["Candidates examined", 3],
        ["Sittings", 4],
        ["Passed", 2],
        ["Pass rate (%)", 50.0],
    ]
    figures = headline(soup)
    assert [figures[key] for key, _label, _kind in tables.FIGURES] == [
        tables.shown(value, kind)
        for (_figure, value), (_key, _label, kind) in zip(summary, tables.FIGURES, strict=True)
    ]
    assert workbook_rows(client, "month", **MARCH_APRIL) == [
        ["2026-03", 1, 1, 1, 100.0, 90.0],
        ["2026-04", 2, 3, 1, 33.3, 72.0],
    ]
    for name in ("month", "industry", "exam", "centre", "employer", "incidents", "towns"):
        table = tables.TABLES[name]
        exported = [as_shown(table, row) for row in workbook_rows(client, name, **MARCH_APRIL)]
        assert exported == table_cells(soup, name), name
    assert table_cells(soup, "incidents") == [
        ["Camera covered or too dark", "1", "1", "0", "100.0 %"]
    ]


def test_it_exports_with_the_filters_of_the_page(client, bureau_admin, spring):
    signed_in(client, bureau_admin)
    soup = page_of(client, **MARCH_APRIL, industry=Industry.CONFINED_SPACES)
    export = soup.select_one("[data-export=exam]")["href"]

    response = client.get(export)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ["有限空间作业安全考试", 1, 1, 0, 0.0, 71.0]
    ]


def test_it_lists_every_employer_a_page_at_a_time(client, bureau_admin, spring, chemicals, gongshu):
    for number in range(views.EMPLOYERS_SHOWN):
        person = UserFactory(employer=f"企业{number:02d}")
        a_sitting(person, chemicals, gongshu, at("2026-04-10 10:00"), "80")
    signed_in(client, bureau_admin)

    soup = page_of(client, **MARCH_APRIL)
    assert len(table_cells(soup, "employer")) == views.EMPLOYERS_SHOWN
    everyone = soup.find("a", string="Show all employers")["href"]
    response = client.get(everyone)
    listed = BeautifulSoup(response.content, "html.parser")
    assert len(table_cells(listed, "employer")) == views.EMPLOYERS_SHOWN + 2
    assert len(workbook_rows(client, "employer", **MARCH_APRIL)) == views.EMPLOYERS_SHOWN + 2


def test_it_reads_the_dashboard_in_the_same_number_of_queries_however_many_attempts(
    client, bureau_admin, chemicals, gongshu, west_lake
):
    def add_sittings(count):
        for number in range(count):
            person = UserFactory(employer=f"企业{number % 7}")
            centre = west_lake if number % 2 else gongshu
            attempt = a_sitting(
                person, chemicals, centre, at(f"2026-03-{1 + number % 28:02d} 10:00"), "75"
            )
            an_incident(attempt, IncidentKind.NO_FACE, Decision.OPEN, at("2026-03-02 10:00"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(DASHBOARD, MARCH_APRIL)
        assert response.status_code == 200
        return len(captured)

    signed_in(client, bureau_admin)
    add_sittings(3)
    queries()  # the first request of a session reads more (the admin's user profile…)
    with_three = queries()
    add_sittings(27)
    assert Attempt.objects.count() == 30
    assert queries() == with_three


def test_the_worker_keeps_the_usual_view_ready_and_fresh(client, bureau_admin, spring, settings):
    from exams import tasks

    settings.STATISTICS_CACHE_SECONDS = 600
    client.force_login(bureau_admin)  # in Chinese, as the worker computes it
    with CaptureQueriesContext(connection) as computed:
        first = headline(page_of(client))
    tasks.warm_dashboards()
    with CaptureQueriesContext(connection) as kept:
        assert headline(page_of(client)) == first
    # The figures came from the cache: no sitting was counted for this page.
    assert any('"exams_attempt"' in query["sql"] for query in computed.captured_queries)
    assert not any('"exams_attempt"' in query["sql"] for query in kept.captured_queries)

    a_sitting(
        spring["carol"],
        spring["carol_fails"].exam,
        spring["carol_fails"].booking.session.centre,
        at("2026-04-28 10:00"),
        "95",
    )
    assert headline(page_of(client))["attempts"] == first["attempts"]  # kept for a while
    tasks.warm_dashboards()  # the worker's next round
    assert int(headline(page_of(client))["attempts"]) == int(first["attempts"]) + 1

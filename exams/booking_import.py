"""
Centre admins book a list of people into an exam session from Excel (.xlsx).

The list is read, and its people matched with their accounts, by
accounts.person_import: one person a row under the header 姓名 | 身份证号 |
手机号 | 工作单位, and two optional columns:

- 行业: the industry of a new account (the list's industry names, in Chinese
  or English); an existing account keeps what it was registered with;
- 考试项目: the exam. Everyone in a file is booked into the one session
  chosen on the screen; a row that names an exam must name that session's
  exam, so that a list uploaded into the wrong session is caught rather than
  booked. An empty cell means the session's exam.

Rows are booked in file order through exams.bookings.book, as the test centre,
each taking the lowest free seat: the booking rules (eligibility, one booking
per exam, sittings allowed) are the candidates' own. Once the seats left are
taken, the remaining rows are rejected as over capacity.

All or nothing, in one transaction that holds the session's row: a file with
any rejected row books nobody and creates no account, unless the centre admin
asked to import the valid rows anyway.
"""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import person_import
from accounts.choices import Industry
from accounts.person_import import ImportReport, RowResult
from config.xlsx import ImportFileError, header_key, read_workbook
from exams import bookings
from exams.choices import SEAT_HOLDING, BookingSource
from exams.models import ExamSession

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2000

OTHER_COLUMNS = {
    "industry": {"行业", "所属行业", "行业类别"},
    "exam": {"考试项目", "考试科目", "考试名称", "报考项目"},
}
TEMPLATE_COLUMNS = {**person_import.COLUMNS, "industry": "行业", "exam": "考试项目"}
TEMPLATE_COLUMN_WIDTH = {**person_import.TEMPLATE_COLUMN_WIDTH, "industry": 14, "exam": 36}


class RowOutcome(models.TextChoices):
    CREATED = "created", _("New account")
    MATCHED = "matched", _("Existing account")
    REJECTED = person_import.REJECTED, _("Rejected")


BOOKING_CLOSED = _("Booking for this session is not open, so nobody can be booked into it now.")
OTHER_EXAM = _("This row is for the exam “%(exam)s”, but the session is for “%(session_exam)s”.")
UNKNOWN_INDUSTRY = _("The industry (行业) “%(industry)s” is not one of: %(industries)s.")
ALREADY_BOOKED = _("Already booked in this session, in seat %(seat)s.")
OVER_CAPACITY = _("Over capacity: the seats left in the session went to the rows above.")
CREATED = _("Account %(username)s created and booked: seat %(seat)s, ticket %(ticket)s.")
MATCHED = _("Booked: seat %(seat)s, ticket %(ticket)s.")


@dataclass
class BookingRow(RowResult):
    outcomes = RowOutcome


@dataclass
class BookingReport(ImportReport):
    row_class = BookingRow


def book_from_workbook(*, session, uploaded_file, booked_by, import_valid_rows=False):
    """
    Book the people listed in `uploaded_file` into `session`, creating
    candidate accounts for those without one, and return a BookingReport.
    Books nobody when a row is rejected, unless `import_valid_rows`. Raises
    ImportFileError when the file as a whole cannot be read, or booking for
    the session is not open.
    """
    people = read_workbook(uploaded_file, _read_people, max_bytes=MAX_BYTES)
    with transaction.atomic():
        # Bookings of this session wait for the import: the seats left stay left.
        session = (
            ExamSession.objects.select_for_update()
            .select_related("exam", "room")
            .get(pk=session.pk)
        )
        if not session.booking_is_open():
            raise ImportFileError(BOOKING_CLOSED)
        report = BookingReport(rows=[person.result for person in people])
        industries = _industry_names()
        _check_people(people, session, industries)
        held = session.bookings.filter(status__in=SEAT_HOLDING).count()
        seats_left = session.capacity - held
        for person in people:
            if person.result.outcome == RowOutcome.REJECTED:
                continue
            if seats_left <= 0:
                person.problems.append(OVER_CAPACITY)
                person.reject_if_problems()
            elif _book(person, session, booked_by, industry=industries.get(_industry(person), "")):
                seats_left -= 1
        if report.holds_back(import_valid_rows):
            transaction.set_rollback(True)
            return report
    report.imported = True
    return report


def _read_people(workbook):
    return person_import.read_people(
        workbook, row_class=BookingRow, max_rows=MAX_ROWS, other_columns=OTHER_COLUMNS
    )


def _check_people(people, session, industries):
    """Match the rows with the accounts, check the columns of this import, reject what fails."""
    person_import.match_accounts(people)
    seats = dict(
        session.bookings.filter(
            status__in=SEAT_HOLDING, candidate__in=[p.account for p in people if p.account]
        ).values_list("candidate_id", "seat")
    )
    for person in people:
        exam = person.other.get("exam", "")
        if exam and _comparable(exam) != _comparable(session.exam.title):
            person.problems.append(OTHER_EXAM % {"exam": exam, "session_exam": session.exam.title})
        if _industry(person) and _industry(person) not in industries:
            person.problems.append(
                UNKNOWN_INDUSTRY
                % {
                    "industry": person.other["industry"],
                    "industries": "、".join(map(str, Industry.labels)),
                }
            )
        if person.account is not None and person.account.pk in seats:
            person.problems.append(ALREADY_BOOKED % {"seat": f"{seats[person.account.pk]:02d}"})
        person.reject_if_problems()


def _book(person, session, booked_by, *, industry):
    """
    Book one row, creating its account first if it has none. A refused row
    leaves nothing behind: its account and booking go back to the savepoint.
    """
    result = person.result
    created = person.account is None
    try:
        with transaction.atomic():
            if created:
                (username,) = person_import.create_accounts([person], industry=industry)
            booking = bookings.book(
                session=session,
                candidate=person.account,
                by=booked_by,
                source=BookingSource.CENTRE,
            )
    except bookings.BookingRefused as refused:
        person.problems.extend(refused.reasons)
    except ValidationError as error:  # the account could not be made as the row says
        person.problems.extend(error.messages)
    if person.reject_if_problems():
        if created:
            person.account = None
        return False
    numbers = {"seat": booking.seat_label, "ticket": booking.ticket_number}
    if created:
        result.outcome = RowOutcome.CREATED
        result.message = str(CREATED % {"username": username, **numbers})
    else:
        result.outcome, result.message = RowOutcome.MATCHED, str(MATCHED % numbers)
    return True


def _industry_names():
    """Every name an industry is written under, after header_key(): its code and its labels."""
    names = {}
    for industry in Industry:
        names[header_key(industry.value)] = industry.value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[header_key(str(industry.label))] = industry.value
    return names


def _industry(person):
    return header_key(person.other.get("industry", ""))


def _comparable(text):
    return "".join(unicodedata.normalize("NFKC", text).split())

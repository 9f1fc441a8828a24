"""
Centre admins enrol a list of people in a course from Excel (.xlsx).

One person a row, under a header naming the columns

    姓名 | 身份证号 | 手机号 | 工作单位

(with the other names offices write them under: 身份证号码, 手机, 单位…).
Each row ends as one of the outcomes below, with a reason when it is
rejected. The import is all or nothing: a file with any rejected row writes
nothing, unless the centre admin asked to import the valid rows anyway.

A person is known by their ID card number. A new number gets a candidate
account (without a password: they set one when they first sign in); a known
number is enrolled with the account it belongs to, provided the name on the
row is the name the account was registered under. ID numbers appear in the
report masked, never in full.
"""

import itertools
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts import crypto, idcard
from accounts.choices import Role
from accounts.models import User, mainland_mobile
from accounts.services import user_create
from config.xlsx import (
    EMPTY_WORKBOOK,
    HEADER_SEARCH_ROWS,
    MISSING_COLUMNS,
    ImportFileError,
    cell_text,
    find_header_row,
    has_content,
    match_columns,
    read_workbook,
    sheet_rows,
)
from training.choices import EnrolmentSource
from training.models import Enrolment

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

# The header the template shows, and every name it is written under, after `header_key()`.
COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号", "employer": "工作单位"}
COLUMN_NAMES = {
    "name": {"姓名"},
    "id_number": {"身份证号", "身份证号码", "证件号码"},
    "phone": {"手机号", "手机", "手机号码", "联系电话"},
    "employer": {"工作单位", "单位", "单位名称"},
}
# The template's example row; a file that still has it is told to delete it.
EXAMPLE_ROW = {
    "name": "张三",
    "id_number": "11010519491231002X",  # the example number of GB 11643-1999
    "phone": "13800000000",
    "employer": "某某化工有限公司",
}

NAME_MAX_LENGTH = User._meta.get_field("real_name").max_length
EMPLOYER_MAX_LENGTH = User._meta.get_field("employer").max_length
CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


class RowOutcome(models.TextChoices):
    CREATED = "created", _("New account")
    MATCHED = "matched", _("Existing account")
    ALREADY_ENROLLED = "already_enrolled", _("Already enrolled")
    REJECTED = "rejected", _("Rejected")


NO_HEADER = _(
    "No header row found. One of the first %(rows)d rows must name the columns "
    "姓名, 身份证号, 手机号 and 工作单位."
)
NO_PEOPLE = _("The file has a header row but nobody listed under it.")
TOO_MANY_ROWS = _(
    "The file lists more than %(limit)d people. Split it into files of at most %(limit)d."
)

NAME_EMPTY = _("The name (姓名) is empty.")
NAME_TOO_LONG = _("The name (姓名) is longer than %(limit)d characters.")
ID_EMPTY = _("The ID card number (身份证号) is empty.")
ID_INVALID = _("The ID card number (身份证号) is not valid. %(reason)s")
ID_STORED_AS_NUMBER = _(
    "The ID card number (身份证号) was saved as a number, and Excel keeps only 15 digits "
    "of a number. Format the column as text and type the numbers again."
)
PHONE_EMPTY = _("The mobile number (手机号) is empty.")
PHONE_INVALID = _(
    "The mobile number (手机号) “%(phone)s” is not valid: write the 11 digits, starting with 1."
)
EMPLOYER_TOO_LONG = _("The employer (工作单位) is longer than %(limit)d characters.")
EXAMPLE_LEFT_IN = _("This is the template's example row: delete it.")
SAME_ID_AS_ROW = _("Same ID card number as row %(row)d.")
SAME_ID_AS_SHEET_ROW = _("Same ID card number as sheet “%(sheet)s”, row %(row)d.")
NAME_MISMATCH = _(
    "The ID card number %(id_number)s belongs to an account registered under another name. "
    "Check the name and the ID card number."
)

CREATED = _("Account %(username)s created and enrolled.")
MATCHED = _("Enrolled with the existing account.")
ALREADY_ENROLLED = _("Already enrolled in this course; nothing to do.")
NOT_IMPORTED = _("Not imported, because other rows were rejected.")


@dataclass
class RowResult:
    row: int
    name: str
    id_number_masked: str
    outcome: str = ""  # a RowOutcome value, once the row is matched with the accounts
    message: str = ""
    sheet: str = ""  # the sheet's name, in a workbook of several sheets of people

    @property
    def outcome_label(self):
        return RowOutcome(self.outcome).label


@dataclass
class EnrolmentReport:
    rows: list[RowResult]
    imported: bool = False  # whether the valid rows were written

    @property
    def counts(self):
        """{outcome: number of rows}, every outcome present."""
        counts = Counter(row.outcome for row in self.rows)
        return {outcome: counts[outcome] for outcome in RowOutcome.values}

    @property
    def valid(self):
        return len(self.rows) - self.counts[RowOutcome.REJECTED]

    def problems_first(self):
        """The rejected rows (the ones to fix), then the others, each in file order."""
        return sorted(self.rows, key=lambda row: row.outcome != RowOutcome.REJECTED)

    def as_dict(self):
        return {"rows": [asdict(row) for row in self.rows], "imported": self.imported}

    @classmethod
    def from_dict(cls, data):
        return cls(rows=[RowResult(**row) for row in data["rows"]], imported=data["imported"])


@dataclass
class _Person:
    """A row as read, before it is matched with the accounts."""

    result: RowResult
    name: str = ""
    id_number: str = ""
    phone: str = ""
    employer: str = ""
    problems: list = field(default_factory=list)
    learner: User | None = None


@transaction.atomic
def enrol_from_workbook(*, course, uploaded_file, enrolled_by, import_valid_rows=False):
    """
    Enrol the people listed in `uploaded_file` in `course`, creating candidate
    accounts for those without one, and return an EnrolmentReport. Writes
    nothing when a row is rejected, unless `import_valid_rows`. Raises
    ImportFileError when the file as a whole cannot be read.
    """
    people = read_workbook(uploaded_file, _read_people, max_bytes=MAX_BYTES)
    _match_accounts(people, course)
    report = EnrolmentReport(rows=[person.result for person in people])
    rejected = report.counts[RowOutcome.REJECTED]
    if (rejected and not import_valid_rows) or not report.valid:
        for row in report.rows:
            if row.outcome != RowOutcome.REJECTED:
                row.message = str(NOT_IMPORTED)
        return report
    _write(people, course, enrolled_by)
    report.imported = True
    return report


def _read_people(workbook):
    """A _Person for each filled-in row of every sheet with a header (others are notes)."""
    people = []
    found_header = found_content = False
    several_sheets = len(workbook.worksheets) > 1
    for sheet in workbook.worksheets:
        rows = sheet_rows(sheet)
        top_rows = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        found_content = found_content or any(has_content(values) for _, values in top_rows)
        position = find_header_row(
            top_rows, lambda values: len(match_columns(values, COLUMN_NAMES))
        )
        if position is None:
            continue
        found_header = True
        header_row, header = top_rows[position]
        columns = match_columns(header, COLUMN_NAMES)
        missing = [name for column, name in COLUMNS.items() if column not in columns]
        if missing:
            raise ImportFileError(
                MISSING_COLUMNS % {"row": header_row, "columns": "、".join(missing)}
            )
        for row_number, values in [*top_rows[position + 1 :], *rows]:
            cells = {
                column: values[index] if index < len(values) else None
                for column, index in columns.items()
            }
            if not has_content(cells.values()):
                continue
            if len(people) == MAX_ROWS:
                raise ImportFileError(TOO_MANY_ROWS % {"limit": MAX_ROWS})
            people.append(_read_row(cells, row_number, sheet.title if several_sheets else ""))
    if not found_content:
        raise ImportFileError(EMPTY_WORKBOOK)
    if not found_header:
        raise ImportFileError(NO_HEADER % {"rows": HEADER_SEARCH_ROWS})
    if not people:
        raise ImportFileError(NO_PEOPLE)
    return people


def _read_row(cells, row_number, sheet):
    """Read and check one row's cells, each on its own."""
    name = _clean_name(cell_text(cells["name"]))
    id_text = idcard.normalise(cell_text(cells["id_number"]))
    person = _Person(
        result=RowResult(
            row=row_number, sheet=sheet, name=name, id_number_masked=idcard.mask_id_number(id_text)
        ),
        name=name,
        phone=_clean_phone(cell_text(cells["phone"])),
        employer=" ".join(cell_text(cells["employer"]).split()),
    )
    problems = person.problems
    if not name:
        problems.append(NAME_EMPTY)
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(NAME_TOO_LONG % {"limit": NAME_MAX_LENGTH})

    if not id_text:
        problems.append(ID_EMPTY)
    elif isinstance(cells["id_number"], float):
        # Excel stores a long number as a float of 15 significant digits: the
        # number read back is not the one typed, even when its checksum fits.
        problems.append(ID_STORED_AS_NUMBER)
    else:
        try:
            person.id_number = idcard.validate_id_number(id_text)
        except ValidationError as error:
            problems.append(ID_INVALID % {"reason": " ".join(error.messages)})

    if not person.phone:
        problems.append(PHONE_EMPTY)
    else:
        try:
            mainland_mobile(person.phone)
        except ValidationError:
            problems.append(PHONE_INVALID % {"phone": person.phone})

    if len(person.employer) > EMPLOYER_MAX_LENGTH:
        problems.append(EMPLOYER_TOO_LONG % {"limit": EMPLOYER_MAX_LENGTH})
    row = {"name": name, "id_number": id_text, "phone": person.phone, "employer": person.employer}
    if row == EXAMPLE_ROW:
        problems.append(EXAMPLE_LEFT_IN)
    return person


def _clean_name(text):
    """NFKC, and no spaces next to Chinese characters: offices pad "王  芳" to line names up."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    return re.sub(rf"(?<={CJK}) | (?={CJK})", "", text)


def _clean_phone(text):
    """Digits only, without a +86 in front: "138 1234 5678", "+86-13812345678" → "13812345678"."""
    digits = re.sub(r"[\s()\-]", "", unicodedata.normalize("NFKC", text))
    if len(digits) == 14 and digits.startswith("+86"):
        return digits[3:]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def _match_accounts(people, course):
    """
    Find the account of each valid ID number (one query by digest), reject
    repeated numbers and names that do not match, and set each row's outcome.
    """
    digests = {p.id_number: crypto.digest(p.id_number) for p in people if p.id_number}
    accounts = User.objects.filter(id_number_digest__in=digests.values()).only(
        "id", "real_name", "id_number_digest"
    )
    by_digest = {account.id_number_digest: account for account in accounts}
    enrolled = set(
        Enrolment.objects.filter(course=course, learner__in=by_digest.values()).values_list(
            "learner_id", flat=True
        )
    )
    first_with = {}  # ID number → the row it first appeared on
    for person in people:
        result = person.result
        if person.id_number:
            earlier = first_with.setdefault(person.id_number, result)
            if earlier is not result:
                person.problems.append(
                    SAME_ID_AS_SHEET_ROW % {"sheet": earlier.sheet, "row": earlier.row}
                    if earlier.sheet != result.sheet
                    else SAME_ID_AS_ROW % {"row": earlier.row}
                )
            elif (account := by_digest.get(digests[person.id_number])) is not None:
                if person.name and _clean_name(account.real_name) != person.name:
                    person.problems.append(NAME_MISMATCH % {"id_number": result.id_number_masked})
                person.learner = account
        if person.problems:
            result.outcome = RowOutcome.REJECTED
            result.message = " ".join(str(problem) for problem in person.problems)
        elif person.learner is None:
            result.outcome = RowOutcome.CREATED
        elif person.learner.pk in enrolled:
            result.outcome, result.message = RowOutcome.ALREADY_ENROLLED, str(ALREADY_ENROLLED)
        else:
            result.outcome, result.message = RowOutcome.MATCHED, str(MATCHED)


def _write(people, course, enrolled_by):
    """Create the new accounts and enrol every valid row not yet enrolled."""
    new_people = [p for p in people if p.result.outcome == RowOutcome.CREATED]
    usernames = _usernames([person.phone for person in new_people])
    for person, username in zip(new_people, usernames, strict=True):
        person.learner = user_create(
            username=username,
            real_name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            employer=person.employer,
            roles=[Role.CANDIDATE],
        )
        person.result.message = str(CREATED % {"username": username})
    to_enrol = [
        person.learner
        for person in people
        if person.result.outcome in (RowOutcome.CREATED, RowOutcome.MATCHED)
    ]
    # As services.enrol() does it, for many at once. A learner who enrolled
    # themselves since the rows were matched keeps that enrolment.
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=learner,
                course=course,
                course_title=course.title,
                source=EnrolmentSource.SELF if learner == enrolled_by else EnrolmentSource.CENTRE,
                enrolled_by=enrolled_by,
            )
            for learner in to_enrol
        ],
        ignore_conflicts=True,
    )


def _usernames(phones):
    """
    A free username for each new account: "p" and the mobile number, which
    the person knows; with a random ending when the name is taken (two people
    sharing a number, or an account that has it already).
    """
    wanted = [f"p{phone}" for phone in phones]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    usernames = []
    for base in wanted:
        username = base
        while username in taken:
            username = f"{base}-{secrets.token_hex(2)}"
            if User.objects.filter(username=username).exists():
                taken.add(username)
        taken.add(username)
        usernames.append(username)
    return usernames

"""
Lists of people in Excel (.xlsx) that centre admins upload: to enrol them in a
course (training.enrolment_import) or to book them into an exam session
(exams.booking_import). This module reads the people; the caller decides what
each row leads to.

One person a row, under a header naming at least the columns

    姓名 | 身份证号 | 手机号 | 工作单位

(with the other names offices write them under: 身份证号码, 手机, 单位…); a
caller may accept more columns. Each cell is checked on its own, then the rows
together: a repeated ID number is rejected, and so is a known ID number written
with another name than the account was registered under.

A person is known by their ID card number. A new number gets a candidate
account (without a password: they set one when they first sign in); what a
known account was registered with is not overwritten by the file. ID numbers
appear in reports masked, never in full.
"""

import io
import itertools
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
    sheet_rows,
)

# The header a template shows, and every name it is written under, after `header_key()`.
COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号", "employer": "工作单位"}
COLUMN_NAMES = {
    "name": {"姓名"},
    "id_number": {"身份证号", "身份证号码", "证件号码"},
    "phone": {"手机号", "手机", "手机号码", "联系电话"},
    "employer": {"工作单位", "单位", "单位名称"},
}
# A template's example row; a file that still has it is told to delete it.
EXAMPLE_ROW = {
    "name": "张三",
    "id_number": "11010519491231002X",  # the example number of GB 11643-1999
    "phone": "13800000000",
    "employer": "某某化工有限公司",
}
TEMPLATE_COLUMN_WIDTH = {"name": 12, "id_number": 22, "phone": 16, "employer": 36}
# Typed into a General cell, an ID number becomes a number and loses its last
# digits (Excel keeps 15); a text column keeps what is typed.
TEXT_COLUMNS = ("id_number", "phone")
TEXT_FORMAT = "@"

NAME_MAX_LENGTH = User._meta.get_field("real_name").max_length
EMPLOYER_MAX_LENGTH = User._meta.get_field("employer").max_length
CJK = r"[\u3400-\u9fff\uf900-\ufaff]"

REJECTED = "rejected"  # the outcome of a rejected row, in every import

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
NOT_IMPORTED = _("Not imported, because other rows were rejected.")


@dataclass
class RowResult:
    """What became of one row, for the report. Subclasses name their `outcomes`."""

    row: int
    name: str
    id_number_masked: str
    outcome: str = ""  # a value of `outcomes`, once the row is matched with the accounts
    message: str = ""
    sheet: str = ""  # the sheet's name, in a workbook of several sheets of people

    outcomes: ClassVar[type[models.TextChoices]]

    @property
    def outcome_label(self):
        return self.outcomes(self.outcome).label


@dataclass
class ImportReport:
    """The rows of a file and whether the valid ones were written. Subclasses set `row_class`."""

    rows: list[RowResult]
    imported: bool = False

    row_class: ClassVar[type[RowResult]]

    @property
    def counts(self):
        """{outcome: number of rows}, every outcome present."""
        counts = Counter(row.outcome for row in self.rows)
        return {outcome: counts[outcome] for outcome in self.row_class.outcomes.values}

    @property
    def valid(self):
        return len(self.rows) - self.counts[REJECTED]

    def holds_back(self, import_valid_rows):
        """
        Whether nothing is to be written: a row was rejected and the valid rows
        were not asked for, or no row is valid. Says so on every valid row.
        """
        if (self.counts[REJECTED] and not import_valid_rows) or not self.valid:
            for row in self.rows:
                if row.outcome != REJECTED:
                    row.message = str(NOT_IMPORTED)
            return True
        return False

    def problems_first(self):
        """The rejected rows (the ones to fix), then the others, each in file order."""
        return sorted(self.rows, key=lambda row: row.outcome != REJECTED)

    def as_dict(self):
        return {"rows": [asdict(row) for row in self.rows], "imported": self.imported}

    @classmethod
    def from_dict(cls, data):
        return cls(rows=[cls.row_class(**row) for row in data["rows"]], imported=data["imported"])


@dataclass
class Person:
    """A row as read, then matched with the accounts."""

    result: RowResult
    name: str = ""
    id_number: str = ""
    phone: str = ""
    employer: str = ""
    # The text of the caller's own columns, by field, for it to check.
    other: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    account: User | None = None

    def reject_if_problems(self):
        """Mark the row rejected, with its problems, if it has any; say whether it had."""
        if self.problems:
            self.result.outcome = REJECTED
            self.result.message = " ".join(str(problem) for problem in self.problems)
        return bool(self.problems)


def read_people(workbook, *, row_class, max_rows, other_columns=None):
    """
    A Person for each filled-in row of every sheet with a header (others are
    notes). `other_columns` maps the caller's optional fields to their header
    keys. Raises ImportFileError for a file without people or a usable header.
    """
    column_names = {**COLUMN_NAMES, **(other_columns or {})}
    people = []
    found_header = found_content = False
    several_sheets = len(workbook.worksheets) > 1
    for sheet in workbook.worksheets:
        rows = sheet_rows(sheet)
        top_rows = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        found_content = found_content or any(has_content(values) for _, values in top_rows)
        position = find_header_row(
            top_rows, lambda values: len(match_columns(values, column_names))
        )
        if position is None:
            continue
        found_header = True
        header_row, header = top_rows[position]
        columns = match_columns(header, column_names)
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
            if len(people) == max_rows:
                raise ImportFileError(TOO_MANY_ROWS % {"limit": max_rows})
            sheet_name = sheet.title if several_sheets else ""
            result = row_class(row=row_number, sheet=sheet_name, name="", id_number_masked="")
            people.append(_read_row(cells, result))
    if not found_content:
        raise ImportFileError(EMPTY_WORKBOOK)
    if not found_header:
        raise ImportFileError(NO_HEADER % {"rows": HEADER_SEARCH_ROWS})
    if not people:
        raise ImportFileError(NO_PEOPLE)
    return people


def _read_row(cells, result):
    """Read and check one row's cells, each on its own."""
    name = clean_name(cell_text(cells["name"]))
    id_text = idcard.normalise(cell_text(cells["id_number"]))
    result.name, result.id_number_masked = name, idcard.mask_id_number(id_text)
    person = Person(
        result=result,
        name=name,
        phone=_clean_phone(cell_text(cells["phone"])),
        employer=" ".join(cell_text(cells["employer"]).split()),
        other={
            column: " ".join(cell_text(value).split())
            for column, value in cells.items()
            if column not in COLUMNS
        },
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


def clean_name(text):
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


def match_accounts(people):
    """
    Find the account of each valid ID number (one query by digest) and reject
    repeated numbers and names that do not match the account's.
    """
    digests = {p.id_number: crypto.digest(p.id_number) for p in people if p.id_number}
    accounts = User.objects.filter(id_number_digest__in=digests.values()).only(
        "id", "real_name", "id_number_digest"
    )
    by_digest = {account.id_number_digest: account for account in accounts}
    first_with = {}  # ID number → the row it first appeared on
    for person in people:
        if not person.id_number:
            continue
        result = person.result
        earlier = first_with.setdefault(person.id_number, result)
        if earlier is not result:
            person.problems.append(
                SAME_ID_AS_SHEET_ROW % {"sheet": earlier.sheet, "row": earlier.row}
                if earlier.sheet != result.sheet
                else SAME_ID_AS_ROW % {"row": earlier.row}
            )
        elif (account := by_digest.get(digests[person.id_number])) is not None:
            if person.name and clean_name(account.real_name) != person.name:
                person.problems.append(NAME_MISMATCH % {"id_number": result.id_number_masked})
            person.account = account


def create_accounts(people, **details):
    """Give each of `people` a new candidate account; return their usernames, in order."""
    names = usernames([person.phone for person in people])
    for person, username in zip(people, names, strict=True):
        person.account = user_create(
            username=username,
            real_name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            employer=person.employer,
            roles=[Role.CANDIDATE],
            **details,
        )
    return names


def usernames(phones):
    """
    A free username for each new account: "p" and the mobile number, which
    the person knows; with a random ending when the name is taken (two people
    sharing a number, or an account that has it already).
    """
    wanted = [f"p{phone}" for phone in phones]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    names = []
    for base in wanted:
        username = base
        while username in taken:
            username = f"{base}-{secrets.token_hex(2)}"
            if User.objects.filter(username=username).exists():
                taken.add(username)
        taken.add(username)
        names.append(username)
    return names


def template_workbook(*, sheet_title, columns, example_row, widths):
    """
    An empty list to fill in, as .xlsx bytes: the header (`columns`: field →
    header text), one example row, the ID and phone columns formatted as text.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(columns.values()))
    sheet.append([example_row.get(column, "") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(column, 16)
        if column in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
            sheet[f"{letter}2"].number_format = TEXT_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

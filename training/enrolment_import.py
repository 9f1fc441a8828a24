"""
Centre admins enrol a list of people in a course from Excel (.xlsx).

The list is read and its people matched with their accounts by
accounts.person_import: one person a row, under the header 姓名 | 身份证号 |
手机号 | 工作单位. Each row ends as one of the outcomes below, with a reason
when it is rejected. The import is all or nothing: a file with any rejected
row writes nothing, unless the centre admin asked to import the valid rows
anyway.

A new ID number gets a candidate account; a known number is enrolled with the
account it belongs to, provided the name on the row is the name the account
was registered under.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts import person_import
from accounts.person_import import ImportReport, RowResult
from config.xlsx import read_workbook
from training.choices import EnrolmentSource
from training.models import Enrolment

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000


class RowOutcome(models.TextChoices):
    CREATED = "created", _("New account")
    MATCHED = "matched", _("Existing account")
    ALREADY_ENROLLED = "already_enrolled", _("Already enrolled")
    REJECTED = person_import.REJECTED, _("Rejected")


CREATED = _("Account %(username)s created and enrolled.")
MATCHED = _("Enrolled with the existing account.")
ALREADY_ENROLLED = _("Already enrolled in this course; nothing to do.")


@dataclass
class EnrolmentRow(RowResult):
    outcomes = RowOutcome


@dataclass
class EnrolmentReport(ImportReport):
    row_class = EnrolmentRow


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
    if report.holds_back(import_valid_rows):
        return report
    _write(people, course, enrolled_by)
    report.imported = True
    return report


def _read_people(workbook):
    return person_import.read_people(workbook, row_class=EnrolmentRow, max_rows=MAX_ROWS)


def _match_accounts(people, course):
    """Match each row with its account and set its outcome."""
    person_import.match_accounts(people)
    enrolled = set(
        Enrolment.objects.filter(
            course=course, learner__in=[p.account for p in people if p.account]
        ).values_list("learner_id", flat=True)
    )
    for person in people:
        result = person.result
        if person.reject_if_problems():
            continue
        if person.account is None:
            result.outcome = RowOutcome.CREATED
        elif person.account.pk in enrolled:
            result.outcome, result.message = RowOutcome.ALREADY_ENROLLED, str(ALREADY_ENROLLED)
        else:
            result.outcome, result.message = RowOutcome.MATCHED, str(MATCHED)


def _write(people, course, enrolled_by):
    """Create the new accounts and enrol every valid row not yet enrolled."""
    new_people = [p for p in people if p.result.outcome == RowOutcome.CREATED]
    for person, username in zip(new_people, person_import.create_accounts(new_people), strict=True):
        person.result.message = str(CREATED % {"username": username})
    to_enrol = [
        person.account
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

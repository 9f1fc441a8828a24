"""
The learning record (学时记录) as an Excel workbook, the archive a regulator
may ask for: one sheet with a row per learner and lesson, one with a row per
learner. ID numbers are masked (PIPL: least access); times are local.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from training import selectors
from training.models import seconds_to_hours

# Characters XML 1.0 (and so .xlsx) cannot hold; text pasted from Word sometimes has them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.0"

RECORD_COLUMNS = [
    (pgettext_lazy("person", "Name"), 12),
    (_("ID card number"), 22),
    (_("Employer"), 28),
    (_("Course"), 30),
    (_("Lesson"), 30),
    (_("Minutes credited"), 10),
    (_("Learning hours credited"), 10),
    (_("Lesson completed"), 18),
    (_("Course learning hours credited"), 10),
    (_("Course completed"), 18),
]
SUMMARY_COLUMNS = [
    (pgettext_lazy("person", "Name"), 12),
    (_("ID card number"), 22),
    (_("Employer"), 28),
    (_("Course"), 30),
    (_("Enrolled on"), 18),
    (_("Lessons completed"), 10),
    (_("Learning hours credited"), 10),
    (_("Last studied"), 18),
    (_("Course completed"), 18),
]


def write_learning_record(file, enrolments):
    """
    Write the record of `enrolments` (with `learner` selected and annotated
    with `lessons_done`, as selectors.learners_for_course gives them) to `file`.
    """
    # Write-only mode streams rows to temporary files: thousands of learners fit
    # in little memory.
    workbook = Workbook(write_only=True)
    record = _sheet(workbook, _("Learning record"), RECORD_COLUMNS)
    summary = _sheet(workbook, _("Learners"), SUMMARY_COLUMNS)
    for enrolment, lessons in selectors.record_rows(enrolments):
        learner = enrolment.learner
        person = [learner.real_name, learner.id_number_masked, learner.employer]
        course_hours = seconds_to_hours(enrolment.seconds_credited)
        for progress in lessons:
            _append(
                record,
                [
                    *person,
                    enrolment.course_title,
                    progress.lesson_title,
                    progress.minutes_credited,
                    seconds_to_hours(progress.seconds_credited),
                    progress.completed_at,
                    course_hours,
                    enrolment.completed_at,
                ],
            )
        _append(
            summary,
            [
                *person,
                enrolment.course_title,
                enrolment.enrolled_at,
                enrolment.lessons_done,
                course_hours,
                enrolment.last_studied_at,
                enrolment.completed_at,
            ],
        )
    workbook.save(file)


def _sheet(workbook, title, columns):
    sheet = workbook.create_sheet(str(title))
    for index, (_label, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for label, _width in columns:
        cell = WriteOnlyCell(sheet, str(label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def _append(sheet, values):
    sheet.append([_cell(sheet, value) for value in values])


def _cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, CONTROL_CHARACTERS.sub("", value))
        # A name beginning with "=" is text, not a formula Excel would run.
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write the local (Asia/Shanghai) time.
        cell = WriteOnlyCell(sheet, timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = DATE_TIME_FORMAT
        return cell
    cell = WriteOnlyCell(sheet, value)
    if not isinstance(value, int):
        cell.number_format = HOURS_FORMAT
    return cell

"""
The learning record (学时记录) as an Excel workbook, the archive a regulator
may ask for: one sheet with a row per learner and lesson, one with a row per
learner. ID numbers are masked (PIPL: least access); times are local.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from config import xlsx
from training import selectors
from training.models import seconds_to_hours

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
    record = xlsx.write_only_sheet(workbook, _("Learning record"), RECORD_COLUMNS)
    summary = xlsx.write_only_sheet(workbook, _("Learners"), SUMMARY_COLUMNS)
    for enrolment, lessons in selectors.record_rows(enrolments):
        learner = enrolment.learner
        person = [learner.real_name, learner.id_number_masked, learner.employer]
        course_hours = seconds_to_hours(enrolment.seconds_credited)
        for progress in lessons:
            xlsx.append_row(
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
        xlsx.append_row(
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

"""
Bookings as an Excel workbook, for the centre's records and the desk's paper
list: a row per booking, as the bookings screen filtered them. ID numbers are
masked (PIPL: least access); times are local.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from config import xlsx

COLUMNS = [
    (_("Admission ticket number"), 14),
    (pgettext_lazy("person", "Name"), 12),
    (_("ID card number"), 22),
    (_("Phone"), 14),
    (_("Employer"), 28),
    (_("Exam"), 30),
    (_("Test centre"), 22),
    (_("Exam room"), 12),
    (_("Seat"), 6),
    (_("Starts"), 18),
    (_("Status"), 12),
    (_("Booked by"), 16),
    (_("Booked on"), 18),
    (_("Checked in at"), 18),
]


def write_bookings(file, bookings):
    """Write `bookings` (with candidate and session's exam, centre and room selected) to `file`."""
    workbook = Workbook(write_only=True)
    sheet = xlsx.write_only_sheet(workbook, _("Bookings"), COLUMNS)
    for booking in bookings.iterator(chunk_size=500):
        candidate, session = booking.candidate, booking.session
        xlsx.append_row(
            sheet,
            [
                booking.ticket_number,
                candidate.real_name,
                candidate.id_number_masked,
                candidate.phone,
                candidate.employer,
                session.exam.title,
                session.centre.name,
                session.room.name,
                booking.seat,
                session.starts_at,
                booking.get_status_display(),
                booking.get_source_display(),
                booking.created_at,
                booking.checked_in_at,
            ],
        )
    workbook.save(file)

"""
One dashboard table as an Excel workbook: the table's rows for the filters,
then a second sheet saying which filters those are.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from config import xlsx


def table_workbook(table, rows, *, described):
    """
    The .xlsx bytes of `table` holding `rows`; `described` is the filters as
    (label, value) pairs for the second sheet. Aggregated rows are few (one
    per month, industry, employer…), so the workbook is built in memory.
    """
    workbook = Workbook(write_only=True)
    sheet = xlsx.write_only_sheet(
        workbook, table.title, [(column.label, column.width) for column in table.columns]
    )
    for row in rows:
        xlsx.append_row(sheet, table.cells(row))
    about = xlsx.write_only_sheet(workbook, _("Filters"), [(_("Filter"), 16), (_("Value"), 40)])
    for label, value in described:
        xlsx.append_row(about, [str(label), str(value)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

"""
Reading Excel workbooks (.xlsx) that people upload: question banks, lists of
people to enrol.

What every such reader needs and nothing more: opening the file safely (size
limit, the old .xls format and damaged files reported in words a centre admin
can act on), reading cells as text, and finding the header row under a title
or a note. What the columns mean is the caller's business.
"""

import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from xml.etree.ElementTree import ParseError

import openpyxl
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

# Above the header there may be a title, a date, a note on how to fill the
# sheet in; the header is looked for in this many rows.
HEADER_SEARCH_ROWS = 10
# A title or a note may happen to name one column; a header names several.
HEADER_MIN_COLUMNS = 2

# openpyxl reads the parts of the zip lazily and reports a damaged or foreign
# file with whatever its XML or zip layer raised.
UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    ParseError,
)
# Excel 97–2003 (.xls) and password-protected .xlsx files are OLE2 containers.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FILE_EMPTY = _("The file is empty.")
FILE_TOO_BIG = _(
    "The file is larger than %(limit)s, the most that can be imported. Split it into smaller files."
)
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NOT_XLSX = _(
    "The file is not an Excel workbook (.xlsx). Open it in Excel or WPS and save it as .xlsx."
)
OLD_XLS = _(
    "The file is an Excel 97–2003 workbook (.xls) or is protected by a password. "
    "Open it in Excel or WPS and save it as .xlsx without a password."
)
EMPTY_WORKBOOK = _("The workbook is empty.")
MISSING_COLUMNS = _("The header row (row %(row)d) lacks the required columns: %(columns)s.")

ROW = _("Row %(row)d")
SHEET_ROW = _("Sheet “%(sheet)s”, row %(row)d")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not the format it claims, empty, too big…)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def read_workbook(fileobj, read, *, max_bytes):
    """
    Open the .xlsx in `fileobj` and return `read(workbook)`. Raises
    ImportFileError for an empty, too big, .xls or unreadable file.

    The workbook is read-only and gives cell values, not formulas. openpyxl
    reads it lazily, so an error of the zip or XML layer inside `read` is the
    file's fault too and is reported the same way.
    """
    data = fileobj.read(max_bytes + 1)
    if not data:
        raise ImportFileError(FILE_EMPTY)
    if len(data) > max_bytes:
        raise ImportFileError(FILE_TOO_BIG % {"limit": filesizeformat(max_bytes)})
    if data.startswith(OLE2_SIGNATURE):
        raise ImportFileError(OLD_XLS)
    try:
        # openpyxl warns about every Excel feature it does not keep (data
        # validation, conditional formatting…); none of them matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return read(workbook)
            finally:
                workbook.close()
    except UNREADABLE as error:
        raise ImportFileError(NOT_XLSX) from error


def sheet_rows(sheet):
    """(row number, values) for each row of a sheet, counted from 1 as Excel shows them."""
    # Some programs write a wrong sheet size; read up to the real last row.
    sheet.reset_dimensions()
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def row_location(sheet, row_number, *, several_sheets):
    """Where a row is, for a report: "Row 5", or "Sheet “二车间”, row 5" when there are several."""
    if several_sheets:
        return str(SHEET_ROW % {"sheet": sheet.title, "row": row_number})
    return str(ROW % {"row": row_number})


def cell_text(value):
    """A cell as text, trimmed line by line; whole numbers stored as 3.0 read as "3"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines).strip()


def has_content(values):
    return any(cell_text(value) for value in values)


def header_key(value):
    """A header cell as compared with the known names: "＊ 选项Ａ\n(必填)" → "选项A"."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\(.*?\)|\s|[*:]", "", text)
    return text.upper()


def match_columns(values, names):
    """{field: column index} for a header row; `names` maps each field to its header keys."""
    columns = {}
    for column, value in enumerate(values):
        key = header_key(value)
        for field, keys in names.items():
            if key in keys:
                columns.setdefault(field, column)
    return columns


def find_header_row(top_rows, count_columns):
    """
    The position in `top_rows` ((row number, values) pairs) of the header: the
    first row in which `count_columns(values)` finds at least two known
    columns. None when there is none.
    """
    for position, (_row_number, values) in enumerate(top_rows):
        if count_columns(values) >= HEADER_MIN_COLUMNS:
            return position
    return None


# ---------------------------------------------------------------------------
# Writing: exports streamed row by row (openpyxl's write-only mode)
# ---------------------------------------------------------------------------

# Characters XML 1.0 (and so .xlsx) cannot hold; text pasted from Word sometimes has them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.0"


def write_only_sheet(workbook, title, columns):
    """A sheet of a write-only workbook with a bold, frozen header; `columns` are (label, width)."""
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


def append_row(sheet, values):
    """A row whose text stays text (never a formula) and whose times are local."""
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

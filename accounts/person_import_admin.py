"""
The admin screens that import lists of people from Excel (enrolling them in a
course, booking them into an exam session) have one shape: a form with the
file and the choice to import the valid rows anyway; then the report, kept a
while in the cache and shown after a redirect, so that reloading the page does
not post the file again, page by page, to whoever imported the file only.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from config.xlsx import ImportFileError

REPORT_SECONDS = 60 * 60

REGISTERED_MEANWHILE = _(
    "Someone in this file was registered by another person at the same time. "
    "Nothing was imported: upload the file again."
)
REPORT_GONE = _("That report is no longer kept. Upload the file again.")


class PeopleFileForm(forms.Form):
    """The file, and whether to import its valid rows when others are rejected."""

    file_help_text = ""
    valid_rows_help_text = ""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    import_valid_rows = forms.BooleanField(
        label=_("Import the valid rows even if some rows have errors"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.file_help_text
        self.fields["import_valid_rows"].help_text = self.valid_rows_help_text


def import_and_keep(request, form, run, *, scope, report_url):
    """
    Run `run(file, import_valid_rows)` with the valid `form`'s file and keep
    the report it returns for this person and `scope` (what the file was
    imported into); return a redirect to it at `report_url`. When the file
    cannot be imported, return None with the reason on the form.
    """
    upload = form.cleaned_data["file"]
    try:
        report = run(upload, form.cleaned_data["import_valid_rows"])
    except ImportFileError as error:
        form.add_error("file", str(error.message))
        return None
    except IntegrityError:
        # Someone in the file registered, or was imported, meanwhile; the
        # whole import was rolled back and a new attempt will match them.
        form.add_error("file", str(REGISTERED_MEANWHILE))
        return None
    token = secrets.token_urlsafe(16)
    kept = {
        "user": request.user.pk,
        "scope": scope,
        "file_name": upload.name,
        "report": report.as_dict(),
    }
    cache.set(_key(token), kept, REPORT_SECONDS)
    return redirect(f"{report_url}?{urlencode({'report': token})}")


def kept_report(request, report_class, *, scope, rows_per_page):
    """
    The context that shows the report asked for by `?report=`, page by page,
    if it is this person's, for `scope`, and still kept; otherwise None (and a
    message, when a report was asked for).
    """
    if request.method != "GET" or "report" not in request.GET:
        return None
    kept = cache.get(_key(request.GET["report"]))
    if not kept or kept["user"] != request.user.pk or kept["scope"] != scope:
        messages.warning(request, REPORT_GONE)
        return None
    report = report_class.from_dict(kept["report"])
    rows = Paginator(report.problems_first(), rows_per_page).get_page(request.GET.get("p"))
    return {"file_name": kept["file_name"], "report": report, "counts": report.counts, "rows": rows}


def _key(token):
    return f"person-import-report:{token}"

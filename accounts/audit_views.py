"""
The audit log in the Wagtail admin, for the bureau only: who changed which
result, certificate, piece of proctoring evidence or personal data, when and
from where, a page at a time, filtered by kind of record, person and dates.
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator

from accounts import audit

PER_PAGE = 50


def may_see_audit_log(user):
    return user.is_authenticated and user.is_bureau


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_audit_log(request.user)


def menu_item():
    return AuditLogMenuItem(
        gettext_lazy("Audit log"),
        reverse("accounts_audit_log"),
        name="audit_log",
        icon_name="history",
        order=92,
    )


def urls():
    return [path("accounts/audit-log/", audit_log, name="accounts_audit_log")]


class KindOfRecordField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name_plural).capitalize() if model else obj.model


class AuditLogFilterForm(forms.Form):
    record = KindOfRecordField(
        label=gettext_lazy("Record"),
        queryset=ContentType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All records"),
    )
    actor = forms.CharField(
        label=gettext_lazy("By"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Name or username")}),
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = audit.audited_types()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", gettext_lazy("The end comes before the start."))
        return cleaned


@never_cache
def audit_log(request):
    if not may_see_audit_log(request.user):
        raise PermissionDenied
    form = AuditLogFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = audit.entries(
        content_type=filters.get("record"),
        actor=filters.get("actor", ""),
        since=filters.get("start"),
        until=filters.get("end"),
    )
    page = WagtailPaginator(found, PER_PAGE).get_page(request.GET.get("p"))
    rows = [
        {
            "entry": entry,
            # Usernames are often "p" and the mobile number: never shown in full.
            "actor": audit.mask_contact(entry.actor.username) if entry.actor else "",
            "what": audit.describe(entry),
            "changes": audit.changed_fields(entry),
            "privacy": audit.privacy_details(entry),
        }
        for entry in page
    ]
    return TemplateResponse(
        request, "accounts/admin/audit_log.html", {"form": form, "entries": page, "rows": rows}
    )

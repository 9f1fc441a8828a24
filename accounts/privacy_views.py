"""
A person's personal data (PIPL) in the Wagtail admin, for the bureau only:
what Ankang holds about them, "Export personal data" (a ZIP) and "Erase on
request". The work is done by accounts.privacy; these views ask and answer.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin.widgets import ListingButton

from accounts import audit, privacy
from accounts.models import User


def may_handle_personal_data(user):
    return user.is_authenticated and user.is_bureau


def _bureau_only(user):
    if not may_handle_personal_data(user):
        raise PermissionDenied


def urls():
    return [
        path(
            "accounts/people/<int:user_id>/personal-data/", personal_data, name="accounts_privacy"
        ),
        path(
            "accounts/people/<int:user_id>/personal-data/export.zip",
            export,
            name="accounts_privacy_export",
        ),
        path(
            "accounts/people/<int:user_id>/personal-data/erase/",
            erase,
            name="accounts_privacy_erase",
        ),
    ]


def listing_buttons(user, request_user):
    """ "Personal data" beside each person in Wagtail's list of users, for the bureau."""
    if not may_handle_personal_data(request_user):
        return []
    return [
        ListingButton(
            gettext_lazy("Personal data"),
            reverse("accounts_privacy", args=[user.pk]),
            icon_name="lock",
            priority=50,
        )
    ]


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the data is erased"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept in the audit log, e.g. “written request of 2026-11-20, ref. 2026-017”."
        ),
        error_messages={"required": gettext_lazy("Say why the data is erased.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that contact details, photos, snapshots and sign-in records are "
            "deleted for good and the account is closed."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )


def _page(request, person, form, status=200):
    data, files = privacy.personal_data(person)
    held = [
        (_("Enrolments"), len(data["enrolments"])),
        (_("Bookings"), len(data["bookings"])),
        (_("Exam attempts"), len(data["attempts"])),
        (_("Certificates"), len(data["certificates"])),
        (_("Snapshots"), len(data["snapshots"])),
        (_("Appeals"), len(data["appeals"])),
        (_("Quiz entries"), len(data["quiz_plays"])),
        (_("Sign-in records"), len(data["sign_ins"])),
        (_("Stored files"), len(files)),
    ]
    return TemplateResponse(
        request,
        "accounts/admin/personal_data.html",
        {
            "person": person,
            "username": audit.mask_contact(person.username),
            "held": held,
            "blockers": privacy.erasure_blockers(person),
            "form": form,
        },
        status=status,
    )


@never_cache
def personal_data(request, user_id):
    _bureau_only(request.user)
    person = get_object_or_404(User, pk=user_id)
    return _page(request, person, ErasureForm())


@require_POST
def export(request, user_id):
    _bureau_only(request.user)
    person = get_object_or_404(User, pk=user_id)
    archive = privacy.export_personal_data(person=person, by=request.user)
    name = person.real_name or person.username
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"个人信息-{name}-{timezone.localdate():%Y%m%d}.zip",
        content_type="application/zip",
    )


@require_POST
def erase(request, user_id):
    _bureau_only(request.user)
    person = get_object_or_404(User, pk=user_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _page(request, person, form, status=400)
    try:
        done = privacy.erase_personal_data(
            person=person, by=request.user, reason=form.cleaned_data["reason"]
        )
    except privacy.ErasureRefused:
        # The page lists what stands in the way.
        return _page(request, person, form, status=409)
    except ValidationError as error:
        form.add_error("reason", error)
        return _page(request, person, form, status=400)
    messages.success(
        request,
        _(
            "The personal data of %(name)s has been erased: %(snapshots)s snapshots, "
            "%(photos)s check-in photos and %(sign_ins)s sign-in records deleted; the account "
            "is closed. Learning records, exam results and certificates are kept."
        )
        % {
            "name": person.real_name,
            "snapshots": done.snapshots,
            "photos": done.check_in_photos,
            "sign_ins": done.sign_ins,
        },
    )
    return redirect("accounts_privacy", person.pk)

"""The Django admin (superusers only): the same masking as everywhere else."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import crypto, idcard
from accounts.forms import PERSONAL_FIELDS, PersonalDetailsMixin
from accounts.models import User


class AdminUserChangeForm(PersonalDetailsMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class AdminUserCreationForm(PersonalDetailsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "real_name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ["username", "real_name", "masked_id_number", "phone", "employer", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "industry"]
    search_fields = ["username", "real_name", "phone", "employer", "email"]
    ordering = ["username"]
    readonly_fields = ["masked_id_number", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Personal details"),
            {"fields": ["masked_id_number", "new_id_number", "email", *PERSONAL_FIELDS]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "real_name", "new_id_number", "password1", "password2"],
            },
        ),
    ]

    @admin.display(description=_("ID card number"))
    def masked_id_number(self, obj):
        return obj.id_number_masked

    def get_search_results(self, request, queryset, search_term):
        """A full ID number finds its holder through the digest, never by decrypting rows."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = idcard.validate_id_number(search_term)
        except forms.ValidationError:
            return results, may_have_duplicates
        return results | queryset.filter(id_number_digest=crypto.digest(number)), True

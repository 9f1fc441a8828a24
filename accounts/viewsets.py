"""
Wagtail's user screens for our User model: the real name in place of first and
last names, the personal details, and the ID number masked in every list.
"""

from django import forms
from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

from accounts.forms import PERSONAL_FIELDS, PersonalDetailsMixin
from accounts.models import User
from accounts.services import user_find_by_id_number


class AnkangUserCreationForm(PersonalDetailsMixin, UserCreationForm):
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("Email"))

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email", "is_superuser", "groups", *PERSONAL_FIELDS]


class AnkangUserEditForm(PersonalDetailsMixin, UserEditForm):
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("Email"))

    class Meta(UserEditForm.Meta):
        fields = ["username", "email", "is_active", "is_superuser", "groups", *PERSONAL_FIELDS]


class IndexView(wagtail_users.IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        extra = [
            Column("id_number_masked", label=_("ID card number"), width="15%"),
            Column("phone", label=_("Mobile phone"), width="12%"),
        ]
        # After the name and username columns.
        return [*columns[:3], *extra, *columns[3:]]

    @cached_property
    def search_fields(self):
        return ["username", "real_name", "phone", "employer", "email"]

    def search_queryset(self, queryset):
        """A full ID number finds its holder through the digest, never by decrypting rows."""
        results = super().search_queryset(queryset)
        if not self.is_searching:
            return results
        holder = user_find_by_id_number(self.search_query)
        return results | queryset.filter(pk=holder.pk) if holder else results


class DeleteView(wagtail_users.DeleteView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            # Learning records and exam results are archives the regulator may
            # ask for; their holder stays until the retention jobs let go.
            messages.error(
                self.request,
                _(
                    "%(name)s cannot be deleted: their learning or exam records must be kept. "
                    "Deactivate the account instead."
                )
                % {"name": self.object},
            )
            return redirect(self.get_success_url())


class UserViewSet(wagtail_users.UserViewSet):
    model = User
    index_view_class = IndexView
    delete_view_class = DeleteView
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return AnkangUserEditForm if for_update else AnkangUserCreationForm

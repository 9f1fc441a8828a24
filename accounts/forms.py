from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts import crypto, idcard
from accounts.images import reencode_photo
from accounts.models import User

PERSONAL_FIELDS = ["real_name", "phone", "employer", "industry", "town", "photo"]


class PersonalDetailsMixin(forms.Form):
    """
    The ID number and photo handling shared by every form that edits a person.

    The stored ID number is never put back into the page: the field starts
    empty and its help text shows the masked number; leaving it empty keeps it.
    """

    new_id_number = forms.CharField(
        label=_("ID card number"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.id_number_masked if self.instance.pk else ""
        self.fields["new_id_number"].help_text = (
            _("Current: %(masked)s. Leave empty to keep it.") % {"masked": current}
            if current
            else _("18 characters; the last may be X.")
        )

    def clean_new_id_number(self):
        raw = self.cleaned_data["new_id_number"]
        if not raw:
            return ""
        number = idcard.validate_id_number(raw)
        holders = User.objects.filter(id_number_digest=crypto.digest(number))
        if self.instance.pk:
            holders = holders.exclude(pk=self.instance.pk)
        if holders.exists():
            raise forms.ValidationError(
                _("Another account already has this ID card number."), code="duplicate"
            )
        return number

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):  # a new upload, not the stored file
            return reencode_photo(photo)
        return photo

    def _post_clean(self):
        super()._post_clean()
        if self.cleaned_data.get("new_id_number"):
            self.instance.set_id_number(self.cleaned_data["new_id_number"])


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct."),
    }

from django import forms
from django.utils.translation import gettext_lazy as _

from exams import selectors
from exams.choices import DuplicatePolicy

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    bank = forms.ModelChoiceField(label=_("Into bank"), queryset=None)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel (.xlsx) in the template's layout, Moodle XML (.xml) or GIFT (.gift, .txt)."
        ),
    )
    on_duplicate = forms.ChoiceField(
        label=_("Questions already in the bank"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
    )
    import_valid_rows = forms.BooleanField(
        label=_("Import the valid questions even if some have errors"),
        required=False,
        help_text=_("Off: a file with any error imports nothing."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = selectors.banks_for_author(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

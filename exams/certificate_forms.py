"""
The bureau's certificate settings form: the seal and the signature are
decoded and re-encoded as PNG (never stored as sent) and kept in private
storage, out of every public URL: a seal anyone could download is a seal
anyone could forge with.
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from wagtail.admin.forms import WagtailAdminModelForm

from accounts.images import reencode_stamp


class StampInput(forms.ClearableFileInput):
    """A file input that names no URL: the stored image is private."""

    template_name = "exams/certificates/stamp_input.html"

    def render(self, name, value, attrs=None, renderer=None):
        # The site's template engine: the default form renderer sees only Django's own widgets.
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))  # noqa: S308 - a template


class CertificateSettingsForm(WagtailAdminModelForm):
    def _clean_stamp(self, name):
        upload = self.cleaned_data.get(name)
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            return reencode_stamp(upload)
        return upload

    def clean_seal(self):
        return self._clean_stamp("seal")

    def clean_signature(self):
        return self._clean_stamp("signature")

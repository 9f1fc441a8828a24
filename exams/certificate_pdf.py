"""
Certificates as PDF, rendered by WeasyPrint: A4 landscape, in Chinese like
the paper certificate, with the bureau's title, name, seal and signatory from
`CertificateSettings`, the holder's registered photo and masked ID number,
and a QR code to the public verification page.

Everything is read from local files (CSS from disk, photo, seal, signature
and QR as data URIs): WeasyPrint fetches nothing over the network.

The font is Noto Serif CJK, which also covers CJK Extension B characters
that turn up in names (𡃁 U+210C1); fontconfig falls back to the other Noto
CJK faces for anything it lacks. WeasyPrint's font configuration is built once
per process: built for every render, it grows a worker's memory by every
font it loads.
"""

import base64
import functools
import io
import mimetypes
import secrets

import segno
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from PIL import Image as PILImage
from PIL import ImageOps

from exams.models import CertificateSettings

CERTIFICATE_LANGUAGE = "zh-hans"
PHOTO_PIXELS = (600, 800)


@functools.cache
def font_config():
    from weasyprint.text.fonts import FontConfiguration  # loads Pango; only renderers need it

    return FontConfiguration()


@functools.cache
def _css():
    # Read once per process; `rerender_all` is how a changed design reaches stored PDFs.
    with open(finders.find("css/certificate.css"), encoding="utf-8") as css:
        return css.read()


def _data_uri(field_file):
    """A stored file as a data URI, or None when there is none or it is gone."""
    if not field_file:
        return None
    try:
        with field_file.open("rb") as stored:
            data = stored.read()
    except OSError:  # a lost file prints as a blank rather than stopping the certificate
        return None
    mime_type = mimetypes.guess_type(field_file.name)[0] or "image/png"
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def _photo_data_uri(user):
    """
    The registered photo, scaled to what the print needs (33 × 44 mm at about
    450 dpi) as a JPEG: a phone's 12-megapixel original would make every
    certificate many megabytes and slow to render.
    """
    if not user.photo:
        return None
    try:
        with user.photo.open("rb") as stored, PILImage.open(stored) as original:
            photo = ImageOps.exif_transpose(original).convert("RGB")
    except (OSError, PILImage.DecompressionBombError):
        return None  # a lost or broken file prints as a blank box
    photo.thumbnail(PHOTO_PIXELS)
    data = io.BytesIO()
    photo.save(data, format="JPEG", quality=88)
    return f"data:image/jpeg;base64,{base64.b64encode(data.getvalue()).decode('ascii')}"


def _qr_data_uri(url):
    # Level M survives a crease or a smudge and keeps the code readable from a photo.
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4)


def file_name(certificate):
    # A random name: the file's address must not be guessable from the number.
    return f"certificates/{secrets.token_hex(16)}.pdf"


def certificate_html(certificate):
    from exams.certificates import verification_url

    config = CertificateSettings.load()
    holder = certificate.holder
    with translation.override(CERTIFICATE_LANGUAGE):
        return render_to_string(
            "exams/certificate.html",
            {
                "certificate": certificate,
                "config": config,
                "holder": holder,
                "photo": _photo_data_uri(holder),
                "seal": _data_uri(config.seal),
                "signature": _data_uri(config.signature),
                "qr": _qr_data_uri(verification_url(certificate)),
                "css": _css(),
            },
        )


def render_certificate(certificate):
    """One certificate as a one-page PDF (bytes)."""
    from weasyprint import HTML

    return HTML(string=certificate_html(certificate)).write_pdf(font_config=font_config())

"""
Photos that people upload are decoded and re-encoded, never stored as sent.

Re-encoding drops EXIF (GPS, device), turns a polyglot file into plain pixels,
applies the camera's rotation and bounds the size, so a registered photo is a
small JPEG whatever arrived.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000  # larger is a decompression bomb, not a portrait
PHOTO_BOX = (600, 800)


def _decoded(upload):
    """The pixels of `upload` (oriented as the camera meant), or ValidationError."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is larger than %(limit)d MB."), code="too_large", params={"limit": 8}
        )
    try:
        with Image.open(upload) as source:
            if source.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."), code="format")
            width, height = source.size
            if width * height > MAX_SOURCE_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_large")
            image = ImageOps.exif_transpose(source)
            image.load()
            return image
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(_("This file is not a photo we can read."), code="invalid") from exc


def reencode_photo(upload):
    """Return a ContentFile holding a clean JPEG of `upload`, or raise ValidationError."""
    image = _decoded(upload).convert("RGB")
    image.thumbnail(PHOTO_BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def reencode_stamp(upload, *, box=(800, 800)):
    """
    A seal or a handwritten signature for printing: a clean PNG that keeps its
    transparency (the seal is printed over the text), at most `box` pixels.
    """
    image = _decoded(upload).convert("RGBA")
    image.thumbnail(box)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.png")

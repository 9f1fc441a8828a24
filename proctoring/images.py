"""
Webcam frames as uploaded are never stored: each is decoded, checked and
re-encoded to a plain JPEG of at most 640×480. That drops EXIF and anything
appended to the file (a JPEG that is also an HTML page keeps only its pixels).
The header is read before any pixel is decoded, so a small file that would
unpack into a huge picture (a decompression bomb) is refused unopened.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from config.errors import DomainError

FORMATS = {"JPEG", "PNG", "WEBP"}
FRAME_BOX = (640, 480)
# The page sends at most 640×480; a camera's own full frame is at most this.
MAX_SOURCE_SIDE = 1920


class UnusableSnapshot(DomainError):
    code = "unusable_snapshot"
    status = 400
    default_message = _("This snapshot is not a picture that can be used.")


def reencode_frame(upload):
    """A ContentFile with a clean JPEG of the frame, or UnusableSnapshot."""
    if upload.size > settings.PROCTORING_SNAPSHOT_MAX_BYTES:
        raise UnusableSnapshot(_("This snapshot is larger than a webcam frame can be."))
    try:
        with Image.open(upload) as source:
            if source.format not in FORMATS:
                raise UnusableSnapshot()
            if max(source.size) > MAX_SOURCE_SIDE:
                raise UnusableSnapshot(_("This snapshot has more pixels than a webcam frame."))
            source.load()
            image = source.convert("RGB")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise UnusableSnapshot() from exc
    image.thumbnail(FRAME_BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")

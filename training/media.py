"""The length of a lesson video, measured on the server so that a page cannot shorten it."""

import tempfile

import cv2
from django.core.cache import cache
from wagtail.documents import get_document_model


def video_seconds(document_id):
    """Seconds of video in a Wagtail document, measured once with OpenCV; None if unreadable."""
    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return None
    key = f"training:video-seconds:{document.pk}:{document.file_hash or document.file.name}"
    seconds = cache.get(key)
    if seconds is None:
        seconds = _measure(document) or 0
        # A failure may be passing (storage unreachable): try again soon.
        cache.set(key, seconds, timeout=None if seconds else 300)
    return seconds or None


def _measure(document):
    try:
        return _frames_over_rate(document.file.path)
    except NotImplementedError:  # remote storage: read it into a local file first
        with tempfile.NamedTemporaryFile(suffix=f".{document.file_extension}") as copy:
            with document.open_file() as source:
                for chunk in source.chunks():
                    copy.write(chunk)
            copy.flush()
            return _frames_over_rate(copy.name)


def _frames_over_rate(path):
    capture = cv2.VideoCapture(path)
    try:
        frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        rate = capture.get(cv2.CAP_PROP_FPS)
        if frames > 0 and rate > 0:
            return round(frames / rate, 1)
        return None
    finally:
        capture.release()

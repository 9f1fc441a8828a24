"""
The quiz's QR poster: A3, Chinese, title, dates and a QR code to the quiz,
rendered by WeasyPrint from local files only (the QR as a data URI, the
Noto CJK font installed on the machine), like the admission tickets.
"""

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation

POSTER_LANGUAGE = "zh-hans"


def render_poster(quiz, url):
    return poster_document(quiz, url).write_pdf()


def poster_document(quiz, url):
    """The laid-out poster (WeasyPrint's Document), one A3 page."""
    from weasyprint import HTML  # loads Pango; only the processes that render need it

    # Level Q: a poster on a wall gets creased, taped over and photographed at an angle.
    qr = segno.make(url, error="q").svg_data_uri(scale=10, border=2)
    with translation.override(POSTER_LANGUAGE):
        html = render_to_string(
            "cms/quiz/poster.html",
            {
                "quiz": quiz,
                "url": url,
                "qr": qr,
                "opens_at": timezone.localtime(quiz.opens_at),
                "closes_at": timezone.localtime(quiz.closes_at),
            },
        )
    return HTML(string=html).render()

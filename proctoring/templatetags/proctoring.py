"""
The proctoring parts of the candidate's exam pages, added by the exam
templates with one tag each: the consent notice and camera check on the start
screen, and the snapshot taker on the exam page. Both render nothing for an
unproctored attempt (practice, or no policy in force).
"""

from django import template
from django.conf import settings

from proctoring import selectors

register = template.Library()


@register.inclusion_tag("proctoring/start.html")
def proctoring_start(attempt):
    proctored = selectors.is_proctored(attempt)
    return {
        "attempt": attempt,
        "proctored": proctored,
        "policy": selectors.current_policy() if proctored else None,
        "consent": getattr(attempt, "consent", None) if proctored else None,
    }


@register.inclusion_tag("proctoring/exam.html")
def proctoring_exam(attempt):
    return {
        "attempt": attempt,
        "proctored": selectors.is_proctored(attempt) and selectors.has_consented(attempt),
        "snapshot_seconds": settings.PROCTORING_SNAPSHOT_SECONDS,
        "jitter_seconds": settings.PROCTORING_SNAPSHOT_JITTER_SECONDS,
        "poll_seconds": min(settings.EXAM_STATE_POLL_SECONDS, 5),
    }

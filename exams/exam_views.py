"""
The candidate's exam pages: an attempt's start screen, the exam itself, the
result, my results, and practice (模拟考试).

The exam page is rendered here in full — stems, options in the candidate's
order, the answers saved so far — and static/js/exam.js saves each answer
through the exam API (exams/api/attempt_views.py) as it is given. The key and
the explanations never reach the exam page: only the result page shows them,
after grading, and only when the exam says so.

Every write goes through exams.delivery; an attempt that is not the
candidate's own is "not found".
"""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import DomainError
from exams import certificates, delivery, selectors
from exams.certificate_selectors import certificate_won_by
from exams.choices import AttemptStatus, QuestionType
from exams.importers.base import OPTION_LABELS
from exams.models import Attempt, Exam

PER_PAGE = 20

# The start button and the practice button start the attempt here, which makes
# a new page token; the exam page they lead to takes it over (once) instead of
# asking the API to start again, which would record a takeover on the
# attempt's timeline that the proctor would have to look into.
HANDED_OVER_PAGE = "exams:attempt-page:{}"


def _own_attempt(request, attempt_id):
    return get_object_or_404(
        Attempt.objects.select_related(
            "exam", "paper", "booking__session__centre", "booking__session__room"
        ),
        pk=attempt_id,
        candidate=request.user,
    )


def _hand_over_page(request, attempt):
    request.session[HANDED_OVER_PAGE.format(attempt.pk)] = str(attempt.page)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id):
    """The start screen before the start, the exam while it runs, then the result."""
    attempt = _own_attempt(request, attempt_id)
    if request.method == "POST":
        return _start(request, attempt)
    if attempt.status == AttemptStatus.PREPARED:
        return _start_screen(request, attempt)
    if attempt.status == AttemptStatus.STARTED:
        return _exam_page(request, attempt)
    return redirect("exams:attempt-result", attempt.pk)


def _start(request, attempt):
    # Started already (a second click, another tab): the exam page claims it.
    if attempt.status == AttemptStatus.PREPARED:
        try:
            attempt = delivery.start(attempt_id=attempt.pk, candidate=request.user)
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            _hand_over_page(request, attempt)
    return redirect("exams:attempt", attempt.pk)


def _start_screen(request, attempt):
    return TemplateResponse(
        request,
        "exams/candidate/attempt_start.html",
        {
            "attempt": attempt,
            "session": attempt.booking.session if attempt.booking_id else None,
            "booking": attempt.booking,
            "duration_minutes": delivery.duration_minutes(attempt),
            "question_count": attempt.questions.count(),
        },
    )


def _true_false():
    """A true/false question's two choices, at positions 0 (true) and 1 (false), unlabelled."""
    return [("", _("True")), ("", _("False"))]


def _questions(attempt):
    """The paper as this candidate sees it, with their answers; never the key."""
    # One query for every question's image renditions, not one per image.
    items = attempt.questions.select_related("question__image").prefetch_related(
        "question__image__renditions"
    )
    questions = []
    for item in items:
        question = item.question
        if question.type == QuestionType.TRUE_FALSE:
            options = _true_false()
        else:
            options = list(zip(OPTION_LABELS, selectors.options_shown(item), strict=False))
        questions.append(
            {
                "position": item.position,
                "type": question.type,
                "type_display": question.get_type_display(),
                "stem": question.stem,
                "image": question.image,
                "points": item.points,
                "options": options,
                "selected": selectors.shown(item, item.selected),
                "flagged": item.flagged,
                "saved_sequence": item.saved_sequence,
            }
        )
    return questions


def _exam_page(request, attempt):
    remaining = attempt.remaining_seconds(timezone.now())
    questions = _questions(attempt)
    first = 1 if questions else None
    return TemplateResponse(
        request,
        "exams/candidate/attempt.html",
        {
            "attempt": attempt,
            "questions": questions,
            "first_position": first,
            "remaining_seconds": remaining,
            "remaining_display": _clock(remaining),
            "page_token": request.session.pop(HANDED_OVER_PAGE.format(attempt.pk), ""),
            "poll_seconds": settings.EXAM_STATE_POLL_SECONDS,
            "taken_over_message": delivery.TakenOver.default_message,
            "paused_message": delivery.Paused.default_message,
        },
    )


def _clock(seconds):
    hours, rest = divmod(max(0, seconds or 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


@require_GET
@never_cache
@login_required
def attempt_photo(request, attempt_id):
    """The candidate's own registered photo, from private storage, never cached."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("candidate"), pk=attempt_id, candidate=request.user
    )
    photo = attempt.candidate.photo
    if not photo:
        raise Http404
    content_type = mimetypes.guess_type(photo.name)[0] or "image/jpeg"
    return FileResponse(photo.open("rb"), content_type=content_type)


@never_cache
@login_required
def result(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if attempt.status in (AttemptStatus.PREPARED, AttemptStatus.STARTED):
        return redirect("exams:attempt", attempt.pk)
    show_mistakes = selectors.mistakes_shown(attempt)
    return TemplateResponse(
        request,
        "exams/candidate/result.html",
        {
            "attempt": attempt,
            "show_mistakes": show_mistakes,
            # A sitting's mistakes wait until the session is over.
            "mistakes_later": (
                not show_mistakes
                and attempt.status == AttemptStatus.GRADED
                and attempt.exam.show_mistakes
            ),
            "mistakes": [_choices(m) for m in selectors.mistakes(attempt)] if show_mistakes else [],
            **_certificate_news(attempt),
        },
    )


def _certificate_news(attempt):
    """What the result page says about the certificate a passed sitting earns."""
    if not (attempt.passed and not attempt.practice and attempt.status == AttemptStatus.GRADED):
        return {}
    certificate = certificate_won_by(attempt)
    return {
        "certificate": certificate,
        "certificate_renewed": certificate is not None and certificate.attempt_id != attempt.pk,
        "certificate_held": certificate is None and certificates.certificate_held_back(attempt),
        "certificate_pending": certificate is None,
    }


def _choices(mistake):
    """The options of a question answered wrongly, each with whether it was chosen and right."""
    if mistake["type"] == QuestionType.TRUE_FALSE:
        options = _true_false()
    else:
        options = zip(OPTION_LABELS, mistake["options"], strict=False)
    mistake["choices"] = [
        {
            "label": label,
            "text": text,
            "chosen": position in mistake["selected"],
            "correct": position in mistake["key"],
        }
        for position, (label, text) in enumerate(options)
    ]
    return mistake


@never_cache
@login_required
def my_results(request):
    page = Paginator(selectors.results_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "exams/candidate/my_results.html", {"attempts": page})


@never_cache
@login_required
def practice(request):
    in_progress = selectors.attempts_of(request.user).filter(
        practice=True, status=AttemptStatus.STARTED
    )
    return TemplateResponse(
        request,
        "exams/candidate/practice.html",
        {
            "exams": selectors.practice_exams(request.user).select_related("paper"),
            "in_progress": in_progress,
        },
    )


@require_POST
@login_required
def start_practice(request, exam_id):
    """Start a practice round, or carry on with the one still open."""
    exam = get_object_or_404(Exam, pk=exam_id)
    try:
        attempt = delivery.start_practice(exam=exam, candidate=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("exams:practice")
    _hand_over_page(request, attempt)
    return redirect("exams:attempt", attempt.pk)

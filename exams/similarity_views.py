"""
A session's answer similarity (雷同卷) in the Wagtail admin: the pairs of
candidates whose wrong answers coincide far more than chance (exams.similarity),
least likely first, with the evidence and where they sat.

It is for the proctors and admins of the session's centre and for the bureau,
the people who staff its check-in desk and review its proctoring
(exams.checkin.desk_sessions); anyone else with admin access finds no such
session. The page only shows: deciding what a pair means is the reviewer's
work, through the proctoring review and a voided attempt's reason.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.widgets.button import Button

from exams import checkin, similarity
from exams.centre_selectors import centres_for
from exams.choices import SessionStatus
from exams.models import Attempt

PAIRS_PER_PAGE = 20

# Only a session that has begun can have graded attempts to compare.
SAT_SESSIONS = (SessionStatus.RUNNING, SessionStatus.CLOSED)


def reviewable_centre_ids(user):
    """The centres whose sessions' similarity the person may see (the desk's scope)."""
    if not checkin.is_desk_staff(user):
        return set()
    return set(centres_for(user).values_list("pk", flat=True))


def similarity_button(session, centre_ids):
    """The session listing's link to the page, for the people who may see it."""
    if session.centre_id not in centre_ids or session.status not in SAT_SESSIONS:
        return None
    return Button(
        _("Answer similarity"),
        url=reverse("exams_session_similarity", args=[session.pk]),
        icon_name="warning",
        priority=8,
    )


@dataclass
class Seated:
    """One candidate of a pair, as the page shows them: name, masked ID, seat."""

    attempt: Attempt

    @property
    def name(self):
        return self.attempt.candidate.real_name or self.attempt.candidate.username

    @property
    def id_number_masked(self):
        return self.attempt.candidate.id_number_masked

    @property
    def seat_label(self):
        return self.attempt.booking.seat_label

    @property
    def booking_id(self):
        return self.attempt.booking_id


@dataclass
class Coincidence:
    stem: str
    their_answer: str
    key: str


@dataclass
class FlaggedPair:
    rank: int
    evidence: similarity.PairEvidence
    first: Seated
    second: Seated
    seats: similarity.SeatRelation
    coincidences: list

    @property
    def p_value_parts(self):
        """The p-value as (mantissa, exponent), to print it as 3.7 × 10⁻⁹."""
        mantissa, exponent = f"{self.evidence.p_value:.1e}".split("e")
        return mantissa, int(exponent)


def _described(pairs, answers, session, *, first_rank):
    """The page's pairs with their candidates (one query) and their coinciding questions."""
    ids = {pair.first for pair in pairs} | {pair.second for pair in pairs}
    attempts = Attempt.objects.select_related("candidate", "booking").in_bulk(ids)
    described = []
    for rank, pair in enumerate(pairs, start=first_rank):
        first, second = attempts[pair.first], attempts[pair.second]
        coincidences = []
        for question_id, response in pair.coinciding:
            facts = answers.questions[question_id]
            coincidences.append(
                Coincidence(
                    stem=facts.stem_text,
                    their_answer=facts.label(response),
                    key=facts.label(facts.answer),
                )
            )
        described.append(
            FlaggedPair(
                rank=rank,
                evidence=pair,
                first=Seated(first),
                second=Seated(second),
                seats=similarity.seat_relation(
                    seat=first.booking.seat,
                    other_seat=second.booking.seat,
                    seats_per_row=session.room.seats_per_row,
                ),
                coincidences=coincidences,
            )
        )
    return described


@never_cache
def session_similarity(request, session_id):
    if not checkin.is_desk_staff(request.user):
        raise PermissionDenied
    session = get_object_or_404(
        checkin.desk_sessions(request.user).select_related("exam", "centre", "room"),
        pk=session_id,
    )
    answers = similarity.SessionAnswers.for_session(session)
    page = Paginator(answers.flagged_pairs(), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "exams/similarity/session.html",
        {
            "session": session,
            "answers": answers,
            "page": page,
            "pairs": _described(
                page.object_list, answers, session, first_rank=page.start_index() or 1
            ),
            "family_alpha": similarity.FAMILY_ALPHA,
            "min_identical": similarity.MIN_IDENTICAL_WRONG,
        },
    )

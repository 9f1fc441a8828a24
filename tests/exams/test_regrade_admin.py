"""
Re-grading in the Wagtail admin: after a question's key is corrected, a bureau
admin sees what a re-grade would change, confirms it with a reason, and the
candidates' results follow. Nobody else may.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from exams import attempts, bookings, delivery, services
from exams.choices import AttemptAction, BookingStatus, PaperKind, SessionStatus
from exams.models import Attempt, Paper, PaperQuestion, Regrading

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def signed_in(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


@pytest.fixture
def wrong_key(make_question):
    """A question whose key says B where the regulation says A."""
    return make_question(type="single", answer=[1])


@pytest.fixture
def graded(exam, make_question, make_session, wrong_key, alice, bob):
    """
    A two-question paper (50 points each, pass at 60) sat by Alice, who chose
    A for the wrong-keyed question (50, failed), and Bob, who chose B (100, passed).
    """
    paper = Paper.objects.create(
        name="危化品考试试卷",
        kind=PaperKind.FIXED,
        pass_mark=60,
        shuffle_questions=False,
        shuffle_options=False,
    )
    PaperQuestion.objects.create(paper=paper, sort_order=0, question=wrong_key, points=50)
    PaperQuestion.objects.create(
        paper=paper, sort_order=1, question=make_question(answer=[2]), points=50
    )
    exam.paper = paper
    exam.save()
    session = make_session(
        starts_in=datetime.timedelta(minutes=30),
        booking_closes_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    for candidate in (alice, bob):
        bookings.book(session=session, candidate=candidate)
    attempts.prepare_attempts(session_id=session.pk)
    session.bookings.update(status=BookingStatus.CHECKED_IN)
    type(session).objects.filter(pk=session.pk).update(status=SessionStatus.RUNNING)
    sit(alice, [[0], [2]])
    sit(bob, [[1], [2]])
    return {person: Attempt.objects.get(candidate=person) for person in (alice, bob)}


def sit(candidate, answers):
    attempt = Attempt.objects.get(candidate=candidate)
    page = delivery.start(attempt_id=attempt.pk, candidate=candidate).page
    for position, selected in enumerate(answers, start=1):
        delivery.save_answer(
            attempt_id=attempt.pk,
            candidate=candidate,
            page=page,
            client_id=uuid.uuid4(),
            sequence=position,
            position=position,
            selected=selected,
        )
    delivery.submit(attempt_id=attempt.pk, candidate=candidate)


@pytest.fixture
def corrected(wrong_key, bureau_admin):
    return services.question_revise(question=wrong_key, user=bureau_admin, answer=[0])


def url(question):
    return reverse("exams_regrade", args=[question.pk])


def test_a_bureau_admin_sees_what_a_regrade_would_change_before_anything_changes(
    client, bureau_admin, graded, corrected, alice
):
    assert corrected.version == 2
    page = signed_in(client, bureau_admin).get(url(corrected))
    assert page.status_code == 200
    preview = page.context["preview"]
    assert (preview.attempts, preview.answers) == (2, 2)
    assert (preview.results_changed, preview.passes_changed) == (2, 2)
    assert preview.excluded_attempts == 0
    content = page.content.decode()
    assert "The current version (version 2)" in content
    assert "<strong data-results-changed>2</strong>" in content
    assert "Re-grade 2 attempts with this key" in content
    alices = graded[alice]
    alices.refresh_from_db()
    assert (alices.score, alices.passed) == (Decimal("50"), False)
    assert not Regrading.objects.exists()


def test_confirming_with_a_reason_regrades_and_the_results_follow(
    client, bureau_admin, graded, corrected, alice, bob
):
    signed_in(client, bureau_admin)
    response = client.post(
        url(corrected), {"reason": "依据《危险化学品安全管理条例》第二十条更正答案"}
    )
    assert response.status_code == 302 and response["Location"] == url(corrected)
    alices, bobs = graded[alice], graded[bob]
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert (alices.score, alices.passed) == (Decimal("100"), True)
    assert (bobs.score, bobs.passed) == (Decimal("50"), False)
    event = alices.events.get(action=AttemptAction.REGRADED)
    assert event.by == bureau_admin and "第二十条" in event.reason
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Re-grading done. Attempts re-graded: 2; results changed: 2."
    ]
    (regrading,) = page.context["regradings"]
    assert (regrading.by, regrading.attempts_regraded, regrading.results_changed) == (
        bureau_admin,
        2,
        2,
    )
    assert "第二十条更正答案" in page.content.decode()
    assert page.context["preview"].attempts == 0


def test_an_empty_reason_is_refused_and_nothing_changes(
    client, bureau_admin, graded, corrected, alice
):
    page = signed_in(client, bureau_admin).post(url(corrected), {"reason": "   "})
    assert page.status_code == 200
    # The admin speaks the staff member's language: Chinese by default.
    assert page.context["form"].errors == {"reason": ["请说明更正了什么。"]}
    alices = graded[alice]
    alices.refresh_from_db()
    assert alices.score == Decimal("50")
    assert not Regrading.objects.exists()


def test_answers_to_a_version_with_other_options_are_left_as_graded_and_said_so(
    client, bureau_admin, graded, wrong_key
):
    five_options = services.question_revise(
        question=wrong_key,
        user=bureau_admin,
        options=[*wrong_key.options, "以上都不对"],
        answer=[4],
    )
    page = signed_in(client, bureau_admin).get(url(five_options))
    preview = page.context["preview"]
    assert (preview.attempts, preview.excluded_attempts, preview.excluded_answers) == (0, 2, 2)
    content = page.content.decode()
    assert "Left as graded: 2 answers in 2 attempts." in content
    assert "there is nothing to re-grade" in content


def test_an_earlier_version_leads_to_the_current_ones_page(
    client, bureau_admin, wrong_key, corrected
):
    response = signed_in(client, bureau_admin).get(url(wrong_key))
    assert response.status_code == 302 and response["Location"] == url(corrected)


def test_the_edit_screen_offers_the_regrade_to_the_bureau_only(
    client, bureau_admin, trainer, corrected
):
    edit = reverse("wagtailsnippets_exams_question:edit", args=[corrected.pk])
    assert url(corrected) in signed_in(client, bureau_admin).get(edit).content.decode()
    as_trainer = signed_in(client, trainer).get(edit)
    assert as_trainer.status_code == 200
    assert url(corrected) not in as_trainer.content.decode()


@pytest.mark.parametrize("persona", ["trainer", "centre_admin"])
def test_nobody_but_the_bureau_may_regrade(request, client, persona, graded, corrected, alice):
    signed_in(client, request.getfixturevalue(persona))
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    assert client.get(url(corrected), headers=xhr).status_code == 403
    assert client.post(url(corrected), {"reason": "改答案"}, headers=xhr).status_code == 403
    # A plain request is sent back to the dashboard, as Wagtail does when permission is denied.
    refused = client.post(url(corrected), {"reason": "改答案"})
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    alices = graded[alice]
    alices.refresh_from_db()
    assert alices.score == Decimal("50")
    assert not Regrading.objects.exists()

"""
Answer similarity (雷同卷): pairs of candidates whose wrong answers coincide
far more than chance are found and shown to the session's reviewers, with
their seats; independent candidates, and shared right answers, are not.
"""

import itertools
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from accounts.choices import Role
from exams import similarity
from exams.choices import AttemptStatus, BookingSource, BookingStatus, SessionStatus
from exams.models import Attempt, AttemptQuestion, Booking
from exams.models import TestCentre as Centre
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POINTS = Decimal("2")
_tickets = itertools.count(1)


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
def questions(make_question):
    """Single-choice questions of four options (A to D), the key A."""

    def make(count):
        return [make_question(type="single", answer=[0]) for _ in range(count)]

    return make


def sit(session, questions, answers, *, names=None):
    """
    One graded attempt per row of `answers` (a question's options as letters,
    "-" left blank; true/false: A true, B false), in seats 1, 2, 3…; returns
    the attempts in that order.
    """
    attempts = []
    items = []
    for seat, row in enumerate(answers, start=1):
        candidate = UserFactory(real_name=names[seat - 1] if names else f"考生{seat:02d}")
        booking = Booking.objects.create(
            session=session,
            candidate=candidate,
            seat=seat,
            ticket_number=f"LJ{next(_tickets):08d}",
            status=BookingStatus.CHECKED_IN,
            source=BookingSource.CENTRE,
        )
        attempt = Attempt.objects.create(
            booking=booking,
            candidate=candidate,
            exam=session.exam,
            paper=session.exam.paper,
            status=AttemptStatus.GRADED,
        )
        attempts.append(attempt)
        for position, (question, letter) in enumerate(zip(questions, row, strict=True), start=1):
            selected = [] if letter == "-" else ["ABCD".index(option) for option in letter]
            items.append(
                AttemptQuestion(
                    attempt=attempt,
                    position=position,
                    question=question,
                    points=POINTS,
                    # Options shown shuffled: the answer is kept by original index all the same.
                    option_order=[3, 1, 0, 2],
                    selected=selected,
                    earned=POINTS if sorted(selected) == sorted(question.answer) else Decimal("0"),
                )
            )
    AttemptQuestion.objects.bulk_create(items)
    return attempts


def random_answers(rng, *, candidates, questions, right_share=0.7):
    """
    Candidates who work alone: right about `right_share` of the time, and
    when wrong, drawn to each question's own popular distractor (weights
    6:3:1), as real wrong answers are.
    """
    popular = [rng.sample("BCD", 3) for _ in range(questions)]
    return [
        "".join(
            "A" if rng.random() < right_share else rng.choices(popular[q], weights=[6, 3, 1])[0]
            for q in range(questions)
        )
        for _ in range(candidates)
    ]


# ---------------------------------------------------------------------------
# The statistic
# ---------------------------------------------------------------------------


def test_it_computes_the_worked_example_of_its_docstring(session, questions):
    a, b, *_others = sit(session, questions(4), ["BBBB", "BBBC", "BAAA", "CAAA", "DAAA"])

    answers = similarity.SessionAnswers.for_session(session)
    evidence = answers.evidence(a.pk, b.pk)

    assert (evidence.common, evidence.both_wrong, evidence.identical) == (4, 4, 3)
    assert evidence.chance == pytest.approx(1 / 3)
    assert evidence.expected == pytest.approx(4 / 3)
    # P(Binomial(4, 1/3) >= 3) = 4 (1/3)^3 (2/3) + (1/3)^4 = 9/81.
    assert evidence.p_value == pytest.approx(1 / 9)
    assert [response for _question, response in evidence.coinciding] == [(1,), (1,), (1,)]
    assert (answers.candidate_count, answers.pairs_compared) == (5, 10)
    assert answers.threshold == pytest.approx(0.001 / 10)
    assert answers.flagged_pairs() == []


def test_it_leaves_the_pair_out_of_the_chance_that_their_wrong_answers_match(session, questions):
    """
    Question 1's wrong answers: a B, b B, c B, d B, e C. Without a and b:
    B twice, C once, D never; p = ((2+1)² + (1+1)² + (0+1)²) / (3 + 3)² = 14/36.
    """
    a, b, *_others = sit(session, questions(1), ["B", "B", "B", "B", "C"])

    answers = similarity.SessionAnswers.for_session(session)

    assert answers.evidence(a.pk, b.pk).chance == pytest.approx(14 / 36)


def test_it_compares_only_the_questions_both_answered(session, questions):
    """Blanks are not answers: b left the last two blank, so they are not compared."""
    a, b = sit(session, questions(4), ["BBCC", "BB--"])

    evidence = similarity.SessionAnswers.for_session(session).evidence(a.pk, b.pk)

    assert (evidence.common, evidence.both_wrong, evidence.identical) == (2, 2, 2)


def test_it_takes_a_shared_wrong_true_false_answer_for_no_evidence(session, make_question):
    """A true/false question has one wrong answer: two wrong answers to it always coincide."""
    statements = [make_question(type="true_false", answer=[0]) for _ in range(20)]
    a, b, *_others = sit(session, statements, ["B" * 20, "B" * 20, "A" * 20, "A" * 20])

    answers = similarity.SessionAnswers.for_session(session)

    evidence = answers.evidence(a.pk, b.pk)
    assert (evidence.both_wrong, evidence.identical, evidence.chance) == (20, 20, 1)
    assert evidence.p_value == 1
    assert answers.flagged_pairs() == []


def test_it_counts_the_wrong_answers_a_multiple_choice_question_allows(session, make_question):
    """
    Four options, key AC: 2⁴ - 2 = 14 wrong answers (any other non-empty set);
    nobody else answered it wrongly, so p = 14 / 14² = 1/14.
    """
    question = make_question(type="multiple", answer=[0, 2])
    a, b, _c = sit(session, [question], [["AB"], ["BA"], ["CA"]])

    evidence = similarity.SessionAnswers.for_session(session).evidence(a.pk, b.pk)

    assert (evidence.both_wrong, evidence.identical) == (1, 1)
    assert evidence.chance == pytest.approx(1 / 14)


def test_it_leaves_voided_attempts_out(session, questions):
    rows = random_answers(random.Random(5), candidates=8, questions=30)
    rows[0] = rows[1] = "BCDBCDBCDBCDBCDBCD" + "A" * 12
    first, second, *_others = sit(session, questions(30), rows)
    assert [
        (pair.first, pair.second)
        for pair in similarity.SessionAnswers.for_session(session).flagged_pairs()
    ] == [(first.pk, second.pk)]

    Attempt.objects.filter(pk=second.pk).update(status=AttemptStatus.VOIDED)

    answers = similarity.SessionAnswers.for_session(session)
    assert answers.candidate_count == 7
    assert answers.flagged_pairs() == []


def test_it_finds_a_planted_colluding_pair(session, questions):
    rng = random.Random(11)
    rows = random_answers(rng, candidates=30, questions=50)
    # Seat 1 is a weak candidate; seat 2, beside them, copied every wrong answer of theirs.
    rows[0] = random_answers(rng, candidates=1, questions=50, right_share=0.5)[0]
    rows[1] = "".join(
        mine if theirs == "A" else theirs for mine, theirs in zip(rows[1], rows[0], strict=True)
    )
    attempts = sit(session, questions(50), rows)

    flagged = similarity.SessionAnswers.for_session(session).flagged_pairs()

    assert [(pair.first, pair.second) for pair in flagged] == [(attempts[0].pk, attempts[1].pk)]
    (pair,) = flagged
    copied = 50 - rows[0].count("A")
    assert pair.identical == pair.both_wrong == copied >= similarity.MIN_IDENTICAL_WRONG
    assert pair.p_value < 0.001 / (30 * 29 // 2)


def test_it_flags_no_pair_among_candidates_who_worked_alone(session, questions):
    attempts = sit(
        session, questions(50), random_answers(random.Random(7), candidates=30, questions=50)
    )

    answers = similarity.SessionAnswers.for_session(session)

    assert answers.flagged_pairs() == []
    # Not because no pair shares a few wrong answers: many do, by chance, on popular distractors.
    identical = [
        answers.evidence(a.pk, b.pk).identical for a, b in itertools.combinations(attempts, 2)
    ]
    assert max(identical) >= similarity.MIN_IDENTICAL_WRONG + 2


def test_it_takes_identical_right_answers_for_no_evidence(session, questions):
    rows = random_answers(random.Random(3), candidates=12, questions=40)
    rows[0] = rows[1] = "A" * 40
    first, second, *_others = sit(session, questions(40), rows)

    answers = similarity.SessionAnswers.for_session(session)

    evidence = answers.evidence(first.pk, second.pk)
    assert (evidence.common, evidence.both_wrong, evidence.identical) == (40, 0, 0)
    assert evidence.p_value == 1
    assert answers.flagged_pairs() == []


@pytest.mark.parametrize(
    ("seat", "other_seat", "description", "adjacent"),
    [
        (1, 2, "Adjacent: side by side", True),
        (3, 11, "Adjacent: one behind the other", True),
        (10, 3, "Adjacent: diagonally", True),
        # The end of the first row and the start of the second are far apart.
        (8, 9, "Not adjacent: 1 rows and 7 places apart", False),
        (1, 19, "Not adjacent: 2 rows and 2 places apart", False),
    ],
)
def test_it_tells_how_two_seats_of_a_room_lie(seat, other_seat, description, adjacent):
    relation = similarity.seat_relation(seat=seat, other_seat=other_seat, seats_per_row=8)

    assert (relation.description, relation.adjacent) == (description, adjacent)


# ---------------------------------------------------------------------------
# The reviewer's page
# ---------------------------------------------------------------------------


def colluding_session(session, questions, *, candidates, seed=5):
    """A session in which the candidates in seats 1 and 2 copied from each other."""
    rng = random.Random(seed)
    rows = random_answers(rng, candidates=candidates, questions=30)
    rows[0] = rows[1] = "BCDBCDBCDBCDBCDBCD" + "A" * 12
    names = ["王建国", "李秀英", *(f"考生{n:02d}" for n in range(3, candidates + 1))]
    type(session).objects.filter(pk=session.pk).update(status=SessionStatus.CLOSED)
    return sit(session, questions(30), rows, names=names)


def url(session):
    return reverse("exams_session_similarity", args=[session.pk])


@pytest.mark.parametrize("persona", ["proctor", "centre_admin", "bureau_admin"])
def test_the_centres_staff_and_the_bureau_see_the_evidence(
    request, client, persona, session, questions
):
    first, second, *_others = colluding_session(session, questions, candidates=10)

    page = signed_in(client, request.getfixturevalue(persona)).get(url(session))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Evidence for a human reviewer, not a verdict." in content
    assert "Nothing is done to these candidates" in content
    (pair,) = page.context["pairs"]
    assert (pair.first.name, pair.second.name) == ("王建国", "李秀英")
    assert "Pair 1: 王建国 and 李秀英" in content
    assert first.candidate.id_number_masked in content
    assert first.candidate.id_number not in content
    assert "<strong>Adjacent: side by side</strong>" in content
    assert "<dd data-identical><strong>18</strong></dd>" in content
    assert "<dd data-both-wrong>18</dd>" in content
    assert "<dd data-common>30</dd>" in content
    assert "The 18 questions where their wrong answers coincide" in content
    assert pair.coincidences[0].their_answer == "B" and pair.coincidences[0].key == "A"
    mantissa, exponent = pair.p_value_parts
    assert f"{mantissa} × 10<sup>{exponent}</sup>" in content
    assert exponent < -5


def test_a_proctor_of_another_centre_finds_no_such_session(client, session, questions):
    colluding_session(session, questions, candidates=6)
    elsewhere = UserFactory(username="other_proctor", real_name="钱进", roles=[Role.PROCTOR])
    Centre.objects.create(name="滨江区考点", code="BJ01", address="江南大道 2 号").proctors.add(
        elsewhere
    )

    assert signed_in(client, elsewhere).get(url(session)).status_code == 404


def test_a_trainer_may_not_see_it(client, trainer, session, questions):
    colluding_session(session, questions, candidates=6)

    response = signed_in(client, trainer).get(
        url(session), headers={"X-Requested-With": "XMLHttpRequest"}
    )

    assert response.status_code == 403


def test_the_session_listing_links_to_it_for_the_centres_staff(client, proctor, session, questions):
    colluding_session(session, questions, candidates=4)
    listing = reverse("wagtailsnippets_exams_examsession:list")

    assert url(session) in signed_in(client, proctor).get(listing).content.decode()


def test_the_page_costs_the_same_queries_however_many_candidates(
    client, bureau_admin, make_session, questions
):
    signed_in(client, bureau_admin)
    counts = []
    for candidates in (6, 24):
        session = make_session(capacity=30)
        colluding_session(session, questions, candidates=candidates)
        client.get(url(session))  # the session and the user's profile, once cached
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url(session))
        assert len(page.context["pairs"]) == 1
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_session_without_graded_attempts_says_so(client, proctor, session):
    page = signed_in(client, proctor).get(url(session))

    assert page.status_code == 200
    assert "No graded attempts in this session yet." in page.content.decode()

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exams import services
from exams.choices import PaperKind
from exams.models import BlueprintRule, Paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked_bank(bank, make_question):
    """A bank with questions of every type, difficulty and two knowledge points."""
    for n in range(24):
        make_question(type="single", difficulty=1 + n % 5, tags=["储存" if n % 2 else "运输"])
    for n in range(12):
        make_question(type="multiple", difficulty=1 + n % 5, tags=["应急救援"])
    for n in range(12):
        make_question(type="true_false", difficulty=1 + n % 5, tags=["储存"])
    return bank


def make_paper(bank, rules, **fields):
    paper = Paper.objects.create(name="危化品模拟考试", kind=PaperKind.BLUEPRINT, **fields)
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    for order, rule in enumerate(rules):
        BlueprintRule.objects.create(paper=paper, sort_order=order, **rule)
    return paper


def test_a_blueprint_says_which_rule_falls_short(stocked_bank):
    shortfalls = services.blueprint_shortfalls(
        banks=[stocked_bank],
        rules=[
            {"type": "single", "count": 20, "points": 2},
            {
                "type": "multiple",
                "tags": ["应急救援"],
                "difficulty_min": 5,
                "difficulty_max": 5,
                "count": 5,
                "points": 3,
            },
        ],
    )
    assert len(shortfalls) == 1
    assert "2" in shortfalls[0] and "5" in shortfalls[0]  # rule 2 asks for 5, has 2


def test_rules_cannot_count_the_same_questions_twice(stocked_bank):
    shortfalls = services.blueprint_shortfalls(
        banks=[stocked_bank],
        rules=[
            {"type": "true_false", "count": 10, "points": 2},
            {"type": "true_false", "count": 5, "points": 2},
        ],
    )
    assert len(shortfalls) == 1


def test_a_hundred_point_blueprint_draws_a_hundred_points(stocked_bank):
    paper = make_paper(
        stocked_bank,
        [
            {"type": "single", "count": 20, "points": Decimal("2")},
            {"type": "multiple", "count": 10, "points": Decimal("3")},
            {"type": "true_false", "count": 10, "points": Decimal("3")},
        ],
    )
    assert paper.total_points == 100
    drawn = services.draw_paper(paper=paper)
    assert sum(d.points for d in drawn) == 100


def test_an_impossible_draw_is_refused_with_the_reason(stocked_bank):
    paper = make_paper(stocked_bank, [{"type": "multiple", "count": 13, "points": Decimal(3)}])
    with pytest.raises(ValidationError) as excinfo:
        services.draw_paper(paper=paper)
    assert "13" in str(excinfo.value)


RULES = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["single", "multiple", "true_false"]),
            "difficulty_min": st.integers(1, 3),
            "difficulty_max": st.integers(3, 5),
            "tags": st.sampled_from(["", "储存", "运输", "应急救援", "储存,运输"]),
            "count": st.integers(1, 4),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=RULES, seed=st.integers(0, 2**32 - 1))
def test_every_draw_meets_every_rule_never_repeats_and_keeps_the_key(stocked_bank, rules, seed):
    rules = [{**rule, "points": Decimal(2)} for rule in rules]
    if services.blueprint_shortfalls(
        banks=[stocked_bank],
        rules=[{**r, "tags": [t for t in r["tags"].split(",") if t]} for r in rules],
    ):
        return  # an unsatisfiable blueprint is refused when saved; nothing to draw
    # In rule order, so that each drawn question can be checked against its own rule.
    paper = make_paper(stocked_bank, rules, shuffle_questions=False)
    try:
        drawn = services.draw_paper(paper=paper, rng=random.Random(seed))

        ids = [d.question.pk for d in drawn]
        assert len(ids) == len(set(ids)) == sum(rule["count"] for rule in rules)
        position = 0
        for rule in rules:
            tags = {t for t in rule["tags"].split(",") if t}
            for d in drawn[position : position + rule["count"]]:
                assert d.question.type == rule["type"]
                assert rule["difficulty_min"] <= d.question.difficulty <= rule["difficulty_max"]
                assert not tags or tags & set(d.question.tags.names())
            position += rule["count"]

        for d in drawn:
            order = d.option_order
            assert sorted(order) == list(range(len(d.question.options)))
            if d.question.type == "true_false":
                continue  # no options to shuffle; the key is true or false
            # The candidate sees option order[i] at position i: the positions of the
            # correct options, mapped back, are exactly the key.
            shown_correct = [
                pos for pos, original in enumerate(order) if original in d.question.answer
            ]
            assert sorted(order[pos] for pos in shown_correct) == sorted(d.question.answer)
    finally:
        paper.delete()


def test_a_room_of_candidates_gets_different_valid_draws(stocked_bank):
    paper = make_paper(
        stocked_bank,
        [
            {"type": "single", "count": 10, "points": Decimal("5")},
            {"type": "true_false", "count": 10, "points": Decimal("5")},
        ],
    )
    room = services.draw_papers(paper=paper, count=30, rng=random.Random(7))
    assert len(room) == 30
    for drawn in room:
        assert sum(d.points for d in drawn) == 100
        assert len({d.question.pk for d in drawn}) == 20
    assert len({tuple(sorted(d.question.pk for d in drawn)) for drawn in room}) > 1


def test_a_broad_rule_before_a_narrow_one_never_fails_at_draw_time(bank, make_question):
    for _ in range(2):
        make_question(tags=["运输"])
    make_question(tags=["储存"])
    paper = make_paper(
        bank,
        [
            {"type": "single", "count": 2, "points": Decimal("25")},  # any knowledge point
            {"type": "single", "tags": "储存", "count": 1, "points": Decimal("50")},
        ],
    )
    for seed in range(30):
        drawn = services.draw_paper(paper=paper, rng=random.Random(seed))
        assert sum(d.points for d in drawn) == 100


def test_a_blueprint_that_could_fail_at_draw_time_is_refused(bank, make_question):
    for _ in range(2):
        make_question(tags=["储存"])
    shortfalls = services.blueprint_shortfalls(
        banks=[bank],
        rules=[
            {"type": "single", "count": 2, "points": 2},
            {"type": "single", "tags": ["储存"], "count": 1, "points": 2},
        ],
    )
    assert len(shortfalls) == 1

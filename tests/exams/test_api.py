import pytest
from rest_framework.test import APIClient

from exams.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(trainer):
    client = APIClient()
    client.force_authenticate(trainer)
    return client


def test_authors_create_and_revise_questions(api, bank):
    created = api.post(
        "/api/v1/questions/",
        {
            "bank": bank.pk,
            "type": "multiple",
            "stem": "危险化学品仓库应当做到（ ）。",
            "options": ["专库专用", "混存混放", "双人双锁"],
            "answer": [0, 2],
            "status": "active",
            "tags": ["储存"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    question = created.json()
    revised = api.patch(f"/api/v1/questions/{question['id']}/", {"difficulty": 4}, format="json")
    assert revised.json()["version"] == 2
    assert Question.objects.count() == 2


def test_a_bad_question_gets_the_common_error_shape(api, bank):
    response = api.post(
        "/api/v1/questions/",
        {
            "bank": bank.pk,
            "type": "single",
            "stem": "x",
            "options": ["甲"],
            "answer": [0],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_listing_filters_and_is_paginated(api, make_question):
    make_question(type="true_false")
    make_question()
    body = api.get("/api/v1/questions/", {"type": "true_false"}).json()
    assert body["count"] == 1
    assert body["results"][0]["type"] == "true_false"


def test_a_paper_draw_can_be_previewed(api, bank, make_question):
    from decimal import Decimal

    from exams.models import BlueprintRule, Paper

    for _ in range(3):
        make_question()
    paper = Paper.objects.create(name="模拟考试")
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    BlueprintRule.objects.create(paper=paper, type="single", count=2, points=Decimal("50"))
    drawn = api.post(f"/api/v1/papers/{paper.pk}/draw/").json()
    assert len(drawn) == 2
    assert api.get(f"/api/v1/papers/{paper.pk}/").json()["total_points"] == "100.0"


def test_candidates_are_refused(alice, make_question):
    client = APIClient()
    client.force_authenticate(alice)
    assert client.get("/api/v1/questions/").status_code == 403
    assert client.post("/api/v1/questions/", {}, format="json").status_code == 403


def test_the_schema_documents_the_question_bank(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "paths"
    ]
    for path in ("/api/v1/questions/", "/api/v1/question-imports/", "/api/v1/papers/{id}/draw/"):
        assert path in paths

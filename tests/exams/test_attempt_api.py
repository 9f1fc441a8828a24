"""
The exam client's API, through HTTP: start, state, save, submit, result,
practice and the proctor's controls; who may reach an attempt (anyone else
gets "not found"); CSRF on every write; and the key and explanations never
reaching the browser before the paper is handed in.
"""

import datetime
import json
import secrets
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from exams import attempts, bookings, delivery
from exams.choices import (
    AttemptAction,
    AttemptStatus,
    BookingStatus,
    PaperKind,
    QuestionStatus,
    SessionStatus,
)
from exams.models import (
    AnswerSave,
    Attempt,
    AttemptEvent,
    Booking,
    ExamSession,
    Paper,
    PaperQuestion,
)
from exams.models import (
    TestCentre as Centre,
)
from exams.services import question_create
from tests.exams.papers import as_blueprint
from tests.factories import PASSWORD, UserFactory
from tests.pages import add
from training import services as training
from training.models import CoursePage, TrainingIndexPage

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}

# Distinctive explanations, so that any of them reaching the page is found.
EXPLANATIONS = [
    "解析ALPHA：作业前必须先通风再检测。",
    "解析BRAVO：氧含量与有毒气体都要检测，且须有人监护。",
    "解析CHARLIE：监护人不得离开作业点。",
]
# The fields a question may have before submission: nothing that tells the key.
PAPER_QUESTION_FIELDS = {"position", "type", "stem", "options", "points", "selected", "flagged"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def questions(bank):
    specs = [
        ("single", ["先通风", "直接进入", "戴口罩进入", "独自进入"], [0]),
        ("multiple", ["检测氧含量", "检测有毒气体", "无需监护", "设置监护人"], [0, 1, 3]),
        ("true_false", [], [1]),
    ]
    return [
        question_create(
            bank=bank,
            type=type,
            stem=f"<p>有限空间作业：第 {n} 题</p>",
            options=options,
            answer=answer,
            explanation=explanation,
            status=QuestionStatus.ACTIVE,
            tags=("有限空间",),
        )
        for n, ((type, options, answer), explanation) in enumerate(
            zip(specs, EXPLANATIONS, strict=True), start=1
        )
    ]


@pytest.fixture
def paper(questions):
    paper = Paper.objects.create(
        name="有限空间作业考试卷",
        kind=PaperKind.FIXED,
        pass_mark=Decimal("60"),
        duration_minutes=45,
        shuffle_questions=False,
        shuffle_options=False,
    )
    for order, (question, points) in enumerate(zip(questions, (40, 30, 30), strict=True)):
        PaperQuestion.objects.create(
            paper=paper, question=question, points=Decimal(points), sort_order=order
        )
    return paper


@pytest.fixture
def sitting(exam, paper, session, alice):
    """Alice, checked in, with her paper drawn; the session open for check-in."""
    exam.paper = paper
    exam.save()
    booking = bookings.book(session=session, candidate=alice)
    attempts.prepare_attempts(session_id=session.pk)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CHECKED_IN)
    ExamSession.objects.filter(pk=session.pk).update(status=SessionStatus.CHECK_IN)
    return Attempt.objects.get(booking=booking)


@pytest.fixture
def running(sitting, alice):
    """The attempt started (through the service), with its page."""
    return delivery.start(attempt_id=sitting.pk, candidate=alice)


@pytest.fixture
def other_proctor(db):
    other = Centre.objects.create(name="滨江区安全生产考点", code="BJ01", address="江南大道 9 号")
    person = UserFactory(username="other_proctor", real_name="钱程", roles=[Role.PROCTOR])
    other.proctors.add(person)
    return person


def url(name, attempt):
    return reverse(f"api:attempt-{name}", args=[attempt.pk])


def post(client, address, data=None, **headers):
    return client.post(
        address, data or {}, content_type="application/json", headers={**EN, **headers}
    )


def answer(client, attempt, page, position, selected, sequence, client_id=None):
    return post(
        client,
        url("answers", attempt),
        {
            "page": str(page),
            "client_id": str(client_id or uuid.uuid4()),
            "sequence": sequence,
            "position": position,
            "selected": selected,
        },
    )


def keys_anywhere(data):
    """Every key of every object in a JSON document."""
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_anywhere(value)}
    if isinstance(data, list):
        return {k for value in data for k in keys_anywhere(value)}
    return set()


def assert_no_key_in(response):
    text = response.content.decode()
    data = response.json()
    for explanation in EXPLANATIONS:
        assert explanation not in text
        assert explanation[:9] not in text  # not even its marker
    found = keys_anywhere(data)
    assert not found & {"answer", "answers", "key", "correct", "is_correct", "explanation"}
    assert '"answer"' not in text and '"explanation"' not in text
    for question in data.get("questions", []):
        assert set(question) == PAPER_QUESTION_FIELDS
        # The options are plain texts: none is marked.
        assert all(isinstance(option, str) for option in question["options"])


# ---------------------------------------------------------------------------
# The candidate's path
# ---------------------------------------------------------------------------


def test_start_state_answer_submit_and_result(client, alice, sitting):
    client.force_login(alice)

    started = post(client, url("start", sitting))
    assert started.status_code == 200, started.content
    paper = started.json()
    page = paper["page"]
    assert paper["status"] == "started" and paper["practice"] is False
    assert 60 * 120 - 5 <= paper["remaining_seconds"] <= 60 * 120
    assert [q["position"] for q in paper["questions"]] == [1, 2, 3]
    assert paper["questions"][0]["options"] == ["先通风", "直接进入", "戴口罩进入", "独自进入"]
    assert paper["questions"][2]["options"] == []
    assert [q["points"] for q in paper["questions"]] == ["40.0", "30.0", "30.0"]
    assert all(q["selected"] == [] for q in paper["questions"])

    state = client.get(url("state", sitting), {"page": page}, headers=EN)
    assert state.status_code == 200
    assert state.json()["live"] is True
    assert state.json()["paused"] is False
    assert state.json()["deadline"] == paper["deadline"]

    saved = answer(client, sitting, page, 1, [0], sequence=1)
    assert saved.status_code == 200, saved.content
    assert saved.json() == {
        "outcome": "saved",
        "position": 1,
        "selected": [0],
        "flagged": False,
        "saved_sequence": 1,
    }
    assert answer(client, sitting, page, 2, [0, 1], sequence=2).json()["outcome"] == "saved"
    assert answer(client, sitting, page, 3, [1], sequence=3).json()["outcome"] == "saved"
    assert client.get(url("state", sitting), {"page": page}).json()["sequence"] == 3

    # The result is not there before submission.
    assert client.get(url("result", sitting), headers=EN).status_code == 404

    submitted = post(client, url("submit", sitting), {"page": page})
    assert submitted.status_code == 200, submitted.content
    result = submitted.json()
    assert {k: result[k] for k in ("status", "score", "max_score", "pass_mark", "passed")} == {
        "status": "graded",
        "score": "70.0",
        "max_score": "100.0",
        "pass_mark": "60.0",
        "passed": True,
    }
    # The mistakes wait until the session is over: others may still be writing this paper.
    assert result["mistakes"] is None
    ExamSession.objects.filter(pk=sitting.booking.session_id).update(status=SessionStatus.CLOSED)
    result = client.get(url("result", sitting), headers=EN).json()
    # Question 2 was short of the key (all or nothing): it is the one mistake shown.
    assert result["mistakes"] == [
        {
            "position": 2,
            "type": "multiple",
            "stem": "<p>有限空间作业：第 2 题</p>",
            "options": ["检测氧含量", "检测有毒气体", "无需监护", "设置监护人"],
            "selected": [0, 1],
            "key": [0, 1, 3],
            "explanation": EXPLANATIONS[1],
            "earned": "0.0",
            "points": "30.0",
        }
    ]
    assert post(client, url("submit", sitting), {"page": page}).json() == result  # a retry


def test_saves_map_shown_positions_through_the_candidates_option_order(client, alice, sitting):
    sitting.questions.filter(position=1).update(option_order=[2, 0, 3, 1])
    client.force_login(alice)
    paper = post(client, url("start", sitting)).json()
    assert paper["questions"][0]["options"] == ["戴口罩进入", "先通风", "独自进入", "直接进入"]
    saved = answer(client, sitting, paper["page"], 1, [1], sequence=1).json()
    assert saved["selected"] == [1]  # as shown
    assert sitting.questions.get(position=1).selected == [0]  # as stored: 先通风
    resumed = post(client, url("start", sitting)).json()
    assert resumed["questions"][0]["selected"] == [1]
    result = post(client, url("submit", sitting), {"page": resumed["page"]}).json()
    assert result["score"] == "40.0"


def test_a_refused_save_answers_with_the_reason(client, alice, running):
    client.force_login(alice)
    resumed = post(client, url("start", running)).json()
    taken = answer(client, running, running.page, 1, [0], sequence=1)
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "taken_over"
    assert "opened on another screen" in taken.json()["error"]["message"]
    state = client.get(url("state", running), {"page": str(running.page)}).json()
    assert state["live"] is False

    invalid = answer(client, running, resumed["page"], 1, [0, 1], sequence=2)
    assert invalid.status_code == 400
    assert invalid.json()["error"]["code"] == "invalid"
    no_such = answer(client, running, resumed["page"], 1, [7], sequence=3)
    assert no_such.status_code == 400
    assert not AnswerSave.objects.filter(attempt=running).exists()


def test_a_handed_in_attempt_is_live_on_no_page(client, alice, running):
    client.force_login(alice)
    assert client.get(url("state", running), headers=EN).json()["live"] is False
    post(client, url("submit", running), {"page": str(running.page)})
    for query in ({"page": str(running.page)}, {"page": ""}, {}):
        state = client.get(url("state", running), query, headers=EN).json()
        assert state["status"] == "graded"
        assert state["live"] is False, query


def test_a_stale_and_a_repeated_save_answer_with_what_is_stored(client, alice, running):
    client.force_login(alice)
    page = running.page
    retry = uuid.uuid4()
    assert answer(client, running, page, 1, [0], sequence=5, client_id=retry).status_code == 200
    stale = answer(client, running, page, 1, [2], sequence=4).json()
    assert (stale["outcome"], stale["selected"], stale["saved_sequence"]) == ("stale", [0], 5)
    again = answer(client, running, page, 1, [3], sequence=6, client_id=retry).json()
    assert (again["outcome"], again["selected"], again["saved_sequence"]) == ("duplicate", [0], 5)
    assert AnswerSave.objects.filter(attempt=running).count() == 2


def test_the_result_hides_mistakes_when_the_exam_does_not_show_them(client, alice, running):
    running.exam.show_mistakes = False
    running.exam.save()
    client.force_login(alice)
    result = post(client, url("submit", running), {"page": str(running.page)})
    assert result.status_code == 200
    assert result.json()["score"] == "0.0"
    assert result.json()["mistakes"] is None
    assert client.get(url("result", running)).json()["mistakes"] is None
    assert_no_key_in(client.get(url("result", running)))


# ---------------------------------------------------------------------------
# The key stays on the server until the paper is handed in
# ---------------------------------------------------------------------------


def test_no_payload_before_submission_carries_the_key_or_the_explanations(client, alice, sitting):
    client.force_login(alice)
    started = post(client, url("start", sitting))
    assert_no_key_in(started)
    page = started.json()["page"]
    assert_no_key_in(client.get(url("state", sitting), {"page": page}))
    for position, selected in ((1, [0]), (2, [0, 1, 3]), (3, [1])):
        assert_no_key_in(answer(client, sitting, page, position, selected, sequence=position))
    resumed = post(client, url("start", sitting))  # a resume
    assert_no_key_in(resumed)
    # After submission, once the session is over, the key may be shown, and is.
    post(client, url("submit", sitting), {"page": resumed.json()["page"]})
    ExamSession.objects.filter(pk=sitting.booking.session_id).update(status=SessionStatus.CLOSED)
    result = client.get(url("result", sitting)).content.decode()
    assert EXPLANATIONS[0] not in result  # question 1 was right: not a mistake
    assert json.loads(result)["mistakes"] == []


@pytest.fixture
def practice_exam(home, exam, paper, bank):
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="有限空间作业安全",
            slug="confined",
            target_roles=["special_operations"],
            industries=["confined_spaces"],
            required_hours=Decimal("1.0"),
        ),
    )
    exam.paper = as_blueprint(paper, bank)
    exam.save()
    exam.required_courses.set([course])
    return exam


def test_practice_is_refused_to_a_learner_not_enrolled_in_the_course(client, alice, practice_exam):
    client.force_login(alice)
    refused = post(client, reverse("api:practice", args=[practice_exam.pk]))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_practisable"
    assert "enrolled in its course" in refused.json()["error"]["message"]
    assert not Attempt.objects.exists()


def test_a_practice_round_starts_through_the_api_without_its_key(client, alice, practice_exam):
    training.enrol(learner=alice, course=practice_exam.required_courses.get())
    client.force_login(alice)
    address = reverse("api:practice", args=[practice_exam.pk])

    started = post(client, address)
    assert started.status_code == 201, started.content
    assert started.json()["practice"] is True
    assert 45 * 60 - 5 <= started.json()["remaining_seconds"] <= 45 * 60
    assert_no_key_in(started)
    attempt = Attempt.objects.get(pk=started.json()["id"])
    assert attempt.booking is None and attempt.candidate == alice

    again = post(client, address)  # the open round is resumed, on a new page
    assert again.status_code == 201
    assert again.json()["id"] == attempt.pk
    assert again.json()["page"] != started.json()["page"]
    assert Attempt.objects.count() == 1


# ---------------------------------------------------------------------------
# Nobody else reaches the attempt
# ---------------------------------------------------------------------------


CANDIDATE_CALLS = [
    ("start", "post"),
    ("state", "get"),
    ("answers", "post"),
    ("submit", "post"),
    ("result", "get"),
]


def call(client, name, method, attempt):
    if method == "get":
        return client.get(url(name, attempt), {"page": str(attempt.page)}, headers=EN)
    payload = {
        "page": str(attempt.page),
        "client_id": str(uuid.uuid4()),
        "sequence": 99,
        "position": 1,
        "selected": [0],
    }
    return post(client, url(name, attempt), payload)


@pytest.mark.parametrize(("name", "method"), CANDIDATE_CALLS)
@pytest.mark.parametrize("who", ["bob", "other_proctor", "proctor"])
def test_anyone_but_the_candidate_gets_not_found(request, client, running, name, method, who):
    if name == "result":
        delivery.submit(attempt_id=running.pk, candidate=running.candidate)
    before = Attempt.objects.get(pk=running.pk)
    client.force_login(request.getfixturevalue(who))
    response = call(client, name, method, running)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    after = Attempt.objects.get(pk=running.pk)
    assert (after.status, after.page, after.sequence) == (before.status, before.page, 0)
    assert not AnswerSave.objects.exists()


@pytest.mark.parametrize(("name", "method"), CANDIDATE_CALLS)
def test_an_anonymous_caller_is_refused(client, running, name, method):
    response = call(client, name, method, running)
    assert response.status_code == 403  # session auth: "not authenticated" is a 403
    assert response.json()["error"]["code"] == "not_authenticated"
    assert Attempt.objects.get(pk=running.pk).page == running.page


def test_a_missing_attempt_is_not_found(client, alice, running):
    client.force_login(alice)
    missing = running.pk + 1000
    assert post(client, reverse("api:attempt-start", args=[missing])).status_code == 404
    assert client.get(reverse("api:attempt-state", args=[missing])).status_code == 404


# ---------------------------------------------------------------------------
# The proctor's controls
# ---------------------------------------------------------------------------


def control(client, name, attempt, **data):
    return post(client, url(name, attempt), data)


def test_a_proctor_of_the_sessions_centre_pauses_resumes_extends_and_terminates(
    client, proctor, running
):
    client.force_login(proctor)

    paused = control(client, "pause", running, reason="火警疏散")
    assert paused.status_code == 200, paused.content
    assert paused.json()["paused"] is True
    assert Attempt.objects.get(pk=running.pk).is_paused

    resumed = control(client, "resume", running, reason="警报解除")
    assert resumed.status_code == 200
    assert resumed.json()["paused"] is False

    extended = control(client, "extra-time", running, minutes=10, reason="停电补时")
    assert extended.status_code == 200, extended.content
    assert extended.json()["extra_minutes"] == 10
    stored = Attempt.objects.get(pk=running.pk)
    assert stored.deadline >= running.deadline + datetime.timedelta(minutes=10)

    no_reason = control(client, "terminate", running)
    assert no_reason.status_code == 400
    assert Attempt.objects.get(pk=running.pk).status == AttemptStatus.STARTED

    terminated = control(client, "terminate", running, reason="夹带手机")
    assert terminated.status_code == 200, terminated.content
    assert terminated.json()["status"] == "terminated"

    assert [
        (e.action, e.to_status, e.by_id)
        for e in AttemptEvent.objects.filter(attempt=running).exclude(by=running.candidate)
    ] == [
        (AttemptAction.PAUSED, "", proctor.pk),
        (AttemptAction.RESUMED, "", proctor.pk),
        (AttemptAction.EXTRA_TIME, "", proctor.pk),
        (AttemptAction.STATUS, AttemptStatus.TERMINATED, proctor.pk),
    ]
    again = control(client, "pause", running)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "attempt_closed"


def test_extra_time_asks_for_minutes_and_a_reason(client, proctor, running):
    client.force_login(proctor)
    for data in (
        {"minutes": 0, "reason": "补时"},
        {"minutes": 121, "reason": "补时"},
        {"minutes": 5},
    ):
        assert control(client, "extra-time", running, **data).status_code == 400
    assert Attempt.objects.get(pk=running.pk).deadline == running.deadline


CONTROLS = [
    ("pause", {"reason": "暂停"}),
    ("resume", {"reason": "继续"}),
    ("extra-time", {"minutes": 10, "reason": "补时"}),
    ("terminate", {"reason": "违纪"}),
]


@pytest.mark.parametrize(("name", "data"), CONTROLS, ids=[c[0] for c in CONTROLS])
@pytest.mark.parametrize("who", ["other_proctor", "alice", "bob"])
def test_the_controls_are_not_found_for_anyone_but_the_centres_staff(
    request, client, running, name, data, who
):
    delivery.pause(attempt_id=running.pk, by=None)  # so that "resume" would act
    before = Attempt.objects.get(pk=running.pk)
    client.force_login(request.getfixturevalue(who))
    response = control(client, name, running, **data)
    assert response.status_code == 404, response.content
    after = Attempt.objects.get(pk=running.pk)
    assert (after.status, after.deadline, after.paused_at, after.extra_minutes) == (
        before.status,
        before.deadline,
        before.paused_at,
        before.extra_minutes,
    )


@pytest.mark.parametrize(("name", "data"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_the_controls_refuse_an_anonymous_caller(client, running, name, data):
    assert control(client, name, running, **data).status_code == 403
    assert Attempt.objects.get(pk=running.pk).status == AttemptStatus.STARTED


def test_the_centre_admin_may_use_the_controls_too(client, centre_admin, running):
    client.force_login(centre_admin)
    assert control(client, "pause", running).status_code == 200


def test_a_practice_round_has_no_proctor(client, proctor, alice, exam, paper, running):
    exam.paper = paper
    exam.save()
    practice = Attempt.objects.create(candidate=alice, exam=exam, paper=paper, practice=True)
    client.force_login(proctor)
    assert control(client, "pause", practice).status_code == 404


# ---------------------------------------------------------------------------
# CSRF on every write
# ---------------------------------------------------------------------------


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.login(username=user.username, password=PASSWORD)
    token = secrets.token_hex(16)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client, token


def test_every_write_of_the_candidate_needs_the_csrf_token(alice, running):
    client, token = csrf_client(alice)
    writes = [
        (url("start", running), {}),
        (
            url("answers", running),
            {
                "page": str(running.page),
                "client_id": str(uuid.uuid4()),
                "sequence": 1,
                "position": 1,
                "selected": [0],
            },
        ),
        (url("submit", running), {"page": str(running.page)}),
        (reverse("api:practice", args=[running.exam_id]), {}),
    ]
    for address, data in writes:
        refused = post(client, address, data)
        assert refused.status_code == 403, address
        assert "CSRF" in refused.json()["error"]["message"]
    stored = Attempt.objects.get(pk=running.pk)
    assert (stored.status, stored.page) == (AttemptStatus.STARTED, running.page)
    assert not AnswerSave.objects.exists()
    assert Attempt.objects.count() == 1

    # With the token the same calls go through.
    started = post(client, url("start", running), **{"X-CSRFToken": token})
    assert started.status_code == 200
    page = started.json()["page"]
    saved = post(
        client,
        url("answers", running),
        {
            "page": page,
            "client_id": str(uuid.uuid4()),
            "sequence": 1,
            "position": 1,
            "selected": [0],
        },
        **{"X-CSRFToken": token},
    )
    assert saved.status_code == 200
    handed_in = post(client, url("submit", running), {"page": page}, **{"X-CSRFToken": token})
    assert handed_in.status_code == 200


def test_every_control_of_the_proctor_needs_the_csrf_token(proctor, running):
    client, token = csrf_client(proctor)
    for name, data in CONTROLS:
        refused = post(client, url(name, running), data)
        assert refused.status_code == 403, name
        assert "CSRF" in refused.json()["error"]["message"]
    stored = Attempt.objects.get(pk=running.pk)
    assert (stored.status, stored.paused_at, stored.extra_minutes) == (
        AttemptStatus.STARTED,
        None,
        0,
    )
    assert post(client, url("pause", running), {}, **{"X-CSRFToken": token}).status_code == 200


# ---------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------


def test_the_schema_documents_the_exam_client_and_the_controls(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/attempts/{attempt_id}/start/", "post"),
        ("/api/v1/attempts/{attempt_id}/state/", "get"),
        ("/api/v1/attempts/{attempt_id}/answers/", "post"),
        ("/api/v1/attempts/{attempt_id}/submit/", "post"),
        ("/api/v1/attempts/{attempt_id}/result/", "get"),
        ("/api/v1/exams/{exam_id}/practice/", "post"),
        ("/api/v1/attempts/{attempt_id}/pause/", "post"),
        ("/api/v1/attempts/{attempt_id}/resume/", "post"),
        ("/api/v1/attempts/{attempt_id}/extra-time/", "post"),
        ("/api/v1/attempts/{attempt_id}/terminate/", "post"),
    ]:
        assert method in paths.get(path, {}), path
    question = schema["components"]["schemas"]["AttemptQuestionOutput"]["properties"]
    assert set(question) == PAPER_QUESTION_FIELDS
    save_input = schema["components"]["schemas"]["SaveInput"]["properties"]
    assert {"page", "client_id", "sequence", "position", "selected"} <= set(save_input)

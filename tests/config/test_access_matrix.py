"""
The access-control matrix (issue 12's security sweep): every route of our
apps, requested by every role, answers as the table below says.

One small world: a test centre ("this centre") with a session in which
candidate A (alice) and candidate B (bob) are booked; A's attempt is under
way, watched by the camera (a snapshot, an open incident); A also holds a
graded pass with its certificate and a voided attempt under appeal; a quiz
with a play; a course with a lesson A studies. A proctor of another centre,
a trainer, a centre admin, a publicity editor and a bureau admin complete the
cast. Objects in URLs are A's unless the table says otherwise.

A new route of ours (its view lives in one of our apps) fails
`test_every_route_of_ours_is_in_the_table` until it has a row here.
"""

import datetime
import hashlib
import io
import uuid
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.models import Page

from cms.quiz import services as quiz_services
from cms.quiz.choices import PlayerDetails
from cms.quiz.models import Quiz
from exams import certificates
from exams.choices import AttemptStatus, ImportFormat
from exams.models import Booking, ExamSession, ImportJob, MonthlyReport
from proctoring import services as proctoring_services
from proctoring.choices import BROWSER_EVENTS, IncidentKind
from proctoring.models import Appeal, Incident, Snapshot
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.exams.conftest import bank, centre, exam, make_question, make_session, room  # noqa: F401
from tests.proctoring import frames
from tests.proctoring.conftest import (  # noqa: F401
    consented,
    other_proctor,
    pass_camera_check,
    policy,
    seat,
    sitting,
)
from tests.training.conftest import (  # noqa: F401
    course,
    training_index,
    video_document,
    video_lesson,
)
from training import services as training_services

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "cms", "training", "exams", "proctoring", "config")
ROLES = (
    "anonymous",
    "candidate_a",
    "candidate_b",
    "trainer",
    "proctor",
    "other_proctor",
    "centre_admin",
    "publicity_editor",
    "bureau_admin",
)

# ---------------------------------------------------------------------------
# The routes of our apps, found by walking the URL configuration
# ---------------------------------------------------------------------------


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield pattern, namespace


def _module(pattern):
    view = pattern.callback
    view = getattr(view, "view_class", None) or getattr(view, "cls", None) or view
    return view.__module__


def routes_of_ours():
    """Route name → URL pattern, for every named route whose view is written in our apps."""
    found = {}
    for pattern, namespace in _walk(get_resolver().url_patterns):
        ours = _module(pattern).split(".")[0] in OUR_APPS
        if pattern.name and (ours or (namespace or "").split(":")[0] in OUR_APPS):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.setdefault(name, pattern)
    return found


# ---------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------


@dataclass
class World:
    people: dict
    kwargs: dict = field(default_factory=dict)


@pytest.fixture
def world(
    home,
    alice,
    bob,
    trainer,
    proctor,
    other_proctor,  # noqa: F811
    centre_admin,
    publicity_editor,
    bureau_admin,
    centre,  # noqa: F811
    room,  # noqa: F811
    bank,  # noqa: F811
    make_question,  # noqa: F811
    sitting,  # noqa: F811
    seat,  # noqa: F811
    consented,  # noqa: F811
    video_lesson,  # noqa: F811
    video_document,  # noqa: F811
    course,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # A's attempt under way at this centre, with the camera check's snapshot
    # and an open incident; B sits the same session.
    pass_camera_check(consented)
    from exams import delivery

    live = delivery.start(attempt_id=consented.pk, candidate=alice)
    seat(bob)
    snapshot = Snapshot.objects.filter(attempt=live).first()
    incident = proctoring_services.record_incident(
        attempt=live, kind=IncidentKind.SEVERAL_FACES, reason="2 faces", confidence=0.8
    )
    assert isinstance(incident, Incident)

    # A's graded pass (with its certificate) and a voided attempt under appeal,
    # both sat at this centre.
    passed = graded_attempt(alice, an_exam())
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificates.issue_and_render(attempt_id=passed.pk)
    voided = graded_attempt(alice, an_exam("粉尘防爆安全考试"))
    voided.status = AttemptStatus.VOIDED
    voided.save(update_fields=["status"])
    ExamSession.objects.filter(
        pk__in=[passed.booking.session_id, voided.booking.session_id]
    ).update(centre=centre, room=room)
    appeal = Appeal.objects.create(attempt=voided, grounds="镜子里的是我自己。")

    # A campaign quiz with someone's play (plays are reached by their token).
    quiz = Quiz.objects.create(
        title="“5·12”防灾减灾知识竞赛",
        slug="512-2027",
        opens_at=timezone.now() - datetime.timedelta(hours=1),
        closes_at=timezone.now() + datetime.timedelta(days=6),
        questions_per_play=1,
        seconds_per_question=20,
        plays_per_day=2,
        details=PlayerDetails.NICKNAME,
    )
    quiz.banks.set([bank])
    quiz.save()
    play = quiz_services.start_play(
        quiz=quiz,
        player=quiz_services.PlayerInfo(nickname="小安"),
        person_key=quiz_services.person_key_for_phone("13800000001"),
    )[0]

    # A studies a lesson of the course.
    enrolment = training_services.enrol(learner=alice, course=course)
    study = training_services.study_start(learner=alice, lesson=video_lesson)

    job = ImportJob.objects.create(
        bank=bank,
        file=ContentFile(b"stem", name="q.txt"),
        file_name="q.txt",
        format=ImportFormat.GIFT,
    )
    report = MonthlyReport.objects.create(month=datetime.date(2026, 10, 1))
    report.pdf.save("2026-10.pdf", ContentFile(b"%PDF-1.4 report"), save=True)

    alice.photo.save("alice.jpg", ContentFile(frames.jpeg(frames.astronaut())), save=True)

    people = {
        "anonymous": None,
        "candidate_a": alice,
        "candidate_b": bob,
        "trainer": trainer,
        "proctor": proctor,
        "other_proctor": other_proctor,
        "centre_admin": centre_admin,
        "publicity_editor": publicity_editor,
        "bureau_admin": bureau_admin,
    }
    kwargs = {
        "attempt_id": live.pk,
        "session_id": sitting.pk,
        "booking_id": live.booking_id,
        "certificate_id": certificate.pk,
        "snapshot_id": snapshot.pk,
        "incident_id": incident.pk,
        "appeal_id": appeal.pk,
        "exam_id": sitting.exam_id,
        "quiz_id": quiz.pk,
        "slug": quiz.slug,
        "play_id": play.pk,
        "token": play.token,
        "course_id": course.pk,
        "enrolment_id": enrolment.pk,
        "lesson_id": video_lesson.pk,
        "question_id": make_question().pk,
        "report_id": report.pk,
        "table": "summary",
        "name": "seal",
        "action": "pause",
        # Per-route meanings of `pk` and of the other ids are in the table.
        "_graded_attempt": passed.pk,
        "_voided_attempt": voided.pk,
        "_study_token": study.token,
        "_job": job.pk,
        "_paper": sitting.exam.paper_id,
        "_centre": centre.pk,
        "_room": room.pk,
        "_page": str(live.page),
        "document_id": video_document.pk,
        "document_filename": video_document.filename,
        "_alice": alice.pk,
        "page:home": home.url,
        "page:course": course.url,
        "page:lesson": video_lesson.url,
    }
    kwargs["_question"] = kwargs["question_id"]
    return World(people=people, kwargs=kwargs)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

LOGIN = "login"  # redirected to a login page
DENIED = "denied"  # Wagtail's "no permission": back to the admin dashboard with a message
REDIRECT = "redirect"  # elsewhere (the next step of a flow)
REFUSALS = {LOGIN, DENIED, 403, 404}


def roles(default, **by_role):
    """Every role's expected outcome: `default`, except those named."""
    assert set(by_role) <= set(ROLES), set(by_role) - set(ROLES)
    return {role: by_role.get(role, default) for role in ROLES}


def admin(default=DENIED, **by_role):
    """A Wagtail admin screen: candidates and the public are sent to the admin's login."""
    return roles(default, anonymous=LOGIN, candidate_a=LOGIN, candidate_b=LOGIN, **by_role)


def api(default=404, **by_role):
    """An API route: the public gets 403 (session or token authentication)."""
    return roles(default, anonymous=403, **by_role)


PUBLIC = roles(200)
# /healthz answers anyone; 503 says the broker or cache is down, which is not about access.
UP_OR_DOWN = frozenset({200, 503})
SIGNED_IN = roles(200, anonymous=LOGIN)  # each sees their own list
A_ONLY = roles(404, anonymous=LOGIN, candidate_a=200)  # A's object: nobody else finds it
A_ONLY_API = api(candidate_a=200)
POST_ONLY = roles(405)
POST_ONLY_API = api(405)
# Desk, board and review of this centre: its proctor and admin, and the bureau.
CENTRE_STAFF = roles(
    403, anonymous=LOGIN, proctor=200, other_proctor=404, centre_admin=200, bureau_admin=200
)
CENTRE_STAFF_API = api(403, proctor=200, other_proctor=404, centre_admin=200, bureau_admin=200)
# The same in the Wagtail admin.
CENTRE_STAFF_ADMIN = admin(proctor=200, other_proctor=404, centre_admin=200, bureau_admin=200)
# Centre admins and the bureau (not proctors).
CENTRE_ADMINS_ADMIN = admin(centre_admin=200, bureau_admin=200)
BUREAU_ADMIN = admin(bureau_admin=200)
# Question bank: trainers and centre admins edit the bank, the bureau everything.
BANK_EDITORS_ADMIN = admin(trainer=200, centre_admin=200, bureau_admin=200)
TRAINING_ADMIN = admin(trainer=200, centre_admin=200, bureau_admin=200)
QUIZ_ADMIN = admin(publicity_editor=200, bureau_admin=200)
# Admin screens that find their object only within the person's centres (404 elsewhere).
IN_SCOPE_ADMIN = admin(404, centre_admin=200, bureau_admin=200)
IN_SCOPE_HISTORY = admin(404, proctor=DENIED, centre_admin=200, bureau_admin=200)
# Choosers list what the person may reach (possibly nothing); a chosen object out of reach is 404.
CHOOSER = admin(200)
CHOSEN_IN_SCOPE = admin(404, proctor=200, centre_admin=200, bureau_admin=200)
STAFF_WITH_CENTRES_ADMIN = admin(proctor=200, other_proctor=200, centre_admin=200, bureau_admin=200)

# What the wrong people get when they POST to a route that only takes POST
# (JSON bodies valid in form, so that the object lookup is what refuses).
A_WRITES = api(candidate_a=None)
PROCTOR_WRITES = api(404, proctor=None, centre_admin=None, bureau_admin=None)
DESK_WRITES = api(403, proctor=None, other_proctor=404, centre_admin=None, bureau_admin=None)
BANK_WRITES = api(403, trainer=None, centre_admin=None, bureau_admin=None)


@dataclass(frozen=True)
class Access:
    get: dict
    post: dict | None = None  # role → outcome of a refused POST; None: that role may write
    kwargs: dict = field(default_factory=dict)  # `pk` or an id meaning something else here
    body: str | None = None  # a key of BODIES


def writes(refused, body=None, get=POST_ONLY_API, **kwargs):
    return Access(
        get=get, post={r: o for r, o in refused.items() if o is not None}, body=body, kwargs=kwargs
    )


def html_writes(refused, get=POST_ONLY):
    return Access(get=get, post={r: o for r, o in refused.items() if o is not None})


TABLE = {
    # -- Public: the site, quizzes (plays are reached by their unguessable token) --
    "healthz": Access(roles(UP_OR_DOWN)),
    "cms:search": Access(PUBLIC),
    "cms:quiz": Access(PUBLIC),
    "cms:quiz-big-screen": Access(PUBLIC),
    "cms:quiz-leaderboard": Access(PUBLIC),
    "cms:quiz-play": Access(PUBLIC),
    "cms:quiz-play-state": Access(PUBLIC),
    "cms:quiz-play-answer": html_writes({}),
    "cms:quiz-result": Access(roles(REDIRECT)),  # back to the play until it is finished
    "cms:quiz-card": Access(roles(404)),  # no card before the play is finished
    "exams:sessions": Access(PUBLIC),
    "certificates:verify": Access(PUBLIC),
    "api:certificate-verify": writes({}, get=roles(405)),
    "accounts:login": Access(roles(REDIRECT, anonymous=200)),
    "accounts:logout": Access(roles(405)),
    "api-schema": Access(PUBLIC),
    "api-docs": Access(PUBLIC),
    "page:home": Access(PUBLIC),
    "page:course": Access(PUBLIC),
    "training:courseware": Access(PUBLIC),  # Wagtail's document view: public collection
    # -- Signed in: one's own lists --
    "exams:my-bookings": Access(SIGNED_IN),
    "exams:my-results": Access(SIGNED_IN),
    "exams:practice": Access(SIGNED_IN),
    "certificates:mine": Access(SIGNED_IN),
    "training:my_learning": Access(SIGNED_IN),
    "api:me": Access(api(200)),
    "api:bookings-mine": Access(api(200)),
    "api:sessions-open": Access(api(200)),
    "api:training-enrolments": Access(api(200)),
    "exams:book": html_writes({"anonymous": LOGIN}),
    "exams:practice-start": html_writes({"anonymous": LOGIN}),
    "training:enrol": html_writes({"anonymous": LOGIN}),
    "api:session-book": writes(api(None)),
    "api:practice": writes(api(403)),  # the exam offers no practice
    "api:training-enrol": writes(api(None)),
    "api:training-check-answer": writes(api(None)),
    # -- Candidate A's own objects --
    "exams:attempt": Access(A_ONLY),
    "exams:attempt-photo": Access(A_ONLY),
    "exams:attempt-result": Access(A_ONLY, kwargs={"attempt_id": "_graded_attempt"}),
    "exams:ticket": Access(A_ONLY),
    "certificates:pdf": Access(A_ONLY),
    "training:my_record": Access(A_ONLY),
    "proctoring:my-snapshots": Access(A_ONLY, kwargs={"attempt_id": "_voided_attempt"}),
    "proctoring:my-snapshot": Access(A_ONLY),
    "page:lesson": Access(roles(REDIRECT, anonymous=LOGIN, candidate_a=200)),
    "exams:cancel-booking": html_writes(roles(404, anonymous=LOGIN, candidate_a=None)),
    "api:attempt-state": Access(A_ONLY_API),
    "api:attempt-proctoring": Access(A_ONLY_API),
    "api:attempt-result": Access(A_ONLY_API, kwargs={"attempt_id": "_graded_attempt"}),
    "api:attempt-start": writes(A_WRITES),
    "api:attempt-answers": writes(A_WRITES, body="answer"),
    "api:attempt-submit": writes(A_WRITES, body="submit"),
    "api:attempt-consent": writes(A_WRITES, body="consent"),
    "api:attempt-events": writes(A_WRITES, body="event"),
    "api:attempt-snapshots": writes(A_WRITES, body="snapshot"),
    "api:attempt-camera-check": writes(A_WRITES, body="camera_check"),
    "api:booking-cancel": writes(A_WRITES),
    "api:training-study-start": writes(api(403, candidate_a=None)),  # B is not enrolled
    "api:training-heartbeat": writes(A_WRITES, body="heartbeat", token="_study_token"),
    # -- Test-centre staff: desk, board, review, snapshots of this centre --
    "exams:desk": Access(
        roles(
            403,
            anonymous=LOGIN,
            proctor=200,
            other_proctor=200,
            centre_admin=200,
            bureau_admin=200,
        )
    ),  # each sees their own centres' sessions
    "exams:desk-session": Access(CENTRE_STAFF),
    "exams:desk-attempts": Access(CENTRE_STAFF),
    "exams:desk-registered-photo": Access(CENTRE_STAFF),
    "exams:desk-attempt-action": html_writes(
        roles(
            403,
            anonymous=LOGIN,
            other_proctor=404,
            proctor=None,
            centre_admin=None,
            bureau_admin=None,
        )
    ),
    "proctoring:board": Access(CENTRE_STAFF),
    "proctoring:review-queue": Access(
        roles(
            403,
            anonymous=LOGIN,
            proctor=200,
            other_proctor=200,
            centre_admin=200,
            bureau_admin=200,
        )
    ),
    "proctoring:review-attempt": Access(CENTRE_STAFF),
    "proctoring:evidence": Access(CENTRE_STAFF),
    "proctoring:check-in-photo": Access(
        roles(404, anonymous=LOGIN, proctor=200, centre_admin=200, bureau_admin=200)
    ),
    "api:desk-sessions": Access(
        api(403, proctor=200, other_proctor=200, centre_admin=200, bureau_admin=200)
    ),
    "api:desk-session": Access(CENTRE_STAFF_API),
    "api:desk-bookings": Access(CENTRE_STAFF_API),
    "api:desk-scan": writes(
        DESK_WRITES,
        get=api(403, proctor=405, other_proctor=405, centre_admin=405, bureau_admin=405),
    ),
    "api:desk-lookup": writes(
        DESK_WRITES,
        get=api(403, proctor=405, other_proctor=405, centre_admin=405, bureau_admin=405),
    ),
    "api:desk-check-in": writes(
        DESK_WRITES,
        get=api(403, proctor=405, other_proctor=405, centre_admin=405, bureau_admin=405),
    ),
    "api:proctoring-board": Access(api(proctor=200, centre_admin=200, bureau_admin=200)),
    "api:attempt-timeline": Access(api(proctor=200, centre_admin=200, bureau_admin=200)),
    "api:snapshot-image": Access(api(proctor=200, centre_admin=200, bureau_admin=200)),
    "api:attempt-pause": writes(PROCTOR_WRITES),
    "api:attempt-resume": writes(PROCTOR_WRITES),
    "api:attempt-extra-time": writes(PROCTOR_WRITES),
    "api:attempt-terminate": writes(PROCTOR_WRITES),
    "api:attempt-messages": writes(PROCTOR_WRITES),
    "api:attempt-irregularities": writes(PROCTOR_WRITES),
    "api:incident-decision": writes(PROCTOR_WRITES),
    # -- Bureau only --
    "proctoring:appeals": Access(roles(403, anonymous=LOGIN, bureau_admin=200)),
    "proctoring:appeal": Access(roles(403, anonymous=LOGIN, bureau_admin=200)),
    "exams_monthly_reports": Access(BUREAU_ADMIN),
    "exams_monthly_report_pdf": Access(BUREAU_ADMIN),
    "exams_monthly_report_generate": html_writes(admin(bureau_admin=None), get=admin(405)),
    "exams_regrade": Access(BUREAU_ADMIN),
    "exams_certificates_rerender": Access(BUREAU_ADMIN),
    "exams_certificate_stamp": Access(BUREAU_ADMIN | {"bureau_admin": 404}),  # none stored
    "wagtailusers_users:index": Access(BUREAU_ADMIN),
    "wagtailusers_users:index_results": Access(BUREAU_ADMIN),
    "wagtailusers_users:delete": Access(admin(), kwargs={"pk": "_alice"}),  # noqa: E501  # superusers only
    "accounts_audit_log": Access(BUREAU_ADMIN),
    "accounts_privacy": Access(BUREAU_ADMIN, kwargs={"user_id": "_alice"}),
    "accounts_privacy_export": Access(
        admin(405), post=admin(bureau_admin=None), kwargs={"user_id": "_alice"}
    ),
    "accounts_privacy_erase": Access(
        admin(405), post=admin(bureau_admin=None), kwargs={"user_id": "_alice"}
    ),
    # -- Centre admins and the bureau: bookings, tickets, certificates, statistics --
    "exams_bookings": Access(STAFF_WITH_CENTRES_ADMIN),
    "exams_bookings_export": Access(STAFF_WITH_CENTRES_ADMIN),
    "exams_session_calendar": Access(STAFF_WITH_CENTRES_ADMIN),
    "exams_booking": Access(CENTRE_STAFF_ADMIN),
    "exams_session_similarity": Access(CENTRE_STAFF_ADMIN),
    "exams_book_from_excel": Access(CENTRE_ADMINS_ADMIN),
    "exams_booking_template": Access(CENTRE_ADMINS_ADMIN),
    "exams_session_tickets": Access(CENTRE_ADMINS_ADMIN),
    "exams_session_certificates_zip": Access(CENTRE_ADMINS_ADMIN),
    "exams_certificates": Access(CENTRE_ADMINS_ADMIN),
    "exams_certificates_export": Access(CENTRE_ADMINS_ADMIN),
    "exams_certificates_renewal": Access(CENTRE_ADMINS_ADMIN),
    "exams_certificate": Access(CENTRE_ADMINS_ADMIN),
    "exams_certificate_pdf": Access(CENTRE_ADMINS_ADMIN),
    "exams_dashboard": Access(CENTRE_ADMINS_ADMIN),
    "exams_dashboard_employers": Access(CENTRE_ADMINS_ADMIN),
    "exams_dashboard_export": Access(CENTRE_ADMINS_ADMIN),
    "training_enrol_from_excel": Access(CENTRE_ADMINS_ADMIN),
    "training_enrolment_template": Access(CENTRE_ADMINS_ADMIN),
    # -- Test centres, rooms and sessions in the admin, within one's centres --
    "wagtailsnippets_exams_testcentre:list": Access(STAFF_WITH_CENTRES_ADMIN),
    "wagtailsnippets_exams_testcentre:list_results": Access(STAFF_WITH_CENTRES_ADMIN),
    "wagtailsnippets_exams_testcentre:edit": Access(IN_SCOPE_ADMIN, kwargs={"pk": "_centre"}),
    "wagtailsnippets_exams_testcentre:delete": Access(
        admin(404, centre_admin=DENIED, bureau_admin=200), kwargs={"pk": "_centre"}
    ),
    "wagtailsnippets_exams_testcentre:usage": Access(IN_SCOPE_HISTORY, kwargs={"pk": "_centre"}),
    "wagtailsnippets_exams_testcentre:history": Access(IN_SCOPE_HISTORY, kwargs={"pk": "_centre"}),
    "wagtailsnippets_exams_testcentre:history_results": Access(
        IN_SCOPE_HISTORY, kwargs={"pk": "_centre"}
    ),
    "wagtailsnippetchoosers_exams_testcentre:choose": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_testcentre:choose_results": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_testcentre:chosen": Access(
        CHOSEN_IN_SCOPE, kwargs={"pk": "_centre"}
    ),
    "wagtailsnippets_exams_room:edit": Access(IN_SCOPE_ADMIN, kwargs={"pk": "_room"}),
    "wagtailsnippets_exams_room:delete": Access(IN_SCOPE_ADMIN, kwargs={"pk": "_room"}),
    "wagtailsnippets_exams_room:usage": Access(IN_SCOPE_HISTORY, kwargs={"pk": "_room"}),
    "wagtailsnippets_exams_room:history": Access(IN_SCOPE_HISTORY, kwargs={"pk": "_room"}),
    "wagtailsnippets_exams_room:history_results": Access(IN_SCOPE_HISTORY, kwargs={"pk": "_room"}),
    "wagtailsnippetchoosers_exams_room:choose": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_room:choose_results": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_room:chosen": Access(CHOSEN_IN_SCOPE, kwargs={"pk": "_room"}),
    "wagtailsnippets_exams_examsession:list": Access(STAFF_WITH_CENTRES_ADMIN),
    "wagtailsnippets_exams_examsession:list_results": Access(STAFF_WITH_CENTRES_ADMIN),
    "wagtailsnippets_exams_examsession:edit": Access(IN_SCOPE_ADMIN, kwargs={"pk": "session_id"}),
    "wagtailsnippets_exams_examsession:delete": Access(IN_SCOPE_ADMIN, kwargs={"pk": "session_id"}),
    "wagtailsnippets_exams_examsession:usage": Access(
        IN_SCOPE_HISTORY, kwargs={"pk": "session_id"}
    ),
    "wagtailsnippets_exams_examsession:history": Access(
        IN_SCOPE_HISTORY, kwargs={"pk": "session_id"}
    ),
    "wagtailsnippets_exams_examsession:history_results": Access(
        IN_SCOPE_HISTORY, kwargs={"pk": "session_id"}
    ),
    "wagtailsnippetchoosers_exams_examsession:choose": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_examsession:choose_results": Access(CHOOSER),
    "wagtailsnippetchoosers_exams_examsession:chosen": Access(
        CHOSEN_IN_SCOPE, kwargs={"pk": "session_id"}
    ),
    # -- The question bank: its editors (trainers, centre admins) and the bureau --
    "wagtailsnippets_exams_question:list": Access(
        admin(trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200)
    ),
    "wagtailsnippets_exams_question:list_results": Access(
        admin(trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200)
    ),
    "wagtailsnippets_exams_question:add": Access(BANK_EDITORS_ADMIN),
    "wagtailsnippets_exams_question:edit": Access(
        admin(404, trainer=200, centre_admin=200, bureau_admin=200), kwargs={"pk": "_question"}
    ),
    "wagtailsnippets_exams_question:usage": Access(
        admin(404, trainer=200, centre_admin=200, bureau_admin=200), kwargs={"pk": "_question"}
    ),
    "wagtailsnippets_exams_question:history": Access(
        admin(404, trainer=200, centre_admin=200, bureau_admin=200), kwargs={"pk": "_question"}
    ),
    "wagtailsnippets_exams_question:history_results": Access(
        admin(404, trainer=200, centre_admin=200, bureau_admin=200), kwargs={"pk": "_question"}
    ),
    "wagtailsnippets_exams_question:delete": Access(BUREAU_ADMIN, kwargs={"pk": "_question"}),
    "exams_import": Access(BANK_EDITORS_ADMIN),
    "exams_import_template": Access(BANK_EDITORS_ADMIN),
    "exams_import_job": Access(BANK_EDITORS_ADMIN, kwargs={"pk": "_job"}),
    "exams_import_confirm": Access(
        admin(405),
        post=admin(None, proctor=DENIED, other_proctor=DENIED, publicity_editor=DENIED),
        kwargs={"pk": "_job"},
    ),
    "exams_export": Access(
        admin(trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200)
    ),
    "api:banks": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200)
    ),
    "api:questions": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200),
        post=api(403, trainer=None, centre_admin=None, bureau_admin=None),
    ),
    "api:question": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=404, bureau_admin=200),
        kwargs={"pk": "_question"},
    ),
    "api:papers": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200)
    ),
    "api:paper": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=200, bureau_admin=200),
        kwargs={"pk": "_paper"},
    ),
    "api:question-import": Access(
        api(403, trainer=200, centre_admin=200, publicity_editor=404, bureau_admin=200),
        kwargs={"pk": "_job"},
    ),
    "api:questions-retire": writes(
        BANK_WRITES,
        get=api(403, trainer=405, centre_admin=405, publicity_editor=405, bureau_admin=405),
    ),
    "api:question-imports": writes(
        BANK_WRITES,
        get=api(403, trainer=405, centre_admin=405, publicity_editor=405, bureau_admin=405),
    ),
    "api:paper-draw": writes(
        BANK_WRITES,
        get=api(403, trainer=405, centre_admin=405, publicity_editor=405, bureau_admin=405),
        pk="_paper",
    ),
    # -- Training: trainers, centre admins and the bureau --
    "training_dashboard": Access(TRAINING_ADMIN),
    "training_course_learners": Access(TRAINING_ADMIN),
    "training_learner_record": Access(TRAINING_ADMIN),
    "training_export_course_record": Access(TRAINING_ADMIN),
    # -- Campaign quizzes: publicity editors and the bureau --
    "wagtailsnippets_cms_quiz:list": Access(QUIZ_ADMIN),
    "wagtailsnippets_cms_quiz:list_results": Access(QUIZ_ADMIN),
    "quiz_results": Access(QUIZ_ADMIN),
    "quiz_export": Access(QUIZ_ADMIN),
    "quiz_poster": Access(QUIZ_ADMIN),
    "quiz_prize_draw": html_writes(admin(publicity_editor=None, bureau_admin=None), get=admin(405)),
    "quiz_disqualify": html_writes(admin(publicity_editor=None, bureau_admin=None), get=admin(405)),
    # The quiz editor's searchable chooser of hand-picked questions.
    "quiz_question_chooser:choose": Access(QUIZ_ADMIN),
    "quiz_question_chooser:choose_results": Access(QUIZ_ADMIN),
    "quiz_question_chooser:chosen": Access(QUIZ_ADMIN, kwargs={"pk": "_question"}),
    "quiz_question_chooser:chosen_multiple": Access(QUIZ_ADMIN),
}


def bodies(world):
    """Well-formed bodies, so that a refusal comes from the object lookup, not from validation."""
    now = timezone.now().isoformat()

    def image():
        return ContentFile(frames.jpeg(frames.astronaut()), name="frame.jpg")

    page = world.kwargs["_page"]
    return {
        "answer": {
            "page": page,
            "client_id": str(uuid.uuid4()),
            "sequence": 1,
            "position": 1,
            "selected": [0],
        },
        "submit": {"page": page},
        "consent": {"policy_version": "2026-1"},
        "event": {"kind": BROWSER_EVENTS[0].value},
        "snapshot": {"image": image(), "sequence": 1, "taken_at": now},
        "camera_check": {"image": image()},
        "heartbeat": {"sequence": 1, "visible": True, "idle_seconds": 0},
    }


def url_for(name, pattern, world, access):
    if name.startswith("page:"):
        return world.kwargs[name]
    if pattern is None:
        return reverse(name)
    values = {**world.kwargs, "pk": None}
    values.update({key: world.kwargs[value] for key, value in access.kwargs.items()})
    return reverse(name, kwargs={key: values[key] for key in pattern.pattern.converters})


def routes_in_the_table():
    """Our routes, and the table's extra rows (site pages, the schema): name → pattern or None."""
    ours = routes_of_ours()
    return {name: ours.get(name) for name in TABLE}


def outcome(response):
    """What the person met, in the table's words."""
    if response.status_code in (301, 302):
        location = response["Location"]
        if "/login/" in location:
            return LOGIN
        if location.split("?")[0] in ("/admin/", "/en/admin/"):
            return DENIED
        return REDIRECT
    return response.status_code


def _as(client, world, role):
    client.logout()
    if world.people[role]:
        client.force_login(world.people[role])


def test_every_route_of_ours_is_in_the_table():
    """A new route must say here who may use it."""
    missing = sorted(set(routes_of_ours()) - set(TABLE))
    assert missing == []


def test_the_table_names_no_route_that_is_gone():
    extras = {name for name in TABLE if name.startswith("page:")} | {"api-schema", "api-docs"}
    assert sorted(set(TABLE) - set(routes_of_ours()) - extras) == []


def _shown_text(response):
    """The text a person reads in a response: the page, the JSON, or an Excel workbook's cells."""
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if content_type.startswith(("text/", "application/json")):
        return response.content.decode()
    return ""


# Who must never read A's name or ticket number, on any page they may open.
OUTSIDERS = ("candidate_b", "other_proctor", "publicity_editor")


def test_each_role_meets_what_the_table_says_and_outsiders_never_read_a(world, client):
    a = world.people["candidate_a"]
    ticket_number = Booking.objects.get(pk=world.kwargs["booking_id"]).ticket_number
    wrong, leaks, shown_to_this_centre = [], [], set()
    for name, pattern in routes_in_the_table().items():
        access = TABLE[name]
        url = url_for(name, pattern, world, access)
        for role in ROLES:
            _as(client, world, role)
            response = client.get(url)
            met = outcome(response)
            expected = access.get[role]
            if met not in (expected if isinstance(expected, frozenset) else {expected}):
                wrong.append(f"{name} {url} as {role}: {met}, expected {access.get[role]}")
            if role in (*OUTSIDERS, "proctor") and met == 200:
                text = _shown_text(response)
                if a.real_name in text or ticket_number in text:
                    if role == "proctor":
                        shown_to_this_centre.add(name)
                    else:
                        leaks.append(f"{name} {url} shows A to {role}")
    assert not leaks, "\n".join(leaks)
    # The lists do name A to this centre's proctor, so the check above can see a leak.
    assert {"exams_bookings", "exams_bookings_export"} <= shown_to_this_centre
    assert not wrong, "\n".join(wrong)


def test_refused_writes_are_refused_and_change_nothing(world, client):
    """
    Everyone refused a page is refused a POST to it too; routes that only take
    POST are tried with the roles the table refuses. Nothing in the database moves.
    """
    wrong, changed = [], []
    for name, pattern in routes_in_the_table().items():
        access = TABLE[name]
        url = url_for(name, pattern, world, access)
        # A refused page is a refused POST (any refusal, or 405 where the route takes no POST)...
        refused = {role: None for role, met in access.get.items() if met in REFUSALS}
        # ...and the table says what a POST-only route answers the roles it refuses.
        refused.update({role: met for role, met in (access.post or {}).items() if met})
        before = fingerprint()
        for role, expected in refused.items():
            _as(client, world, role)
            body = bodies(world)[access.body] if access.body else {}
            met = outcome(client.post(url, body))
            if expected is None and met not in REFUSALS | {405}:
                wrong.append(f"{name} {url} as {role}: {met}, expected a refusal")
            elif expected is not None and met != expected:
                wrong.append(f"{name} {url} as {role}: {met}, expected {expected}")
        if refused and fingerprint() != before:
            changed.append(f"{name} {url} as one of {', '.join(refused)}")
    assert not wrong, "\n".join(wrong)
    assert not changed, "\n".join(changed)


# Rows that a refused request may legitimately write: the login time, and the
# record that someone looked (the snapshot view log is written for allowed views only).
UNWATCHED = {"last_login"}


def fingerprint():
    """A digest of every row of our apps' own models (pages aside)."""
    digest = hashlib.sha256()
    for app in OUR_APPS[:-1]:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, Page):
                continue
            names = [f.attname for f in model._meta.concrete_fields if f.attname not in UNWATCHED]
            for row in model.objects.order_by("pk").values_list(*names):
                digest.update(repr(tuple(map(_plain, row))).encode())
    return digest.hexdigest()


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

"""
A proctored exam while Redis (cache and broker) is down: the candidate's
answers, snapshots and hand-in are answered as usual, and once Redis is back
the catch-up sweeps analyse the snapshots and issue the certificate whose
tasks could not be queued. Redis "down" is a port where nothing listens:
the shared Redis of the test run is never stopped.
"""

import contextlib
import socket
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app as celery_app
from exams import selectors as exam_selectors
from exams import tasks as exam_tasks
from exams.models import Certificate
from proctoring import services, tasks
from proctoring.models import Snapshot
from tests.proctoring import frames
from tests.proctoring.test_consent_and_snapshots import started, upload

pytestmark = pytest.mark.django_db


def nowhere():
    """A Redis URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _new_connection_pools():
    # The app keeps its broker connections; the next task opens new ones.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url):
    """Tasks sent, not run in the test, to the broker at `url`."""
    conf = celery_app.conf
    # The write URL: the broker URL is read from CELERY_BROKER_URL first.
    saved = conf.broker_write_url, conf.task_always_eager
    conf.broker_write_url, conf.task_always_eager = url, False
    _new_connection_pools()
    try:
        yield
    finally:
        conf.broker_write_url, conf.task_always_eager = saved
        _new_connection_pools()


@pytest.fixture
def redis_down(settings):
    url = nowhere()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return url


def right_answer(attempt, page):
    item = attempt.questions.select_related("question").get(position=1)
    return {
        "page": str(page),
        "client_id": str(uuid.uuid4()),
        "sequence": 1,
        "position": 1,
        "selected": exam_selectors.shown(item, item.question.answer),
    }


def test_an_exam_goes_on_while_redis_is_down_and_catches_up_once_it_is_back(
    consented, alice, client, redis_down, settings, django_capture_on_commit_callbacks
):
    attempt = started(consented)
    client.force_login(alice)

    with broker_at(redis_down), django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            reverse("api:attempt-answers", args=[attempt.pk]),
            right_answer(attempt, attempt.page),
            content_type="application/json",
        )
        uploaded = upload(client, attempt, frames.jpeg(frames.astronaut()), sequence=1)
        handed_in = client.post(
            reverse("api:attempt-submit", args=[attempt.pk]),
            {"page": str(attempt.page)},
            content_type="application/json",
        )

    assert saved.status_code == 200 and saved.json()["outcome"] == "saved"
    assert uploaded.status_code == 201
    assert handed_in.status_code == 200 and handed_in.json()["passed"] is True
    # Stored, but their tasks never reached a worker.
    snapshot = Snapshot.objects.get(attempt=attempt, kind="interval")
    assert snapshot.analysed_at is None
    assert not Certificate.objects.filter(attempt=attempt).exists()

    # Redis is back (the test's broker runs tasks at once) and the work is old enough.
    settings.CATCH_UP_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        tasks.requeue_unanalysed_snapshots.delay()
        exam_tasks.queue_missing_certificates.delay()

    snapshot.refresh_from_db()
    assert snapshot.analysed_at is not None and snapshot.face_count == 1
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.pdf.read(4) == b"%PDF"


def test_the_sweeps_leave_recent_and_finished_work_alone(
    consented, alice, client, django_capture_on_commit_callbacks
):
    attempt = started(consented)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, attempt, frames.jpeg(frames.astronaut()), sequence=1)
    with broker_at(nowhere()), django_capture_on_commit_callbacks(execute=True):
        upload(client, attempt, frames.jpeg(frames.astronaut()), sequence=2)

    # The default age (5 minutes): a frame just stored may still be on its way.
    assert tasks.requeue_unanalysed_snapshots.delay().get() == 0
    later = timezone.now() + timezone.timedelta(minutes=6)
    assert services.requeue_unanalysed(older_than=timezone.timedelta(minutes=5), now=later) == 1


def test_a_frame_whose_file_is_gone_is_not_queued_again_for_ever(
    consented, alice, client, django_capture_on_commit_callbacks
):
    attempt = started(consented)
    client.force_login(alice)
    with broker_at(nowhere()), django_capture_on_commit_callbacks(execute=True):
        upload(client, attempt, frames.jpeg(frames.astronaut()), sequence=1)
    snapshot = Snapshot.objects.get(attempt=attempt, sequence=1)
    snapshot.image.storage.delete(snapshot.image.name)  # lost with a disk, say
    later = timezone.now() + timezone.timedelta(minutes=6)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_unanalysed(older_than=timezone.timedelta(minutes=5), now=later) == 1

    analysed_at, measurements = Snapshot.objects.values_list("analysed_at", "measurements").get(
        pk=snapshot.pk
    )
    assert analysed_at is not None and measurements == {"unreadable": True}
    assert services.requeue_unanalysed(older_than=timezone.timedelta(minutes=5), now=later) == 0

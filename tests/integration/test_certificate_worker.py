"""
A real Celery worker on Redis, killed with SIGKILL while it issues a
certificate, then started again: the task is delivered again (acks_late) and
the pass ends with exactly one certificate, its number taken once, and its PDF.

The worker is paused at a chosen point by a lock the test holds in
PostgreSQL, so that the kill lands mid-task every time, without test-only
code in the task:

- before the certificate is committed: the test locks the attempt's row,
  which `issue` locks first;
- after it is committed, before the PDF is stored: the bureau's seal, which
  rendering reads and issuing never touches, is a named pipe that the test
  holds open without writing, so the worker waits in the middle of the render.

The worker runs on a queue of its own (a session-wide worker of other
integration tests must not take the task) and with a short visibility
timeout, so that Redis hands an unacknowledged task to the restarted worker
within seconds rather than the production hour.
"""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from PIL import Image, ImageDraw

from config.celery_app import app as celery_app
from exams import tasks
from exams.models import (
    Attempt,
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateSettings,
)
from tests.exams.certificate_fixtures import an_exam, graded_attempt
from tests.factories import UserFactory
from tests.integration.conftest import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUEUE = f"certificates-test-{os.getpid()}"

WORKER = """
import django
django.setup()
from config.celery_app import app
app.conf.broker_transport_options = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.worker_main(%r)
"""


@pytest.fixture
def start_worker(django_db_setup):
    """Start a worker process on QUEUE; every one started is gone after the test."""
    assert connection.vendor == "postgresql", "integration tests need DATABASE_URL=postgres://…"
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "integration tests need Redis"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    started = []
    log_path = Path(settings.BASE_DIR) / "var" / "test-certificate-worker.log"
    log = open(log_path, "a")  # noqa: SIM115 - closed after the test

    def start():
        hostname = f"cert-{uuid.uuid4().hex[:8]}@%h"
        argv = ["worker", "--pool=solo", "-Q", QUEUE, "--without-mingle", "--without-gossip"]
        argv += ["--loglevel=INFO", f"--hostname={hostname}"]
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER % argv],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes all of it
        )
        started.append(worker)
        name = hostname.replace("%h", os.uname().nodename)
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=0.5):
            assert worker.poll() is None, f"the worker exited; see {log_path}"
            assert time.monotonic() < deadline, "the worker did not start in 60 s"
        return worker

    celery_app.conf.task_always_eager = False
    yield start
    celery_app.conf.task_always_eager = True
    for worker in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    log.close()
    celery_app.control.purge()


def kill(worker):
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def someone_waits_for_a_lock():
    """Whether another session of this database waits for a lock (the worker, for ours)."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction unless told to look again.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def passed_attempt(db):
    holder = UserFactory(real_name="李秀英")
    return graded_attempt(holder, an_exam())


@pytest.fixture
def seal(db):
    image = Image.new("RGBA", (120, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 116, 116), outline=(200, 0, 0, 255), width=6)
    data = io.BytesIO()
    image.save(data, format="PNG")
    config = CertificateSettings.load()
    config.seal.save("seal.png", ContentFile(data.getvalue()))
    yield config.seal
    config.seal.delete(save=False)


def finished(attempt):
    return Certificate.objects.filter(attempt=attempt).exclude(pdf="").exists()


def assert_one_certificate_with_its_pdf(attempt):
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.number.endswith("-000001")
    assert CertificateCounter.objects.get().last == 1
    assert list(certificate.events.values_list("action", flat=True)) == [CertificateAction.ISSUED]
    pdf = certificate.pdf.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    certificate.pdf.delete(save=False)


def test_a_worker_killed_before_the_certificate_is_committed_leaves_it_to_the_next(
    start_worker, passed_attempt
):
    worker = start_worker()
    with transaction.atomic():
        Attempt.objects.select_for_update().get(pk=passed_attempt.pk)
        tasks.issue_certificate.apply_async([passed_attempt.pk], queue=QUEUE)
        assert wait_until(someone_waits_for_a_lock), "the worker never reached the attempt"
        kill(worker)
    # The killed worker's transaction never commits.
    time.sleep(1)
    assert not Certificate.objects.exists()

    start_worker()

    assert wait_until(lambda: finished(passed_attempt), timeout=60)
    assert_one_certificate_with_its_pdf(passed_attempt)


def test_a_worker_killed_after_the_certificate_before_its_pdf_finishes_on_redelivery(
    start_worker, passed_attempt, seal
):
    png = Path(seal.path).read_bytes()
    os.remove(seal.path)
    os.mkfifo(seal.path)
    worker = start_worker()
    tasks.issue_certificate.apply_async([passed_attempt.pk], queue=QUEUE)

    def the_render_waits_for_the_seal():
        # Opening a pipe to write without blocking succeeds once a reader is there.
        try:
            return os.open(seal.path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return None

    assert (pipe := wait_until(the_render_waits_for_the_seal)), "the worker never reached the PDF"
    # Issued and committed, no PDF yet: now the worker dies.
    assert Certificate.objects.filter(attempt=passed_attempt, pdf="").exists()
    kill(worker)
    os.close(pipe)
    os.remove(seal.path)
    Path(seal.path).write_bytes(png)

    start_worker()

    assert wait_until(lambda: finished(passed_attempt), timeout=60)
    assert_one_certificate_with_its_pdf(passed_attempt)

"""
A real Celery worker, in its own process, on the real broker and database.

The worker is started with the same settings as the tests and pointed at the
test database that pytest-django created, so that what a task writes is what
the test reads. Integration tests refuse to run on anything but PostgreSQL
and a network broker: against SQLite or the filesystem broker they would
prove nothing about production.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    assert connection.vendor == "postgresql", "integration tests need DATABASE_URL=postgres://…"
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "integration tests need Redis"

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(Path(settings.BASE_DIR) / "var" / "test-worker.log", "w")  # noqa: SIM115
    celery_app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        assert worker.poll() is None, "the Celery worker exited; see var/test-worker.log"
        assert time.monotonic() < deadline, "the Celery worker did not start in 60 s"
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
    log.close()


@pytest.fixture
def real_worker(celery_worker_process):
    """Send tasks to the worker process instead of running them in the test."""
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = True


def wait_until(condition, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    return False

"""
Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright.
Nothing is downloaded: Playwright's own browser builds are not used.
"""

import datetime
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from exams import attempts, bookings
from exams.choices import BookingStatus, SessionStatus
from exams.models import ExamSession, Room, TestCentre

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    # This machine has no internet: stop Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def phone(browser):
    """A page in a phone-sized browser (a common Android screen)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    yield context.new_page()
    context.close()


def serious_accessibility_violations(page):
    """Run axe-core (from npm, injected from node_modules) and keep serious and critical ones."""
    assert AXE.exists(), "axe-core is missing: `make test` installs it with npm ci"
    # Evaluated through the DevTools protocol: a <script> tag with axe's text
    # inline would be refused by the pages' Content-Security-Policy.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# ---------------------------------------------------------------------------
# A web server in its own process, for tests that kill it (pytest-django's
# live_server is a thread of the test process and cannot be killed).
# ---------------------------------------------------------------------------


def eventually(condition, what, timeout=15, interval=0.1):
    """Wait until condition() is true, or fail saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up after {timeout} s waiting for {what}"
        time.sleep(interval)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServer:
    """`manage.py runserver` on the test database, one process: SIGKILL ends it at once."""

    def __init__(self, env, log_path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path
        self.process = None

    def start(self, timeout=60):
        assert not self.running, "the web server is running already"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    f"127.0.0.1:{self.port}",
                    "--noreload",
                    "--skip-checks",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not self._answers():
            assert self.process.poll() is None, f"the web server exited; see {self.log_path}"
            assert time.monotonic() < deadline, f"the web server did not answer in {timeout} s"
            time.sleep(0.1)

    def _answers(self):
        """Any HTTP response will do (/healthz says 503 when a dependency is down)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def ensure_running(self):
        if not self.running:
            self.start()

    def kill(self):
        """SIGKILL: the process ends mid-request, with no clean-up at all."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def web_server(django_db_setup, django_db_blocker):
    """
    The site served by its own process on the test database (committed data
    only: use it from transactional tests). The page polls every second.
    """
    from django.conf import settings
    from django.db import connection

    assert connection.vendor == "postgresql", (
        "the web server process needs DATABASE_URL=postgres://…"
    )
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CONN_MAX_AGE": "0",  # no connection left open to the test database at the end
        "EXAM_STATE_POLL_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = WebServer(env, Path(settings.BASE_DIR) / "var" / "test-web-server.log")
    server.log_path.write_bytes(b"")
    server.start()
    yield server
    server.stop()


def checked_in_booking(exam, candidate, *, check_in_photo=None):
    """
    `candidate` booked into tomorrow's session of `exam` at a test centre, the
    session open for check-in, their paper drawn and their check-in done (with
    the desk photo given, as JPEG bytes): ready to start the exam.
    """
    centre = TestCentre.objects.create(
        name="西湖区安全生产考点", code="XH01", address="文三路 1 号"
    )
    room = Room.objects.create(centre=centre, name="第一考场", seat_count=40, seats_per_row=8)
    now = timezone.now()
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now + datetime.timedelta(days=1),
        capacity=30,
        booking_opens_at=now - datetime.timedelta(days=1),
        booking_closes_at=now + datetime.timedelta(hours=1),
    )
    booking = bookings.book(session=session, candidate=candidate)
    attempts.prepare_attempts(session_id=session.pk)
    ExamSession.objects.filter(pk=session.pk).update(status=SessionStatus.CHECK_IN)
    booking.status = BookingStatus.CHECKED_IN
    if check_in_photo is not None:
        booking.check_in_photo.save("desk.jpg", ContentFile(check_in_photo), save=False)
    booking.save()
    return booking

"""
Fault drills (issue 12): a room sits a proctored exam on the production stack
(`bench/stack.py`: PostgreSQL, Redis with an append-only file, gunicorn behind
nginx, Celery workers per queue and beat, each a process of its own), a fault
is injected mid-exam, the exam goes on, everyone submits, and then the same
no-loss check runs after every drill:

- every acknowledged answer is stored, none overwritten by an older save, one
  save record per acknowledged save (`exam_saves.verify`);
- every acknowledged snapshot is stored under its sequence and analysed
  (`snapshot_latency.verify`), once the queues have caught up;
- every submitted pass has exactly one certificate, with its PDF in storage,
  once the queues have caught up.

The drills:

- `browser-offline`: one candidate in Chromium (Playwright, Debian's
  /usr/bin/chromium, a fake webcam playing the astronaut) goes offline for
  60 s, answering on; the page's visible save status is read and screenshots
  go to var/bench/drill-browser-*.png. The rest of the room saves through the
  API meanwhile.
- `gunicorn-kill`: three times, 10 s apart, one sync worker of the first web
  process is SIGKILLed (as the OOM killer would) while requests are in flight.
- `postgres-restart`: the stack's PostgreSQL is restarted (`pg_ctl restart
  -m fast`: every connection cut) mid-exam.
- `redis-stop`: the stack's Redis (cache and broker) is stopped for 60 s.

The API candidates behave as the exam page does: an answer every `--interval`
seconds (mostly the right one, so that most pass), a save that was not
acknowledged (no answer, 429 or 5xx) is sent again with the same client_id,
1 s doubling to at most 15 s (the page retries at most every 30 s and at
every state poll, every 15 s); a fifth of the room uploads a webcam frame every
20 s, sent again with its sequence until acknowledged. One candidate in five
hands in as the fault begins (their submit is retried the same way, so their
certificates are queued during the fault); the rest hand in at the end.
"What the candidate saw" is every answer that was not 200 from the fault's
start until the last failure, and how long the longest acknowledgement took.

    .venv/bin/python bench/drills.py [--drill browser-offline|gunicorn-kill|postgres-restart|
        redis-stop|all] [--candidates 50] [--interval 5] [--catch-up 600]

Runs the stack of bench/stack.py (BENCH_PORT_OFFSET moves its ports). Exits
non-zero when a check fails.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import exam_saves, snapshot_latency  # noqa: E402
from bench.exam_start import start as start_attempt  # noqa: E402
from bench.harness import RESULTS, VAR, manage, record  # noqa: E402
from bench.heartbeats import run_threads  # noqa: E402
from bench.stack import PROXY_PORT, STACK, Stack  # noqa: E402

SECTION = "Fault drills (issue 12)"
DRILLS = ("browser-offline", "gunicorn-kill", "postgres-restart", "redis-stop")
BEFORE = 30  # seconds of exam before the fault
AFTER = 45  # seconds of exam after the fault is over
OFFLINE = 60  # browser offline, Redis stopped
RIGHT = 0.95  # share of answers that are the key: most pass (the pass mark is 80 %)
UPLOAD_EVERY = 20  # seconds between a proctored client's frames
UPLOADERS = 5  # one candidate in this many uploads frames
EARLY = 5  # one candidate in this many hands in as the fault begins
RETRY_FIRST, RETRY_MAX = 1.0, 15.0
GIVE_UP = 180  # seconds after the exam's end a request stops being retried
TIMEOUT = 60
# The catch-up sweep (exams/proctoring tasks) runs this often in the drills,
# and re-queues work older than this; production's default is 5 minutes.
CATCH_UP_SECONDS = 30


class Log:
    """Every request's answer: (sent, answered, kind, outcome); outcome a status or an error."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def add(self, *event):
        with self.lock:
            self.events.append(event)


def _retryable(outcome):
    return not isinstance(outcome, int) or outcome == 429 or outcome >= 500


def _request(hostname, port, method, path, body, headers, connection=None):
    """(outcome, bytes, connection): outcome a status, or the exception's name."""
    connection = connection or http.client.HTTPConnection(hostname, port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), connection
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        return type(exc).__name__, None, None


class Saver(exam_saves.Candidate):
    """exam_saves' candidate, resending an unacknowledged save until it is acknowledged."""

    def __init__(self, host, attempt_id, key, start_answer, keys, log):
        super().__init__(host, attempt_id, key, start_answer)
        self.keys, self.log = keys, log
        self.port = int(self.port)
        self.connection = None
        self.retried = False
        self.waits = []  # seconds from first send to acknowledgement, of retried requests
        self.give_up_at = float("inf")
        self.result = None
        self.hand_in = threading.Event()  # set: hand in at the next moment, not save

    def answer(self, position):
        payload = super().answer(position)
        if payload["selected"] and self.rng.random() < RIGHT:
            payload["selected"] = self.keys[position]
        return payload

    def post(self, path, payload, kind="save"):
        body = json.dumps(payload)
        first, delay, self.retried = time.monotonic(), RETRY_FIRST, False
        while True:
            self.requests += 1
            sent = time.monotonic()
            outcome, data, self.connection = _request(
                self.hostname, self.port, "POST", path, body, self.headers, self.connection
            )
            self.log.add(sent, time.monotonic(), kind, outcome)
            if outcome == 200:
                self.answers.append((time.monotonic(), time.monotonic() - sent))
                if self.retried:
                    self.waits.append(time.monotonic() - first)
                return 200, json.loads(data)
            self.errors[str(outcome)] += 1
            if not _retryable(outcome) or time.monotonic() > self.give_up_at:
                return (outcome if isinstance(outcome, int) else None), None
            self.retried = True
            time.sleep(delay * random.uniform(0.75, 1.25))
            delay = min(delay * 2, RETRY_MAX)

    def send(self, payload, expect):
        status, data = self.post(self.path, payload)
        self.sent.append(payload)
        if status != 200 or data is None:
            self.unanswered += 1
            return
        outcome = data["outcome"]
        self.outcomes[outcome] += 1
        # A retry after a lost answer finds its save stored: "duplicate" is right.
        if outcome != expect and not (self.retried and outcome == "duplicate"):
            self.problems[
                {
                    "saved": "new save not answered “saved”",
                    "stale": "late older save not answered “stale”",
                    "duplicate": "retry not answered “duplicate”",
                }[expect]
            ] += 1
        position, sequence, client_id = (
            payload["position"],
            payload["sequence"],
            payload["client_id"],
        )
        if outcome != "duplicate" or client_id not in self.acknowledged:
            self.acknowledged.setdefault(client_id, (sequence, position, outcome))
        stored = self.expected.get(position)
        if stored is None or sequence > stored[0]:
            stored = self.expected[position] = (sequence, payload["selected"], payload["flagged"])
        answered = (data["saved_sequence"], sorted(data["selected"]), data["flagged"])
        if data["position"] != position or answered != stored:
            self.problems["response's answer ≠ client's expectation"] += 1

    def finish(self):
        """Answer the questions not answered yet, one after another, then hand in."""
        for position in sorted(set(self.options) - set(self.expected)):
            self.send(self.answer(position), "saved")
        self.submit()

    def submit(self):
        path = f"/api/v1/attempts/{self.attempt_id}/submit/"
        status, data = self.post(path, {"page": self.page}, kind="submit")
        self.result = data if status == 200 else {"status": status}


class Uploader(snapshot_latency.Candidate):
    """snapshot_latency's candidate, resending a frame with its sequence until acknowledged."""

    def __init__(self, *args, log, **kwargs):
        super().__init__(*args, **kwargs)
        self.log = log
        self.waits = []
        self.give_up_at = float("inf")

    def upload(self):
        self.sequence += 1
        upload = snapshot_latency.Upload(self.attempt_id, self.sequence, False)
        self.uploads.append(upload)
        taken_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body, content_type = snapshot_latency.multipart(
            {"sequence": self.sequence, "taken_at": taken_at, "kind": "interval"},
            self.faces[False],
            f"{self.sequence}.jpg",
        )
        headers = {**self.headers, "Content-Type": content_type}
        upload.sent = time.time()
        first, delay, retried = time.monotonic(), RETRY_FIRST * 2, False
        while True:
            self.requests += 1
            sent = time.monotonic()
            outcome, data, connection = _request(
                self.hostname, int(self.port), "POST", self.path, body, headers
            )
            if connection:
                connection.close()
            self.log.add(sent, time.monotonic(), "snapshot", outcome)
            if outcome in (200, 201):
                upload.status, upload.latency = outcome, time.monotonic() - sent
                upload.snapshot = json.loads(data)["id"]
                if retried:
                    self.waits.append(time.monotonic() - first)
                return
            self.errors[str(outcome)] += 1
            if not _retryable(outcome) or time.monotonic() > self.give_up_at:
                upload.status = outcome
                return
            retried = True
            time.sleep(delay * random.uniform(0.75, 1.25))
            delay = min(delay * 2, RETRY_MAX * 2)


# ---------------------------------------------------------------------------
# The room
# ---------------------------------------------------------------------------


def seed_room(candidates):
    """
    A proctored room of started sittings (snapshot_latency.seed: consent, a
    camera check, a session cookie each), their API tokens and each paper's
    key as the candidate sees it: [(attempt id, token, session key, csrf, keys)].
    """
    from rest_framework.authtoken.models import Token

    from exams import selectors
    from exams.models import Attempt, AttemptQuestion

    forget_earlier_certificates()
    session, sessions = snapshot_latency.seed(candidates)
    ids = [attempt_id for attempt_id, _, _ in sessions]
    owners = dict(Attempt.objects.filter(pk__in=ids).values_list("pk", "candidate_id"))
    tokens = dict(Token.objects.filter(user_id__in=owners.values()).values_list("user_id", "key"))
    keys = {pk: {} for pk in ids}
    for item in AttemptQuestion.objects.filter(attempt_id__in=ids).select_related("question"):
        keys[item.attempt_id][item.position] = selectors.shown(item, item.question.answer)
    people = [
        (pk, tokens[owners[pk]], session_key, csrf, keys[pk]) for pk, session_key, csrf in sessions
    ]
    return session, people


def forget_earlier_certificates():
    """Earlier drills' certificates (files, events, rows): they protect the seed's attempts."""
    from exams.models import Certificate

    earlier = Certificate.objects.filter(
        attempt__booking__session__centre__code=snapshot_latency.CENTRE_CODE
    )
    storage = Certificate._meta.get_field("pdf").storage
    for name in earlier.exclude(pdf="").values_list("pdf", flat=True):
        storage.delete(name)
    earlier.delete()  # and their events


class Room:
    """The API candidates of a drill: savers (all), uploaders (some), ticking until stopped."""

    def __init__(self, host, people, *, interval):
        self.host, self.interval, self.log = host, interval, Log()
        self.stop = threading.Event()
        starts = [None] * len(people)

        def resume(index):
            attempt_id, key = people[index][0], people[index][1]
            starts[index] = start_attempt(host, attempt_id, key)

        run_threads(range(len(people)), resume)
        refused = Counter(a.problem() for a in starts if not a.ok)
        if refused:
            raise RuntimeError(f"attempts not resumed: {dict(refused)}")
        self.savers = [
            Saver(host, pk, key, answer, keys, self.log)
            for (pk, key, _, _, keys), answer in zip(people, starts, strict=True)
        ]
        faces = {False: snapshot_latency_face()}
        self.uploaders = [
            Uploader(
                host,
                pk,
                session_key,
                csrf,
                rng=random.Random(pk),
                faces=faces,
                no_face_share=0,
                log=self.log,
            )
            for n, (pk, _, session_key, csrf, _) in enumerate(people)
            if n % UPLOADERS == 0
        ]
        self.early = [s for n, s in enumerate(self.savers) if n % EARLY == EARLY - 1]
        self.threads = []

    def _saving(self, saver):
        """Save every `interval` seconds; hand in when told to (in this thread: one connection)."""
        due = time.monotonic() + saver.rng.uniform(0, self.interval)
        while not self.stop.is_set():
            if saver.hand_in.is_set():
                saver.finish()
                return
            if time.monotonic() < due:
                self.stop.wait(min(0.25, due - time.monotonic()))
                continue
            saver.tick()
            due += self.interval

    def _uploading(self, uploader):
        """A frame every UPLOAD_EVERY seconds until the exam (or the candidate's) is over."""
        handed_in = next(s.hand_in for s in self.savers if s.attempt_id == uploader.attempt_id)
        due = time.monotonic() + uploader.rng.uniform(0, UPLOAD_EVERY)
        while not self.stop.is_set():
            self.stop.wait(max(0.0, due - time.monotonic()))
            if self.stop.is_set() or handed_in.is_set():
                return
            uploader.upload()
            due += UPLOAD_EVERY

    def begin(self):
        for target, people in ((self._saving, self.savers), (self._uploading, self.uploaders)):
            for person in people:
                thread = threading.Thread(target=target, args=(person,), daemon=True)
                thread.start()
                self.threads.append(thread)

    def hand_in_early(self):
        """One candidate in EARLY hands in now, from their own thread."""
        for saver in self.early:
            saver.hand_in.set()

    def end(self):
        """Stop saving, let every request in flight finish, and hand in the rest."""
        for person in [*self.savers, *self.uploaders]:
            person.give_up_at = time.monotonic() + GIVE_UP
        self.stop.set()
        for thread in self.threads:
            thread.join()
        run_threads([s for s in self.savers if s.result is None], Saver.finish)


def snapshot_latency_face():
    from tests.proctoring import frames

    return frames.jpeg(frames.astronaut())


# ---------------------------------------------------------------------------
# Catching up, and the no-loss check
# ---------------------------------------------------------------------------


def outstanding(session):
    """(passes without a certificate with a PDF, stored snapshots not analysed, held back)."""
    from exams.certificates import certificate_held_back
    from exams.models import Attempt
    from proctoring.choices import SnapshotKind
    from proctoring.models import Snapshot

    passes = Attempt.objects.filter(booking__session=session, passed=True).select_related(
        "certificate"
    )
    missing = held = 0
    for attempt in passes:
        certificate = getattr(attempt, "certificate", None)
        if certificate is not None and certificate.pdf:
            continue
        if certificate is None and certificate_held_back(attempt):
            held += 1
        else:
            missing += 1
    unanalysed = (
        Snapshot.objects.filter(attempt__booking__session=session, analysed_at__isnull=True)
        .exclude(kind=SnapshotKind.CHECK)
        .count()
    )
    return missing, unanalysed, held


def catch_up(session, limit):
    """Seconds until every pass has its certificate and every snapshot is analysed, or None."""
    began = time.monotonic()
    while True:
        missing, unanalysed, _ = outstanding(session)
        if not missing and not unanalysed:
            return time.monotonic() - began
        if time.monotonic() - began > limit:
            return None
        time.sleep(2)


def certificate_check(session, savers):
    from django.db.models import Count

    from exams.choices import AttemptStatus
    from exams.models import Attempt, Certificate

    check = Counter()
    ids = [s.attempt_id for s in savers]
    attempts = Attempt.objects.filter(pk__in=ids)
    check["submitted (answered 200)"] = sum(1 for s in savers if "passed" in (s.result or {}))
    check["graded"] = attempts.filter(status=AttemptStatus.GRADED).count()
    passes = attempts.filter(status=AttemptStatus.GRADED, passed=True)
    check["passes"] = passes.count()
    per_attempt = dict(
        Certificate.objects.filter(attempt__in=passes)
        .values("attempt")
        .annotate(n=Count("pk"))
        .values_list("attempt", "n")
    )
    _, _, held = outstanding(session)
    check["passes held back for a proctor's review"] = held
    for pk in passes.values_list("pk", flat=True):
        if per_attempt.get(pk, 0) != 1:
            check["pass without exactly one certificate"] += 1
    storage = Certificate._meta.get_field("pdf").storage
    for certificate in Certificate.objects.filter(attempt__in=passes):
        if not certificate.pdf or not storage.exists(certificate.pdf.name):
            check["certificate without its PDF in storage"] += 1
    check["certificates for an attempt that did not pass"] = (
        Certificate.objects.filter(attempt__in=attempts).exclude(attempt__in=passes).count()
    )
    check["pass without exactly one certificate"] -= held
    return check


CHECK_ROWS = [
    # (label, key, must be zero)
    (
        "answers: questions with an acknowledged answer",
        "questions with an acknowledged answer",
        False,
    ),
    ("answers: stored = newest acknowledged", "stored = newest acknowledged answer", False),
    ("acknowledged saves", "acknowledged saves (distinct client ids)", False),
    ("acknowledged answer lost", "acknowledged answer lost (nothing stored)", True),
    (
        "stored answer older than an acknowledged save",
        "stored answer older than an acknowledged save (reordered)",
        True,
    ),
    (
        "stored answer ≠ acknowledged answer of that sequence",
        "stored answer ≠ acknowledged answer of that sequence",
        True,
    ),
    (
        "stored answer newer than any acknowledged",
        "stored answer newer than any acknowledged (unanswered save)",
        True,
    ),
    ("acknowledged save with no save record", "acknowledged save with no AnswerSave row", True),
    ("attempt sequence ≠ highest acknowledged", "attempt sequence ≠ highest acknowledged", True),
    ("response's answer ≠ client's expectation", "response's answer ≠ client's expectation", True),
    ("new save not answered “saved”", "new save not answered “saved”", True),
    ("late older save not answered “stale”", "late older save not answered “stale”", True),
    ("retry not answered “duplicate”", "retry not answered “duplicate”", True),
    ("snapshots acknowledged", "uploads acknowledged (201 or 200)", False),
    (
        "acknowledged snapshot not stored under its sequence",
        "acknowledged upload not stored under its sequence",
        True,
    ),
    ("stored snapshot not analysed", "stored snapshot not analysed after the drain", True),
    ("submitted (answered 200)", "submitted (answered 200)", False),
    ("graded", "graded", False),
    ("passes", "passes", False),
    ("passes held back for a proctor's review", "passes held back for a proctor's review", False),
    ("pass without exactly one certificate", "pass without exactly one certificate", True),
    ("certificate without its PDF in storage", "certificate without its PDF in storage", True),
    (
        "certificate for an attempt that did not pass",
        "certificates for an attempt that did not pass",
        True,
    ),
]


def no_loss(session, room, uploads, catch_up_limit):
    """The same check after every drill: ({key: count}, failed labels, catch-up seconds)."""
    from django.db import connections

    connections.close_all()
    caught_up = catch_up(session, catch_up_limit)
    check = Counter()
    check.update(exam_saves.verify(room.savers, []))
    snapshots, _, _, _ = snapshot_latency.verify(session, uploads)
    check.update(snapshots)
    check.update(certificate_check(session, room.savers))
    not_started = sum(1 for s in room.savers if "passed" not in (s.result or {}))
    failed = [label for label, key, zero in CHECK_ROWS if zero and check[key]]
    if not_started:
        failed.append(f"{not_started} candidates could not hand in")
    if caught_up is None:
        failed.append(f"queues not caught up within {catch_up_limit} s")
    return check, failed, caught_up


# ---------------------------------------------------------------------------
# What the candidates saw, and what the servers logged
# ---------------------------------------------------------------------------


class ServerLogs:
    """What the web processes logged during a drill (their logs are appended to)."""

    PATTERNS = {
        "web: tasks not queued (broker unreachable), left to the catch-up sweep": (
            "web-",
            "not queued: the broker is unreachable",
        ),
        "web: cache calls skipped (Redis unreachable)": ("web-", "skipped: Redis is unreachable"),
        "web: requests that failed with an error (500, logged)": ("web-", "Internal Server Error"),
    }

    def __init__(self):
        self.sizes = {path: path.stat().st_size for path in STACK.glob("*.log")}

    def rows(self):
        counts = Counter()
        for path in STACK.glob("*.log"):
            with path.open("rb") as log:
                log.seek(self.sizes.get(path, 0))
                text = log.read().decode(errors="replace")
            for label, (prefix, pattern) in self.PATTERNS.items():
                if path.name.startswith(prefix):
                    counts[label] += text.count(pattern)
        return [(label, counts[label]) for label in self.PATTERNS]


def seen(room, fault_start):
    """Answers other than 200/201 from the fault's start on, and the waits they caused."""
    events = [e for e in room.log.events if e[1] >= fault_start]
    bad = sorted(e for e in events if _retryable(e[3]))
    refused = Counter(str(e[3]) for e in events if e[3] not in (200, 201) and not _retryable(e[3]))
    codes = Counter(str(e[3]) for e in bad)
    by_kind = Counter(e[2] for e in bad)
    window = (bad[0][0] - fault_start, max(e[1] for e in bad) - fault_start) if bad else None
    waits = [w for person in [*room.savers, *room.uploaders] for w in person.waits]
    affected = sum(1 for person in [*room.savers, *room.uploaders] if person.waits)
    return {
        "requests": len(events),
        "bad": len(bad),
        "codes": ", ".join(f"{code} × {n}" for code, n in codes.most_common()) or "none",
        "kinds": ", ".join(f"{kind} {n}" for kind, n in by_kind.most_common()) or "—",
        "window": window,
        "waits": sorted(waits),
        "affected": affected,
        "refused": ", ".join(f"{code} × {n}" for code, n in refused.most_common()) or "none",
    }


def seen_rows(saw, people):
    waits = saw["waits"]
    window = saw["window"]
    return [
        ("requests answered from the fault on", saw["requests"]),
        ("of which failed and were retried (no answer, 429, 5xx)", saw["bad"]),
        ("failures, by answer", saw["codes"]),
        ("failures, by what was sent", saw["kinds"]),
        (
            "first and last failure, after the fault began",
            f"+{window[0]:.1f} s … +{window[1]:.1f} s" if window else "—",
        ),
        ("clients (of savers + uploaders) that had to retry", f"{saw['affected']} of {people}"),
        ("refused for good (4xx, not retried)", saw["refused"]),
        (
            "longest wait for an acknowledgement (first send → 200)",
            f"{waits[-1]:.1f} s" if waits else "—",
        ),
        (
            "median wait of the requests retried",
            f"{waits[len(waits) // 2]:.1f} s" if waits else "—",
        ),
    ]


def drill_table(fault_rows, saw_rows, check, failed, caught_up, extra=()):
    lines = ["| what | figure |", "| --- | ---: |"]
    for label, value in [*fault_rows, *saw_rows, *extra]:
        lines.append(f"| {label} | {value} |")
    lines.append(
        "| queues caught up (every pass certified, every snapshot analysed) after the last "
        f"hand-in | {f'{caught_up:.0f} s' if caught_up is not None else 'no'} |"
    )
    for label, key, zero in CHECK_ROWS:
        lines.append(f"| {label}{' (must be 0)' if zero else ''} | {check[key]} |")
    lines.append("")
    lines.append("**Failed:** " + "; ".join(failed) if failed else "Every check passed.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The drills
# ---------------------------------------------------------------------------


def stack_for_drill(**env):
    return Stack(
        web=2,
        workers=2,
        queues={"default": 1, "documents": 1, "snapshots": 1},
        beat=True,
        CATCH_UP_SECONDS=str(CATCH_UP_SECONDS),
        # nginx passes the Host without its port (`Host $host`, right on port
        # 443): the browser's Origin names the proxy's port.
        CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{PROXY_PORT}",
        **env,
    )


def ready(stack):
    """
    Django in this process on the stack's database (with no connection of an
    earlier stack), and seed_demo's question bank and paper in it.
    """
    from django.apps import apps

    if not apps.ready:
        stack.setup_django()
    from django.db import connections

    from exams.demo_questions import BLUEPRINT
    from exams.models import Paper

    connections.close_all()
    if not Paper.objects.filter(name=BLUEPRINT["name"]).exists():
        manage({**stack.env, "DEMO_HISTORY_ATTEMPTS": "0"}, "seed_demo")


def api_drill(name, args, inject):
    """A room saving and uploading through the API; `inject(stack)` → rows describing the fault."""
    with stack_for_drill() as stack:
        ready(stack)
        session, people = seed_room(args.candidates)
        room = Room(stack.host, people, interval=args.interval)
        print(f"{name}: {len(room.savers)} candidates, {len(room.uploaders)} uploading …")
        logs = ServerLogs()
        room.begin()
        time.sleep(BEFORE)
        fault_start = time.monotonic()
        room.hand_in_early()
        fault_rows = inject(stack)
        time.sleep(AFTER)
        room.end()
        uploads = [u for uploader in room.uploaders for u in uploader.uploads]
        check, failed, caught_up = no_loss(session, room, uploads, args.catch_up)
        saw = seen(room, fault_start)
    people = len(room.savers) + len(room.uploaders)
    body = drill_table(fault_rows, seen_rows(saw, people), check, failed, caught_up, logs.rows())
    return body, failed


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def kill_busy_worker(web, patience=5.0):
    """
    SIGKILL a worker that is answering a request (its CPU time moves), so
    that the kill lands mid-request; any worker after `patience` seconds.
    """
    import signal

    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        before = {pid: cpu_ticks(pid) for pid in web.worker_pids()}
        time.sleep(0.02)
        for pid, ticks in before.items():
            with contextlib.suppress(OSError):
                if cpu_ticks(pid) > ticks:
                    os.kill(pid, signal.SIGKILL)
                    return pid, True
    return web.kill_worker(), False


def kill_gunicorn(stack):
    web = stack.web[0]
    rows = []
    for n in range(3):
        pid, busy = kill_busy_worker(web)
        started = time.monotonic()
        # The master notices and forks another.
        while pid in web.worker_pids() or len(web.worker_pids()) < web.workers:
            time.sleep(0.05)
        rows.append(
            (
                f"kill {n + 1}: worker {pid} SIGKILLed ({'busy' if busy else 'idle'}); "
                "the master's new worker up after",
                f"{time.monotonic() - started:.1f} s",
            )
        )
        if n < 2:
            time.sleep(10)
    return [
        (
            "fault",
            "a gunicorn sync worker of web 1 SIGKILLed while busy, three times 10 s apart",
        )
    ] + rows


def restart_postgres(stack):
    started = time.monotonic()
    stack.postgres.restart()
    return [
        ("fault", "PostgreSQL restarted (`pg_ctl restart -m fast`)"),
        ("PostgreSQL down (restart returned after)", f"{time.monotonic() - started:.1f} s"),
    ]


def stop_redis(stack):
    stack.redis.stop()
    time.sleep(OFFLINE)
    stack.redis.start()
    return [("fault", f"Redis (cache and broker) stopped for {OFFLINE} s, then started")]


# ---------------------------------------------------------------------------
# The browser drill
# ---------------------------------------------------------------------------


def webcam(path):
    from tests.browser.test_proctoring import webcam_video
    from tests.proctoring import frames

    return webcam_video(path, frames.astronaut())


def browser_drill(name, args):
    from playwright.sync_api import sync_playwright

    shots = VAR / "drill-browser"
    # The page takes a frame every ~10 s (so that some wait offline) and polls every 5 s.
    with stack_for_drill(
        PROCTORING_SNAPSHOT_SECONDS="10",
        PROCTORING_SNAPSHOT_JITTER_SECONDS="2",
        EXAM_STATE_POLL_SECONDS="5",
    ) as stack:
        ready(stack)
        from exams.models import AttemptQuestion
        from proctoring.choices import SnapshotKind
        from proctoring.models import Snapshot
        from tests.browser.conftest import CHROMIUM_ARGS

        # Playwright's sync API runs an event loop in this thread; the database
        # calls between its steps are synchronous all the same.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        session, people = seed_room(args.candidates)
        (attempt_id, _, session_key, csrf, keys), others = people[0], people[1:]
        room = Room(stack.host, others, interval=args.interval)
        logs = ServerLogs()
        room.begin()
        url = f"http://{stack.host}"
        texts, network, answered = [], Counter(), {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    *CHROMIUM_ARGS,
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    f"--use-file-for-fake-video-capture={webcam(VAR / 'drill-webcam.y4m')}",
                ],
            )
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            context.grant_permissions(["camera"], origin=url)
            # Signed in as seeded (the production cookies are Secure; this is plain HTTP).
            context.add_cookies(
                [
                    {"name": "sessionid", "value": session_key, "url": url},
                    {"name": "csrftoken", "value": csrf, "url": url},
                ]
            )
            page = context.new_page()
            page.set_default_timeout(30_000)

            def response(r):
                if "/api/" in r.url and r.request.method == "POST":
                    network[f"{r.url.rsplit('/', 2)[-2]} {r.status}"] += 1

            def failure(r):
                if "/api/" in r.url:
                    network[f"{r.url.rsplit('/', 2)[-2]} failed ({r.failure})"] += 1

            page.on("response", response)
            page.on("requestfailed", failure)
            page.goto(f"{url}/exams/attempts/{attempt_id}/")
            page.locator("main#exam[data-ready='true']").wait_for()
            status = page.locator("#save-status")
            positions = sorted(keys)

            def give(position, right=True):
                page.locator(f"nav#exam-navigator button[data-position='{position}']").click()
                shown = keys[position] if right else [0]
                for option in shown or [0]:
                    page.locator(
                        f"#q-{position} input[name='q-{position}'][value='{option}']"
                    ).check()
                answered[position] = sorted(shown or [0])

            def read(moment):
                texts.append((moment, status.get_attribute("data-state"), status.inner_text()))

            for position in positions[:5]:
                give(position)
            page.locator("#save-status[data-state='saved']").wait_for()
            read("online, before")
            page.screenshot(path=f"{shots}-1-online.png")

            time.sleep(BEFORE)
            fault_start = time.monotonic()
            context.set_offline(True)
            for n, position in enumerate(positions[5:11]):
                give(position)
                if n == 0:
                    read("offline, just after an answer")
                time.sleep(OFFLINE / 6)
            read(f"offline, after {OFFLINE} s")
            page.screenshot(path=f"{shots}-2-offline.png")
            journal = page.evaluate(
                f"() => Object.keys(JSON.parse("
                f"localStorage.getItem('ankang.exam.{attempt_id}.journal') || '{{}}')).length"
            )
            queued = (
                Snapshot.objects.filter(attempt_id=attempt_id)
                .exclude(kind=SnapshotKind.CHECK)
                .count()
            )
            context.set_offline(False)
            back = time.monotonic()
            page.locator("#save-status[data-state='saved']").wait_for(timeout=120_000)
            saved_after = time.monotonic() - back
            read("online again, all sent")
            page.screenshot(path=f"{shots}-3-back.png")
            for position in positions[11:15]:
                give(position)
            time.sleep(AFTER)
            page.locator("#save-status[data-state='saved']").wait_for()
            before_hand_in = time.monotonic()
            page.locator("#exam-review").click()
            page.locator("#exam-submit").click()
            page.locator("#exam-confirm-submit").click()
            page.wait_for_url("**/result/", timeout=120_000)
            hand_in = time.monotonic() - before_hand_in
            page.screenshot(path=f"{shots}-4-result.png", full_page=True)
            context.close()
            browser.close()
        room.end()
        uploads = [u for uploader in room.uploaders for u in uploader.uploads]
        check, failed, caught_up = no_loss(session, room, uploads, args.catch_up)
        saw = seen(room, fault_start)
        stored = {
            item.position: sorted(shown_of(item))
            for item in AttemptQuestion.objects.filter(attempt_id=attempt_id)
            if item.saved_sequence
        }
        lost = sum(1 for p, shown in answered.items() if stored.get(p) != shown)
        browser_frames = Snapshot.objects.filter(attempt_id=attempt_id).exclude(
            kind=SnapshotKind.CHECK
        )
        unanalysed = browser_frames.filter(analysed_at__isnull=True).count()
        frames_stored = browser_frames.count()
    if lost:
        failed.append(f"{lost} of the browser's answers not stored as given")
    if unanalysed:
        failed.append(f"{unanalysed} of the browser's snapshots not analysed")
    fault_rows = [
        ("fault", f"the candidate's browser offline for {OFFLINE} s (Playwright), answering on"),
    ]
    for moment, state, text in texts:
        fault_rows.append((f"the page's save status, {moment}", f"“{text}” (`{state}`)"))
    fault_rows += [
        ("answers given in the browser (6 of them offline)", len(answered)),
        ("answers waiting in the page's journal (localStorage) at the end of the outage", journal),
        (
            "the browser's snapshots stored when the outage ended (the rest waited on the page)",
            queued,
        ),
        ("back online → every answer saved (status “saved”)", f"{saved_after:.1f} s"),
        ("hand-in (review, submit, confirm) → result page", f"{hand_in:.1f} s"),
        ("the browser's answers stored as given (must all be)", f"{len(answered) - lost}"),
        (
            "the browser's snapshots stored / analysed",
            f"{frames_stored} / {frames_stored - unanalysed}",
        ),
        (
            "the browser's API requests: answered POSTs by status, and failed (any method)",
            ", ".join(f"{k} × {n}" for k, n in sorted(network.items())),
        ),
        (
            "screenshots",
            ", ".join(
                f"`var/bench/drill-browser-{n}.png`"
                for n in ("1-online", "2-offline", "3-back", "4-result")
            ),
        ),
    ]
    people_count = len(room.savers) + len(room.uploaders)
    saw_rows = [
        (f"the rest of the room (API): {label}", value)
        for label, value in seen_rows(saw, people_count)[:2]
    ]
    body = drill_table(fault_rows, saw_rows, check, failed, caught_up, logs.rows())
    return body, failed


def shown_of(item):
    from exams import selectors

    return selectors.shown(item, item.selected)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drill", choices=[*DRILLS, "all"], default="all")
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--interval", type=float, default=5, help="seconds between saves")
    parser.add_argument("--catch-up", type=float, default=600, help="seconds to wait for queues")
    args = parser.parse_args()
    chosen = DRILLS if args.drill == "all" else (args.drill,)
    injections = {
        "gunicorn-kill": kill_gunicorn,
        "postgres-restart": restart_postgres,
        "redis-stop": stop_redis,
    }
    results = {}
    for name in chosen:
        began = time.monotonic()
        if name == "browser-offline":
            results[name] = browser_drill(name, args)
        else:
            results[name] = api_drill(name, args, injections[name])
        print(f"{name}: {time.monotonic() - began:.0f} s, failed: {results[name][1] or 'nothing'}")
    failed = [f"{name}: {f}" for name, (_, fs) in results.items() for f in fs]
    command = f"python bench/drills.py --drill {args.drill} --candidates {args.candidates}"
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    blocks = earlier_blocks()
    for name in chosen:
        blocks[name] = f"Run: `{command}`, {stamp}.\n\n{results[name][0]}"
    body = (
        f"A proctored room of {args.candidates} candidates on the stack of `bench/stack.py` "
        "(its own PostgreSQL and Redis with an append-only file, 2 gunicorn processes of 2 sync "
        "workers behind nginx, one Celery worker per queue — default, documents, snapshots — "
        f"and beat, whose catch-up sweep runs every {CATCH_UP_SECONDS} s here). Each candidate "
        f"saves an answer every {args.interval:g} s through the API, resending an answer not "
        f"acknowledged with its client id (1 s doubling to {RETRY_MAX:g} s), one in "
        f"{UPLOADERS} uploads a webcam frame every {UPLOAD_EVERY} s (resent with its sequence); "
        f"the fault comes {BEFORE} s in, one candidate in {EARLY} hands in as it begins, the "
        f"rest {AFTER} s after it is over. Then the same no-loss check after every drill "
        "(waiting for the queues to catch up first). A drill run on its own replaces its own "
        "table only.\n\n"
        + "\n\n".join(f"### {name}\n\n{blocks[name].strip()}" for name in DRILLS if name in blocks)
        + "\n"
    )
    record(SECTION, command, body)
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


def earlier_blocks():
    """The tables of drills run before (a drill run on its own replaces only its own)."""
    if not RESULTS.exists():
        return {}
    found = re.search(
        rf"<!-- {re.escape(SECTION)} -->(.*?)<!-- /{re.escape(SECTION)} -->",
        RESULTS.read_text(),
        re.S,
    )
    if not found:
        return {}
    blocks = {}
    for block in re.split(r"^### ", found.group(1), flags=re.M)[1:]:
        name, _, text = block.partition("\n")
        if name.strip() in DRILLS:
            blocks[name.strip()] = text
    return blocks


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()

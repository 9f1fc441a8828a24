"""
Webcam snapshots at exam scale (issue 8): how long from a candidate's upload
to the flag on the proctor's board, with 500 candidates in a proctored sitting,
through the real stack: gunicorn (`config.settings.production`, 2 workers),
PostgreSQL, Redis as broker and cache, and Celery workers (2 processes,
`-P solo`) running `analyse_snapshot`.

One room of candidates at a bench centre of its own, their attempts started,
each with the proctoring in place as after a passed camera check (written
directly, in bulk: a consent policy in force, a Consent row, a check-in photo
of the astronaut so that the worker builds the candidate's identity model,
and a camera-check Snapshot of kind "check"), and a session made directly for
each (the exam page's own authentication: session cookie and CSRF token).

Each candidate then uploads a JPEG frame (`POST /api/v1/attempts/<id>/snapshots/`,
multipart image + sequence + taken_at, as static/js/proctoring_exam.js does)
every 30 s ± 10 s (a first one at a moment of its own in the first 30 s), for
`--seconds`: the astronaut (one face, the check-in face) or, for about
`--no-face` of the frames, an empty scene (no face), which must raise a
"no face" incident. A request with no answer is sent again with the same
sequence, as the page does. Measured:

- uploads offered and acknowledged per second, upload response times at the
  client and gunicorn's own time per upload (its access log);
- upload → analysed: the snapshot's `analysed_at` − `received_at` (both by the
  server's clock), and from the moment the client sent it;
- upload → flag: for the no-face frames, when the incident pointing at that
  frame was first seen by a poller reading the incidents every 0.5 s (what a
  proctor's board polling as often would see), from the client's send;
- the backlog (snapshots stored, not analysed; tasks waiting in Redis) every
  5 s, at the end of the load, and the time for the queue to drain;
- next to it, in the same run, the analyses per second of one process on one
  core (`bench/snapshots.py`'s `rates()`), and the CPU each part used.

Afterwards (waiting at most `--drain` seconds for the queue to drain) the
database is checked: every acknowledged upload (201, or 200 for a retry) is
stored under its sequence and analysed, and every no-face frame is counted on
a "no face" incident. The script exits non-zero when a check fails.

    .venv/bin/python bench/snapshot_latency.py [--candidates 500] [--seconds 120]
        [--no-face 0.1] [--drain 600] [--workers 2] [--celery-workers 2]

Needs PostgreSQL and Redis on 127.0.0.1: the database `ankang_bench_snapshots`
(BENCH_DATABASE_URL; created, migrated and seeded on the first run), Redis
database 3 as broker and 2 as cache (BENCH_BROKER_URL, BENCH_REDIS_URL), like
the other scenarios; the broker's queue is purged first. The bench centre's
earlier sessions, attempts and snapshots (rows and files) are deleted first.
The client threads (one a candidate) and the workers run on the same machine
as the server and share its cores.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import VAR, bench_env, celery_worker, prepare, record, summarise  # noqa: E402,E501
from bench.harness import gunicorn as run_gunicorn  # noqa: E402
from bench.heartbeats import CpuMeter, run_threads, setup_django  # noqa: E402

PORT = 8310
CENTRE_CODE = "BENCHSN"  # at most 8 characters
LABEL = "监考抓拍"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ankang_bench_snapshots"
)
TIMEOUT = 120  # a busy server keeps connections waiting in its listen queue
TRIES = 3  # an upload with no answer is sent again with the same sequence
INTERVAL, JITTER = 30, 10  # PROCTORING_SNAPSHOT_SECONDS, PROCTORING_SNAPSHOT_JITTER_SECONDS
POLL = 0.5  # how often the incidents are read (a proctor's board polls every 5 s)
SAMPLE = 5  # how often the backlog is sampled
WORKER_LOG = VAR / "snapshot-workers.log"
# gunicorn's own time for each upload (from reading the request to writing the
# answer): the client's response time less this is the wait for a free worker.
ACCESS_LOG = VAR / "snapshot_latency_access.log"
ACCESS_ARGS = f"--access-logfile {ACCESS_LOG} --access-logformat '%(U)s %(s)s %(D)s'"
# Shared by every seeded candidate: one check-in photo, one camera-check frame.
CHECK_IN_NAME = "check-in/bench/astronaut.jpg"
CHECK_NAME = "snapshots/bench/check.jpg"

CHECKS = [
    ("uploads acknowledged (201 or 200)", False),
    ("acknowledged upload not stored under its sequence", True),
    ("stored snapshot not analysed after the drain", True),
    ("no-face frames analysed", False),
    ("no-face frames counted on a “no face” incident", False),
    ("no-face frame not counted on an incident", True),
    ("face frames analysed with a face count ≠ 1", True),
]


# ---------------------------------------------------------------------------
# Data: one room of started, proctored sittings with a session each
# ---------------------------------------------------------------------------


def delete_earlier_files():
    """The files of the bench centre's earlier snapshots (rows go with their attempts)."""
    from proctoring.models import Snapshot

    earlier = Snapshot.objects.filter(attempt__booking__session__centre__code=CENTRE_CODE)
    deleted = 0
    for name in earlier.exclude(image=CHECK_NAME).values_list("image", flat=True).iterator():
        Snapshot._meta.get_field("image").storage.delete(name)
        deleted += 1
    return deleted


def seed(candidates):
    """
    [(attempt id, session key, CSRF token)] for `candidates` started,
    consented, camera-checked sittings in one room.
    """
    from django.utils import timezone

    from bench.exam_start import seed as seed_room
    from exams.choices import AttemptStatus
    from exams.models import Attempt

    delete_earlier_files()
    [(session, _, people)] = seed_room(candidates, rooms=1, centre_code=CENTRE_CODE, label=LABEL)
    ids = [attempt_id for attempt_id, _ in people]
    proctor(session, ids)
    # Started as the proctor's "Start" leaves them; the start itself is exam_start.py's.
    now = timezone.now()
    Attempt.objects.filter(pk__in=ids).update(
        status=AttemptStatus.STARTED, started_at=now, deadline=now + timedelta(hours=3)
    )
    return session, signed_in(ids)


def proctor(session, ids):
    """
    What each candidate's page does before "Start" in a proctored sitting: the
    check-in photo on the booking, consent to the notice, a passed camera check.
    """
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from exams.models import Booking
    from proctoring.choices import SnapshotKind
    from proctoring.models import Consent, ConsentPolicy, Snapshot
    from proctoring.services import CHECK_SEQUENCES
    from tests.proctoring import frames

    now = timezone.now()
    photo = frames.jpeg(frames.astronaut())
    private_storage = Snapshot._meta.get_field("image").storage
    for name in (CHECK_IN_NAME, CHECK_NAME):
        if not private_storage.exists(name):
            private_storage.save(name, ContentFile(photo))
    with transaction.atomic():
        policy, _ = ConsentPolicy.objects.get_or_create(
            version="bench-1",
            defaults={
                "title": "基准监考告知",
                "text": "考试期间摄像头每约 30 秒抓拍一张照片。",
                "in_force_from": now - timedelta(days=365),
            },
        )
        Booking.objects.filter(session=session).update(check_in_photo=CHECK_IN_NAME)
        Consent.objects.bulk_create(
            Consent(attempt_id=pk, policy=policy, policy_version=policy.version, given_at=now)
            for pk in ids
        )
        width, height = (int(n) for n in _size(photo))
        Snapshot.objects.bulk_create(
            Snapshot(
                attempt_id=pk,
                image=CHECK_NAME,
                width=width,
                height=height,
                kind=SnapshotKind.CHECK,
                sequence=CHECK_SEQUENCES,
                taken_at=now,
                received_at=now,
                analysed_at=now,
                face_count=1,
            )
            for pk in ids
        )


def signed_in(ids):
    """
    The exam page's own sign-in for each attempt's candidate: [(attempt id,
    session key, CSRF token)]. Signed in by password through the first backend
    (a ModelBackend); any ModelBackend in the list loads the user the same way.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from exams.models import Attempt

    now = timezone.now()
    backend = "django.contrib.auth.backends.ModelBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        backend = settings.AUTHENTICATION_BACKENDS[0]
    owners = dict(Attempt.objects.filter(pk__in=ids).select_related("candidate").in_bulk().items())
    store = SessionStore()
    rows, sessions = [], []
    for pk in ids:
        user = owners[pk].candidate
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + timedelta(hours=12),
            )
        )
        sessions.append((pk, key, secrets.token_hex(16)))
    Session.objects.bulk_create(rows)
    return sessions


def _size(jpeg):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(jpeg)).size


# ---------------------------------------------------------------------------
# The candidates' exam pages
# ---------------------------------------------------------------------------


def multipart(fields, image, filename):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"'
        "\r\nContent-Type: image/jpeg\r\n\r\n".encode()
        + image
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Upload:
    """One frame sent: what, when (epoch seconds, the server's clock too), and its answer."""

    __slots__ = ("attempt_id", "sequence", "no_face", "sent", "latency", "status", "snapshot")

    def __init__(self, attempt_id, sequence, no_face):
        self.attempt_id, self.sequence, self.no_face = attempt_id, sequence, no_face
        self.sent = self.latency = self.status = self.snapshot = None


class Candidate:
    def __init__(self, host, attempt_id, session_key, csrf, *, rng, faces, no_face_share):
        self.hostname, self.port = host.split(":")
        self.attempt_id = attempt_id
        self.path = f"/api/v1/attempts/{attempt_id}/snapshots/"
        self.headers = {
            "Host": "127.0.0.1",
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        self.rng, self.faces, self.no_face_share = rng, faces, no_face_share
        self.sequence = 0
        self.uploads = []
        self.errors = Counter()
        self.requests = 0

    def upload(self):
        self.sequence += 1
        no_face = self.rng.random() < self.no_face_share
        upload = Upload(self.attempt_id, self.sequence, no_face)
        self.uploads.append(upload)
        taken_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        body, content_type = multipart(
            {"sequence": self.sequence, "taken_at": taken_at, "kind": "interval"},
            self.faces[no_face],
            f"{self.sequence}.jpg",
        )
        headers = {**self.headers, "Content-Type": content_type}
        upload.sent = time.time()
        for _ in range(TRIES):
            self.requests += 1
            started = time.perf_counter()
            connection = http.client.HTTPConnection(self.hostname, int(self.port), timeout=TIMEOUT)
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors[type(exc).__name__] += 1
                continue
            finally:
                connection.close()
            upload.latency = time.perf_counter() - started
            upload.status = response.status
            if response.status in (200, 201):
                upload.snapshot = json.loads(data)["id"]
            else:
                self.errors[str(response.status)] += 1
            return


def paced(candidates, *, seconds):
    """Each candidate uploads every 30 ± 10 s from a moment of its own in the first 30 s."""
    began = time.monotonic() + 1.0  # every thread is running before the first is due
    stop = began + seconds

    def simulate(candidate):
        due = began + candidate.rng.uniform(0, INTERVAL)
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            candidate.upload()
            due += INTERVAL + candidate.rng.uniform(-JITTER, JITTER)

    run_threads(candidates, simulate)
    return began, stop, time.monotonic()


# ---------------------------------------------------------------------------
# Watching the board and the queue
# ---------------------------------------------------------------------------


class Watcher:
    """
    Reads the room's "no face" incidents every POLL seconds (when each frame
    first shows on an incident) and the backlog every SAMPLE seconds.
    """

    def __init__(self, session, broker_url):
        import redis

        self.session = session
        self.redis = redis.Redis.from_url(broker_url)
        self.flagged = {}  # snapshot id → epoch seconds first seen on an incident
        self.backlog = []  # (time.monotonic(), unanalysed snapshots, tasks in Redis)

    def __enter__(self):
        self.began = time.time()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    def sample(self):
        from proctoring.models import Snapshot

        unanalysed = Snapshot.objects.filter(
            attempt__booking__session=self.session, analysed_at__isnull=True
        ).count()
        return unanalysed, self.redis.llen("snapshots")

    def _run(self):
        from django.db import connection

        from proctoring.choices import IncidentKind
        from proctoring.models import Incident

        next_sample = 0.0
        try:
            while not self.stopping.wait(POLL):
                now, clock = time.time(), time.monotonic()
                for snapshot_id in Incident.objects.filter(
                    attempt__booking__session=self.session,
                    kind=IncidentKind.NO_FACE,
                    snapshot__isnull=False,
                ).values_list("snapshot_id", flat=True):
                    self.flagged.setdefault(snapshot_id, now)
                if clock >= next_sample:
                    self.backlog.append((clock, *self.sample()))
                    next_sample = clock + SAMPLE
        finally:
            connection.close()


# ---------------------------------------------------------------------------
# The workers
# ---------------------------------------------------------------------------


def start_workers(env, count):
    return [
        celery_worker(env, name=f"bench-snapshots-{n}", log=WORKER_LOG) for n in range(1, count + 1)
    ]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drain(watcher, limit):
    """Seconds until nothing of the room is left unanalysed (None if not within `limit`)."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        unanalysed, queued = watcher.sample()
        if unanalysed == 0:
            return time.monotonic() - began
        time.sleep(1)
    return None


# ---------------------------------------------------------------------------
# What the database holds
# ---------------------------------------------------------------------------


def verify(session, uploads):
    from django.db.models import Sum

    from proctoring.choices import IncidentKind, SnapshotKind
    from proctoring.models import Incident, Snapshot

    stored = {
        (row["attempt_id"], row["sequence"]): row
        for row in Snapshot.objects.filter(attempt__booking__session=session)
        .exclude(kind=SnapshotKind.CHECK)
        .values("id", "attempt_id", "sequence", "received_at", "analysed_at", "face_count")
    }
    check = Counter()
    rows = {}
    for upload in uploads:
        if upload.status not in (200, 201):
            continue
        check["uploads acknowledged (201 or 200)"] += 1
        row = stored.get((upload.attempt_id, upload.sequence))
        if row is None or row["id"] != upload.snapshot:
            check["acknowledged upload not stored under its sequence"] += 1
            continue
        rows[upload] = row
    for row in stored.values():
        if row["analysed_at"] is None:
            check["stored snapshot not analysed after the drain"] += 1
    by_id = {u.snapshot: u for u in uploads if u.snapshot}
    for row in stored.values():
        upload = by_id.get(row["id"])
        if upload is None or row["analysed_at"] is None:
            continue
        if upload.no_face:
            check["no-face frames analysed"] += 1
        elif row["face_count"] != 1:
            check["face frames analysed with a face count ≠ 1"] += 1
    counted = (
        Incident.objects.filter(
            attempt__booking__session=session, kind=IncidentKind.NO_FACE
        ).aggregate(total=Sum("count"))["total"]
        or 0
    )
    check["no-face frames counted on a “no face” incident"] = counted
    check["no-face frame not counted on an incident"] = max(
        0, check["no-face frames analysed"] - counted
    )
    kinds = Counter(
        dict(
            Incident.objects.filter(attempt__booking__session=session)
            .values("kind")
            .annotate(times=Sum("count"))
            .values_list("kind", "times")
        )
    )
    return check, rows, kinds, len(stored)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def spread_of(values):
    """p50/p95/p99/max of seconds, in seconds."""
    values = sorted(values)
    if not values:
        return {
            "n": 0,
            "p50": float("nan"),
            "p95": float("nan"),
            "p99": float("nan"),
            "max": float("nan"),
        }

    def pct(p):
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    return {"n": len(values), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": values[-1]}


def latency_table(rows):
    lines = ["| from → to | frames | p50 s | p95 s | p99 s | max s |", "| --- |" + " ---: |" * 5]
    for name, s in rows:
        lines.append(
            f"| {name} | {s['n']} | {s['p50']:.2f} | {s['p95']:.2f} | {s['p99']:.2f} "
            f"| {s['max']:.2f} |"
        )
    return "\n".join(lines)


def backlog_table(samples, began, stop, answered_at):
    lines = [
        "| seconds after the load began | snapshots not analysed | tasks in Redis |",
        "| ---: | ---: | ---: |",
    ]
    marks = [(stop, "last upload due"), (answered_at, "every upload answered")]
    for at, unanalysed, queued in samples:
        mark = ""
        while marks and at >= marks[0][0]:
            mark += f" ({marks.pop(0)[1]})"
        lines.append(f"| {at - began:.0f}{mark} | {unanalysed} | {queued} |")
    return "\n".join(lines)


def check_table(check):
    lines = ["| check | count |", "| --- | ---: |"]
    for name, must_be_zero in CHECKS:
        mark = " (must be 0)" if must_be_zero else ""
        lines.append(f"| {name}{mark} | {check[name]} |")
    return "\n".join(lines)


def server_times():
    """gunicorn's time for each upload answered 201 or 200, in seconds."""
    times = []
    if ACCESS_LOG.exists():
        for line in ACCESS_LOG.read_text().splitlines():
            path, status, micros = line.rsplit(" ", 2)
            if path.endswith("/snapshots/") and status in ("200", "201"):
                times.append(int(micros) / 1e6)
    return times


def codes(counter):
    return ", ".join(f"{code}: {n}" for code, n in sorted(counter.items())) or "none"


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=120, help="of uploads")
    parser.add_argument("--no-face", type=float, default=0.1, help="share of frames with no face")
    parser.add_argument("--drain", type=float, default=600, help="at most, after the load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--celery-workers", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    env = bench_env(DATABASE_URL=DATABASE_URL, GUNICORN_CMD_ARGS=ACCESS_ARGS)
    ACCESS_LOG.unlink(missing_ok=True)
    prepare(env)
    setup_django(env)

    from bench.snapshots import rates
    from config.celery_app import app
    from tests.proctoring import frames

    print("one process, one core: analyses per second (bench/snapshots.py) …")
    one_process = rates()
    print(f"  full analysis {one_process['full']:.1f}/s, bare OpenCV {one_process['bare']:.1f}/s")

    started = time.perf_counter()
    session, sessions = seed(args.candidates)
    print(f"seeded a room of {args.candidates} in {time.perf_counter() - started:.1f} s")
    faces = {False: frames.jpeg(frames.astronaut()), True: frames.jpeg(frames.empty_scene())}

    app.control.purge()
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    workers = start_workers(env, args.celery_workers)
    try:
        with run_gunicorn(env, PORT, workers=args.workers) as host:
            time.sleep(8)  # the workers import Django and connect
            for worker in workers:
                if worker.poll() is not None:
                    raise RuntimeError(f"a worker exited; see {WORKER_LOG}")
            candidates = [
                Candidate(
                    host,
                    pk,
                    key,
                    csrf,
                    rng=random.Random(pk),
                    faces=faces,
                    no_face_share=args.no_face,
                )
                for pk, key, csrf in sessions
            ]
            print(
                f"uploads: {args.candidates} candidates every {INTERVAL} ± {JITTER} s "
                f"for {args.seconds:g} s …"
            )
            worker_cpu = [cpu_seconds(w.pid) for w in workers]
            meter = CpuMeter(PORT, database)
            with Watcher(session, env["CELERY_BROKER_URL"]) as watcher:
                with meter:
                    began, stop, answered_at = paced(candidates, seconds=args.seconds)
                worker_cpu = [
                    cpu_seconds(w.pid) - c for w, c in zip(workers, worker_cpu, strict=True)
                ]
                at_end = watcher.sample()
                print(f"  load over: {at_end[0]} snapshots not analysed, {at_end[1]} tasks queued")
                print(f"  draining (at most {args.drain:g} s) …")
                drained = drain(watcher, args.drain)
                time.sleep(2 * POLL)  # the watcher sees the last incidents
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)

    uploads = [u for c in candidates for u in c.uploads]
    errors = sum((c.errors for c in candidates), Counter())
    check, rows, kinds, stored_count = verify(session, uploads)
    failed = [name for name, must_be_zero in CHECKS if must_be_zero and check[name]]
    if drained is None:
        failed.append(f"queue not drained within {args.drain:g} s")

    answered = [u for u in uploads if u.latency is not None]
    acknowledged = [u for u in uploads if u.status in (200, 201)]
    response = summarise([u.latency for u in acknowledged], args.seconds, [])
    offered = args.candidates / INTERVAL
    server = spread_of(
        [
            (r["analysed_at"] - r["received_at"]).total_seconds()
            for r in rows.values()
            if r["analysed_at"]
        ]
    )
    client = spread_of(
        [r["analysed_at"].timestamp() - u.sent for u, r in rows.items() if r["analysed_at"]]
    )
    served = spread_of(server_times())
    no_face = [(u, r) for u, r in rows.items() if u.no_face]
    flag_server = spread_of(
        [
            (r["analysed_at"] - r["received_at"]).total_seconds()
            for _, r in no_face
            if r["analysed_at"]
        ]
    )
    flag_seen = spread_of(
        [watcher.flagged[u.snapshot] - u.sent for u, _ in no_face if u.snapshot in watcher.flagged]
    )
    unseen = sum(1 for u, r in no_face if r["analysed_at"] and u.snapshot not in watcher.flagged)
    cores = {**meter.cores, "Celery workers": sum(worker_cpu) / meter.wall}
    cores["everything else"] -= cores["Celery workers"]
    accepted_in_window = len(acknowledged) / args.seconds

    n = args.candidates
    print(f"  errors: {codes(errors)}")
    body = (
        f"One room of {n} candidates in a started, proctored sitting (consent, check-in "
        f"photo, camera-check frame seeded in bulk), each signed in with a session cookie and "
        f"CSRF token, uploading a JPEG frame (≤640×480, about {len(faces[False]) // 1024} KiB "
        f"with a face, {len(faces[True]) // 1024} KiB without) every {INTERVAL} ± {JITTER} s "
        f"for {args.seconds:g} s through `POST /api/v1/attempts/<id>/snapshots/`; "
        f"{args.no_face:.0%} of the frames an empty scene (no face). gunicorn "
        f"({args.workers} sync workers, `config.settings.production`), PostgreSQL, Redis "
        f"(broker and cache) and {args.celery_workers} Celery worker processes (`-P solo`) "
        f"running `analyse_snapshot`, all on this machine with the client threads "
        f"({os.cpu_count()} cores, shared with whatever else runs here).\n\n"
        "| uploads | figure |\n| --- | ---: |\n"
        f"| offered (candidates / {INTERVAL} s) | {offered:.1f}/s |\n"
        f"| sent | {len(uploads)} ({len(uploads) / args.seconds:.1f}/s) |\n"
        f"| acknowledged (201/200) | {len(acknowledged)} ({accepted_in_window:.1f}/s) |\n"
        f"| not acknowledged | {len(uploads) - len(acknowledged)} ({codes(errors)}) |\n"
        f"| response time p50 / p95 / p99 / max | {response['p50']:.0f} / "
        f"{response['p95']:.0f} / {response['p99']:.0f} / "
        f"{max((u.latency for u in answered), default=0) * 1000:.0f} ms |\n"
        f"| gunicorn's own time p50 / p95 / p99 / max (the rest is the wait for a free "
        f"worker) | {served['p50'] * 1000:.0f} / {served['p95'] * 1000:.0f} / "
        f"{served['p99'] * 1000:.0f} / {served['max'] * 1000:.0f} ms |\n"
        f"| last upload answered | {answered_at - began:.0f} s after the load began "
        f"(the last was due at {stop - began:.0f} s) |\n\n"
        "Latency of the analysis and of the flag (seconds). “Received” and “analysed” are "
        "the snapshot's own timestamps (server clock); “sent” is when the client began the "
        f"upload; “flag seen” is when a reader polling the incidents every {POLL:g} s first "
        "found the “no face” incident pointing at that frame.\n\n"
        + latency_table(
            [
                ("received → analysed, every frame", server),
                ("sent → analysed, every frame", client),
                ("received → analysed (flag raised), no-face frames", flag_server),
                ("sent → flag seen, no-face frames", flag_seen),
            ]
        )
        + (
            f"\n\nNo-face frames whose incident the poller never saw pointing at them "
            f"(a later no-face frame of the same attempt was flagged within {POLL:g} s): "
            f"{unseen}."
            if unseen
            else ""
        )
        + f"\n\nBacklog (every {SAMPLE} s; the load ran for {args.seconds:g} s): at the end of "
        f"the load {at_end[0]} snapshots not analysed and {at_end[1]} tasks waiting in Redis; "
        + (
            f"drained {drained:.0f} s after the load ended."
            if drained is not None
            else f"**not drained within {args.drain:g} s**."
        )
        + "\n\n"
        + backlog_table(watcher.backlog, began, stop, answered_at)
        + "\n\n"
        f"For comparison, one process on one core (`bench/snapshots.py`, same run, before the "
        f"load): the full analysis {one_process['full']:.1f} frames/s, bare OpenCV decode + "
        f"one frontal pass {one_process['bare']:.1f} frames/s; the offered {offered:.1f} "
        f"uploads/s need {offered / one_process['full']:.1f} such cores for the analysis "
        f"alone.\n\n"
        "CPU during the load, in cores busy on average (the machine has "
        f"{os.cpu_count()}; “everything else” is the rest of the machine's work):\n\n"
        "| gunicorn | PostgreSQL | Celery workers | load generator | everything else |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n"
        f"| {cores['gunicorn']:.2f} | {cores['PostgreSQL']:.2f} | "
        f"{cores['Celery workers']:.2f} | {cores['load generator']:.2f} | "
        f"{cores['everything else']:.2f} |\n\n"
        "Incidents raised in the room, by kind (times counted): "
        + (", ".join(f"{kind} {times}" for kind, times in sorted(kinds.items())) or "none")
        + f".\n\nChecked in the database afterwards ({stored_count} snapshots stored):\n\n"
        + check_table(check)
        + ("\n\n**Failed:** " + "; ".join(failed) if failed else "\n\nEvery check passed.")
        + "\n"
    )
    record(
        "Snapshots: upload-to-flag latency at 500 candidates",
        f"python bench/snapshot_latency.py --candidates {n} --seconds {args.seconds:g} "
        f"--no-face {args.no_face:g} --workers {args.workers} "
        f"--celery-workers {args.celery_workers}",
        body,
    )
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""
Scale-out (issue 12), on the production stack of `bench/stack.py`: two
gunicorn processes behind nginx sharing one PostgreSQL, one Redis and one
media folder, and Celery workers per queue.

1. Two web processes. A candidate signs in through the login page of one
   process; the session cookie alone is then used on the other. A webcam
   frame uploaded through one (`POST /api/v1/attempts/<id>/snapshots/`) is
   read back through the other (`/proctoring/snapshots/<id>/`), byte for
   byte. The public certificate verification page is loaded for
   `--load-seconds` straight from one process and then through nginx in front
   of both (16 keep-alive clients each time, on the same machine).
2. Queue isolation. A snapshot flood (`analyse_snapshot` queued at
   `--snapshots-per-second`, 17 a second being 500 candidates at one frame
   per 30 s, more than the workers can analyse) starts `--flood-head-start`
   seconds ahead; then `--certificates` graded passes have their
   `issue_certificate` queued one every `--certificate-interval` seconds, as
   grading does. Pass → certificate with its PDF is the certificate's
   `rendered_at` less the moment its task was queued. For each interval, run
   twice with the same load and four worker processes: (i) one per queue for
   default and documents, two for snapshots; (ii) four consuming all three
   queues. Every worker renders a certificate or two first (warm).
3. Drill "a Celery worker killed mid-certificate": `--drill-certificates`
   queued at once for one documents worker, which is killed (SIGKILL), once
   a few are done, while a certificate is committed without its PDF yet, and
   started again two seconds later (systemd's RestartSec). Every pass must end with exactly one
   certificate and its PDF; the time to catch up is measured. That worker
   runs `bench.settings_scaleout` (a visibility timeout of 30 s instead of
   production's hour: see there).

    .venv/bin/python bench/scaleout.py [--snapshots-per-second 17]
        [--certificates 100] [--certificate-interval 1.5 4] [--flood-head-start 10]
        [--load-seconds 15] [--drill-certificates 40]

The stack's PostgreSQL cluster, Redis and ports are bench/stack.py's
(BENCH_PORT_OFFSET moves them); the demo question bank is seeded once
(`seed_demo`, without its simulated history). Results go to bench/RESULTS.md;
the script exits non-zero when a check fails.
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import celery_worker, load, record, table  # noqa: E402
from bench.stack import QUEUES, STACK, WORKER_NICENESS, Stack, Worker, wait_for  # noqa: E402

ALL_QUEUES = ",".join(QUEUES)
FLOOD_ATTEMPTS = 20  # the flood's frames are spread over this many sittings
PASSWORD = secrets.token_urlsafe(16)  # set on the candidate for this run
DRILL_SETTINGS = "bench.settings_scaleout"
WORKER_SETS = {
    "separate": "(i) per queue: default 1, documents 1, snapshots 2",
    "mixed": "(ii) 4 workers, each `-Q default,documents,snapshots`",
}


class AllQueuesWorker(Worker):
    """A worker consuming every queue (`-Q default,documents,snapshots`)."""

    def __init__(self, env, n):
        super().__init__(env, ALL_QUEUES, n)

    def start(self):
        # At the same niceness as the per-queue workers it is compared with.
        self.process = celery_worker(
            self.env,
            name=f"all-{self.n}",
            log=STACK / f"celery-all-{self.n}.log",
            queues=ALL_QUEUES,
            niceness=WORKER_NICENESS,
        )

    @property
    def node(self):
        return f"all-{self.n}@{socket.gethostname()}"


def node(worker):
    if isinstance(worker, AllQueuesWorker):
        return worker.node
    return f"{worker.queue}-{worker.n}@{socket.gethostname()}"


# ---------------------------------------------------------------------------
# HTTP with cookies by hand: what a browser sends, to a port of our choosing
# ---------------------------------------------------------------------------


def call(port, method, path, *, body=None, headers=None, cookies=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Host": "127.0.0.1", **(headers or {})}
    if cookies:
        sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    set_cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            set_cookies.update({key: morsel.value for key, morsel in SimpleCookie(value).items()})
    connection.close()
    return response.status, dict(response.getheaders()), data, set_cookies


def sign_in(port, username, password):
    """The login page, as a browser uses it: GET for the CSRF token, POST the form."""
    status, _, page, cookies = call(port, "GET", "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    status, _, _, more = call(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        cookies=cookies,
    )
    cookies.update(more)
    return status, cookies


# ---------------------------------------------------------------------------
# 1. Two web processes, one state
# ---------------------------------------------------------------------------


def shared_state(stack, attempt_id, checks):
    from bench.snapshot_latency import multipart
    from exams.models import Attempt
    from proctoring.models import Snapshot
    from tests.proctoring import frames

    one, other = (web.port for web in stack.web)
    candidate = Attempt.objects.select_related("candidate").get(pk=attempt_id).candidate
    candidate.set_password(PASSWORD)
    candidate.save(update_fields=["password"])

    status, cookies = sign_in(one, candidate.username, PASSWORD)
    checks.append((f"sign-in through :{one} redirects (302)", status == 302, str(status)))
    session = {k: cookies[k] for k in ("sessionid", "csrftoken") if k in cookies}
    status, _, body, _ = call(other, "GET", "/api/v1/me/", cookies=session)
    known = status == 200 and candidate.username.encode() in body
    checks.append(
        (f"that session cookie on :{other}: `/api/v1/me/` names the candidate", known, str(status))
    )
    status, _, _, _ = call(other, "GET", "/api/v1/me/")
    checks.append((f"without it on :{other}: refused (401/403)", status in (401, 403), str(status)))

    frame = frames.jpeg(frames.astronaut())
    fields = {"sequence": 1, "taken_at": datetime.now(UTC).isoformat()}
    body, content_type = multipart(fields, frame, "frame.jpg")
    status, _, answer, _ = call(
        other,
        "POST",
        f"/api/v1/attempts/{attempt_id}/snapshots/",
        body=body,
        headers={"Content-Type": content_type, "X-CSRFToken": session.get("csrftoken", "")},
        cookies=session,
    )
    checks.append(
        (
            f"webcam frame uploaded through :{other} (201)",
            status == 201,
            f"{status} {answer[:80]!r}",
        )
    )
    snapshot = Snapshot.objects.filter(attempt_id=attempt_id, sequence=1).first()
    stored = snapshot.image.open("rb").read() if snapshot else b""
    if snapshot:
        snapshot.image.close()
    status, headers, image, _ = call(
        one, "GET", f"/proctoring/snapshots/{snapshot and snapshot.pk}/", cookies=session
    )
    same = status == 200 and image == stored and image[:2] == b"\xff\xd8"
    checks.append(
        (
            f"that frame read back through :{one}, byte for byte ({len(image)} bytes JPEG)",
            same,
            f"{status} {headers.get('Content-Type')}",
        )
    )


def throughput(stack, seconds):
    path = "/certificates/verify/"
    direct = load(f"127.0.0.1:{stack.web[0].port}", path, seconds=seconds, concurrency=16)
    proxied = load(stack.host, path, seconds=seconds, concurrency=16)
    return [
        (f"1 gunicorn process ({stack.web[0].workers} workers), direct", direct),
        (f"nginx → 2 gunicorn processes ({stack.web[0].workers} workers each)", proxied),
    ]


# ---------------------------------------------------------------------------
# 2. Queue isolation
# ---------------------------------------------------------------------------


def flood_rows(attempt_ids, count, first_sequence):
    """`count` stored, unanalysed frames (the astronaut, as seeded), spread over the sittings."""
    from django.utils import timezone

    from bench.snapshot_latency import CHECK_NAME
    from proctoring.choices import SnapshotKind
    from proctoring.models import Snapshot

    template = Snapshot.objects.filter(image=CHECK_NAME).first()
    now = timezone.now()
    rows = [
        Snapshot(
            attempt_id=attempt_ids[n % len(attempt_ids)],
            image=CHECK_NAME,
            width=template.width,
            height=template.height,
            kind=SnapshotKind.INTERVAL,
            sequence=first_sequence + n // len(attempt_ids),
            taken_at=now,
            received_at=now,
        )
        for n in range(count)
    ]
    return [row.pk for row in Snapshot.objects.bulk_create(rows, batch_size=1000)]


class Flood(threading.Thread):
    """Queues `analyse_snapshot` for the given frames at a steady rate until stopped."""

    def __init__(self, snapshot_ids, rate):
        super().__init__(daemon=True)
        self.ids, self.rate = snapshot_ids, rate
        self.sent = 0
        self.began = None
        self.halt = threading.Event()

    def run(self):
        from proctoring.tasks import analyse_snapshot

        self.began = time.monotonic()
        while not self.halt.is_set() and self.sent < len(self.ids):
            due = min(len(self.ids), int((time.monotonic() - self.began) * self.rate))
            while self.sent < due:
                analyse_snapshot.delay(self.ids[self.sent])
                self.sent += 1
            time.sleep(0.05)

    @property
    def ran_out(self):
        return self.sent >= len(self.ids)

    def stop(self):
        self.halt.set()
        self.join()


def empty_broker(stack):
    """Nothing queued and nothing unacknowledged left from an earlier run."""
    import redis

    from config.celery_app import app

    app.control.purge()
    redis.Redis.from_url(stack.redis.url(0)).delete("unacked", "unacked_index")


def start_workers(stack, key, workers):
    from config.celery_app import app

    stack.celery[key] = workers
    for worker in workers:
        worker.start()
    names = [node(worker) for worker in workers]

    def all_answer():
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"a worker exited; see {STACK}/celery-*.log")
        replies = app.control.ping(destination=names, timeout=1)
        return len(replies) == len(names)

    wait_for(all_answer, "the Celery workers", timeout=120, interval=0.5)


def stop_workers(stack, key):
    for worker in stack.celery.pop(key, []):
        worker.stop()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def isolation_run(stack, key, workers, args, interval, flood_attempts, first_sequence, label):
    import redis

    from bench.certificates import graded_passes
    from exams import tasks
    from exams.models import Certificate
    from proctoring.models import Snapshot

    duration = args.flood_head_start + args.certificates * interval
    snapshot_ids = flood_rows(
        flood_attempts, int(args.snapshots_per_second * (duration + 300)), first_sequence
    )
    passes = graded_passes(args.certificates, label=label)
    warm_up = graded_passes(2 * len(workers), label=f"{label}-warm")
    empty_broker(stack)
    start_workers(stack, key, workers)
    # Warm workers, as on an exam day: each has loaded the certificate's fonts.
    for attempt_id in warm_up:
        tasks.issue_certificate.delay(attempt_id)
    warm = Certificate.objects.filter(attempt_id__in=warm_up).exclude(pdf="")
    wait_for(lambda: warm.count() == len(warm_up), "the warm-up certificates", timeout=300)
    broker = redis.Redis.from_url(stack.redis.url(0))
    flood = Flood(snapshot_ids, args.snapshots_per_second)
    queued = {}
    # This machine is shared: the load average while it ran goes with the figures.
    loads = [os.getloadavg()[0]]
    try:
        flood.start()
        time.sleep(args.flood_head_start)
        backlog_at_first = broker.llen("snapshots")
        window_began = datetime.now(UTC)
        for attempt_id in passes:
            queued[attempt_id] = time.time()
            tasks.issue_certificate.delay(attempt_id)
            loads.append(os.getloadavg()[0])
            time.sleep(interval)
        deadline = time.monotonic() + args.timeout
        mine = Certificate.objects.filter(attempt_id__in=passes)
        while mine.exclude(pdf="").count() < len(passes):
            if time.monotonic() > deadline:
                break
            loads.append(os.getloadavg()[0])
            time.sleep(0.5)
        window_ended = datetime.now(UTC)
        backlog_at_end = broker.llen("snapshots")
    finally:
        flood.stop()
        stop_workers(stack, key)
        empty_broker(stack)
    analysed = Snapshot.objects.filter(
        pk__in=snapshot_ids, analysed_at__gte=window_began, analysed_at__lte=window_ended
    ).count()
    window = (window_ended - window_began).total_seconds()
    done = {
        attempt_id: rendered_at.timestamp() - queued[attempt_id]
        for attempt_id, rendered_at in mine.exclude(pdf="").values_list("attempt_id", "rendered_at")
    }
    latencies = list(done.values())
    return {
        "certificates": len(passes),
        "with_pdf": len(done),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "window": window,
        "analysed_per_s": analysed / window if window else 0,
        "backlog_at_first": backlog_at_first,
        "backlog_at_end": backlog_at_end,
        "flood_sent": flood.sent,
        "flood_ran_out": flood.ran_out,
        "load": statistics.fmean(loads),
    }


# ---------------------------------------------------------------------------
# 3. The drill: a Celery worker killed mid-certificate
# ---------------------------------------------------------------------------


def drill(stack, count, checks):
    from bench.certificates import graded_passes
    from exams import tasks
    from exams.models import Certificate

    passes = graded_passes(count, label="drill")
    mine = Certificate.objects.filter(attempt_id__in=passes)
    empty_broker(stack)
    env = {**stack.env, "DJANGO_SETTINGS_MODULE": DRILL_SETTINGS}
    worker = Worker(env, "documents", 1)
    start_workers(stack, "drill", [worker])
    try:
        for attempt_id in passes:
            tasks.issue_certificate.delay(attempt_id)
        # A few done (the worker warm), then one committed without its PDF yet:
        # the worker is rendering it.
        warm = min(5, count // 4)
        deadline = time.monotonic() + 300
        while True:
            if mine.exclude(pdf="").count() >= warm:
                caught = mine.filter(pdf="").values_list("attempt_id", "number").first()
                if caught:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("no certificate seen mid-render in 300 s")
            time.sleep(0.01)
        worker.kill()
        killed_at = time.monotonic()
        done_at_kill = mine.exclude(pdf="").count()
        time.sleep(2)  # systemd's RestartSec
        worker.start()
        restarted_at = time.monotonic()
        in_flight_done_at = rest_done_at = None
        others = mine.exclude(attempt_id=caught[0]).exclude(pdf="")
        deadline = time.monotonic() + 600
        while not (in_flight_done_at and rest_done_at) and time.monotonic() < deadline:
            if (
                in_flight_done_at is None
                and mine.filter(attempt_id=caught[0]).exclude(pdf="").exists()
            ):
                in_flight_done_at = time.monotonic()
            if rest_done_at is None and others.count() >= count - 1:
                rest_done_at = time.monotonic()
            time.sleep(0.2)
    finally:
        stop_workers(stack, "drill")
        empty_broker(stack)

    from django.db.models import Count

    numbers = set(mine.values_list("number", flat=True))
    per_attempt = {
        row["attempt_id"]: row["n"] for row in mine.values("attempt_id").annotate(n=Count("id"))
    }
    pdfs_readable = all(
        certificate.pdf.storage.open(certificate.pdf.name).read(5) == b"%PDF-"
        for certificate in mine.exclude(pdf="")
    )
    certificates = mine.count()
    with_pdf = mine.exclude(pdf="").count()
    checks.extend(
        [
            (f"drill: {count} passes, {certificates} certificates", certificates == count, ""),
            (
                "drill: every pass has exactly one certificate",
                set(per_attempt) == set(passes) and set(per_attempt.values()) == {1},
                "",
            ),
            (
                f"drill: {with_pdf} with a PDF, each a readable PDF file",
                with_pdf == count and pdfs_readable,
                "",
            ),
            (f"drill: {len(numbers)} distinct numbers", len(numbers) == count, ""),
            (
                f"drill: the certificate being rendered when killed ({caught[1]}) got its PDF",
                in_flight_done_at is not None,
                "",
            ),
        ]
    )
    return {
        "count": count,
        "done_at_kill": done_at_kill,
        "caught": caught[1],
        "rest": (rest_done_at - restarted_at) if rest_done_at else float("nan"),
        "in_flight": (in_flight_done_at - killed_at) if in_flight_done_at else float("nan"),
    }


# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snapshots-per-second", type=float, default=17)
    parser.add_argument("--certificates", type=int, default=100)
    parser.add_argument(
        "--certificate-interval",
        type=float,
        nargs="+",
        default=[1.5, 4],
        help="seconds between passes; each value is run with both worker sets",
    )
    parser.add_argument("--flood-head-start", type=float, default=10)
    parser.add_argument("--load-seconds", type=float, default=15)
    parser.add_argument("--drill-certificates", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=900, help="wait for certificates")
    args = parser.parse_args()

    checks = []
    load_before = os.getloadavg()
    queues = {"default": 1, "documents": 1, "snapshots": 1}
    with Stack(web=2, workers=2, queues=queues, DEMO_HISTORY_ATTEMPTS="0") as stack:
        stack.setup_django()
        from exams.demo_questions import BLUEPRINT
        from exams.models import Paper

        if not Paper.objects.filter(name=BLUEPRINT["name"]).exists():
            stack.manage("seed_demo")
        from bench.snapshot_latency import seed

        _, sittings = seed(FLOOD_ATTEMPTS)
        attempt_ids = [attempt_id for attempt_id, _, _ in sittings]
        empty_broker(stack)

        shared_state(stack, attempt_ids[0], checks)
        shared_checks = len(checks)
        rows = throughput(stack, args.load_seconds)
        stop_workers(stack, "default")
        stop_workers(stack, "documents")
        stop_workers(stack, "snapshots")

        env = stack.env
        runs = {}
        for interval in args.certificate_interval:
            separate = [
                Worker(env, "default", 1),
                Worker(env, "documents", 1),
                Worker(env, "snapshots", 1),
                Worker(env, "snapshots", 2),
            ]
            mixed = [AllQueuesWorker(env, n) for n in range(1, 5)]
            for kind, workers in (("separate", separate), ("mixed", mixed)):
                first_sequence = 10 + len(runs) * 5_000
                runs[(interval, kind)] = isolation_run(
                    stack, kind, workers, args, interval, attempt_ids, first_sequence, kind
                )
        for (interval, kind), run in runs.items():
            name = f"one pass every {interval:g} s, {WORKER_SETS[kind]}"
            checks.append(
                (
                    f"{name}: every pass got its certificate with a PDF",
                    run["with_pdf"] == run["certificates"],
                    f"{run['with_pdf']}/{run['certificates']}",
                )
            )
            checks.append(
                (
                    f"{name}: the flood outlasted the certificates",
                    not run["flood_ran_out"] and run["backlog_at_end"] > 0,
                    f"backlog {run['backlog_at_end']}",
                )
            )
        drilled = drill(stack, args.drill_certificates, checks)

    load_after = os.getloadavg()
    args.load_averages = (load_before, load_after)
    command = "python bench/scaleout.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    record(
        "Scale-out (issue 12)", command, report(args, rows, runs, drilled, checks, shared_checks)
    )
    failed = [name for name, ok, _ in checks if not ok]
    if failed:
        sys.exit("failed: " + "; ".join(failed))


def check_table(checks):
    return "| check | passed | detail |\n| --- | --- | --- |\n" + "\n".join(
        f"| {name} | {'yes' if ok else '**no**'} | {detail} |" for name, ok, detail in checks
    )


def report(args, rows, runs, drilled, checks, shared_checks):
    run_rows = "\n".join(
        f"| {interval:g} s | {WORKER_SETS[kind]} | {r['with_pdf']}/{r['certificates']} "
        f"| {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['analysed_per_s']:.1f} "
        f"| {r['backlog_at_first']} | {r['backlog_at_end']} | {r['load']:.1f} |"
        for (interval, kind), r in runs.items()
    )
    cores = os.cpu_count()
    before, after = args.load_averages
    return (
        "bench/stack.py on this machine: PostgreSQL (a cluster of its own), Redis with an "
        "append-only file, 2 gunicorn processes (`config.settings.bench`, 2 sync workers each) "
        f"behind nginx, Celery workers `-P solo`; the clients run here too ({cores} cores "
        "shared by everything, other people's work included: load average "
        f"{before[0]:.1f} at the start, {after[0]:.1f} at the end).\n\n"
        "**Two web processes, one state** (sign-in, upload and read-back through different "
        "processes, by port):\n\n"
        + check_table(checks[:shared_checks])
        + "\n\n**Read-heavy public page**: `GET /certificates/verify/`, 16 keep-alive clients, "
        f"{args.load_seconds:.0f} s each:\n\n"
        + table(rows)
        + "\n\nBoth rows ran on the same cores, shared with other work (load average above): "
        "a second process there adds no CPU, so the rows differ by nginx's cost and by what "
        "else ran at that moment. A second web machine adds its cores; PostgreSQL and Redis "
        "are then the shared parts.\n\n"
        f"**Queue isolation**: a snapshot flood of {args.snapshots_per_second:g} "
        "`analyse_snapshot` a second (500 candidates at one frame per 30 s; more than the "
        f"workers analyse), {args.flood_head_start:g} s ahead, while {args.certificates} "
        "graded passes queue `issue_certificate` one every few seconds (as grading does), "
        "after each worker has rendered a certificate or two (warm). Pass → certificate with "
        "its PDF (s), the same load with 4 worker processes either way; the load average is "
        "the machine's (1 min) while it ran:\n\n"
        "| a pass every | workers | with PDF | p50 s | p95 s | max s | frames analysed/s "
        "| snapshots queued at the first pass | at the end | load average |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        + run_rows
        + "\n\nA worker given several queues takes them in turn (kombu rotates the queues it "
        "polls after each message), so in (ii) a certificate waits for a worker to finish the "
        "frame in hand, not for the flood. In (i) it waits only for earlier certificates: as "
        "long as the documents worker keeps up with the passes.\n\n"
        "**Drill: a Celery worker killed mid-certificate.** "
        f"{drilled['count']} certificates queued at once for one documents worker; SIGKILL "
        f"while {drilled['caught']} was committed without its PDF ({drilled['done_at_kill']} "
        "done by then); started again 2 s later. The other "
        f"{drilled['count'] - 1} had their PDFs {drilled['rest']:.0f} s after the restart. "
        f"The certificate being rendered got its PDF {drilled['in_flight']:.0f} s after the "
        "kill: its task stayed unacknowledged in Redis (acks_late) until the visibility "
        "timeout had passed (30 s in this drill, `bench/settings_scaleout.py`) and a worker's "
        "scan (about every 100 s) put it back on the queue. With production's hour, the other "
        "certificates catch up as fast and that one comes back 60 to 62 minutes after its "
        "delivery.\n\n"
        "**Checks** after the queue runs and the drill:\n\n" + check_table(checks[shared_checks:])
    )


if __name__ == "__main__":
    main()

"""
Learning-hour heartbeats the server absorbs with 500 simulated learners, under
gunicorn with PostgreSQL and Redis, through the HTTP API the lesson page uses.

1. Realistic load: every learner opens a study session at some moment in the
   first heartbeat period, then beats every TRAINING_HEARTBEAT_SECONDS (20 s)
   with a little jitter: beats per second achieved and latencies.
2. Saturation: every learner beats again as soon as the server answers the
   last beat: the most beats per second absorbed, and latencies (which include
   the wait for a free worker).

Compared in the same run with an authenticated read (`GET` of the learner's
enrolments) from the same 500 clients: the ceiling for an API request on this
stack. Afterwards the database is checked: every acknowledged beat advanced
its session's `last_sequence`, no session was credited more than its own
wall-clock time (plus one heartbeat), and the credit of each session reached
its lesson progress and its enrolment.

    .venv/bin/python bench/heartbeats.py [--learners 500] [--seconds 60] [--saturate 20]

Needs PostgreSQL and Redis on 127.0.0.1 (it uses the database `ankang_bench`
and Redis databases 2 and 3, like the other scenarios). The load generator
runs on the same machine as the server and takes its share of the CPU.
"""

import argparse
import http.client
import json
import os
import random
import re
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_env, gunicorn, prepare, record, summarise, table  # noqa: E402

PORT = 8303
COURSE_SLUG = "bench-heartbeats"
LESSON_SLUG = "reading"
USERNAME = "bench-learner-{:04d}"
HEARTBEAT_JITTER = 2.0  # seconds either side; browsers' timers drift, tabs are throttled
TIMEOUT = 120  # a saturated server keeps requests waiting in the listen queue


# ---------------------------------------------------------------------------
# Data: one course with one lesson, and the learners enrolled on it
# ---------------------------------------------------------------------------


def setup_django(env):
    """Use the database and keys the gunicorn processes get, in this process too."""
    os.environ.update(env)
    import django

    django.setup()


def seed(learners):
    """The bench course, its lesson and `learners` enrolled learners with API tokens."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from accounts.choices import Role
    from accounts.models import User
    from accounts.services import user_create
    from cms.demo import child, paragraph, stream
    from training import services
    from training.models import CoursePage, LessonPage, TrainingIndexPage

    with transaction.atomic():
        index = TrainingIndexPage.objects.get(slug="courses", locale__language_code="zh-hans")
        # Required hours no learner reaches during the run: every beat takes the
        # path of a learner part-way through a course.
        course = child(
            index,
            CoursePage,
            COURSE_SLUG,
            title="基准测试课程：学时心跳",
            summary="供 bench/heartbeats.py 使用。",
            target_roles=["practitioner"],
            required_hours="100.0",
        )
        lesson = child(
            course,
            LessonPage,
            LESSON_SLUG,
            title="第一课　阅读",
            body=stream(paragraph("有限空间作业必须先通风、再检测、后作业。")),
        )
        names = [USERNAME.format(n) for n in range(1, learners + 1)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        for n, name in enumerate(names, start=1):
            if name not in existing:
                # No password: they sign in with API tokens, and hashing 500
                # passwords would take longer than the benchmark.
                user_create(username=name, real_name=f"基准学员{n}", roles=[Role.CANDIDATE])
        users = list(User.objects.filter(username__in=names).order_by("username"))
        with_token = set(Token.objects.filter(user__in=users).values_list("user_id", flat=True))
        Token.objects.bulk_create(
            Token(key=Token.generate_key(), user=user)
            for user in users
            if user.pk not in with_token
        )
        for user in users:
            services.enrol(learner=user, course=course)
    tokens = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))
    return lesson, [(user.pk, tokens[user.pk]) for user in users]


# ---------------------------------------------------------------------------
# The simulated learner
# ---------------------------------------------------------------------------


class Learner:
    """One learner's browser: an API token, a connection, and what the server answered."""

    def __init__(self, host, user_id, key, lesson_id):
        self.hostname, self.port = host.split(":")
        self.user_id = user_id
        self.lesson_id = lesson_id
        self.headers = {
            "Host": "127.0.0.1",
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
        }
        self.connection = self._connect()
        self.reset()

    def reset(self):
        self.token = None
        self.opened_at = None  # monotonic, before the request that opened the session
        self.open_latency = None
        self.sequence = 0
        self.acknowledged = 0  # highest sequence answered 200
        self.credited = 0.0
        self.last_answer_at = None
        self.beats = []  # (answered at, latency)
        self.outcomes = Counter()
        self.errors = []

    def _connect(self):
        return http.client.HTTPConnection(self.hostname, int(self.port), timeout=TIMEOUT)

    def _request(self, method, path, payload=None):
        """(status, decoded body or None, latency in seconds, answered at)."""
        body = json.dumps(payload) if payload is not None else None
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=self.headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = self._connect()
            self.errors.append(type(exc).__name__)
            return None, None, None, None
        answered = time.monotonic()
        latency = time.perf_counter() - started
        try:
            decoded = json.loads(data)
        except ValueError:
            decoded = None
        return response.status, decoded, latency, answered

    def open(self):
        self.opened_at = time.monotonic()
        status, data, latency, _ = self._request(
            "POST", f"/api/v1/training/lessons/{self.lesson_id}/study-sessions/"
        )
        if status != 201:
            self.errors.append(f"open {status}")
            return False
        self.token, self.open_latency = data["token"], latency
        return True

    def beat(self):
        self.sequence += 1
        status, data, latency, answered = self._request(
            "POST",
            f"/api/v1/training/study-sessions/{self.token}/heartbeats/",
            {"sequence": self.sequence, "visible": True, "idle_seconds": 1},
        )
        if status is None:
            return
        if status != 200:
            self.errors.append(f"beat {status}")
            return
        self.acknowledged = self.sequence
        self.credited += data["credited_seconds"]
        self.last_answer_at = answered
        self.outcomes[data["outcome"]] += 1
        self.beats.append((answered, latency))

    def get(self, path):
        status, _, latency, answered = self._request("GET", path)
        if status != 200:
            self.errors.append(f"get {status}")
            return None
        return answered, latency


def run_threads(learners, target):
    threads = [threading.Thread(target=target, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class CpuMeter:
    """
    CPU time spent over a phase by the gunicorn processes, the PostgreSQL
    backends of the bench database, this load generator, and everything else
    on the machine (other people's work shows up there, not in our figures).

    Processes come and go during a phase (a database connection is replaced
    after CONN_MAX_AGE), so a thread samples /proc a few times a second.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, port, database):
        self.gunicorn = f"127.0.0.1:{port}"
        self.backend = re.compile(rf" {re.escape(database)} \S+\(\d+\) ")
        self.first, self.last = {}, {}  # pid → (kind, CPU ticks)

    def __enter__(self):
        self.machine = self._machine()
        self.own = self._own()
        self.began = time.monotonic()
        self._sample(baseline=True)
        self.stopping = threading.Event()
        self.sampler = threading.Thread(target=self._run)
        self.sampler.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.sampler.join()
        self._sample()
        self.wall = time.monotonic() - self.began
        busy, total = (b - a for a, b in zip(self.machine, self._machine(), strict=True))
        self.cores = {
            "machine": busy / total * os.cpu_count(),
            "load generator": (self._own() - self.own) / self.wall,
        }
        for kind in ("gunicorn", "PostgreSQL"):
            ticks = sum(
                last - self.first.get(pid, (kind, 0))[1]
                for pid, (k, last) in self.last.items()
                if k == kind
            )
            self.cores[kind] = ticks / self.TICK / self.wall
        self.cores["everything else"] = self.cores["machine"] - sum(
            self.cores[k] for k in ("gunicorn", "PostgreSQL", "load generator")
        )

    def per_request(self, kind, requests):
        """Milliseconds of `kind`'s CPU per request answered in the phase."""
        return 1000 * self.cores[kind] * self.wall / requests if requests else float("nan")

    def _run(self):
        while not self.stopping.wait(0.25):
            self._sample()

    def _sample(self, baseline=False):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                stat = (entry / "stat").read_text()
            except OSError:  # the process ended
                continue
            if "gunicorn" in command and self.gunicorn in command:
                kind = "gunicorn"
            elif command.startswith("postgres:") and self.backend.search(command):
                kind = "PostgreSQL"
            else:
                continue
            utime, stime = stat.rsplit(")", 1)[1].split()[11:13]
            pid = int(entry.name)
            self.last[pid] = (kind, int(utime) + int(stime))
            if baseline:
                self.first[pid] = self.last[pid]

    @staticmethod
    def _machine():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    @staticmethod
    def _own():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------
# The measurements
# ---------------------------------------------------------------------------


def realistic(learners, meter, *, period, seconds):
    """Open sessions through the first period, then beat every period ± jitter."""
    began = time.monotonic()
    window_start = began + period
    stop = window_start + seconds

    def simulate(learner):
        rng = random.Random(learner.user_id)
        time.sleep(rng.uniform(0, period))
        if not learner.open():
            return
        due = learner.opened_at + period + rng.uniform(-HEARTBEAT_JITTER, HEARTBEAT_JITTER)
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            learner.beat()
            due += period + rng.uniform(-HEARTBEAT_JITTER, HEARTBEAT_JITTER)

    with meter:
        run_threads(learners, simulate)
    figures = beat_figures(learners)
    figures["rps"] = answered_between(learners, window_start, stop) / seconds
    return figures


def saturation(learners, meter, *, seconds):
    """
    Open every session, then all learners beat as fast as the server answers.
    The meter runs from the first beat until the last answer.
    """
    window = {}

    def start():
        window["start"] = time.monotonic()
        window["stop"] = window["start"] + seconds
        meter.__enter__()

    barrier = threading.Barrier(len(learners), action=start)
    opened_at = time.monotonic()

    def simulate(learner):
        opened = learner.open()
        barrier.wait()
        while opened and time.monotonic() < window["stop"]:
            learner.beat()

    run_threads(learners, simulate)
    meter.__exit__(None, None, None)
    opens = summarise(
        [learner.open_latency for learner in learners if learner.open_latency is not None],
        window["start"] - opened_at,
        [error for learner in learners for error in learner.errors if error.startswith("open")],
    )
    figures = beat_figures(learners)
    figures["rps"] = answered_between(learners, window["start"], window["stop"]) / seconds
    return figures, opens


def answered_between(learners, start, stop):
    return sum(1 for learner in learners for at, _ in learner.beats if start <= at <= stop)


def beat_figures(learners):
    """Latencies of every beat answered; the caller sets the rate for its window."""
    latencies = [latency for learner in learners for _, latency in learner.beats]
    errors = [
        error for learner in learners for error in learner.errors if not error.startswith("open")
    ]
    return summarise(latencies, 1, errors)


def reads(learners, meter, *, seconds):
    """The same clients GET their enrolments as fast as the server answers."""
    stop = time.monotonic() + seconds
    latencies, lock = [], threading.Lock()
    answered = [0]

    def simulate(learner):
        mine, late = [], 0
        while time.monotonic() < stop:
            answer = learner.get("/api/v1/training/enrolments/")
            if answer and answer[0] <= stop:
                mine.append(answer[1])
            elif answer:
                late += 1
        with lock:
            latencies.extend(mine)
            answered[0] += len(mine) + late

    for learner in learners:
        learner.reset()
    with meter:
        run_threads(learners, simulate)
    figures = summarise(latencies, seconds, [e for learner in learners for e in learner.errors])
    figures["answered"] = answered[0]
    return figures


# ---------------------------------------------------------------------------
# Nothing lost, nothing invented
# ---------------------------------------------------------------------------


def snapshot(user_ids, lesson):
    """{learner: (enrolment seconds, lesson progress seconds)} before a phase."""
    from training.models import LessonProgress

    rows = LessonProgress.objects.filter(
        enrolment__learner_id__in=user_ids, lesson=lesson
    ).values_list("enrolment__learner_id", "enrolment__seconds_credited", "seconds_credited")
    before = {learner: (enrolment, progress) for learner, enrolment, progress in rows}
    return {user_id: before.get(user_id, (0.0, 0.0)) for user_id in user_ids}


def verify(learners, lesson, before, period):
    """Compare what the server acknowledged with what the database holds."""
    from training.models import StudySession

    sessions = {
        s.token: s
        for s in StudySession.objects.filter(
            token__in=[learner.token for learner in learners if learner.token]
        )
    }
    after = snapshot([learner.user_id for learner in learners], lesson)
    check = Counter()
    for learner in learners:
        session = sessions.get(learner.token)
        if session is None:
            check["session missing"] += 1
            continue
        check["sessions"] += 1
        check["beats acknowledged"] += len(learner.beats)
        check["answered “counted”"] += learner.outcomes["counted"]
        if session.last_sequence == learner.acknowledged:
            check["last_sequence = highest acknowledged"] += 1
        elif session.last_sequence < learner.acknowledged:
            check["acknowledged beat lost"] += 1
        else:  # recorded, but the answer never reached the client (a timeout)
            check["beat recorded, answer lost"] += 1
        server_elapsed = (session.last_beat_at - session.started_at).total_seconds()
        client_elapsed = (learner.last_answer_at or learner.opened_at) - learner.opened_at
        if session.seconds_credited > server_elapsed + period:
            check["credit over the server's clock + one heartbeat"] += 1
        if learner.credited > client_elapsed + period:
            check["credit over the learner's clock + one heartbeat"] += 1
        if abs(session.seconds_credited - learner.credited) > 0.01:
            check["session credit ≠ credit acknowledged"] += 1
        enrolment = after[learner.user_id][0] - before[learner.user_id][0]
        progress = after[learner.user_id][1] - before[learner.user_id][1]
        if abs(enrolment - session.seconds_credited) > 0.01:
            check["enrolment credit ≠ session credit"] += 1
        if abs(progress - session.seconds_credited) > 0.01:
            check["lesson progress credit ≠ session credit"] += 1
        check["seconds credited"] += session.seconds_credited
        check["seconds elapsed"] += server_elapsed
    return check


def check_table(checks):
    names = [
        "sessions",
        "beats acknowledged",
        "answered “counted”",
        "last_sequence = highest acknowledged",
        "acknowledged beat lost",
        "beat recorded, answer lost",
        "credit over the server's clock + one heartbeat",
        "credit over the learner's clock + one heartbeat",
        "session credit ≠ credit acknowledged",
        "lesson progress credit ≠ session credit",
        "enrolment credit ≠ session credit",
        "session missing",
    ]
    lines = [
        "| check | " + " | ".join(name for name, _ in checks) + " |",
        "| --- |" + " ---: |" * len(checks),
    ]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(str(c[name]) for _, c in checks) + " |")
    lines.append(
        "| seconds credited / seconds elapsed (server's clock) | "
        + " | ".join(f"{c['seconds credited'] / c['seconds elapsed']:.3f}" for _, c in checks)
        + " |"
    )
    return "\n".join(lines)


def cpu_table(meters, answered):
    kinds = ["gunicorn", "PostgreSQL", "load generator", "everything else"]
    lines = [
        "| phase | " + " | ".join(kinds) + " | gunicorn ms/request | PostgreSQL ms/request |",
        "| --- |" + " ---: |" * (len(kinds) + 2),
    ]
    names = {
        "realistic": "realistic load (opens and beats)",
        "saturation": "saturation (beats)",
        "reads": "GET own enrolments",
    }
    for phase, meter in meters.items():
        lines.append(
            f"| {names[phase]} | "
            + " | ".join(f"{meter.cores[kind]:.2f}" for kind in kinds)
            + f" | {meter.per_request('gunicorn', answered[phase]):.1f}"
            + f" | {meter.per_request('PostgreSQL', answered[phase]):.1f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=60, help="realistic load, after ramp-up")
    parser.add_argument("--saturate", type=int, default=20, help="saturation, seconds")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = bench_env()
    prepare(env)
    setup_django(env)
    from django.conf import settings

    period = settings.TRAINING_HEARTBEAT_SECONDS
    started = time.perf_counter()
    lesson, accounts = seed(args.learners)
    print(f"seeded {args.learners} learners in {time.perf_counter() - started:.1f} s")
    user_ids = [user_id for user_id, _ in accounts]

    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    meters = {name: CpuMeter(PORT, database) for name in ("realistic", "saturation", "reads")}
    answered = {}
    with gunicorn(env, PORT, workers=args.workers) as host:
        learners = [Learner(host, user_id, key, lesson.pk) for user_id, key in accounts]
        before = snapshot(user_ids, lesson)
        print(f"realistic load: {period + args.seconds} s …")
        steady = realistic(learners, meters["realistic"], period=period, seconds=args.seconds)
        answered["realistic"] = sum(len(x.beats) + (x.token is not None) for x in learners)
        steady_check = verify(learners, lesson, before, period)

        for learner in learners:
            learner.reset()
        before = snapshot(user_ids, lesson)
        print(f"saturation: {args.saturate} s …")
        flat_out, opens = saturation(learners, meters["saturation"], seconds=args.saturate)
        answered["saturation"] = sum(len(learner.beats) for learner in learners)
        flat_out_check = verify(learners, lesson, before, period)

        print("authenticated reads, same clients: 10 s …")
        baseline = reads(learners, meters["reads"], seconds=10)
        answered["reads"] = baseline["answered"]

    rows = [
        (f"heartbeats, every {period} s ± {HEARTBEAT_JITTER:.0f} s (realistic)", steady),
        (f"{args.learners} study sessions opened at once", opens),
        ("heartbeats, as fast as answered (saturation)", flat_out),
        ("GET own enrolments, as fast as answered (ceiling for an API read)", baseline),
    ]
    body = (
        f"{args.learners} learners, each with a DRF token and a client thread of its own on the "
        f"same machine; gunicorn with {args.workers} sync workers (which close the connection "
        "after each answer), PostgreSQL, Redis. Realistic load: sessions opened over the first "
        f"{period} s, then {args.seconds} s measured (offered about "
        f"{args.learners / period:.0f} beats/s). Saturation: sessions opened, then "
        f"{args.saturate} s of beats. req/s counts answers inside the measured window; latency "
        "includes the wait for a free worker.\n\n"
        + table(rows)
        + f"\n\nFlat out, {flat_out['rps']:.0f} beats/s is about "
        f"{flat_out['rps'] * period:,.0f} learners studying at once, each beating every "
        f"{period} s.\n\nCPU, in cores busy on average (the machine has {os.cpu_count()}), and "
        "CPU time per request answered. “everything else” is the rest of the machine's work at "
        "the time: a busy machine lowers req/s, while ms/request stays comparable between "
        "runs.\n\n"
        + cpu_table(meters, answered)
        + "\n\nChecked in the database after each phase:\n\n"
        + check_table([("realistic", steady_check), ("saturation", flat_out_check)])
        + "\n"
    )
    record(
        "Learning-hour heartbeats",
        f"python bench/heartbeats.py --learners {args.learners} --seconds {args.seconds} "
        f"--saturate {args.saturate} --workers {args.workers}",
        body,
    )


if __name__ == "__main__":
    main()

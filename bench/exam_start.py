"""
A full exam room pressing "Start" (issue 6): 300 checked-in candidates whose
papers were drawn during check-in start their attempts within 10 seconds,
under gunicorn with PostgreSQL and Redis, through the API the exam page uses
(`POST /api/v1/attempts/<id>/start/`, DRF token authentication).

Two rooms of the same size at a bench centre, each session open for check-in,
every booking checked in, attempts prepared (timed: the papers drawn for the
room):

1. Room 1: the 300 starts spread evenly over 10 seconds.
2. Room 2: the 300 starts at the same moment (300 client threads released
   together): the worst case of "Start" on the proctor's word.
3. Both rooms again, at the same moment: a reload after the start resumes the
   attempt and must answer the same deadline.

Compared in the same run: the resumes, which read the same attempt and paper
without starting anything. Afterwards the database is checked: every attempt
started once (one recorded prepared → started move), its deadline set once and
equal to the first answer's, and the paper answered equal to the one drawn.

    .venv/bin/python bench/exam_start.py [--candidates 300] [--seconds 10] [--workers 2]

Needs PostgreSQL and Redis on 127.0.0.1 (the database `ankang_bench` and Redis
databases 2 and 3, like the other scenarios). The bench centre's earlier
sessions, bookings and attempts are deleted first. The client threads run on
the same machine as the server and take their share of the CPU.
"""

import argparse
import datetime
import http.client
import json
import secrets
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_env, gunicorn, prepare, record, summarise  # noqa: E402
from bench.heartbeats import CpuMeter, run_threads, setup_django  # noqa: E402

PORT = 8306
CENTRE_CODE = "BENCHST"  # at most 8 characters
USERNAME = "bench-exam-{:04d}"
TIMEOUT = 120  # a busy server keeps connections waiting in its listen queue


# ---------------------------------------------------------------------------
# Data: two rooms of checked-in candidates with prepared attempts
# ---------------------------------------------------------------------------


def seed(candidates, rooms=2, *, centre_code=CENTRE_CODE, label="开考"):
    """
    `rooms` sessions open for check-in at a bench centre, each with
    `candidates` checked-in bookings and their attempts prepared. Returns
    [(session, prepare seconds, [(attempt id, token key)])], one a room.

    Other scenarios (exam_saves.py) seed their own centre and exam (`centre_code`
    and `label`) from the same pool of candidates: a run deletes only its own
    centre's earlier sessions.
    """
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.choices import Role
    from accounts.models import User
    from accounts.services import user_create
    from exams.attempts import prepare_attempts
    from exams.choices import BookingSource, BookingStatus, SessionStatus
    from exams.demo_questions import BLUEPRINT
    from exams.models import (
        Attempt,
        Booking,
        Certificate,
        Exam,
        ExamSession,
        Paper,
        Room,
        TestCentre,
    )

    with transaction.atomic():
        exam, _ = Exam.objects.get_or_create(
            title=f"基准考试：{label}",
            defaults={
                "target_role": "safety_manager",
                "paper": Paper.objects.get(name=BLUEPRINT["name"]),
            },
        )
        centre, _ = TestCentre.objects.get_or_create(
            code=centre_code, defaults={"name": f"基准考点（{label}）", "address": "-"}
        )
        # Earlier runs: certificates (kept from deletion by their attempts' protection),
        # attempts (with their questions and events), bookings, sessions.
        Certificate.objects.filter(attempt__booking__session__centre=centre).delete()
        Attempt.objects.filter(booking__session__centre=centre).delete()
        Booking.objects.filter(session__centre=centre).delete()
        ExamSession.objects.filter(centre=centre).delete()

        names = [USERNAME.format(n) for n in range(rooms * candidates)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        for n, name in enumerate(names):
            if name not in existing:
                # No password: they sign in with API tokens.
                user_create(username=name, real_name=f"基准考生{n}", roles=[Role.CANDIDATE])
        users = list(User.objects.filter(username__in=names).order_by("username"))
        with_token = set(Token.objects.filter(user__in=users).values_list("user_id", flat=True))
        Token.objects.bulk_create(
            Token(key=Token.generate_key(), user=user)
            for user in users
            if user.pk not in with_token
        )
        tokens = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))

        now = timezone.now()
        sessions = []
        groups = [users[n * candidates : (n + 1) * candidates] for n in range(rooms)]
        for number, people in enumerate(groups, start=1):
            room, _ = Room.objects.get_or_create(
                centre=centre, name=f"第{number}考场", defaults={"seat_count": candidates}
            )
            if room.seat_count < candidates:
                room.seat_count = candidates
                room.save(update_fields=["seat_count"])
            # Check-in has opened, the start is now: the proctor says "Start".
            session = ExamSession.objects.create(
                exam=exam,
                centre=centre,
                room=room,
                starts_at=now,
                capacity=candidates,
                booking_opens_at=now - datetime.timedelta(days=7),
                booking_closes_at=now - datetime.timedelta(days=1),
                status=SessionStatus.CHECK_IN,
            )
            # Booked and checked in directly: booking and the desk are measured elsewhere.
            numbers = ticket_numbers(len(people))
            Booking.objects.bulk_create(
                Booking(
                    session=session,
                    candidate=person,
                    seat=seat,
                    ticket_number=numbers[seat - 1],
                    status=BookingStatus.CHECKED_IN,
                    source=BookingSource.CENTRE,
                    checked_in_at=now,
                )
                for seat, person in enumerate(people, start=1)
            )
            sessions.append(session)

    rooms = []
    for session in sessions:
        started = time.perf_counter()
        prepared = prepare_attempts(session_id=session.pk)
        seconds = time.perf_counter() - started
        assert prepared == candidates, (prepared, candidates)
        attempts = Attempt.objects.filter(booking__session=session).order_by("booking__seat")
        people = [
            (pk, tokens[user_id])
            for pk, user_id in attempts.values_list("pk", "booking__candidate_id")
        ]
        rooms.append((session, seconds, people))
    return rooms


def ticket_numbers(count):
    from exams.models import Booking

    while True:
        numbers = list({str(secrets.randbelow(9 * 10**9) + 10**9) for _ in range(count)})
        if len(numbers) == count and not Booking.objects.filter(ticket_number__in=numbers).exists():
            return numbers


# ---------------------------------------------------------------------------
# The candidates' browsers
# ---------------------------------------------------------------------------


class Answer:
    """What one start request got: status, decoded body, when it was sent and answered."""

    def __init__(self, sent, answered=None, status=None, data=None, size=0, error=None):
        self.sent, self.answered = sent, answered
        self.status, self.data, self.size, self.error = status, data, size, error

    @property
    def latency(self):
        return self.answered - self.sent

    @property
    def ok(self):
        return self.status == 200 and isinstance(self.data, dict)

    def problem(self):
        if self.error:
            return self.error
        code = self.data.get("code", "") if isinstance(self.data, dict) else ""
        return f"{self.status} {code}".strip()


def start(host, attempt_id, key):
    """POST the start of one attempt on a connection of its own (a candidate's browser)."""
    hostname, port = host.split(":")
    connection = http.client.HTTPConnection(hostname, int(port), timeout=TIMEOUT)
    headers = {"Host": "127.0.0.1", "Authorization": f"Token {key}", "Content-Length": "0"}
    sent = time.monotonic()
    try:
        connection.request("POST", f"/api/v1/attempts/{attempt_id}/start/", headers=headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return Answer(sent, error=type(exc).__name__)
    finally:
        connection.close()
    answered = time.monotonic()
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    return Answer(sent, answered, response.status, data, len(body))


def spread(host, people, seconds):
    """Each candidate presses "Start" at their own moment, evenly over `seconds`."""
    answers = [None] * len(people)
    began = time.monotonic() + 1.0  # every thread is running before the first is due
    step = seconds / len(people)

    def press(index):
        time.sleep(max(0.0, began + index * step - time.monotonic()))
        attempt_id, key = people[index]
        answers[index] = start(host, attempt_id, key)

    run_threads(range(len(people)), press)
    return answers, began


def at_once(host, people):
    """Every candidate presses "Start" at the same moment."""
    answers = [None] * len(people)
    moment = {}
    barrier = threading.Barrier(
        len(people), action=lambda: moment.setdefault("at", time.monotonic())
    )

    def press(index):
        barrier.wait()
        attempt_id, key = people[index]
        answers[index] = start(host, attempt_id, key)

    run_threads(range(len(people)), press)
    return answers, moment["at"]


def figures(answers, began, meter):
    answered = [answer for answer in answers if answer.answered is not None]
    good = [answer for answer in answered if answer.ok]
    last = max((answer.answered for answer in answered), default=began)
    result = summarise(
        [answer.latency for answer in good],
        last - began,
        [answer.problem() for answer in answers if not answer.ok],
    )
    result["max"] = max((answer.latency for answer in good), default=float("nan")) * 1000
    result["last"] = last - began
    result["size"] = sum(a.size for a in good) / len(good) / 1024 if good else float("nan")
    result["gunicorn"] = meter.per_request("gunicorn", len(answered))
    result["postgres"] = meter.per_request("PostgreSQL", len(answered))
    result["problems"] = Counter(answer.problem() for answer in answers if not answer.ok)
    return result


def load_table(rows):
    lines = [
        "| what | requests | p50 ms | p95 ms | p99 ms | max ms | all answered after | errors "
        "| gunicorn CPU ms/request | PostgreSQL CPU ms/request |",
        "| --- |" + " ---: |" * 9,
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['requests']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['max']:.0f} | {r['last']:.1f} s | {r['errors']} | {r['gunicorn']:.1f} "
            f"| {r['postgres']:.1f} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Started once, with one deadline
# ---------------------------------------------------------------------------


def parse(value):
    return datetime.datetime.fromisoformat(value) if value else None


def verify(session, people, first, again):
    """Compare the first answers and the resumes with what the database holds."""
    from django.db.models import Count, Q

    from exams.choices import AttemptStatus
    from exams.models import Attempt

    attempts = {
        a.pk: a
        for a in Attempt.objects.filter(booking__session=session).annotate(
            starts=Count(
                "events", filter=Q(events__to_status=AttemptStatus.STARTED), distinct=True
            ),
            drawn=Count("questions", distinct=True),
        )
    }
    duration = datetime.timedelta(minutes=session.duration_minutes)
    check = Counter()
    for (attempt_id, _), answer, resumed in zip(people, first, again, strict=True):
        attempt = attempts[attempt_id]
        check["attempts"] += 1
        if attempt.status == AttemptStatus.STARTED:
            check["status “started”"] += 1
        if attempt.deadline is None or attempt.started_at is None:
            check["no deadline or start time"] += 1
        elif attempt.deadline - attempt.started_at != duration:
            check["deadline ≠ start + duration"] += 1
        if attempt.starts == 1:
            check["started exactly once (events)"] += 1
        elif attempt.starts > 1:
            check["started more than once"] += 1
        if not answer.ok:
            check["first call not answered 200"] += 1
            continue
        data = answer.data
        if data.get("status") == "started" and data.get("id") == attempt_id:
            check["first answer “started”, right attempt"] += 1
        if parse(data.get("deadline")) != attempt.deadline:
            check["first answer's deadline ≠ database"] += 1
        if len(data.get("questions") or ()) != attempt.drawn:
            check["questions answered ≠ questions drawn"] += 1
        remaining = data.get("remaining_seconds")
        if not isinstance(remaining, int) or not 0 < remaining <= duration.total_seconds():
            check["remaining_seconds out of range"] += 1
        if not resumed.ok:
            check["resume not answered 200"] += 1
        elif parse(resumed.data.get("deadline")) != parse(data.get("deadline")):
            check["resume's deadline ≠ first deadline"] += 1
        elif resumed.data.get("questions") != data.get("questions"):
            check["resume's paper ≠ first paper"] += 1
        else:
            check["resume: same deadline, same paper"] += 1
    return check


CHECKS = [
    "attempts",
    "status “started”",
    "started exactly once (events)",
    "started more than once",
    "no deadline or start time",
    "deadline ≠ start + duration",
    "first call not answered 200",
    "first answer “started”, right attempt",
    "first answer's deadline ≠ database",
    "questions answered ≠ questions drawn",
    "remaining_seconds out of range",
    "resume not answered 200",
    "resume: same deadline, same paper",
    "resume's deadline ≠ first deadline",
    "resume's paper ≠ first paper",
]


def check_table(checks):
    lines = [
        "| check | " + " | ".join(name for name, _ in checks) + " |",
        "| --- |" + " ---: |" * len(checks),
    ]
    for name in CHECKS:
        lines.append(f"| {name} | " + " | ".join(str(c[name]) for _, c in checks) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=300, help="a room")
    parser.add_argument("--seconds", type=float, default=10, help="room 1's starts spread over")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = bench_env()
    prepare(env)
    setup_django(env)
    started = time.perf_counter()
    rooms = seed(args.candidates)
    print(f"seeded two rooms of {args.candidates} in {time.perf_counter() - started:.1f} s")
    (room1, prepare1, people1), (room2, prepare2, people2) = rooms

    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    results = {}
    with gunicorn(env, PORT, workers=args.workers) as host:
        for _ in range(2 * args.workers):  # every worker answers a start (404) before measuring
            start(host, 0, people1[0][1])
        phases = [
            ("spread", lambda: spread(host, people1, args.seconds)),
            ("at once", lambda: at_once(host, people2)),
            ("resume 1", lambda: at_once(host, people1)),
            ("resume 2", lambda: at_once(host, people2)),
        ]
        answers = {}
        for name, phase in phases:
            print(f"{name} …")
            meter = CpuMeter(PORT, database)
            with meter:
                answers[name], began = phase()
            results[name] = figures(answers[name], began, meter)
            if results[name]["problems"]:
                print(f"  not 200: {dict(results[name]['problems'])}")

    checks = [
        ("room 1 (spread)", verify(room1, people1, answers["spread"], answers["resume 1"])),
        ("room 2 (at once)", verify(room2, people2, answers["at once"], answers["resume 2"])),
    ]
    n = args.candidates
    rows = [
        (f"room 1: {n} starts spread evenly over {args.seconds:g} s", results["spread"]),
        (f"room 2: {n} starts at the same moment", results["at once"]),
        (f"room 1: {n} resumes (start again) at the same moment", results["resume 1"]),
        (f"room 2: {n} resumes (start again) at the same moment", results["resume 2"]),
    ]
    questions = len(answers["at once"][0].data["questions"]) if answers["at once"][0].ok else 0
    body = (
        f"Two rooms of {n} candidates, each booking checked in and its attempt prepared while the "
        f"session is open for check-in; each candidate with a DRF token and a client thread of "
        f"its own on the same machine, one connection a request; gunicorn with {args.workers} "
        "sync workers, PostgreSQL, Redis. Latency includes the wait for a free worker; “all "
        "answered after” counts from the first request due (spread) or the moment the threads "
        "were released (same moment).\n\n"
        "| what | figure |\n| --- | ---: |\n"
        f"| time to prepare a room's {n} attempts (papers drawn, in one process) | "
        f"{prepare1:.2f} s and {prepare2:.2f} s |\n"
        f"| questions in a start answer | {questions} |\n"
        f"| size of a start answer | {results['at once']['size']:.1f} KB |\n\n"
        + load_table(rows)
        + "\n\nChecked in the database afterwards (a resume is a candidate's second call):\n\n"
        + check_table(checks)
        + "\n"
    )
    record(
        "Exam room: 300 starts (issue 6)",
        f"python bench/exam_start.py --candidates {n} --seconds {args.seconds:g} "
        f"--workers {args.workers}",
        body,
    )


if __name__ == "__main__":
    main()

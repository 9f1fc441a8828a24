"""
The whole of exam day and campaign day on the production stack (issue 12):
`make bench`, or

    .venv/bin/python bench/day.py [--scenario centre|campaign|all] [--candidates 500]
        [--players 1000] [--viewers 200] [--minutes 4] [--web 2] [--workers 2]

It starts the stack of `bench/stack.py` on this machine (its own PostgreSQL
and Redis, `--web` gunicorn processes of `--workers` sync workers behind
nginx, Celery workers per queue: default 1, documents 1, snapshots 2), seeds
the demo, then runs:

- **A test-centre day**: one room of `--candidates` checked-in, consented,
  camera-checked candidates. All press "Start" at the same moment (the start
  spike); then each answers a question every 10 s in order (right with a
  probability of their own, so that most pass), uploads a webcam frame every
  30 ± 10 s (10 % with no face), and submits when every question is answered.
  The workers analyse the frames and issue the passes' certificates.
  Afterwards, in the database: every acknowledged answer is stored and none
  was overwritten by an older one; every acknowledged submission is graded;
  every pass has exactly one certificate, with its PDF; every acknowledged
  frame is stored and analysed.
- **A campaign day**: `--players` members of the public join the quiz (the
  sum solved) and answer a question every ~5 s for `--minutes`, while
  `--viewers` leaderboard pages poll every 3 s, as the campaign page's and
  the big screen's scripts do; during it, the bureau's dashboard is opened
  again and again. Afterwards: every acknowledged quiz answer is stored on
  its play.

Each phase prints throughput and p50/p95/p99, and the figures go to
`bench/RESULTS.md` with the command, the machine and the date. The script
exits non-zero when a no-loss check fails. The load generator's threads run
on this machine and share its cores with the server.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import exam_saves, exam_start, quiz, snapshot_latency  # noqa: E402
from bench.harness import record, summarise, table  # noqa: E402
from bench.stack import Stack  # noqa: E402

CENTRE_CODE = "BENCHDAY"
LABEL = "考点日"
ANSWER_EVERY = 10  # seconds, a candidate thinking
SNAPSHOT_EVERY, SNAPSHOT_JITTER = 30, 10
NO_FACE = 0.1
POLL_EVERY = 3  # the leaderboard's script asks every few seconds
SECTION = "Exam day and campaign day on the production stack (issue 12)"


# ---------------------------------------------------------------------------
# A test-centre day
# ---------------------------------------------------------------------------


def shown_keys(ids):
    """attempt id → {position: the key as that candidate's page shows the options}."""
    from exams import selectors
    from exams.models import AttemptQuestion

    keys = {pk: {} for pk in ids}
    items = AttemptQuestion.objects.filter(attempt_id__in=ids).select_related(
        "question", "graded_with"
    )
    for item in items:
        keys[item.attempt_id][item.position] = selectors.shown(item, item.key_question.answer)
    return keys


class Sitter(exam_saves.Candidate):
    """
    One candidate at a desk: answers in order, right with probability `skill`,
    sends a webcam frame every 30 ± 10 s, submits when done. Everything the
    server acknowledged is remembered for the checks.
    """

    def __init__(self, host, attempt_id, token, start_answer, keys, faces):
        super().__init__(host, attempt_id, token, start_answer)
        self.keys = keys
        self.skill = self.rng.choice([0.95, 0.9, 0.9, 0.85, 0.6])
        self.camera = snapshot_latency.Candidate(
            host, attempt_id, "", "", rng=self.rng, faces=faces, no_face_share=NO_FACE
        )
        self.camera.headers = {"Host": "127.0.0.1", "Authorization": f"Token {token}"}
        self.submitted = None  # the result the server answered, or None

    def pick(self):
        fresh = [p for p in sorted(self.options) if p not in self.expected]
        return fresh[0] if fresh else None

    def answer(self, position):
        payload = super().answer(position)
        if self.rng.random() < self.skill:
            payload["selected"] = list(self.keys[position])
        payload["flagged"] = False
        return payload

    def tick(self):
        position = self.pick()
        if position is not None:
            self.send(self.answer(position), "saved")
        return position is not None

    def submit(self):
        status, data = self.post(f"/api/v1/attempts/{self.attempt_id}/submit/", {"page": self.page})
        if status == 200 and data:
            self.submitted = data

    def sit(self, began, stop):
        """Answer every ANSWER_EVERY s and upload every SNAPSHOT_EVERY ± jitter s until done."""
        rng = self.rng
        next_answer = began + rng.uniform(0, ANSWER_EVERY)
        next_frame = began + rng.uniform(0, SNAPSHOT_EVERY)
        while time.monotonic() < stop:
            due = min(next_answer, next_frame)
            time.sleep(max(0.0, due - time.monotonic()))
            if due == next_frame:
                self.camera.upload()
                next_frame += SNAPSHOT_EVERY + rng.uniform(-SNAPSHOT_JITTER, SNAPSHOT_JITTER)
                continue
            if not self.tick():
                break
            next_answer += ANSWER_EVERY
        self.submit()
        self.finished_at = time.monotonic()


def catch_up(session, passed, limit):
    """Seconds until every frame is analysed and every pass has its PDF (None: not in `limit`)."""
    from exams.models import Certificate
    from proctoring.models import Snapshot

    began = time.monotonic()
    said = began
    while time.monotonic() - began < limit:
        unanalysed = Snapshot.objects.filter(
            attempt__booking__session=session, analysed_at__isnull=True
        ).count()
        printed = (
            Certificate.objects.filter(attempt_id__in=passed).exclude(pdf="").count()
            if passed
            else 0
        )
        if unanalysed == 0 and printed >= len(passed):
            return time.monotonic() - began
        if time.monotonic() - said > 60:
            print(f"  … {unanalysed} frames to analyse, {len(passed) - printed} PDFs to print")
            said = time.monotonic()
        time.sleep(2)
    return None


def certificate_delays(passed):
    """Seconds from each pass's grading to its certificate's PDF (the snapshots queue apart)."""
    from exams.models import Certificate

    return [
        (rendered - graded).total_seconds()
        for graded, rendered in Certificate.objects.filter(
            attempt_id__in=passed, rendered_at__isnull=False
        ).values_list("attempt__graded_at", "rendered_at")
    ]


def verify_results(sitters):
    """Every acknowledged submission graded; every pass exactly one certificate with its PDF."""
    from django.db.models import Count

    from exams.choices import AttemptStatus
    from exams.models import Attempt, Certificate

    check = Counter()
    ids = [s.attempt_id for s in sitters]
    attempts = Attempt.objects.in_bulk(ids)
    certificates = {
        row["attempt_id"]: row
        for row in Certificate.objects.filter(attempt_id__in=ids)
        .values("attempt_id")
        .annotate(n=Count("id"))
    }
    with_pdf = set(
        Certificate.objects.filter(attempt_id__in=ids)
        .exclude(pdf="")
        .values_list("attempt_id", flat=True)
    )
    for sitter in sitters:
        attempt = attempts[sitter.attempt_id]
        if sitter.submitted is None:
            check["submission not acknowledged"] += 1
            continue
        check["submissions acknowledged"] += 1
        if attempt.status != AttemptStatus.GRADED:
            check["acknowledged submission not graded"] += 1
            continue
        if bool(attempt.passed) != bool(sitter.submitted["passed"]):
            check["result stored ≠ result the candidate was shown"] += 1
        if attempt.passed:
            check["passes"] += 1
            count = certificates.get(attempt.pk, {}).get("n", 0)
            if count != 1:
                check["pass without exactly one certificate"] += 1
            elif attempt.pk not in with_pdf:
                check["certificate without its PDF"] += 1
        elif attempt.pk in certificates:
            check["certificate for a fail"] += 1
    return check


CENTRE_CHECKS = [
    ("acknowledged answer lost (nothing stored)", True),
    ("stored answer older than an acknowledged save (reordered)", True),
    ("stored answer ≠ acknowledged answer of that sequence", True),
    ("submissions acknowledged", False),
    ("submission not acknowledged", True),
    ("acknowledged submission not graded", True),
    ("result stored ≠ result the candidate was shown", True),
    ("passes", False),
    ("pass without exactly one certificate", True),
    ("certificate without its PDF", True),
    ("certificate for a fail", True),
    ("uploads acknowledged (201 or 200)", False),
    ("acknowledged upload not stored under its sequence", True),
    ("stored snapshot not analysed after the drain", True),
    ("no-face frame not counted on an incident", True),
]


def test_centre_day(stack, args):
    from tests.proctoring import frames

    print(f"test-centre day: seeding a room of {args.candidates} …")
    [(session, _, people)] = exam_start.seed(
        args.candidates, rooms=1, centre_code=CENTRE_CODE, label=LABEL
    )
    ids = [pk for pk, _ in people]
    snapshot_latency.proctor(session, ids)
    keys = shown_keys(ids)
    faces = {False: frames.jpeg(frames.astronaut()), True: frames.jpeg(frames.empty_scene())}

    print(f"  {len(people)} candidates press Start at the same moment …")
    starts, _moment = exam_start.at_once(stack.host, people)
    start_figures = summarise([a.latency for a in starts if a.ok], 1, [])
    not_started = Counter(a.problem() for a in starts if not a.ok)
    sitters = [
        Sitter(stack.host, pk, token, answer, keys[pk], faces)
        for (pk, token), answer in zip(people, starts, strict=True)
        if answer.ok
    ]
    questions = len(next(iter(keys.values()))) if keys else 0
    limit = args.minutes * 60 * 3 + questions * ANSWER_EVERY
    print(f"  sitting: {questions} questions, an answer every {ANSWER_EVERY} s …")
    began = time.monotonic() + 1
    threads = [threading.Thread(target=s.sit, args=(began, began + limit)) for s in sitters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sitting = time.monotonic() - began
    passed = [s.attempt_id for s in sitters if s.submitted and s.submitted["passed"]]
    print(f"  all submitted after {sitting:.0f} s; {len(passed)} passed; the workers catch up …")
    drained = catch_up(session, passed, args.drain)

    certificate_figures = summarise(certificate_delays(passed), sitting, [])
    saves = summarise(
        [latency for s in sitters for _, latency in s.answers], sitting, list(_errors(sitters))
    )
    uploads = [u for s in sitters for u in s.camera.uploads]
    upload_figures = summarise(
        [u.latency for u in uploads if u.latency is not None],
        sitting,
        [e for s in sitters for e, n in s.camera.errors.items() for _ in range(n)],
    )
    check = exam_saves.verify(sitters, [])
    check.update(verify_results(sitters))
    snapshot_check, _rows, _kinds, _stored = snapshot_latency.verify(session, uploads)
    check.update(snapshot_check)
    failed = [name for name, must_be_zero in CENTRE_CHECKS if must_be_zero and check[name]]
    if not_started:
        failed.append(f"attempts not started: {dict(not_started)}")
    if drained is None:
        failed.append(f"workers not caught up within {args.drain:g} s")

    rows = [
        (f"Start, {len(people)} at the same moment", start_figures),
        ("answer saves (and submissions), one every 10 s each", saves),
        ("webcam frames, one every 30 ± 10 s each", upload_figures),
        ("a pass graded → its certificate's PDF stored", certificate_figures),
    ]
    body = (
        f"**Test-centre day.** One room of {args.candidates} checked-in, consented, camera-checked "
        f"candidates; {questions} questions each. Everyone pressed Start at the same moment, then "
        f"answered a question every {ANSWER_EVERY} s, sent a webcam frame every "
        f"{SNAPSHOT_EVERY} ± {SNAPSHOT_JITTER} s ({NO_FACE:.0%} with no face) and submitted "
        f"when done: {sitting:.0f} s in all. {len(passed)} passed. The workers had analysed "
        "every frame and printed every certificate "
        + (
            f"{drained:.0f} s after the last submission."
            if drained is not None
            else "— not in time."
        )
        + "\n\n"
        + _findings(rows, check, CENTRE_CHECKS, failed)
    )
    print(body)
    return body, failed


def _errors(sitters):
    for sitter in sitters:
        for code, n in sitter.errors.items():
            yield from [code] * n


# ---------------------------------------------------------------------------
# A campaign day
# ---------------------------------------------------------------------------


class Player(quiz.Player):
    """A phone at the event: plays as quiz.Player does and remembers each acknowledged answer."""

    def __init__(self, host, number):
        super().__init__(host, number)
        self.acknowledged = []  # (play token, position)

    def request(self, kind, method, path, body=None, headers=None):
        response, data = super().request(kind, method, path, body, headers)
        if kind == "answer" and response is not None and response.status == 200:
            self.acknowledged.append((self.token, json.loads(body)["position"]))
        return response, data


class Viewer(threading.Thread):
    """A leaderboard on a phone or the big screen: asks every few seconds."""

    def __init__(self, host, path, stop, number):
        super().__init__()
        self.player = quiz.Player(host, 100_000 + number)
        self.path, self.stop = path, stop

    def run(self):
        time.sleep(self.player.rng.uniform(0, POLL_EVERY))
        while time.monotonic() < self.stop:
            self.player.request("state", "GET", self.path)
            time.sleep(POLL_EVERY)


class Bureau(threading.Thread):
    """The bureau's statistician opening the dashboard again and again, one at a time."""

    def __init__(self, host, cookie, stop):
        super().__init__()
        self.player = quiz.Player(host, 200_000)
        self.player.cookies = {"sessionid": cookie}
        self.stop = stop

    def run(self):
        while time.monotonic() < self.stop:
            response, _ = self.player.request("state", "GET", "/admin/exams/dashboard/")
            if response is not None and response.status != 200:  # a redirect to sign in
                self.player.errors.append(response.status)
            time.sleep(1)


def bureau_session():
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    user = User.objects.get(username="bureau_admin")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def verify_plays(players):
    from cms.quiz.models import PlayAnswer

    check = Counter()
    acknowledged = {(token, position) for p in players for token, position in p.acknowledged}
    tokens = {token for token, _ in acknowledged}
    stored = set(
        PlayAnswer.objects.filter(play__token__in=tokens, answered_at__isnull=False).values_list(
            "play__token", "position"
        )
    )
    check["quiz answers acknowledged"] = len(acknowledged)
    check["acknowledged quiz answer not stored"] = len(acknowledged - stored)
    return check


CAMPAIGN_CHECKS = [
    ("quiz answers acknowledged", False),
    ("acknowledged quiz answer not stored", True),
]


def campaign_day(stack, args):
    threading.stack_size(256 * 1024)
    quiz.seed_quiz()
    cookie = bureau_session()
    seconds = args.minutes * 60
    print(f"campaign day: {args.players} players, {args.viewers} leaderboards for {seconds:g} s …")
    stop = time.monotonic() + seconds
    players = [Player(stack.host, n) for n in range(args.players)]
    viewers = [Viewer(stack.host, quiz.LEADERBOARD, stop, n) for n in range(args.viewers)]
    bureau = Bureau(stack.host, cookie, stop)
    for thread in [*viewers, bureau]:
        thread.start()
    elapsed = quiz.run_players(players, lambda p, s: p.play(s, args.interval), seconds)
    for thread in [*viewers, bureau]:
        thread.join()

    check = verify_plays(players)
    failed = [name for name, must_be_zero in CAMPAIGN_CHECKS if must_be_zero and check[name]]
    viewer_errors = [e for v in viewers for e in v.player.errors]
    rows = [
        ("quiz: answer (POST …/answer)", quiz.figures(players, "answer", elapsed)),
        ("quiz: question (GET …/state)", quiz.figures(players, "state", elapsed)),
        ("quiz: join (POST the form)", quiz.figures(players, "join", elapsed)),
        (
            f"leaderboard JSON, {args.viewers} viewers every {POLL_EVERY} s",
            summarise(
                [t for v in viewers for t in v.player.timings["state"]], elapsed, viewer_errors
            ),
        ),
        (
            "bureau dashboard, one person reloading",
            summarise(bureau.player.timings["state"], elapsed, bureau.player.errors),
        ),
    ]
    player_errors = Counter(str(e) for p in players for e in p.errors)
    body = (
        f"**Campaign day.** {args.players} players joined (the sum solved) and answered a "
        f"question every ~{args.interval:g} s for {args.minutes:g} min while {args.viewers} "
        f"leaderboards polled every {POLL_EVERY} s and the bureau's dashboard was reloaded "
        f"once a second. Player errors: {dict(player_errors) or 'none'}.\n\n"
        + _findings(rows, check, CAMPAIGN_CHECKS, failed)
    )
    print(body)
    return body, failed


# ---------------------------------------------------------------------------
# Tables and the run
# ---------------------------------------------------------------------------


def _findings(rows, check, checks, failed):
    """The figures, the checks made in the database afterwards, and what failed."""
    lines = ["| check | count |", "| --- | ---: |"]
    for name, must_be_zero in checks:
        lines.append(f"| {name}{' (must be 0)' if must_be_zero else ''} | {check[name]} |")
    return (
        table(rows)
        + "\n\nChecked in the database afterwards:\n\n"
        + "\n".join(lines)
        + ("\n\n**Failed:** " + "; ".join(failed) if failed else "\n\nEvery check passed.")
        + "\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["centre", "campaign", "all"], default="all")
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5, help="seconds between quiz answers")
    parser.add_argument("--minutes", type=float, default=4, help="of the campaign day")
    parser.add_argument(
        "--drain", type=float, default=3600, help="seconds the workers may take to catch up"
    )
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes behind nginx")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per process")
    args = parser.parse_args()
    random.seed(12)

    queues = {"default": 1, "documents": 1, "snapshots": 2}
    stack = Stack(
        web=args.web,
        workers=args.workers,
        queues=queues,
        proxy=True,
        # Every simulated player comes from 127.0.0.1: the per-address limits are lifted.
        QUIZ_RATE_JOIN_IP="1000000/minute",
        QUIZ_RATE_ANSWER_IP="1000000/minute",
        QUIZ_RATE_JOIN_PHONE="1000/hour",
    )
    bodies, failed, loads = [], [], []
    with stack:
        print("seeding the demo …")
        stack.manage("seed_demo")
        stack.setup_django()
        if args.scenario in ("centre", "all"):
            body, problems = test_centre_day(stack, args)
            bodies.append(body)
            failed += problems
            loads.append(f"test-centre day {os.getloadavg()[1]:.1f} (5 min)")
        if args.scenario in ("campaign", "all"):
            body, problems = campaign_day(stack, args)
            bodies.append(body)
            failed += problems
            loads.append(f"campaign day {os.getloadavg()[1]:.1f} (5 min)")
    setup = (
        f"The stack of `bench/stack.py`: {args.web} gunicorn processes of {args.workers} sync "
        "workers behind nginx, PostgreSQL and Redis of the bench's own, Celery workers "
        + ", ".join(f"{n} on {q}" for q, n in queues.items())
        + f" (`-P solo`). The load generator runs on the same {os.cpu_count()} cores.\n\n"
        + "Load average of the machine at the end of each day (other work on the machine "
        + f"shows here): {', '.join(loads)}.\n\n"
    )
    record(
        SECTION if args.scenario == "all" else f"{SECTION}: {args.scenario}",
        "python bench/day.py " + " ".join(sys.argv[1:]),
        setup + "\n".join(bodies),
    )
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

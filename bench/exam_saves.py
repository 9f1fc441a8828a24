"""
Answer saves during an exam (issue 7): 500 candidates, each saving an answer
every 10 seconds, under gunicorn with PostgreSQL and Redis, through the API the
exam page uses (`POST /api/v1/attempts/<id>/answers/`, DRF token
authentication), and then a check in the database that no acknowledged answer
was lost or overwritten by an older one.

One room of checked-in candidates with prepared attempts at a bench centre of
its own (seeded by exam_start.py's `seed`). Every candidate presses "Start"
(spread over 10 s), then saves every `--interval` seconds from a moment of
their own in the first interval, so that the load is even: a question chosen
at random (now and then an earlier one, to change its answer), options chosen
at random (now and then cleared, now and then flagged for review). On top of
that, as a real page does:

- a retry: about 5% of the saves are sent again with the same client_id (most
  often the one just answered, as after a lost response; sometimes an older
  one, which must not overwrite the newer answer); expected "duplicate";
- out of order: about 2% of the ticks send two saves of the same question,
  sequence n+1 first, then n; expected "saved" then "stale", n+1 kept.

Each client keeps what it expects the server to hold: for each question, the
answer of its highest-sequence save that was acknowledged (answered 200).

Compared in the same run, on the same gunicorn: a bare Django view doing one
INSERT (`bench/urls_bare.py`, loaded by `config.settings.bench`: the production
settings plus that one URL), hit by the same number of clients at the same
rate, with the same JSON bodies. Afterwards the database is checked:

- every acknowledged answer is stored: for each question, the stored answer
  (and flag) is that of the highest acknowledged sequence;
- nothing reordered: no stored answer has a lower sequence than an
  acknowledged save of its question;
- one AnswerSave row for each acknowledged save that was not a duplicate
  (by client_id), `applied` as answered; the attempt's sequence is the highest
  acknowledged; every bare insert acknowledged is a row.

The script exits non-zero when a check fails.

    .venv/bin/python bench/exam_saves.py [--candidates 500] [--interval 10] [--minutes 2]
        [--workers 2]

Needs PostgreSQL and Redis on 127.0.0.1 (the database `ankang_bench` and Redis
databases 2 and 3, like the other scenarios); creates the table
`bench_bare_insert` in the bench database. The bench centre's earlier
sessions, bookings and attempts are deleted first. The client threads (one a
candidate) run on the same machine as the server and take their share of the
CPU.
"""

import argparse
import http.client
import json
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.exam_start import seed, spread  # noqa: E402
from bench.harness import VAR, bench_env, gunicorn, prepare, record, summarise  # noqa: E402
from bench.heartbeats import CpuMeter, run_threads, setup_django  # noqa: E402

PORT = 8307
CENTRE_CODE = "BENCHSV"  # at most 8 characters
LABEL = "作答保存"
TIMEOUT = 120  # a busy server keeps connections waiting in its listen queue
TRIES = 3  # a save with no answer (connection lost) is sent again, same client_id

CHANGE = 0.2  # a tick changes the answer of a question answered before
CLEAR = 0.02  # the new answer is "none" (an empty list clears it)
FLAG = 0.1  # flagged for review
RETRY = 0.05  # a save sent again with its client_id
RETRY_OLDER = 0.3  # of those, a save older than the last one
OUT_OF_ORDER = 0.02  # a tick sends seq n+1, then seq n, of the same question

BARE_PATH = "/bench/bare-insert/"
# gunicorn's own time for each request (from reading it to writing the answer):
# the client's latency minus this is the wait for a free worker.
ACCESS_LOG = VAR / "exam_saves_access.log"
ACCESS_ARGS = f"--access-logfile {ACCESS_LOG} --access-logformat '%(U)s %(s)s %(D)s'"

# The checks; those marked True fail the run when not zero.
CHECKS = [
    ("attempts", False),
    ("questions with an acknowledged answer", False),
    ("stored = newest acknowledged answer", False),
    ("acknowledged answer lost (nothing stored)", True),
    ("stored answer older than an acknowledged save (reordered)", True),
    ("stored answer ≠ acknowledged answer of that sequence", True),
    ("stored answer newer than any acknowledged (unanswered save)", True),
    ("answer stored for a question never acknowledged", True),
    ("acknowledged saves (distinct client ids)", False),
    ("AnswerSave rows", False),
    ("attempts whose AnswerSave rows ≠ acknowledged saves", True),
    ("acknowledged save with no AnswerSave row", True),
    ("AnswerSave `applied` ≠ outcome answered", True),
    ("attempt sequence ≠ highest acknowledged", True),
    ("response's answer ≠ client's expectation", True),
    ("new save not answered “saved”", True),
    ("late older save not answered “stale”", True),
    ("retry not answered “duplicate”", True),
    ("bare inserts acknowledged", False),
    ("bare rows", False),
    ("bare insert acknowledged, row missing", True),
]


# ---------------------------------------------------------------------------
# The candidates' browsers
# ---------------------------------------------------------------------------


class Client:
    """One browser: a token, a keep-alive connection (gunicorn's sync workers close it)."""

    def __init__(self, host, key, seed):
        self.hostname, self.port = host.split(":")
        self.headers = {"Host": "127.0.0.1", "Content-Type": "application/json"}
        if key:
            self.headers["Authorization"] = f"Token {key}"
        self.rng = random.Random(seed)
        self.connection = self._connect()
        self.answers = []  # (answered at, latency) of every 200
        self.errors = Counter()  # status code, or the exception of a request never answered
        self.requests = 0

    def _connect(self):
        return http.client.HTTPConnection(self.hostname, int(self.port), timeout=TIMEOUT)

    def post(self, path, payload):
        """(status, decoded body); None for a request never answered after TRIES."""
        body = json.dumps(payload)
        for _ in range(TRIES):
            self.requests += 1
            started = time.perf_counter()
            try:
                self.connection.request("POST", path, body=body, headers=self.headers)
                response = self.connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.connection.close()
                self.connection = self._connect()
                self.errors[type(exc).__name__] += 1
                continue
            latency = time.perf_counter() - started
            if response.status != 200:
                self.errors[str(response.status)] += 1
                return response.status, None
            self.answers.append((time.monotonic(), latency))
            try:
                return 200, json.loads(data)
            except ValueError:
                self.errors["200, not JSON"] += 1
                return response.status, None
        return None, None


class Candidate(Client):
    def __init__(self, host, attempt_id, key, start_answer):
        super().__init__(host, key, seed=attempt_id)
        self.attempt_id = attempt_id
        self.path = f"/api/v1/attempts/{attempt_id}/answers/"
        data = start_answer.data
        self.page = data["page"]
        self.sequence = data["sequence"]
        # position → number of options shown (true/false: 0 true, 1 false).
        self.options = {q["position"]: len(q["options"]) or 2 for q in data["questions"]}
        self.multiple = {q["position"] for q in data["questions"] if q["type"] == "multiple"}
        self.expected = {}  # position → (sequence, selected, flagged): newest acknowledged
        self.acknowledged = {}  # client_id → (sequence, position, outcome)
        self.sent = []  # every payload sent, for retries
        self.unanswered = 0
        self.outcomes = Counter()
        self.problems = Counter()  # the online checks

    def answer(self, position):
        rng = self.rng
        count = self.options[position]
        if rng.random() < CLEAR:
            selected = []
        elif position in self.multiple:
            selected = sorted(rng.sample(range(count), rng.randint(min(2, count), count)))
        else:
            selected = [rng.randrange(count)]
        self.sequence += 1
        return {
            "page": self.page,
            "client_id": str(uuid.uuid4()),
            "sequence": self.sequence,
            "position": position,
            "selected": selected,
            "flagged": rng.random() < FLAG,
        }

    def pick(self):
        answered = list(self.expected)
        fresh = [p for p in self.options if p not in self.expected]
        if fresh and (not answered or self.rng.random() >= CHANGE):
            return self.rng.choice(fresh)
        return self.rng.choice(answered)

    def send(self, payload, expect):
        status, data = self.post(self.path, payload)
        self.sent.append(payload)
        if status is None:
            self.unanswered += 1
        if status != 200 or data is None:
            return
        outcome = data["outcome"]
        self.outcomes[outcome] += 1
        if outcome != expect:
            self.problems[
                {
                    "saved": "new save not answered “saved”",
                    "stale": "late older save not answered “stale”",
                    "duplicate": "retry not answered “duplicate”",
                }[expect]
            ] += 1
        position, sequence = payload["position"], payload["sequence"]
        client_id = payload["client_id"]
        if outcome != "duplicate" or client_id not in self.acknowledged:
            # A duplicate after a connection lost: the first send was stored.
            self.acknowledged.setdefault(client_id, (sequence, position, outcome))
        stored = self.expected.get(position)
        if stored is None or sequence > stored[0]:
            stored = self.expected[position] = (
                sequence,
                payload["selected"],
                payload["flagged"],
            )
        answered = (data["saved_sequence"], sorted(data["selected"]), data["flagged"])
        if data["position"] != position or answered != stored:
            self.problems["response's answer ≠ client's expectation"] += 1

    def tick(self):
        rng = self.rng
        if rng.random() < OUT_OF_ORDER:
            position = self.pick()
            older, newer = self.answer(position), self.answer(position)
            self.send(newer, "saved")
            self.send(older, "stale")
        else:
            self.send(self.answer(self.pick()), "saved")
        if rng.random() < RETRY:
            if len(self.sent) > 1 and rng.random() < RETRY_OLDER:
                again = rng.choice(self.sent[:-1])
            else:
                again = self.sent[-1]
            if again["client_id"] in self.acknowledged:
                self.send(again, "duplicate")


class BareClient(Client):
    """The same number of requests a tick, the same bodies, to the bare INSERT view."""

    def __init__(self, host, number):
        super().__init__(host, None, seed=number)
        self.sequence = 0
        self.acknowledged = set()

    def send(self):
        self.sequence += 1
        payload = {
            "page": str(uuid.uuid4()),
            "client_id": str(uuid.uuid4()),
            "sequence": self.sequence,
            "position": self.rng.randint(1, 45),
            "selected": [self.rng.randrange(4)],
            "flagged": False,
        }
        status, data = self.post(BARE_PATH, payload)
        if status == 200 and data is not None:
            self.acknowledged.add(payload["client_id"])

    def tick(self):
        requests = 1 + (self.rng.random() < OUT_OF_ORDER) + (self.rng.random() < RETRY)
        for _ in range(requests):
            self.send()


def paced(clients, meter, *, interval, seconds):
    """
    Each client ticks every `interval` seconds from a moment of its own in the
    first interval, for `seconds`. A client whose request is still waiting
    sends its next one when answered (it never sends two at once).
    """
    began = time.monotonic() + 1.0  # every thread is running before the first is due
    stop = began + seconds

    def simulate(client):
        due = began + client.rng.uniform(0, interval)
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            client.tick()
            due += interval

    with meter:
        run_threads(clients, simulate)
    latencies = [latency for c in clients for _, latency in c.answers]
    errors = [code for c in clients for code, n in c.errors.items() for _ in range(n)]
    result = summarise(latencies, seconds, errors)
    in_window = sum(1 for c in clients for at, _ in c.answers if began <= at <= stop)
    result["rps"] = in_window / seconds
    result["offered"] = len(clients) / interval * (1 + OUT_OF_ORDER + RETRY)
    result["max"] = max(latencies, default=float("nan")) * 1000
    result["sent"] = sum(c.requests for c in clients)
    result["codes"] = sum((c.errors for c in clients), Counter())
    answered = sum(len(c.answers) for c in clients)
    result["gunicorn"] = meter.per_request("gunicorn", answered)
    result["postgres"] = meter.per_request("PostgreSQL", answered)
    return result


# ---------------------------------------------------------------------------
# What the database holds
# ---------------------------------------------------------------------------


def bare_table(reset):
    from django.db import connection

    from bench.urls_bare import CREATE_TABLE, TABLE

    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        if reset:
            cursor.execute(f"TRUNCATE {TABLE}")
            return set()
        cursor.execute(f"SELECT client_id FROM {TABLE}")
        return {str(row[0]) for row in cursor.fetchall()}


def verify(candidates, bare_clients):
    from exams import selectors
    from exams.models import AnswerSave, Attempt, AttemptQuestion

    ids = [c.attempt_id for c in candidates]
    items = defaultdict(dict)
    for item in AttemptQuestion.objects.filter(attempt_id__in=ids).only(
        "attempt_id", "position", "selected", "flagged", "saved_sequence", "option_order"
    ):
        items[item.attempt_id][item.position] = item
    saves = defaultdict(dict)
    for attempt_id, client_id, sequence, position, applied in AnswerSave.objects.filter(
        attempt_id__in=ids
    ).values_list("attempt_id", "client_id", "sequence", "position", "applied"):
        saves[attempt_id][str(client_id)] = (sequence, position, applied)
    sequences = dict(Attempt.objects.filter(pk__in=ids).values_list("pk", "sequence"))

    check = Counter()
    for c in candidates:
        check["attempts"] += 1
        check.update(c.problems)
        for position, item in items[c.attempt_id].items():
            expected = c.expected.get(position)
            stored = (item.saved_sequence, selectors.shown(item, item.selected), item.flagged)
            if expected is None:
                if item.saved_sequence:
                    check["answer stored for a question never acknowledged"] += 1
                continue
            check["questions with an acknowledged answer"] += 1
            if stored == (expected[0], sorted(expected[1]), expected[2]):
                check["stored = newest acknowledged answer"] += 1
            elif item.saved_sequence == 0:
                check["acknowledged answer lost (nothing stored)"] += 1
            elif item.saved_sequence < expected[0]:
                check["stored answer older than an acknowledged save (reordered)"] += 1
            elif item.saved_sequence > expected[0]:
                check["stored answer newer than any acknowledged (unanswered save)"] += 1
            else:
                check["stored answer ≠ acknowledged answer of that sequence"] += 1
        rows = saves[c.attempt_id]
        check["acknowledged saves (distinct client ids)"] += len(c.acknowledged)
        check["AnswerSave rows"] += len(rows)
        if len(rows) != len(c.acknowledged):
            check["attempts whose AnswerSave rows ≠ acknowledged saves"] += 1
        for client_id, (sequence, position, outcome) in c.acknowledged.items():
            row = rows.get(client_id)
            if row is None or row[:2] != (sequence, position):
                check["acknowledged save with no AnswerSave row"] += 1
            elif outcome != "duplicate" and row[2] != (outcome == "saved"):
                check["AnswerSave `applied` ≠ outcome answered"] += 1
        highest = max((s for s, _, _ in c.acknowledged.values()), default=None)
        if highest is not None and sequences[c.attempt_id] != highest:
            check["attempt sequence ≠ highest acknowledged"] += 1

    rows = bare_table(reset=False)
    for client in bare_clients:
        check["bare inserts acknowledged"] += len(client.acknowledged)
        check["bare insert acknowledged, row missing"] += len(client.acknowledged - rows)
    check["bare rows"] = len(rows)
    return check


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def server_times():
    """gunicorn's time per request answered 200, in ms: {"saves": [...], "bare": [...]}."""
    times = {"saves": [], "bare": []}
    for line in ACCESS_LOG.read_text().splitlines():
        path, status, micros = line.rsplit(" ", 2)
        if status != "200":
            continue
        if path == BARE_PATH:
            times["bare"].append(int(micros) / 1000)
        elif path.endswith("/answers/"):
            times["saves"].append(int(micros) / 1000)
    return times


def server_table(times):
    lines = [
        "| what | requests | p50 ms | p95 ms | p99 ms | mean ms |",
        "| --- |" + " ---: |" * 5,
    ]
    for name, key in (("answer save", "saves"), ("bare INSERT", "bare")):
        r = summarise([t / 1000 for t in times[key]], 1, [])
        lines.append(
            f"| {name} | {r['requests']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
            f"| {r['mean']:.1f} |"
        )
    return "\n".join(lines)


def load_table(rows):
    lines = [
        "| what | requests answered | req/s | offered req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| errors | gunicorn CPU ms/request | PostgreSQL CPU ms/request |",
        "| --- |" + " ---: |" * 10,
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['offered']:.1f} | {r['p50']:.1f} "
            f"| {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.0f} | {r['errors']} "
            f"| {r['gunicorn']:.1f} | {r['postgres']:.1f} |"
        )
    return "\n".join(lines)


def cpu_table(meters):
    kinds = ["gunicorn", "PostgreSQL", "load generator", "everything else"]
    lines = [
        "| phase | " + " | ".join(kinds) + " |",
        "| --- |" + " ---: |" * len(kinds),
    ]
    for name, meter in meters:
        lines.append(
            f"| {name} | " + " | ".join(f"{meter.cores[kind]:.2f}" for kind in kinds) + " |"
        )
    return "\n".join(lines)


def check_table(check):
    lines = ["| check | count |", "| --- | ---: |"]
    for name, must_be_zero in CHECKS:
        mark = " (must be 0)" if must_be_zero else ""
        lines.append(f"| {name}{mark} | {check[name]} |")
    return "\n".join(lines)


def codes(counter):
    return ", ".join(f"{code}: {n}" for code, n in sorted(counter.items())) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--interval", type=float, default=10, help="seconds between saves")
    parser.add_argument("--minutes", type=float, default=2, help="of saves, then of bare inserts")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seconds = args.minutes * 60

    env = bench_env(DJANGO_SETTINGS_MODULE="config.settings.bench", GUNICORN_CMD_ARGS=ACCESS_ARGS)
    prepare(env)
    setup_django(env)
    started = time.perf_counter()
    [(_, _, people)] = seed(args.candidates, rooms=1, centre_code=CENTRE_CODE, label=LABEL)
    bare_table(reset=True)
    print(f"seeded a room of {args.candidates} in {time.perf_counter() - started:.1f} s")

    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    ACCESS_LOG.unlink(missing_ok=True)
    with gunicorn(env, PORT, workers=args.workers) as host:
        warm = BareClient(host, -1)
        for _ in range(4 * args.workers):  # every worker has answered before measuring
            warm.send()
        print(f"{args.candidates} starts over 10 s …")
        starts, _ = spread(host, people, 10)
        candidates = [
            Candidate(host, attempt_id, key, answer)
            for (attempt_id, key), answer in zip(people, starts, strict=True)
            if answer.ok
        ]
        not_started = len(people) - len(candidates)
        if not_started:
            print(f"  {not_started} attempts not started: {Counter(a.problem() for a in starts)}")

        print(f"saves: {args.candidates} candidates every {args.interval:g} s for {seconds:g} s …")
        save_meter = CpuMeter(PORT, database)
        saves = paced(candidates, save_meter, interval=args.interval, seconds=seconds)
        print(f"  errors: {codes(saves['codes'])}")

        print(f"bare INSERT: {args.candidates} clients every {args.interval:g} s …")
        bare_clients = [BareClient(host, n) for n in range(args.candidates)]
        bare_meter = CpuMeter(PORT, database)
        bare = paced(bare_clients, bare_meter, interval=args.interval, seconds=seconds)
        print(f"  errors: {codes(bare['codes'])}")

    check = verify(candidates, [warm, *bare_clients])
    times = server_times()
    outcomes = sum((c.outcomes for c in candidates), Counter())
    failed = [name for name, must_be_zero in CHECKS if must_be_zero and check[name]]
    if not_started:
        failed.append("attempts not started")
    questions = len(next(iter(candidates)).options) if candidates else 0

    n, every = args.candidates, f"{args.interval:g} s"
    rows = [
        (f"answer saves: {n} candidates, one every {every}", saves),
        (f"bare Django view, one INSERT: {n} clients, one every {every}", bare),
    ]
    body = (
        f"One room of {n} candidates, each attempt started through the API ({questions} "
        f"questions), then {seconds:g} s of saves: each candidate a client thread of its own "
        f"on the same machine (the clients share the {os.cpu_count()} cores with the server), "
        f"a save every {every} from a moment of its own in the first {every}; about "
        f"{RETRY:.0%} of the saves sent again with their client_id, {OUT_OF_ORDER:.0%} of the "
        "ticks two saves of one question in reverse order. Then the same number of clients at "
        f"the same rate, same bodies, for {seconds:g} s, on a bare Django view doing one INSERT "
        f"(no authentication, no serializer) in the same gunicorn ({args.workers} sync workers, "
        "which close the connection after each answer), PostgreSQL, Redis. req/s counts "
        "answers inside the window; latency includes the wait for a free worker.\n\n"
        + load_table(rows)
        + "\n\nThe same requests timed by gunicorn itself, from reading the request to "
        "writing the answer (the client's latency less this is the wait for a free worker):\n\n"
        + server_table(times)
        + f"\n\nOutcomes of the saves: saved {outcomes['saved']}, stale {outcomes['stale']}, "
        f"duplicate {outcomes['duplicate']}. Not answered 200 — saves: {codes(saves['codes'])}; "
        f"bare: {codes(bare['codes'])}.\n\n"
        f"CPU, in cores busy on average (the machine has {os.cpu_count()}); “everything else” "
        "is the rest of the machine's work at the time.\n\n"
        + cpu_table([("answer saves", save_meter), ("bare INSERT", bare_meter)])
        + "\n\nChecked in the database afterwards:\n\n"
        + check_table(check)
        + ("\n\n**Failed:** " + "; ".join(failed) if failed else "\n\nEvery check passed.")
        + "\n"
    )
    record(
        "Exam answer saves (issue 7)",
        f"python bench/exam_saves.py --candidates {n} --interval {args.interval:g} "
        f"--minutes {args.minutes:g} --workers {args.workers}",
        body,
    )
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""
A campaign-day quiz under load (issue 10): `--players` members of the public
(1,000) each answer a question every ~5 s through the quiz's own JSON views,
under gunicorn with PostgreSQL and Redis, while 16 big screens ask for the
leaderboard as fast as they can; then, in the same run on the same gunicorn,
the same players post to a bare Django view doing one INSERT at the same
pace (`bench/urls_bare.py`, loaded by `config.settings.bench`), and the
leaderboard is measured again with no players.

Each player is a thread with its own cookies: it opens the quiz page, solves
the join form's sum, joins with a phone number of its own, then loops: ask
for the question (`GET .../state`), think 3–7 s, answer (`POST .../answer`);
when a play ends it joins again. Plays a day are unlimited for the bench quiz
and the per-IP limits are lifted (every player comes from 127.0.0.1).
Printed: answers per second with p50/p95/p99, the question reads, the joins,
and the leaderboard's requests per second, next to the bare view's figures.

    .venv/bin/python bench/quiz.py [--players 1000] [--interval 5] [--minutes 2]
        [--workers 4]

Needs PostgreSQL and Redis on 127.0.0.1 (the database `ankang_bench` and
Redis databases 2 and 3, like the other scenarios). The client threads run on
the same machine as the server and take their share of the CPU.
"""

import argparse
import datetime
import http.client
import json
import random
import re
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_env, gunicorn, load, prepare, record, summarise, table  # noqa: E402
from bench.heartbeats import setup_django  # noqa: E402

PORT = 8310
SLUG = "bench"
TIMEOUT = 120
BARE_PATH = "/bench/bare-insert/"
LEADERBOARD = f"/quiz/{SLUG}/leaderboard.json"
SCREENS = 16


def seed_quiz():
    """The bench quiz: the demo bank, 10 questions of 30 s, no daily limit; earlier plays gone."""
    from django.utils import timezone

    from cms.quiz.models import Quiz, QuizTown
    from exams.models import QuestionBank

    now = timezone.now()
    quiz, _created = Quiz.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": "压测知识竞赛",
            "opens_at": now - datetime.timedelta(hours=1),
            "closes_at": now + datetime.timedelta(days=1),
            "questions_per_play": 10,
            "seconds_per_question": 30,
            "plays_per_day": 10_000,
            "details": "full",
        },
    )
    quiz.banks.set(QuestionBank.objects.filter(name="区安全生产培训考试题库"))
    quiz.save()
    quiz.plays.all().delete()
    if not quiz.towns.exists():
        for name in ("城关街道", "河西街道", "新华街道", "龙泉镇"):
            QuizTown.objects.create(quiz=quiz, name=name)


def create_bare_table():
    from django.db import connection

    from bench.urls_bare import CREATE_TABLE, TABLE

    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        cursor.execute(f"TRUNCATE {TABLE}")  # noqa: S608


class Player:
    """One phone: its cookies, its play, its timings."""

    def __init__(self, host, number):
        self.hostname, self.port = host.split(":")
        self.rng = random.Random(number)
        self.phone = f"137{number:08d}"
        self.cookies = {}
        self.token = None
        self.timings = {"join": [], "state": [], "answer": [], "bare": []}
        self.errors = []

    def request(self, kind, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.hostname, int(self.port), timeout=TIMEOUT)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.errors.append(repr(exc))
            return None, b""
        finally:
            connection.close()
        if kind:
            self.timings[kind].append(time.perf_counter() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.status >= 400 and response.status != 409:
            self.errors.append(response.status)
        return response, data

    def join(self):
        _response, page = self.request(None, "GET", f"/quiz/{SLUG}/")
        html = page.decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        challenge = re.search(r'name="challenge_token" value="([^"]+)"', html)
        numbers = re.search(r"(\d+) \+ (\d+)", html)
        if not (csrf and challenge and numbers):
            self.errors.append("join form")
            return False
        form = {
            "csrfmiddlewaretoken": csrf.group(1),
            "real_name": "压测",
            "phone": self.phone,
            "town": self.rng.choice(["城关街道", "河西街道", "新华街道", "龙泉镇"]),
            "consent": "on",
            "challenge_token": challenge.group(1),
            "challenge_answer": str(int(numbers.group(1)) + int(numbers.group(2))),
        }
        response, _ = self.request(
            "join",
            "POST",
            f"/quiz/{SLUG}/",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        location = response.getheader("Location", "") if response else ""
        match = re.search(r"/quiz/play/([^/]+)/", location)
        self.token = match.group(1) if match else None
        return self.token is not None

    def play(self, stop, interval):
        time.sleep(self.rng.uniform(0, interval))
        while time.monotonic() < stop:
            if not self.token and not self.join():
                time.sleep(interval)
                continue
            _response, data = self.request("state", "GET", f"/quiz/play/{self.token}/state")
            try:
                state = json.loads(data)
            except ValueError:
                time.sleep(interval)
                continue
            if state.get("status") != "question":
                self.token = None
                continue
            time.sleep(self.rng.uniform(interval * 0.6, interval * 1.4))
            choice = [self.rng.randrange(max(len(state["options"]), 2))]
            self.request(
                "answer",
                "POST",
                f"/quiz/play/{self.token}/answer",
                json.dumps({"position": state["position"], "choice": choice}),
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                },
            )

    def bare(self, stop, interval):
        time.sleep(self.rng.uniform(0, interval))
        sequence = 0
        while time.monotonic() < stop:
            sequence += 1
            body = {"client_id": str(uuid.uuid4()), "sequence": sequence, "choice": [0]}
            self.request(
                "bare", "POST", BARE_PATH, json.dumps(body), {"Content-Type": "application/json"}
            )
            time.sleep(self.rng.uniform(interval * 0.6, interval * 1.4))


def run_players(players, target, seconds):
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(p, stop)) for p in players]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def figures(players, kind, elapsed):
    latencies = [t for p in players for t in p.timings[kind]]
    return summarise(latencies, elapsed, [])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    threading.stack_size(256 * 1024)

    env = bench_env(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        QUIZ_RATE_JOIN_IP="1000000/minute",
        QUIZ_RATE_ANSWER_IP="1000000/minute",
        QUIZ_RATE_JOIN_PHONE="1000/hour",
    )
    prepare(env)
    setup_django(env)
    seed_quiz()
    create_bare_table()
    seconds = args.minutes * 60

    with gunicorn(env, PORT, workers=args.workers) as host:
        players = [Player(host, number) for number in range(args.players)]
        screens = {}
        screen_thread = threading.Thread(
            target=lambda: screens.update(
                load(host, LEADERBOARD, seconds=seconds, concurrency=SCREENS)
            )
        )
        screen_thread.start()
        elapsed = run_players(players, lambda p, stop: p.play(stop, args.interval), seconds)
        screen_thread.join()
        quiz_errors = sum(len(p.errors) for p in players)
        rows = [
            ("quiz: answer (POST …/answer)", figures(players, "answer", elapsed)),
            ("quiz: question (GET …/state)", figures(players, "state", elapsed)),
            ("quiz: join (POST the form)", figures(players, "join", elapsed)),
            (f"leaderboard JSON, {SCREENS} screens, during the quiz", screens),
        ]
        for player in players:
            player.errors = []
        elapsed = run_players(players, lambda p, stop: p.bare(stop, args.interval), seconds)
        bare_errors = sum(len(p.errors) for p in players)
        rows.append(("bare Django view, one INSERT, same pace", figures(players, "bare", elapsed)))
        rows.append(
            (
                f"leaderboard JSON, {SCREENS} screens, no players",
                load(host, LEADERBOARD, seconds=15, concurrency=SCREENS),
            )
        )

    from cms.quiz.models import Play

    finished = Play.objects.filter(quiz__slug=SLUG, status="finished").count()
    flagged = Play.objects.filter(quiz__slug=SLUG).exclude(flags=[]).count()
    body = (
        f"{args.players} players, an answer every ~{args.interval:g} s for {args.minutes:g} min, "
        f"gunicorn {args.workers} sync workers. Quiz phase errors: {quiz_errors}; bare phase "
        f"errors: {bare_errors}; plays finished: {finished}; plays flagged: {flagged}.\n\n"
        f"{table(rows)}\n"
    )
    print(body)
    record(
        f"Campaign quiz: {args.players} players and the big screens",
        "python bench/quiz.py " + " ".join(sys.argv[1:]),
        body,
    )
    return 0 if quiz_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

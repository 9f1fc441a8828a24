"""
The bureau's dashboard (issue 11) over the simulated history of seed_demo,
made 100,000 attempts large (exams/demo_history.py: sittings with every
answer, bookings and no-shows, re-sits, certificates, incidents): the page as
the bureau admin opens it (the last twelve months, every centre), the same
page filtered by industry, an Excel export, and each selector behind the page
on its own; p50/p95 over N runs and the SQL queries of each (which must not
grow with the number of attempts). Next to them in the same run: the Wagtail
admin's home page for the same user, the floor of any admin page here.

    .venv/bin/python bench/dashboard.py [--attempts 100000] [--runs 30] [--print-only]

In-process, through Django's test client, with the test settings against
PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ankang_bench_dashboard_history: a database
of its own, so that the other benches' databases stay small) and Redis as the
cache (BENCH_REDIS_URL, default redis://127.0.0.1:6379/2). The first run makes
the history (a few minutes for 100,000 attempts, 4.5 million answers) and
ANALYZEs the tables; later runs reuse it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/ankang_bench_dashboard_history",
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
PREFIX = "bench"


def setup():
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["PRIVATE_MEDIA_ROOT"] = str(ROOT / "var" / "bench" / "dashboard-private")
    from bench.question_bank import setup_django

    setup_django(DATABASE_URL)


def seed(attempts):
    """The demo's centres, people and bank, then the history (once); returns the attempt count."""
    from django.db import connection

    from accounts.demo import seed_people
    from exams.demo import seed_question_bank
    from exams.demo_centres import seed_centres
    from exams.demo_history import seed_history
    from exams.models import Attempt

    seed_people()
    seed_question_bank()
    seed_centres()
    began = time.perf_counter()
    made = seed_history(attempts_target=attempts, prefix=PREFIX)
    if made is not None:
        print(
            f"history: {made.candidates:,} candidates, {made.sessions:,} sessions, "
            f"{made.attempts:,} attempts, {made.certificates:,} certificates, "
            f"{made.incidents:,} incidents in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Attempt.objects.filter(practice=False).count()


def timed(function, runs):
    """p50 and p95 in ms over `runs` calls (after one warm-up), and the queries of one call."""
    from django.db import connection

    # Counted by an execute wrapper: the test client's request_started signal
    # empties the connection's query log, so CaptureQueriesContext sees none.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": len(queries),
    }


def page(client, path):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return get


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--print-only", action="store_true", help="print the figures, leave bench/RESULTS.md be"
    )
    args = parser.parse_args()

    setup()
    attempts = seed(args.attempts)

    from django.test import Client

    from accounts.models import User
    from exams.statistics import selectors
    from exams.statistics.selectors import Filters

    bureau = User.objects.get(username="bureau_admin")
    client = Client()
    client.force_login(bureau)
    year = Filters.from_query({}, user=bureau)
    chemicals = Filters.from_query({"industry": "hazardous_chemicals"}, user=bureau)
    dashboard = "/admin/exams/dashboard/"
    rows = [
        ("Wagtail admin home (the floor)", page(client, "/admin/")),
        ("dashboard page, last 12 months", page(client, dashboard)),
        ("dashboard page, one industry", page(client, f"{dashboard}?industry=hazardous_chemicals")),
        ("Excel export, by employer", page(client, f"{dashboard}employer.xlsx")),
        ("selector summary", lambda: selectors.summary(year)),
        ("selector summary, one industry", lambda: selectors.summary(chemicals)),
        ("selector by_month", lambda: selectors.by_month(year)),
        *[
            (f"selector by_dimension {name}", lambda name=name: selectors.by_dimension(year, name))
            for name in selectors.DIMENSIONS
        ],
        ("selector incidents_by_type", lambda: selectors.incidents_by_type(year)),
        ("selector campaign_reach_by_town", lambda: selectors.campaign_reach_by_town(year)),
    ]
    results = [(name, timed(function, args.runs)) for name, function in rows]

    # As the bureau meets it: the worker has computed the usual view ahead.
    from django.test import override_settings

    from exams import tasks

    with override_settings(STATISTICS_CACHE_SECONDS=600):
        began = time.perf_counter()
        tasks.warm_dashboards()
        warming = (time.perf_counter() - began) * 1000
        results.insert(
            3,
            (
                "dashboard page, last 12 months, kept by the worker",
                timed(page(client, dashboard), args.runs),
            ),
        )

    lines = ["| what | p50 ms | p95 ms | queries |", "| --- | ---: | ---: | ---: |"]
    for name, result in results:
        lines.append(
            f"| {name} | {result['p50']:.0f} | {result['p95']:.0f} | {result['queries']} |"
        )
    body = (
        f"{attempts:,} attempts (graded sittings over the past year with their answers, "
        f"bookings, certificates and incidents, from exams/demo_history.py) in PostgreSQL; "
        f"Django's test client in one process, {args.runs} runs of each after one warm-up. "
        f"The worker's round that keeps the usual views ready (`warm_dashboards`: every "
        f"centre, and each centre) took {warming:,.0f} ms.\n\n" + "\n".join(lines)
    )
    if args.print_only:
        print(body)
        return
    from bench.harness import record

    command = f"python bench/dashboard.py --attempts {args.attempts} --runs {args.runs}"
    record("Dashboard over the simulated history (issue 11)", command, body)


if __name__ == "__main__":
    main()

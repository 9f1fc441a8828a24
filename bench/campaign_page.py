"""
Requests per second for a campaign page, from the page cache and rendered
anew, under gunicorn; next to a static file served by whitenoise in the same
run (the ceiling for this stack on this machine).

    .venv/bin/python bench/campaign_page.py [--seconds 10] [--concurrency 16]

Needs PostgreSQL and Redis on 127.0.0.1 (it uses its own database,
`ankang_bench`, and Redis databases 2 and 3).
"""

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_env, gunicorn, load, prepare, record, table  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = bench_env()
    prepare(env)
    today = datetime.date.today()
    year = today.year + (today >= datetime.date(today.year, 5, 12))
    campaign = f"/campaigns/disaster-prevention-day-{year}/"

    rows = []
    with gunicorn(env, 8301, workers=args.workers) as cached_host:
        load(cached_host, campaign, seconds=1)  # fill the cache
        rows.append(
            (
                "campaign page, from the cache",
                load(cached_host, campaign, seconds=args.seconds, concurrency=args.concurrency),
            )
        )
        rows.append(
            (
                "static file (whitenoise), same server",
                load(
                    cached_host,
                    "/static/css/site.css",
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                ),
            )
        )
    with gunicorn(
        bench_env(
            **{k: env[k] for k in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_NUMBER_DIGEST_KEY")},
            PAGE_CACHE_SECONDS="0",
            REDIS_URL="redis://127.0.0.1:6379/4",
        ),
        8302,
        workers=args.workers,
    ) as host:
        rows.append(
            (
                "campaign page, rendered every time",
                load(host, campaign, seconds=args.seconds, concurrency=args.concurrency),
            )
        )

    command = (
        f"python bench/campaign_page.py --seconds {args.seconds} "
        f"--concurrency {args.concurrency} --workers {args.workers}"
    )
    body = (
        f"gunicorn with {args.workers} sync workers, PostgreSQL, Redis cache; "
        f"{args.concurrency} keep-alive client threads on the same machine for "
        f"{args.seconds} s per row.\n\n" + table(rows)
    )
    record("Campaign page (issue 3)", command, body)


if __name__ == "__main__":
    main()

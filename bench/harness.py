"""
Shared pieces of the benchmarks: a production-like stack on this machine and a
small load generator on loopback.

The stack is gunicorn with `config.settings.production` against PostgreSQL
and Redis on 127.0.0.1, in a database of its own (`ankang_bench`), with
throwaway keys. Load comes from threads with keep-alive connections, bounded
in time; every figure printed is measured in the same run as its baseline.
"""

import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "RESULTS.md"
PYTHON = sys.executable


def bench_keys():
    """
    Throwaway keys, made on the first run and kept in var/bench: the bench
    database outlives a run, and rows encrypted with one run's keys must be
    readable by the next (seed_demo reads the users it made before).
    """
    path = VAR / "keys.json"
    if not path.exists():
        keys = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ID_NUMBER_DIGEST_KEY": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(keys))
    return json.loads(path.read_text())


def bench_env(**overrides):
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **bench_keys(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ankang_bench"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3"),
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        "PRIVATE_MEDIA_ROOT": str(VAR / "private"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


def manage(env, *args):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def create_database(env):
    """Create the bench database if it does not exist (PostgreSQL only)."""
    url = env["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env):
    create_database(env)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")


@contextlib.contextmanager
def gunicorn(env, port, workers=2):
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn on port {port} did not start") from None
                time.sleep(0.3)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def celery_worker(env, *, name, log, queues=None, niceness=0):
    """
    One Celery worker process (`-P solo`) named `name`, consuming `queues` (a
    comma-separated list; all three when None), its output appended to `log`.
    """
    command = [PYTHON, "-m", "celery", "-A", "config.celery_app", "worker", "-P", "solo"]
    command += ["-n", f"{name}@%h", "--loglevel", "WARNING", "--without-gossip"]
    command += ["--without-mingle", *(["-Q", queues] if queues else [])]
    if niceness:
        command = ["nice", "-n", str(niceness), *command]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=Path(log).open("ab"),  # noqa: SIM115 - the process keeps it
        stderr=subprocess.STDOUT,
    )


def load(host, path, *, seconds=10, concurrency=16, expect=200):
    """Send GETs for `seconds` from `concurrency` keep-alive connections."""
    hostname, port = host.split(":")
    latencies, errors = [], []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        connection = http.client.HTTPConnection(hostname, int(port), timeout=10)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != expect:
                    errors.append(response.status)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                connection.close()
                connection = http.client.HTTPConnection(hostname, int(port), timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return summarise(latencies, elapsed, errors)


def summarise(latencies, elapsed, errors):
    latencies.sort()

    def pct(p):
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "errors": len(errors),
    }


def machine():
    memory = ""
    with contextlib.suppress(OSError):
        total = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {total / 1024 / 1024:.0f} GiB memory"
    return (
        f"{os.cpu_count()} cores{memory}, {platform.platform()}, Python {platform.python_version()}"
    )


def table(rows):
    lines = [
        "| what | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['p99']:.1f} | {r['errors']} |"
        )
    return "\n".join(lines)


def record(section, command, body):
    """Replace (or add) this benchmark's section in bench/RESULTS.md."""
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    text = (
        f"<!-- {section} -->\n## {section}\n\n"
        f"Command: `{command}` — {stamp}, {machine()}.\n\n{body}\n<!-- /{section} -->\n"
    )
    current = (
        RESULTS.read_text()
        if RESULTS.exists()
        else (
            "# Benchmark results\n\nThe latest figures of each script in `bench/`, written by the "
            "script itself. Figures are from this project's development machine; compare rows "
            "of the same run, not runs on different machines.\n\n"
        )
    )
    pattern = re.compile(rf"<!-- {re.escape(section)} -->.*?<!-- /{re.escape(section)} -->\n", re.S)
    updated = pattern.sub(lambda _: text, current) if pattern.search(current) else current + text
    RESULTS.write_text(updated)
    print(text)

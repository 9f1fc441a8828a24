"""
The production stack on this machine, every part a process of its own that a
scenario or a fault drill can stop, kill or restart:

- PostgreSQL: a cluster of the bench's own (initdb in /tmp/ankang-bench-pg-5433,
  port 5433), so that restarting it disturbs nobody else's database;
- Redis: a server of its own (port 6380) with an append-only file, as
  `docs/deploy.md` sets one up, so that queued tasks outlive a restart;
- gunicorn: `web` processes on ports 8101, 8102, … each with `workers` sync
  workers, running `config.settings.bench` (production settings plus the
  bare view the scenarios compare against);
- nginx in front of them on port 8100 (when there is more than one web
  process, or `proxy=True`), with the configuration `docs/deploy.md` gives;
- Celery workers per queue (`default`, `documents`, `snapshots`), `-P solo`,
  as many of each as asked, and optionally beat.

    with Stack(web=2, workers=2, queues={"default": 1, "documents": 1, "snapshots": 2}) as stack:
        stack.host            # "127.0.0.1:8100", what clients talk to
        stack.postgres.restart()
        stack.redis.stop(); stack.redis.start()
        stack.web[0].kill_worker()
        stack.celery["documents"][0].kill()

Logs go to var/bench/stack/*.log. Nothing leaves loopback.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT, VAR, bench_env, celery_worker, manage

STACK = VAR / "stack"
# BENCH_PORT_OFFSET moves every port (and the PostgreSQL cluster's folder), so
# that two checkouts can each run a stack on one machine.
OFFSET = int(os.environ.get("BENCH_PORT_OFFSET", "0"))
PG_PORT = 5433 + OFFSET
REDIS_PORT = 6380 + OFFSET
PROXY_PORT = 8100 + OFFSET
WEB_PORT = 8101 + OFFSET
QUEUES = ("default", "documents", "snapshots")
WORKER_NICENESS = 10
NGINX_TEMPLATE = ROOT / "config" / "deploy" / "nginx.conf"


def wait_for(condition, what, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout} s")
        time.sleep(interval)


def port_answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def as_postgres(command):
    """PostgreSQL refuses to run as root: run its tools as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Postgres:
    """A PostgreSQL cluster of the bench's own."""

    def __init__(self, port=PG_PORT):
        self.port = port
        # Outside the checkout: the postgres user must be able to reach it.
        self.root = Path(tempfile.gettempdir()) / f"ankang-bench-pg-{port}"
        self.data = self.root / "data"
        self.bin = Path(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        )
        if not (self.bin / "initdb").exists():
            self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/ankang"

    def ctl(self, *args):
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300"
        )
        subprocess.run(
            as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log")]
                + ["-o", options, "-w", "-t", "60", *args]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def init(self):
        if not (self.data / "PG_VERSION").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres", "postgres")
            subprocess.run(
                as_postgres(
                    [
                        str(self.bin / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        "postgres",
                        "-A",
                        "trust",
                    ]
                    + ["-E", "UTF8", "--locale=C.UTF-8"]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )

    def start(self):
        self.init()
        if not port_answers(self.port):
            self.ctl("start")
        import psycopg

        admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname='ankang'").fetchone():
                conn.execute('CREATE DATABASE "ankang"')

    def stop(self):
        self.ctl("stop", "-m", "fast")

    def restart(self):
        """What an operator's `systemctl restart postgresql` does: every connection is cut."""
        self.ctl("restart", "-m", "fast")


class Redis:
    """A Redis of the bench's own, keeping an append-only file as in production."""

    def __init__(self, port=REDIS_PORT):
        self.port = port
        self.dir = STACK / "redis"
        self.process = None

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(self.dir)],
            stdout=(STACK / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_answers(self.port), "Redis")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def url(self, db):
        return f"redis://127.0.0.1:{self.port}/{db}"


class Web:
    """One gunicorn process (master and its sync workers) on a port of its own."""

    def __init__(self, env, port, workers):
        self.env, self.port, self.workers = env, port, workers
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "10"]
            + ["--log-level", "warning", "--name", f"ankang-web-{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=(STACK / f"web-{self.port}.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self.healthy, f"gunicorn on {self.port}")

    def healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn on {self.port} exited; see {STACK}/web-{self.port}.log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status in (200, 503)
        except OSError:
            return False

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_worker(self):
        """SIGKILL one worker, as the kernel's OOM killer would; the master forks another."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Worker:
    """One Celery worker process (`-P solo`) consuming one queue."""

    def __init__(self, env, queue, n):
        self.env, self.queue, self.n = env, queue, n
        self.process = None

    def start(self):
        # Background work yields the CPU to the web processes on a shared
        # machine (docs/deploy.md: Nice=10 in the worker's unit).
        self.process = celery_worker(
            self.env,
            name=f"{self.queue}-{self.n}",
            log=STACK / f"celery-{self.queue}-{self.n}.log",
            queues=self.queue,
            niceness=WORKER_NICENESS,
        )

    @property
    def pid(self):
        return self.process.pid

    def kill(self):
        """SIGKILL: the task it was running is redelivered (acks_late)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class Beat(Worker):
    def __init__(self, env):
        super().__init__(env, "beat", 1)

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config.celery_app", "beat"]
            + ["--loglevel", "WARNING", "--schedule", str(STACK / "celerybeat-schedule")],
            cwd=ROOT,
            env=self.env,
            stdout=(STACK / "celery-beat.log").open("ab"),
            stderr=subprocess.STDOUT,
        )


class Proxy:
    """nginx on loopback in front of the web processes, configured as docs/deploy.md says."""

    def __init__(self, ports, port=PROXY_PORT):
        self.ports, self.port = ports, port
        self.prefix = STACK / "nginx"
        self.process = None

    def start(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed: make bench-debs")
        (self.prefix / "logs").mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in self.ports)
        config = (
            NGINX_TEMPLATE.read_text()
            .replace("{{ upstreams }}", upstreams)
            .replace("{{ listen }}", f"127.0.0.1:{self.port}")
            .replace("{{ static_root }}", str(VAR / "static"))
            .replace("{{ cache_dir }}", str(self.prefix / "cache"))
        )
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            "pid nginx.pid;\nerror_log logs/error.log warn;\nevents { worker_connections 4096; }\n"
            "http {\n    include /etc/nginx/mime.types;\n    access_log off;\n"
            f"    client_body_temp_path {self.prefix}/body;\n"
            f"    proxy_temp_path {self.prefix}/proxy;\n{config}\n}}\n"
        )
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=(STACK / "nginx.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_answers(self.port), "nginx")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Stack(contextlib.AbstractContextManager):
    def __init__(
        self,
        *,
        web=1,
        workers=2,
        queues=None,
        beat=False,
        proxy=None,
        settings="config.settings.bench",
        **env_overrides,
    ):
        STACK.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres()
        self.redis = Redis()
        self.env = bench_env(
            DJANGO_SETTINGS_MODULE=settings,
            DATABASE_URL=self.postgres.url,
            REDIS_URL=self.redis.url(1),
            CELERY_BROKER_URL=self.redis.url(0),
            **env_overrides,
        )
        self.web = [Web(self.env, WEB_PORT + n, workers) for n in range(web)]
        queues = {"default": 1, "documents": 1, "snapshots": 1} if queues is None else queues
        self.celery = {q: [Worker(self.env, q, n + 1) for n in range(c)] for q, c in queues.items()}
        self.beat = Beat(self.env) if beat else None
        self.proxy = Proxy([w.port for w in self.web]) if (proxy or web > 1) else None

    @property
    def host(self):
        port = self.proxy.port if self.proxy else self.web[0].port
        return f"127.0.0.1:{port}"

    def manage(self, *args):
        manage(self.env, *args)

    def workers(self):
        return [w for group in self.celery.values() for w in group]

    def __enter__(self):
        self.postgres.start()
        self.redis.start()
        try:
            self.manage("migrate", "--noinput")
            self.manage("collectstatic", "--noinput")
            for part in [*self.web, *self.workers(), *([self.beat] if self.beat else [])]:
                part.start()
            if self.proxy:
                self.proxy.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        parts = [self.proxy, *self.web, *self.workers(), self.beat, self.redis]
        for part in parts:
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
        with contextlib.suppress(Exception):
            self.postgres.stop()

    def setup_django(self):
        """Use Django in this process against the stack's database (to seed and to check)."""
        import django

        os.environ.update(self.env)
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        django.setup()

import shutil
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis_broker(settings):
    """A Redis server of this test's own, used as the broker, that the test can stop."""
    port = free_port()
    server = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    yield server
    server.kill()
    server.wait()


def test_it_reports_every_service_up(client, own_redis_broker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "checks": {
            "database": {"ok": True, "error": None},
            "cache": {"ok": True, "error": None},
            "broker": {"ok": True, "error": None},
        },
    }


def test_it_reports_a_stopped_broker(client, own_redis_broker):
    own_redis_broker.terminate()
    own_redis_broker.wait()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["broker"] == {
        "ok": False,
        "error": "Unavailable: Broker unreachable",
    }
    assert body["checks"]["database"]["ok"] is True

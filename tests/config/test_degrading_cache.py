"""
The Redis cache while Redis is unreachable: reads miss, writes are dropped,
nothing raises (so that exam saves and their rate limits go on), and
/healthz still says the cache is down.
"""

import socket

import pytest
from django.core.cache import cache, caches

from config.cache import DegradingRedisCache

pytestmark = pytest.mark.django_db


def nowhere():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": nowhere(),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return cache


def test_it_misses_and_drops_writes_while_redis_is_unreachable(unreachable):
    assert isinstance(caches["default"], DegradingRedisCache)
    unreachable.set("answer", 42)
    assert unreachable.get("answer") is None
    assert unreachable.get("answer", "no") == "no"
    assert unreachable.add("answer", 42) is True  # as if added: see config/cache.py
    assert unreachable.get_many(["answer"]) == {}
    assert unreachable.has_key("answer") is False
    with pytest.raises(ValueError):
        unreachable.incr("answer")
    unreachable.delete("answer")


def test_healthz_still_reports_the_cache_down(client, unreachable):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_the_public_can_still_join_a_quiz_while_redis_is_unreachable(unreachable):
    from cms.quiz import guards

    question, token = guards.new_challenge()
    first, second = (int(n) for n in question.split(" + "))

    assert guards.check_challenge(token, first + second)
    assert not guards.check_challenge(token, first + second + 1)
    assert guards.allow("join_ip", "203.0.113.9")  # no counter: not limited

"""
The Redis cache, degrading while Redis is down instead of failing requests.

Everything Ankang keeps in the cache can be lost: the API's rate limits, the
campaign pages' rendered copies, the dashboard's figures. An exam must go on
while Redis restarts, so an unreachable Redis is a cache miss (reads answer
their default, writes are dropped, `incr` finds no counter) and a warning in
the log, not an error: the candidate's answer is saved without its rate limit
being counted. `/healthz` still reports the cache down (its check writes and
reads back). The same behaviour as django-redis's IGNORE_EXCEPTIONS, for
Django's own backend.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _missing(name, fallback):
    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                logger.warning("cache %s skipped: Redis is unreachable (%s)", name, exc)
                return fallback(*args, **kwargs)

        return call

    return wrap


def _no_counter(*args, **kwargs):
    raise ValueError("Redis is unreachable: no counter")


class DegradingRedisCacheClient(RedisCacheClient):
    # As if added: the one caller that reads the answer (the quiz's sum,
    # good once) then lets a solved sum through instead of refusing everyone.
    add = _missing("add", lambda *a, **k: True)(RedisCacheClient.add)
    get = _missing("get", lambda key, default=None: default)(RedisCacheClient.get)
    set = _missing("set", lambda *a, **k: None)(RedisCacheClient.set)
    touch = _missing("touch", lambda *a, **k: False)(RedisCacheClient.touch)
    delete = _missing("delete", lambda *a, **k: False)(RedisCacheClient.delete)
    get_many = _missing("get_many", lambda *a, **k: {})(RedisCacheClient.get_many)
    has_key = _missing("has_key", lambda *a, **k: False)(RedisCacheClient.has_key)
    incr = _missing("incr", _no_counter)(RedisCacheClient.incr)
    set_many = _missing("set_many", lambda *a, **k: None)(RedisCacheClient.set_many)
    delete_many = _missing("delete_many", lambda *a, **k: None)(RedisCacheClient.delete_many)
    clear = _missing("clear", lambda *a, **k: False)(RedisCacheClient.clear)


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

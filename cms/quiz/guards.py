"""
Cheap defences against bots that need no outside service: a sum to solve at
join (signed, time-limited, good once) and rate limits per IP address and per
phone number, counted in the shared cache.
"""

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

CHALLENGE_SALT = "cms.quiz.challenge"
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def new_challenge():
    """(question, token): e.g. ("7 + 5", a signed token holding 12 and a one-time nonce)."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps(
        {"sum": first + second, "nonce": secrets.token_hex(8)}, salt=CHALLENGE_SALT
    )
    return f"{first} + {second}", token


def check_challenge(token, answer):
    """True once for a right answer to an unexpired challenge; a replayed token fails."""
    try:
        data = signing.loads(token, salt=CHALLENGE_SALT, max_age=settings.QUIZ_CHALLENGE_SECONDS)
    except signing.BadSignature:
        return False
    if str(answer).strip() != str(data["sum"]):
        return False
    return cache.add(f"quiz:challenge:{data['nonce']}", 1, settings.QUIZ_CHALLENGE_SECONDS)


def parse_rate(rate):
    number, period = rate.split("/")
    return int(number), PERIODS[period]


def allow(scope, identity):
    """Count one request of `identity` in this window; False once it is over the scope's limit."""
    number, period = parse_rate(settings.QUIZ_RATE_LIMITS[scope])
    window = int(time.time() // period)
    key = f"quiz:rate:{scope}:{identity}:{window}"
    cache.add(key, 0, period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 5)
        count = 1
    return count <= number

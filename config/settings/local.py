"""
One machine, no external service: `make run`.

SQLite under var/, kombu's filesystem broker with a local worker, and the
development keys below. Never use these keys for real personal data.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-only-7b1d0c0e9a-not-for-production")
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["bG9jYWwtb25seS1maWVsZC1rZXktMDAwMDAwMDAwMDA="]
)
ID_NUMBER_DIGEST_KEY = env.str("ID_NUMBER_DIGEST_KEY", default="local-only-digest-key")

"""
The test suite: `make test` (and `.ci/run` against PostgreSQL and Redis).

Unit tests run Celery tasks eagerly; integration tests start a real worker
and switch eager mode off for themselves (tests/conftest.py).
"""

from .base import *  # noqa: F403
from .base import REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-secret"  # noqa: S105
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS0wMDAwMDAwMDAwMDA="]
ID_NUMBER_DIGEST_KEY = "test-only-digest-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

if not REDIS_URL:  # a run without Redis keeps its cache to itself
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client's login() authenticates without a request, which axes
# refuses; tests/accounts/test_login_lockout.py switches axes on for itself.
AXES_ENABLED = False
# seed_demo without its year of history (tests/exams/test_demo_history.py makes small ones).
DEMO_HISTORY_ATTEMPTS = env.int("DEMO_HISTORY_ATTEMPTS", default=0)
# Each test sees the figures of its own data; tests/exams/test_dashboard.py turns keeping on.
STATISTICS_CACHE_SECONDS = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve static files straight from the apps (no collectstatic) in the live server.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

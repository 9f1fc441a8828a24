"""
Production: PostgreSQL, Redis, gunicorn and Celery workers on as many
machines as the load needs. `manage.py check --deploy --fail-level WARNING`
is clean with these settings (CI runs it).

https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Required: the process refuses to start without them.
SECRET_KEY = env.str("SECRET_KEY")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
ID_NUMBER_DIGEST_KEY = env.str("ID_NUMBER_DIGEST_KEY")

# Behind a TLS-terminating proxy (nginx) that sets X-Forwarded-Proto (and
# overwrites any the client sent, or anyone could claim HTTPS); plain HTTP is
# redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# HSTS for a year, subdomains included, and eligible for the browsers' preload
# list: the bureau's whole domain is HTTPS-only, so a candidate on a test
# centre's or a café's network is never downgraded to HTTP. Start a new
# deployment with SECURE_HSTS_SECONDS=300 until HTTPS is known to work; once
# preloaded, going back to HTTP takes months.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Other sites learn nothing of the pages a person came from (exam and attempt URLs).
SECURE_REFERRER_POLICY = "same-origin"
# Cookies only over HTTPS; the session cookie out of JavaScript's reach.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Rate limits per client address read X-Forwarded-For as far as nginx sets it.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env.int("NUM_PROXIES", default=1)}  # noqa: F405

# Compressed, hashed static files served by whitenoise from every web process.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

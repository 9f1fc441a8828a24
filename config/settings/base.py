"""
Settings shared by every environment.

Everything that differs between machines comes from the environment, parsed
strictly by django-environ: a malformed value stops the process at start-up
instead of surfacing as a strange bug on exam day. `local`, `test` and
`production` only change defaults and add checks.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A `.env` file is optional and only read when present; the real environment wins.
env.read_env(BASE_DIR / ".env", overwrite=False)


def env_path(name, default):
    return Path(env.str(name, default=str(default)))


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Personal data at rest. ID-card numbers are encrypted with Fernet (MultiFernet:
# the first key encrypts, all keys decrypt, so keys can be rotated) and looked
# up by an HMAC digest with its own key, so that a leaked digest column alone
# cannot be reversed by enumerating the ~10^10 plausible numbers.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
ID_NUMBER_DIGEST_KEY = env.str("ID_NUMBER_DIGEST_KEY", default="")

# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------

INSTALLED_APPS = [
    # Ours. `accounts.apps.AccountsUsersConfig` replaces `wagtail.users` so that
    # the Wagtail user screens know our fields (masked ID number, real name).
    "accounts",
    "accounts.apps.AccountsUsersConfig",
    "cms",
    "training",
    "exams",
    "proctoring",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "auditlog",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.i18n.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changed what, and from where, for the audit log (django-auditlog;
    # what it records is in accounts/audit.py).
    "accounts.audit.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response, the lockout page's included
    # (outside AxesMiddleware, which swaps that page in).
    "config.csp.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Published pages for anonymous visitors from the cache (cms.cache): last, so
    # that a hit still gets the security, language and frame headers above.
    "cms.cache.PageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

# Default: a SQLite file, so that one machine runs Ankang with no server at all.
# WAL lets readers proceed while one writer commits; IMMEDIATE takes the write
# lock at BEGIN, so two concurrent autosaves queue on busy_timeout instead of
# one failing with "database is locked" when it upgrades a read lock.
# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ankang.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache. Redis when REDIS_URL is set (every production web process shares it);
# otherwise files under var/, so that the web process and the local worker
# still share one cache (a page published by the worker's schedule replaces
# the cached copy the web process serves).
# ---------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down is a cache miss, not an error: exams go on (config/cache.py).
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ankang",
            "TIMEOUT": 300,
            # A Redis that hangs costs a request at most a second, not gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# ---------------------------------------------------------------------------
# Celery. https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ---------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = env_path("CELERY_BROKER_FILESYSTEM_DIR", VAR_DIR / "broker")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: messages are files in one folder that the
    # web process writes and the worker reads. No server, one machine only.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR),
        "processed_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "processed"),
        # Where `app.control` calls write, instead of a `control/` folder in the working directory.
        "control_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
    # The filesystem transport has no fan-out exchange for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    # The transport expects its folders to exist; a fresh checkout has none.
    (CELERY_BROKER_FILESYSTEM_DIR / "processed").mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A broker host that does not answer (not one that refuses) costs a
        # request queuing a task a few seconds, not gunicorn's timeout: the
        # task is then logged as not queued and the catch-up sweeps take it.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
    }
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2}
CELERY_TASK_ALWAYS_EAGER = False
# Work whose task was lost (queued while the broker was down) is queued again
# by a sweep this often, once it is this old and its queue is empty.
CATCH_UP_SECONDS = env.int("CATCH_UP_SECONDS", default=300)
# Periodic jobs; django-celery-beat copies these into its tables at start, where
# staff can see and pause them in the Django admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Wagtail's scheduled go-live and expiry of pages (campaign pages).
    "publish-scheduled-pages": {
        "task": "cms.tasks.publish_scheduled_pages",
        "schedule": 60.0,
    },
    "purge-check-in-photos": {
        "task": "exams.tasks.purge_check_in_photos",
        "schedule": crontab(hour=3, minute=53),
    },
    "purge-old-study-sessions": {
        "task": "training.tasks.purge_old_study_sessions",
        "schedule": crontab(hour=3, minute=41),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-old-login-records": {
        "task": "accounts.tasks.purge_old_login_records",
        "schedule": crontab(hour=3, minute=23),
    },
    # Bookings not checked in by the end of a session's grace period become no-shows.
    "mark-no-shows": {
        "task": "exams.tasks.mark_no_shows",
        "schedule": 60.0,
    },
    # Attempts whose time ran out while the page was closed are submitted and graded.
    "close-overdue-attempts": {
        "task": "exams.tasks.close_overdue_attempts",
        "schedule": 15.0,
    },
    # Snapshots and certificates whose task was lost while the broker was down.
    "requeue-unanalysed-snapshots": {
        "task": "proctoring.tasks.requeue_unanalysed_snapshots",
        "schedule": float(CATCH_UP_SECONDS),
    },
    "queue-missing-certificates": {
        "task": "exams.tasks.queue_missing_certificates",
        "schedule": float(CATCH_UP_SECONDS),
    },
    # Snapshots kept past PROCTORING_RETENTION_DAYS are deleted, files and rows.
    "purge-old-snapshots": {
        "task": "proctoring.tasks.purge_old_snapshots",
        "schedule": crontab(hour=4, minute=7),
    },
    # Quiz plays abandoned mid-way are scored once their time is up.
    "finish-overdue-quiz-plays": {
        "task": "cms.quiz.tasks.finish_overdue_plays",
        "schedule": 60.0,
    },
    "purge-quiz-personal-details": {
        "task": "cms.quiz.tasks.purge_personal_details",
        "schedule": crontab(hour=3, minute=29),
    },
    # The dashboard's usual views, computed ahead (exams.statistics.selectors).
    "warm-dashboards": {
        "task": "exams.tasks.warm_dashboards",
        "schedule": 300.0,
    },
    # The bureau's report of the month just ended (Celery's clock is Asia/Shanghai).
    "monthly-report": {
        "task": "exams.tasks.generate_monthly_report",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
}

# ---------------------------------------------------------------------------
# Training: how study time becomes learning hours (学时).
# ---------------------------------------------------------------------------

# One learning hour is one class period of 45 minutes, as training providers count it.
TRAINING_MINUTES_PER_HOUR = env.int("TRAINING_MINUTES_PER_HOUR", default=45)
# The lesson page reports every this many seconds while the learner studies.
TRAINING_HEARTBEAT_SECONDS = env.int("TRAINING_HEARTBEAT_SECONDS", default=20)
# No input for this long (and no video playing) and the clock stops.
TRAINING_IDLE_LIMIT_SECONDS = env.int("TRAINING_IDLE_LIMIT_SECONDS", default=180)
# Photos taken at the check-in desk are deleted this many days after the session.
CHECK_IN_PHOTO_RETENTION_DAYS = env.int("CHECK_IN_PHOTO_RETENTION_DAYS", default=30)

# ---------------------------------------------------------------------------
# Exams: the server's clock decides.
# ---------------------------------------------------------------------------

# Public certificate checks (page and API together), per client address.
CERTIFICATE_VERIFY_RATE = env.str("CERTIFICATE_VERIFY_RATE", default="20/minute")

# An answer that left the page just before the deadline may arrive this late.
EXAM_ANSWER_GRACE_SECONDS = env.int("EXAM_ANSWER_GRACE_SECONDS", default=5)
# Attempts still open this long after their deadline are submitted by the beat.
EXAM_CLOSE_GRACE_SECONDS = env.int("EXAM_CLOSE_GRACE_SECONDS", default=30)
# The exam page asks the server for the time and its state this often.
EXAM_STATE_POLL_SECONDS = env.int("EXAM_STATE_POLL_SECONDS", default=15)
# Item analysis judges a question only after this many graded answers: below
# about 30, facility and the point-biserial coefficient swing too much from
# one sitting to the next to call a question broken (exams/item_analysis.py).
ITEM_ANALYSIS_MIN_ANSWERS = env.int("ITEM_ANALYSIS_MIN_ANSWERS", default=30)
# The dashboard's figures are kept this long; the worker recomputes the usual
# views every 5 minutes, so the bureau's opens at once (0: no keeping).
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=600)
# seed_demo simulates about this many attempts over the past year (exams/demo_history.py); 0: none.
DEMO_HISTORY_ATTEMPTS = env.int("DEMO_HISTORY_ATTEMPTS", default=3000)
# Learning records are an archive the regulator may ask for (six years).
TRAINING_RECORD_RETENTION_YEARS = env.int("TRAINING_RECORD_RETENTION_YEARS", default=6)

# ---------------------------------------------------------------------------
# Proctoring (proctoring/): webcam snapshots and their analysis. The
# thresholds were chosen on real photographs; the measurements behind each
# are in docs/proctoring.md.
# ---------------------------------------------------------------------------

# The exam page takes a snapshot this often, plus or minus a random jitter,
# so that the moment of the next one cannot be predicted.
PROCTORING_SNAPSHOT_SECONDS = env.int("PROCTORING_SNAPSHOT_SECONDS", default=30)
PROCTORING_SNAPSHOT_JITTER_SECONDS = env.int("PROCTORING_SNAPSHOT_JITTER_SECONDS", default=10)
# A frame is at most 640×480 JPEG, ~60 KB; anything far larger is not one.
PROCTORING_SNAPSHOT_MAX_BYTES = env.int("PROCTORING_SNAPSHOT_MAX_BYTES", default=1024 * 1024)
# 2 h at one every 20 s is 360, plus events; a page sending more is broken or hostile.
PROCTORING_SNAPSHOTS_PER_ATTEMPT = env.int("PROCTORING_SNAPSHOTS_PER_ATTEMPT", default=600)
# Mean grey level (0-255): clean test frames 104-120, the same at 30 % light 31-35.
PROCTORING_DARK_BELOW = env.float("PROCTORING_DARK_BELOW", default=45)
# Variance of the Laplacian of the equalised 320-px frame: clean 1161-3189,
# Gaussian blur sigma 2 110-905, sigma 4 29-223.
PROCTORING_BLURRED_BELOW = env.float("PROCTORING_BLURRED_BELOW", default=300)
# Face width as a share of the frame's: a seated candidate 19 %, two side by side
# 10 %, the astronaut framed 2.2 times wider 8 % (smaller is rarely found at all).
PROCTORING_FACE_MIN_SHARE = env.float("PROCTORING_FACE_MIN_SHARE", default=0.09)
# A face closer than this share of the width to an edge is cut off.
PROCTORING_EDGE_MARGIN = env.float("PROCTORING_EDGE_MARGIN", default=0.02)
# LBPH distance from the check-in face: same person dimmed, blurred or cropped
# 58-68; ten other people (LFW) 120-156.
PROCTORING_IDENTITY_MAX_DISTANCE = env.float("PROCTORING_IDENTITY_MAX_DISTANCE", default=95)
# The same kind of flag within this many minutes counts up on one incident.
PROCTORING_GROUP_MINUTES = env.int("PROCTORING_GROUP_MINUTES", default=5)
# The live board asks for the room's state this often.
PROCTORING_BOARD_POLL_SECONDS = env.int("PROCTORING_BOARD_POLL_SECONDS", default=5)
# Snapshots (files and rows) are deleted this many days after the result is final.
PROCTORING_RETENTION_DAYS = env.int("PROCTORING_RETENTION_DAYS", default=90)
# A candidate may appeal the voiding of their attempt once, within this many days.
PROCTORING_APPEAL_DAYS = env.int("PROCTORING_APPEAL_DAYS", default=30)

# ---------------------------------------------------------------------------
# Campaign quizzes for the public (cms.quiz): the server's clock decides too.
# ---------------------------------------------------------------------------

# An answer sent just before a question's countdown ended may arrive this late.
QUIZ_ANSWER_GRACE_SECONDS = env.int("QUIZ_ANSWER_GRACE_SECONDS", default=2)
# Answers faster than this flag the play for review (nobody reads a question that fast).
QUIZ_MIN_ANSWER_SECONDS = env.float("QUIZ_MIN_ANSWER_SECONDS", default=1.5)
# The leaderboards are recomputed at most this often, whoever is watching.
QUIZ_LEADERBOARD_SECONDS = env.int("QUIZ_LEADERBOARD_SECONDS", default=5)
# The big screen asks for the leaderboard this often.
QUIZ_LEADERBOARD_POLL_SECONDS = env.int("QUIZ_LEADERBOARD_POLL_SECONDS", default=5)
# A quiz's question ids are read once per this many seconds, not once per join.
QUIZ_POOL_CACHE_SECONDS = env.int("QUIZ_POOL_CACHE_SECONDS", default=60)
# The sum to solve at join is good for this long, and once.
QUIZ_CHALLENGE_SECONDS = env.int("QUIZ_CHALLENGE_SECONDS", default=900)
# Players' names and phones are erased this long after a quiz closes (the join form says so).
QUIZ_PERSONAL_DATA_RETENTION_DAYS = env.int("QUIZ_PERSONAL_DATA_RETENTION_DAYS", default=90)
# Per IP address and per phone number, in the shared cache. A venue's Wi-Fi
# puts hundreds of phones behind one address, hence the generous IP limits.
QUIZ_RATE_LIMITS = {
    "join_ip": env.str("QUIZ_RATE_JOIN_IP", default="120/minute"),
    "join_phone": env.str("QUIZ_RATE_JOIN_PHONE", default="10/hour"),
    "answer_ip": env.str("QUIZ_RATE_ANSWER_IP", default="1200/minute"),
}

# ---------------------------------------------------------------------------
# Passwords and sessions
# ---------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 12  # a long exam day, not a week

# Failed sign-ins (django-axes), on the site's and the Wagtail admin's login.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# AxesBackend comes first: it refuses a locked-out login before any password
# is checked, and otherwise returns no user, so ModelBackend after it signs the
# person in as before (and the sessions that name ModelBackend stay valid).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Per username *and* address: a test centre puts 40 candidates behind one
# address, so locking an address would stop a whole room for one person's
# typos, and locking a username would let anyone lock a candidate out on exam
# day. Five tries cover a mistyped password; 30 minutes make guessing
# hopeless (at most 240 guesses a day per username and address) without
# stranding anyone for the day.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Signing in proves the password: that username's count from that address
# starts again (other usernames' counts are untouched).
AXES_RESET_ON_SUCCESS = True
# The same address the rate limits use: X-Forwarded-For only as far as NUM_PROXIES.
AXES_CLIENT_IP_CALLABLE = "config.http.client_ip"
# A page in the person's language saying when to try again (not axes' bare text).
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Sign-in records (who, from where, with which browser) are personal data:
# kept long enough to look into a misused account, then deleted nightly.
LOGIN_RECORD_RETENTION_DAYS = env.int("LOGIN_RECORD_RETENTION_DAYS", default=180)

# ---------------------------------------------------------------------------
# Languages and time. zh-Hans first; English complete.
# https://docs.djangoproject.com/en/5.2/topics/i18n/
# ---------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Files. Public media (Wagtail images and documents) and private media
# (registered photos, snapshots, certificates) live in separate roots: private
# files are never under a URL the web server serves, only behind views that
# check who is asking.
# ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
PRIVATE_MEDIA_ROOT = env_path("PRIVATE_MEDIA_ROOT", VAR_DIR / "private")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: reject early, before a huge body is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------
# Wagtail. https://docs.wagtail.org/en/stable/reference/settings.html
# ---------------------------------------------------------------------------

WAGTAIL_SITE_NAME = _("Ankang")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "zip", "png", "jpg", "mp4", "webm"]
# Anonymous page views are served from the cache (cms.cache) for this long at
# most; publishing anything replaces them at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Registration is the site's own, with ID-number checks; staff accounts are
# created in the admin.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# The dashboard's new-version notice fetches from releases.wagtail.org: no
# internet at a test centre, and the Content-Security-Policy forbids it anyway.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# ---------------------------------------------------------------------------
# Content-Security-Policy (django-csp 4; config.csp adds the two exceptions).
# https://django-csp.readthedocs.io/en/latest/configuration.html
# ---------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Our scripts are files under static/js: no inline script, no inline
        # handler, no eval. (The Wagtail admin alone is allowed inline scripts:
        # config.csp says why.)
        "script-src": ["'self'"],
        # 'unsafe-inline' only for the ~50 style="" attributes in templates/
        # (widths the server computes for progress and chart bars, layout in
        # the staff screens and PDFs). Drop it once those are classes.
        "style-src": ["'self'", "'unsafe-inline'"],
        # QR codes are data: URLs; webcam frames and check-in photos are blobs.
        "img-src": ["'self'", "data:", "blob:"],
        # The exam page shows the camera's own stream (getUserMedia) as a blob.
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Never framed (as X_FRAME_OPTIONS), except what a view marks
        # same-origin: config.csp follows X-Frame-Options.
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# ---------------------------------------------------------------------------
# REST API. https://www.django-rest-framework.org/api-guide/settings/
# ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # How many proxies (nginx) stand in front: rate limits per client address
    # trust X-Forwarded-For only that far. None: the connection's own address.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    # Per person, in the shared cache. A lesson page reports every 20 s and on
    # play, pause and tab changes; a page that sends far more is not studying.
    "DEFAULT_THROTTLE_RATES": {
        "study": "120/minute",
        "study_start": "30/minute",
        # A page resending its journal after a network outage sends many saves at once.
        "exam": "600/minute",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ankang API",
    "DESCRIPTION": "Training, examination and certification for workplace safety.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["config.api.only_ankang_endpoints"],
    # Two "status" fields with different choices: name their enums.
    "ENUM_NAME_OVERRIDES": {
        "QuestionStatusEnum": "exams.choices.QuestionStatus",
        "ImportStatusEnum": "exams.choices.ImportStatus",
        "SessionStatusEnum": "exams.choices.SessionStatus",
        "BookingStatusEnum": "exams.choices.BookingStatus",
        "SnapshotKindEnum": "proctoring.choices.SnapshotKind",
        "BrowserEventEnum": "proctoring.choices.BROWSER_EVENT_CHOICES",
    },
}

# ---------------------------------------------------------------------------
# Logging: to stderr, where gunicorn and systemd collect it.
# ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "health_check": {"level": "ERROR"},
        # Wagtail 8 runs its search-index and reference-index updates as django-tasks.
        "django_tasks": {"level": "WARNING"},
        # Page actions are already kept in Wagtail's audit log in the database.
        "wagtail": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

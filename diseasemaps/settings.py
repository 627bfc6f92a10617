"""
Settings for DiseaseMaps.

Every difference between environments is an environment variable (see `.env.example`). The
defaults are the safe, production ones: DEBUG is off and SECRET_KEY must be given. `make run`
sets the development values explicitly.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from diseasemaps.core.storage import media_origins, public_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core -----------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "diseasemaps.core.apps.AdminConfig",  # django.contrib.admin on our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.forms",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    # Our apps, in their layers from the ground floor up: each imports only those before it
    # (checked by import-linter, see pyproject.toml).
    "diseasemaps.core",
    "diseasemaps.conditions",
    "diseasemaps.members",
    "diseasemaps.answers",
    "diseasemaps.experiences",
    "diseasemaps.community",
    "diseasemaps.search",
    "diseasemaps.pages",
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries, and /health/ answered before
    # host checks, HTTPS redirects, sessions or any other work (a load balancer polls it).
    "diseasemaps.core.middleware.RequestIdMiddleware",
    "diseasemaps.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Local uploads (a single server without S3), also before any session work.
    "diseasemaps.core.media.LocalMediaMiddleware",
    # Before everything that touches the session: a visitor's stored page costs one cache read.
    "diseasemaps.core.pagecache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "diseasemaps.members.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "diseasemaps.members.middleware.StaffMFAMiddleware",
    "diseasemaps.members.middleware.PrivatePagesMiddleware",
    # Last, so that it sees the views' exceptions first: a database or cache that cannot be
    # reached, or a statement cancelled by statement_timeout, becomes a 503 with Retry-After.
    "diseasemaps.core.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "diseasemaps.urls"
WSGI_APPLICATION = "diseasemaps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "diseasemaps.core.context_processors.site",
                "diseasemaps.community.context_processors.notifications",
            ],
        },
    },
]

FORM_RENDERER = "diseasemaps.core.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default for development; production sets DATABASE_URL to PostgreSQL.

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a server-side cursor cannot outlive its transaction.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Bounded time: a database that does not answer fails fast (and the reader gets a 503)
    # instead of holding a worker until gunicorn kills it. Times in seconds; 0 turns one off.
    # statement_timeout also applies to migrations and the task worker: run a long one-off
    # with DB_STATEMENT_TIMEOUT=0. Behind PgBouncer in transaction mode, startup options are
    # not passed on: set the same with ALTER ROLE ... SET instead.
    _timeouts = {
        "statement_timeout": env.float("DB_STATEMENT_TIMEOUT", default=3),
        "idle_in_transaction_session_timeout": env.float(
            "DB_IDLE_IN_TRANSACTION_TIMEOUT", default=10
        ),
    }
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=3)
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        f"-c {name}={int(seconds * 1000)}" for name, seconds in _timeouts.items()
    )
    # The few queries every member's request runs (core.prepared) are prepared by PostgreSQL on
    # their 5th run on a connection; Django's own queries never are. Behind PgBouncer in
    # transaction mode, set DB_PREPARED_STATEMENTS=0 unless it is 1.21 or newer with
    # max_prepared_statements set.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        5 if env.bool("DB_PREPARED_STATEMENTS", default=True) else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions --------------------------------------------------------------------------
# The database cache is shared by every process, so rate limits hold across gunicorn workers and
# machines; production points CACHE_URL at Redis (redis://host:6379/0).

CACHES = {"default": env.cache("CACHE_URL", default="dbcache://diseasemaps_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's backend, with one Redis client per process rather than one per operation.
    CACHES["default"]["BACKEND"] = "diseasemaps.core.cache.RedisCache"
    # A Redis that does not answer fails within a second, like the database (a 503, not a hang).
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault(
        "socket_connect_timeout", env.float("CACHE_CONNECT_TIMEOUT", default=1)
    )
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", env.float("CACHE_TIMEOUT", default=1))
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# How long a logged-in session lasts (members/middleware.py, SessionLifetimeMiddleware): staff
# can read moderation queues and members' reports, so theirs end after a short time without a
# request and a working day after logging in, whatever happens; members stay logged in on
# their own device for a while, but not for ever.
DISEASEMAPS_STAFF_SESSION_IDLE_MINUTES = env.int(
    "DISEASEMAPS_STAFF_SESSION_IDLE_MINUTES", default=30
)
DISEASEMAPS_STAFF_SESSION_MAX_HOURS = env.int("DISEASEMAPS_STAFF_SESSION_MAX_HOURS", default=12)
DISEASEMAPS_MEMBER_SESSION_IDLE_DAYS = env.int("DISEASEMAPS_MEMBER_SESSION_IDLE_DAYS", default=7)
DISEASEMAPS_MEMBER_SESSION_MAX_DAYS = env.int("DISEASEMAPS_MEMBER_SESSION_MAX_DAYS", default=14)
# No session cookie outlives the longest session; each session also sets its own, shorter one.
SESSION_COOKIE_AGE = DISEASEMAPS_MEMBER_SESSION_MAX_DAYS * 86_400

# --- Authentication -----------------------------------------------------------------------------

AUTH_USER_MODEL = "members.User"
# The first logs in (allauth's, by e-mail address, the admin's form too) and reads each
# session's account with a prepared query (members/backends.py). A session names the backend
# that logged it in, and Django logs out one whose backend is not listed: the other two are
# here for the sessions they logged in, until the last has ended (a member's lasts at most
# DISEASEMAPS_MEMBER_SESSION_MAX_DAYS); a failed log-in never reaches them.
AUTHENTICATION_BACKENDS = [
    "diseasemaps.members.backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pages:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Verification by a link in the e-mail (not a code to type): the link works from any device.
# Opened in the browser that signed up, within ACCOUNT_LOGIN_TIMEOUT (15 minutes by default),
# it logs the new member in and takes them back to the page they started from (`next`); later,
# or on another device, it confirms the address and the member logs in with their password.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account; changing it replaces the old one
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DiseaseMaps] "
ACCOUNT_SIGNUP_FORM_CLASS = "diseasemaps.members.forms.SignupProfileForm"
# allauth's forms, relabelled in our words (diseasemaps/members/account_forms.py).
ACCOUNT_FORMS = {
    name: f"diseasemaps.members.account_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "add_email": "ChangeEmailForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
ACCOUNT_ADAPTER = "diseasemaps.members.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "diseasemaps.members.adapter.user_display"
ACCOUNT_RATE_LIMITS = {}  # allauth's defaults, backed by the shared cache
# Behind a proxy, allauth takes the client address from X-Forwarded-For, trusting exactly this
# many proxies (the same count as our own rate limiter, core/ratelimit.py client_ip).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DISEASEMAPS_TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DiseaseMaps"
# Only the code of the current 30-second window is accepted, and only once (allauth keeps used
# codes in the shared cache). Widen this only if members' clock drift is measured to need it.
MFA_TOTP_TOLERANCE = 0
MFA_ADAPTER = "diseasemaps.members.adapter.MFAAdapter"
MFA_FORMS = {
    name: f"diseasemaps.members.account_forms.{form}"
    for name, form in {
        "authenticate": "MFAAuthenticateForm",
        "reauthenticate": "MFAReauthenticateForm",
        "activate_totp": "ActivateTOTPForm",
    }.items()
}
USERSESSIONS_TRACK_ACTIVITY = False

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL",
    default="consolemail://" if DEBUG else "smtp://localhost:25",
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DiseaseMaps <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection may wait for the server. Mail is sent by the task worker, never in
# a request; a server that accepts and then hangs costs the worker this long, then a retry.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Background tasks -----------------------------------------------------------------------------
# Django's tasks API through the django-tasks backport (the same code runs on Django 6's
# django.tasks). The default backend keeps the queue in our own database: no other service to
# run, the worker claims a task with SELECT ... FOR UPDATE SKIP LOCKED (so any number of workers
# on any number of machines share it), and it works on SQLite for `make run`. Run workers with
# `python manage.py run_worker`. TASKS_BACKEND picks another backend with the same API.

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# An e-mail the mail server did not take is tried again after 1, 2, 4, ... minutes (the delay
# doubles, up to DISEASEMAPS_EMAIL_RETRY_MAX_SECONDS), at most DISEASEMAPS_EMAIL_MAX_ATTEMPTS times.
DISEASEMAPS_EMAIL_MAX_ATTEMPTS = env.int("DISEASEMAPS_EMAIL_MAX_ATTEMPTS", default=8)
DISEASEMAPS_EMAIL_RETRY_SECONDS = env.int("DISEASEMAPS_EMAIL_RETRY_SECONDS", default=60)
DISEASEMAPS_EMAIL_RETRY_MAX_SECONDS = env.int("DISEASEMAPS_EMAIL_RETRY_MAX_SECONDS", default=3600)
# Jobs the workers start once a day at the given UTC time (HH:MM), once in all, however many
# workers run: each start is recorded under a key unique per job and day (core.PeriodicRun).
DISEASEMAPS_PERIODIC_JOBS = [
    {
        "name": "review-reminders",
        "task": "diseasemaps.answers.tasks.send_review_reminders",
        "at": env.str("DISEASEMAPS_REVIEW_REMINDERS_AT", default="06:00"),
    },
    # The community's e-mail summaries of notifications (community.tasks); the weekly one runs
    # every day and sends on DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY only.
    {
        "name": "daily-digests",
        "task": "diseasemaps.community.tasks.send_daily_digests",
        "at": env.str("DISEASEMAPS_DIGESTS_AT", default="07:00"),
    },
    {
        "name": "weekly-digests",
        "task": "diseasemaps.community.tasks.send_weekly_digests",
        "at": env.str("DISEASEMAPS_DIGESTS_AT", default="07:00"),
    },
    {
        "name": "prune-task-results",
        "task": "diseasemaps.core.tasks.prune_task_results",
        "at": "03:00",
    },
]
# The weekday of the weekly summary (0 is Monday), and how many followers one fan-out step
# notifies in one transaction.
DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY = env.int("DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY", default=0)
DISEASEMAPS_NOTIFY_BATCH_SIZE = env.int("DISEASEMAPS_NOTIFY_BATCH_SIZE", default=1000)
# Finished tasks are kept this many days for staff to look at in the admin, then deleted.
DISEASEMAPS_TASK_RESULTS_KEEP_DAYS = env.int("DISEASEMAPS_TASK_RESULTS_KEEP_DAYS", default=14)

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------------
# Uploads go to S3-compatible storage in production (STORAGE_BACKEND plus its options); local
# disk is only for a single development machine.

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# An absolute MEDIA_URL (https://media.example.org/) names a separate, cookieless media host.
MEDIA_URL = env.str("MEDIA_URL", default="media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Request limits, set explicitly (they are Django's defaults): a bigger form body, more fields or
# more files get our 400 page before any view reads them. File contents do not count towards
# the body size; avatars have their own limit (DISEASEMAPS_AVATAR_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# Every upload passes the size limit first, so an oversized file is dropped while it streams in.
# What passes (5 MB at most) is held in memory and never spooled to a temporary file, so a full
# local disk cannot break a request; a request too large for memory has no file worth keeping.
FILE_UPLOAD_HANDLERS = [
    "diseasemaps.members.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024  # the largest avatar and the form around it

STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
STORAGE_OPTIONS = env.json("STORAGE_OPTIONS", default={})
STORAGES = {
    # Private uploads: signed, short-lived URLs on S3.
    "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": STORAGE_OPTIONS},
    # Uploads anyone may see (avatars): public-read, unsigned, cached for a year (core/storage.py).
    "public": public_storage(backend=STORAGE_BACKEND, options=STORAGE_OPTIONS),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pictures may come from wherever the storage's URLs point: derived, never typed twice.
MEDIA_ORIGINS = media_origins(backend=STORAGE_BACKEND, options=STORAGE_OPTIONS, media_url=MEDIA_URL)

# --- Security -----------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer polls /health/ over plain HTTP on the instance's own address.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# A "__Host-" cookie is refused by browsers unless it is Secure, has Path=/ and no Domain, so
# no subdomain and no page over plain HTTP can set or shadow it. Development over plain HTTP
# (`make run`) cannot send Secure cookies, so the names follow the Secure settings. Path and
# Domain stay Django's defaults ("/" and none); the check diseasemaps.E001 holds them there.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, *MEDIA_ORIGINS],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Logging ------------------------------------------------------------------------------------
# One JSON object per line on standard error, each with the request id (core/logs.py). Audit
# events (log-ins, lock-outs, permission denials, admin changes, moderation and review
# decisions) go to the "diseasemaps.audit" logger with user ids and client addresses only.
# LOG_FORMAT=text gives plain lines for reading by eye.

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "diseasemaps.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "diseasemaps.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django logs every 4xx/5xx itself with the full request line; gunicorn's access log
        # already records each request without its query string.
        "django.request": {"level": "ERROR"},
    },
}

# Error tracking, only when SENTRY_DSN is set: no personal data (no user, cookies, headers,
# request bodies or query strings), see core/sentry.py.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from diseasemaps.core.sentry import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

# --- DiseaseMaps --------------------------------------------------------------------------------

DISEASEMAPS_SITE_NAME = "DiseaseMaps"
# Where people write to us: the Contact page, the account pages ("no e-mail arrived?") and
# security e-mails give it. `check --deploy` warns when it is not set.
DISEASEMAPS_CONTACT_EMAIL = env.str(
    "DISEASEMAPS_CONTACT_EMAIL", default="contact@diseasemaps.example" if DEBUG else ""
)
# The site's public address, scheme and host without a trailing slash. Canonical links, Open
# Graph tags, JSON-LD, the sitemap, robots.txt and links in e-mails sent outside a request
# build absolute URLs from it (core.seo.absolute_url), never from the request's Host header.
DISEASEMAPS_SITE_URL = env.str("DISEASEMAPS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 means the app is
# reached directly and REMOTE_ADDR is the client.
DISEASEMAPS_TRUSTED_PROXY_COUNT = env.int("DISEASEMAPS_TRUSTED_PROXY_COUNT", default=0)
# Take the X-Request-ID header as the request id: only when the proxy in front sets it (and
# drops the client's own), else a fresh id is made for each request.
DISEASEMAPS_TRUST_REQUEST_ID = env.bool("DISEASEMAPS_TRUST_REQUEST_ID", default=False)
# Below this many members the community figure reads "fewer than N", so that nobody with a rare
# condition can be singled out.
DISEASEMAPS_COMMUNITY_FLOOR = env.int("DISEASEMAPS_COMMUNITY_FLOOR", default=10)
DISEASEMAPS_EXPERIENCES_PER_PAGE = 20
# Public pages for visitors are kept whole in this cache (core.pagecache), refreshed at once when
# what they show changes; figures allowed to lag (people and member counts) are at most this
# many seconds old (0 turns the page cache off). A CDN in front may keep them
# DISEASEMAPS_CDN_SECONDS (s-maxage).
DISEASEMAPS_PAGE_CACHE = "default"
DISEASEMAPS_PAGE_CACHE_SECONDS = env.int("DISEASEMAPS_PAGE_CACHE_SECONDS", default=300)
# On Redis, each process also keeps up to this many bytes of the pages it serves, told of every
# change on a Redis channel (core.nearcache); 0 turns that off.
DISEASEMAPS_PAGE_CACHE_NEAR_BYTES = env.int(
    "DISEASEMAPS_PAGE_CACHE_NEAR_BYTES", default=32 * 1024 * 1024
)
DISEASEMAPS_CDN_SECONDS = env.int("DISEASEMAPS_CDN_SECONDS", default=60)
# Review reminders list the answers whose next medical review falls due within this many days.
DISEASEMAPS_REVIEW_REMINDER_DAYS = env.int("DISEASEMAPS_REVIEW_REMINDER_DAYS", default=30)
# A member whose posts were approved this many times (since their last rejection) is trusted:
# their new posts appear without waiting for a moderator.
DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = env.int("DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER", default=3)
# Open reports from this many different members hide a post until a moderator decides.
DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS = env.int(
    "DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS", default=3
)
# Reading members' content (members' pages, posts, the feeds of condition and question pages)
# while logged in: at most this many pages per account, and per client address, in this many
# minutes, so that nobody walks every member's page and members-only post (core/ratelimit.py).
# A person reading closely opens a page every few seconds at most; a script does hundreds.
DISEASEMAPS_MEMBER_READS_MINUTES = env.int("DISEASEMAPS_MEMBER_READS_MINUTES", default=10)
DISEASEMAPS_MEMBER_READS_PER_ACCOUNT = env.int("DISEASEMAPS_MEMBER_READS_PER_ACCOUNT", default=100)
DISEASEMAPS_MEMBER_READS_PER_ADDRESS = env.int("DISEASEMAPS_MEMBER_READS_PER_ADDRESS", default=300)
# The privacy notice members consent to when they tell us about a condition. Publishing a new
# version (templates/members/privacy_notice.html) means raising this; consents record it.
DISEASEMAPS_PRIVACY_NOTICE_VERSION = "2026-12-02"
# Avatars: the largest upload accepted (cut off while streaming), the largest picture decoded,
# and the most memory decoding one may take, worked out from its header (members/avatars.py).
DISEASEMAPS_AVATAR_MAX_BYTES = 5 * 1024 * 1024
DISEASEMAPS_AVATAR_MAX_PIXELS = 40_000_000
DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 64_000_000

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
    "django.contrib.admin",
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
    "diseasemaps.core",
    "diseasemaps.members",
    "diseasemaps.conditions",
    "diseasemaps.answers",
    "diseasemaps.experiences",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "diseasemaps.members.middleware.StaffMFAMiddleware",
    "diseasemaps.members.middleware.PrivatePagesMiddleware",
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
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions --------------------------------------------------------------------------
# The database cache is shared by every process, so rate limits hold across gunicorn workers and
# machines; production points CACHE_URL at Redis (redis://host:6379/0).

CACHES = {"default": env.cache("CACHE_URL", default="dbcache://diseasemaps_cache")}
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

# --- Authentication -----------------------------------------------------------------------------

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
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
LOGIN_REDIRECT_URL = "core:home"

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
# Accept the code of the 30-second window before or after, for a phone's clock a little off
# (and a code typed as the window turns); each code is still accepted only once.
MFA_TOTP_TOLERANCE = 1
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
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Every upload passes the size limit first, so an oversized file is dropped while it streams in.
FILE_UPLOAD_HANDLERS = [
    "diseasemaps.members.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

STORAGES = {
    "default": {
        "BACKEND": env.str(
            "STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security -----------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
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
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- DiseaseMaps --------------------------------------------------------------------------------

DISEASEMAPS_SITE_NAME = "DiseaseMaps"
# Where people write to us: the Contact page, the account pages ("no e-mail arrived?") and
# security e-mails give it. `check --deploy` warns when it is not set.
DISEASEMAPS_CONTACT_EMAIL = env.str(
    "DISEASEMAPS_CONTACT_EMAIL", default="contact@diseasemaps.example" if DEBUG else ""
)
# The site's public address, scheme and host without a trailing slash. Canonical links, Open
# Graph tags, JSON-LD, the sitemap and robots.txt build absolute URLs from it, never from the
# request's Host header.
DISEASEMAPS_SITE_URL = env.str("DISEASEMAPS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 means the app is
# reached directly and REMOTE_ADDR is the client.
DISEASEMAPS_TRUSTED_PROXY_COUNT = env.int("DISEASEMAPS_TRUSTED_PROXY_COUNT", default=0)
# Below this many members the community figure reads "fewer than N", so that nobody with a rare
# condition can be singled out.
DISEASEMAPS_COMMUNITY_FLOOR = env.int("DISEASEMAPS_COMMUNITY_FLOOR", default=10)
DISEASEMAPS_EXPERIENCES_PER_PAGE = 20
# The site's public address, for links in e-mails sent outside a request (review reminders,
# moderation decisions).
DISEASEMAPS_SITE_URL = env.str("DISEASEMAPS_SITE_URL", default="http://127.0.0.1:8000")
# Review reminders list the answers whose next medical review falls due within this many days.
DISEASEMAPS_REVIEW_REMINDER_DAYS = env.int("DISEASEMAPS_REVIEW_REMINDER_DAYS", default=30)
# A member whose posts were approved this many times (since their last rejection) is trusted:
# their new posts appear without waiting for a moderator.
DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = env.int("DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER", default=3)
# Open reports from this many different members hide a post until a moderator decides.
DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS = env.int(
    "DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS", default=3
)
# The privacy notice members consent to when they tell us about a condition. Publishing a new
# version (templates/members/privacy_notice.html) means raising this; consents record it.
DISEASEMAPS_PRIVACY_NOTICE_VERSION = "2026-11-01"
# Avatars: the largest upload accepted (cut off while streaming), the largest picture decoded.
DISEASEMAPS_AVATAR_MAX_BYTES = 5 * 1024 * 1024
DISEASEMAPS_AVATAR_MAX_PIXELS = 40_000_000

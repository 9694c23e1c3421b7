"""Settings for every deployment; production differs only through HAILONG_* variables.

See ``.env.example`` for the list.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import (
    database,
    get_bool,
    get_list,
    get_number,
    mail_backend,
    public_url,
    secret_key,
    var_dir,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

SECRET_KEY = secret_key(VAR_DIR)
# former keys still accepted (printed QR codes, signed links) while a new key takes over
SECRET_KEY_FALLBACKS = get_list("HAILONG_SECRET_KEY_FALLBACKS", "")
DEBUG = get_bool("HAILONG_DEBUG", False)
ALLOWED_HOSTS = get_list("HAILONG_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = get_list("HAILONG_CSRF_TRUSTED_ORIGINS", "")

DATABASES = {
    "default": database(
        os.environ.get("HAILONG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'hailong.sqlite3'}"), VAR_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # hailong
    "hailong.core",
    "hailong.accounts",
    "hailong.units",
    "hailong.instruments",
    "hailong.campaigns",
    "hailong.collection",
    "hailong.integrations",
    "hailong.invitations",
    "hailong.entry",
    "hailong.kiosks",
    "hailong.results",
    "hailong.portal",
    "hailong.demo",
    "hailong.qrcodes",
    "hailong.reports",
    "hailong.audit",
    "hailong.opendata",
    "hailong.progress",
    "hailong.comments",
    "hailong.cases",
    "hailong.topics",
    "hailong.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hailong.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hailong.opendata.visits.VisitMiddleware",  # counts public page views, no cookie
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hailong.urls"
ASGI_APPLICATION = "hailong.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hailong.core.context_processors.province",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "accounts:home"

SESSION_COOKIE_AGE = get_number("HAILONG_SESSION_SECONDS", 8 * 3600, minimum=60)
# Staff sign-in (docs/security.md): sign-out after this much inactivity (SESSION_COOKIE_AGE is
# the longest a sign-in lasts); pauses after repeated failures; roles that need an authenticator.
HAILONG_SESSION_IDLE_MINUTES = get_number("HAILONG_SESSION_IDLE_MINUTES", 30, minimum=1)
HAILONG_LOCKOUT_ATTEMPTS = get_number("HAILONG_LOCKOUT_ATTEMPTS", 5, minimum=1)
HAILONG_LOCKOUT_ADDRESS_ATTEMPTS = get_number("HAILONG_LOCKOUT_ADDRESS_ATTEMPTS", 20, minimum=1)
HAILONG_LOCKOUT_MINUTES = get_number("HAILONG_LOCKOUT_MINUTES", 15, minimum=1)
HAILONG_TOTP_REQUIRED_ROLES = get_list("HAILONG_TOTP_REQUIRED_ROLES", "")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "hailong.core.views.csrf_failure"  # a refused form gets a page of the site
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = get_bool("HAILONG_HTTPS", False)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["hailong.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAILONG_LOG_LEVEL", "WARNING")},
}

HAILONG_PROVINCE_CODE = get_number("HAILONG_PROVINCE_CODE", 38, minimum=1)  # 38 = Thanh Hóa

# The submission route (hailong.collection.intake): rate limits per network address and per
# device, shared through Redis when HAILONG_REDIS_URL is set; addresses of trusted reverse
# proxies whose X-Forwarded-For is believed.
HAILONG_SUBMIT_PER_MINUTE = get_number("HAILONG_SUBMIT_PER_MINUTE", 30, minimum=1)
HAILONG_SUBMIT_BURST = get_number("HAILONG_SUBMIT_BURST", 20, minimum=1)
HAILONG_REDIS_URL = os.environ.get("HAILONG_REDIS_URL", "")
HAILONG_TRUSTED_PROXIES = get_list("HAILONG_TRUSTED_PROXIES", "")
# the writer process's socket ('hailong serve' sets it); empty: each process writes for itself
HAILONG_WRITER_SOCKET = os.environ.get("HAILONG_WRITER_SOCKET", "")
HAILONG_BENCH_NOOP = get_bool("HAILONG_BENCH_NOOP", False)  # bench/submit.py's baseline route
HAILONG_INVITATION_DAYS = get_number("HAILONG_INVITATION_DAYS", 30)

# Official reports (hailong.reports): the issuing body printed top-left, the document number
# (empty: dots for the clerk to fill in) and the place before the date.
HAILONG_ISSUER = os.environ.get("HAILONG_ISSUER", "UBND TỈNH THANH HÓA")
HAILONG_ISSUER_UNIT = os.environ.get("HAILONG_ISSUER_UNIT", "SỞ NỘI VỤ")
HAILONG_REPORT_NUMBER = os.environ.get("HAILONG_REPORT_NUMBER", "")
HAILONG_REPORT_PLACE = os.environ.get("HAILONG_REPORT_PLACE", "Thanh Hóa")

# Open data (docs/open-data.md): the licence printed on every file, where the files are kept,
# and how often a process writes the page views it counted.
HAILONG_OPEN_DATA_LICENCE = os.environ.get("HAILONG_OPEN_DATA_LICENCE", "CC BY 4.0")
HAILONG_OPEN_DATA_DIR = VAR_DIR / "opendata"
HAILONG_VISIT_FLUSH_SECONDS = get_number("HAILONG_VISIT_FLUSH_SECONDS", 10, whole=False)

# Complaints and suggestions (docs/cases.md): answer within this many working days, remind the
# unit this many working days before, let the sender reopen within this many days of the answer,
# delete the sender's contact this many days after closing, at most this many cases an hour
# from one address, texts up to this many characters; assign to the sender's unit at once.
HAILONG_CASE_DEADLINE_DAYS = get_number("HAILONG_CASE_DEADLINE_DAYS", 10, minimum=1)
HAILONG_CASE_REMIND_DAYS = get_number("HAILONG_CASE_REMIND_DAYS", 2)
HAILONG_CASE_REOPEN_DAYS = get_number("HAILONG_CASE_REOPEN_DAYS", 10)
HAILONG_CASE_CONTACT_DAYS = get_number("HAILONG_CASE_CONTACT_DAYS", 30)
HAILONG_CASE_PER_HOUR = get_number("HAILONG_CASE_PER_HOUR", 5)
HAILONG_CASE_TEXT_MAX = get_number("HAILONG_CASE_TEXT_MAX", 2000, minimum=1)
HAILONG_CASE_AUTO_ASSIGN = get_bool("HAILONG_CASE_AUTO_ASSIGN", True)
# E-mail about cases (docs/cases.md): Django's own EMAIL_* settings, read from the environment
# under their own names; the sender address; how many times a message is tried before giving up.
# Without a mail server named (EMAIL_HOST), messages are written as files in var/mail/: kept to
# be read, never failed (the demo, a first installation); with one, they go by SMTP.
EMAIL_BACKEND = mail_backend()
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = get_number("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = get_number("EMAIL_TIMEOUT", 10, whole=False, minimum=1)
HAILONG_EMAIL_FROM = os.environ.get("HAILONG_EMAIL_FROM", "hailong@localhost")
DEFAULT_FROM_EMAIL = HAILONG_EMAIL_FROM
HAILONG_EMAIL_ATTEMPTS = get_number("HAILONG_EMAIL_ATTEMPTS", 6, minimum=1)
# Scheme and host that printed QR codes and e-mail links point at; by SMTP mail leaves the
# machine, so it is required then.
HAILONG_PUBLIC_URL = public_url(
    os.environ.get("HAILONG_PUBLIC_URL", ""),
    mail_leaves=EMAIL_BACKEND.endswith("smtp.EmailBackend"),
)
# Lookups of a tracking code (/gop-y/tra-cuu/) per address: this many at once, refilled at this
# many a minute (shared through Redis when HAILONG_REDIS_URL is set); more answer 429.
HAILONG_TRACK_PER_MINUTE = get_number("HAILONG_TRACK_PER_MINUTE", 10, minimum=1)
HAILONG_TRACK_BURST = get_number("HAILONG_TRACK_BURST", 10, minimum=1)

# Report jobs (docs/reports.md): where made documents are kept, who runs the jobs ("thread": a
# daemon thread in each web process; "external": only 'hailong report --worker' processes), and
# how long a running job may go without progress before another worker takes it over.
HAILONG_REPORTS_DIR = VAR_DIR / "reports"
HAILONG_REPORT_WORKER = os.environ.get("HAILONG_REPORT_WORKER", "thread")
HAILONG_REPORT_JOB_TIMEOUT = get_number("HAILONG_REPORT_JOB_TIMEOUT", 900, whole=False, minimum=1)
# Days a finished job's file is kept; older files are removed by the worker (and by
# 'hailong report --remove-old-files'), the job's row stays and says so.
HAILONG_REPORT_RETENTION_DAYS = get_number("HAILONG_REPORT_RETENTION_DAYS", 30, minimum=1)

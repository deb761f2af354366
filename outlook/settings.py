"""Settings, read from the environment.

Production is the default: DEBUG is off, SECRET_KEY and ALLOWED_HOSTS must be
given. `make run` and `make test` set what a developer's machine needs.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 to develop).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"
# Django's deployment check calls a shorter key weak (security.W009): refuse to serve with one.
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters in production: use a long random string."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The licence under which anyone may reuse the open data (/data/): shown there and
# carried in every edition's JSON. The stored JSON files keep the licence they were
# written with: after changing it, run `manage.py store_exports`.
OUTLOOK_DATA_LICENCE = {
    "name": os.environ.get("OUTLOOK_DATA_LICENCE_NAME", "CC BY 4.0"),
    "url": os.environ.get(
        "OUTLOOK_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
    ),
}

# The authority of the feeds' entry ids, tag: URIs (RFC 4151) such as
# tag:example.org,2023-11-15:edition/asia-pacific-2023-11. A feed reader knows an entry by
# its id and shows a changed one again as new, so nothing the site may change goes into it:
# not SITE_URL (a site moves), not a database key (a restore renumbers). It is a domain name
# or an email address the publisher holds (its own, not necessarily the site's): set it
# once and keep it, even if the domain is later given up (a tag names the day it was held).
# Unset, SITE_URL's host stands in, which suits a developer's machine only: the deployment
# checks (`manage.py check --deploy`) warn.
OUTLOOK_TAG_AUTHORITY = os.environ.get("TAG_AUTHORITY", "").strip()

INSTALLED_APPS = [
    # The admin, whose site asks for the second factor as the editor does (admin_site.py).
    "assessments.apps.OutlookAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the public pages' cache: a page from the cache and a 304 say it too.
    "assessments.cors.OpenDataCorsMiddleware",
    # Above the session: a public page served from the cache reads neither session nor
    # user, and an anonymous reader's page never says Vary: Cookie (assessments.caching).
    # Above CSP too: a stored page keeps the policy it was rendered with (it uses no
    # nonce), so a hit or a 304 does not build the policy again.
    "assessments.caching.PublicPageMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's sign-in was confirmed with a second factor (user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outlook.urls"

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
                "assessments.context_processors.permissions",
                "assessments.context_processors.demo",
                "assessments.context_processors.publisher",
            ],
        },
    },
]

WSGI_APPLICATION = "outlook.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`: the queue's worker writes beside the server. A transaction that starts
    # as a reader and then writes fails at once ("database is locked") when the other
    # process writes; IMMEDIATE ones take the write lock first, waiting up to `timeout`.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30}
    )
    # SQLite builds the tracker's covering index (migration 0020) without its included
    # columns: the index still serves, a little less well, which is all `make run` needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out account before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/editor/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Stored files (the PDFs) go through Django's storage API: files under MEDIA_ROOT by
# default (`make run`, the tests), or, when STORAGE_BUCKET is set, objects in a bucket of
# an S3-compatible store (django-storages), which several app servers share. Credentials
# are boto3's own (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role),
# never settings. README, Configuration, lists the variables.
STORAGE_BUCKET = os.environ.get("STORAGE_BUCKET", "")
if STORAGE_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("STORAGE_PREFIX", ""),
            # Private objects: the site reads them and serves them itself.
            "default_acl": None,
            # Names are unique by construction (pdf.py), so no existence check per save.
            "file_overwrite": True,
            # A PDF read for serving is held in memory up to this size, on disk beyond,
            # so that a large edition does not swell a web process.
            "max_memory_size": env_int("STORAGE_MAX_MEMORY_MB", 8) * 1024 * 1024,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "outlook@localhost")
# A mail server that does not answer within this many seconds is taken for unavailable.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Readers who follow by email (assessments.subscriptions): a confirmation link is good for
# SUBSCRIPTION_CONFIRM_HOURS; an address is sent at most SUBSCRIPTION_MAILS_PER_ADDRESS
# links a day, and a client (REMOTE_ADDR) may ask SUBSCRIPTION_REQUESTS_PER_CLIENT times
# an hour. Counted in the cache: with several app servers, a shared one (CACHE_URL).
SUBSCRIPTION_CONFIRM_HOURS = env_int("SUBSCRIPTION_CONFIRM_HOURS", 48)
SUBSCRIPTION_MAILS_PER_ADDRESS = env_int("SUBSCRIPTION_MAILS_PER_ADDRESS", 3)
SUBSCRIPTION_REQUESTS_PER_CLIENT = env_int("SUBSCRIPTION_REQUESTS_PER_CLIENT", 20)
# The mail to subscribers about a publication (assessments.announcements): sent in
# batches of SUBSCRIBER_MAIL_BATCH by the queue's workers; a message the server turns
# away for now is tried again after SUBSCRIBER_MAIL_RETRY_SECONDS, doubling, up to
# SUBSCRIBER_MAIL_MAX_ATTEMPTS times; a batch untouched for SUBSCRIBER_MAIL_STALE_SECONDS
# is taken for one whose worker stopped. Messages told the same are rendered once, the
# last SUBSCRIBER_MAIL_RENDERED kept.
SUBSCRIBER_MAIL_BATCH = env_int("SUBSCRIBER_MAIL_BATCH", 200)
SUBSCRIBER_MAIL_RETRY_SECONDS = env_int("SUBSCRIBER_MAIL_RETRY_SECONDS", 300)
SUBSCRIBER_MAIL_MAX_ATTEMPTS = env_int("SUBSCRIBER_MAIL_MAX_ATTEMPTS", 5)
SUBSCRIBER_MAIL_STALE_SECONDS = env_int("SUBSCRIBER_MAIL_STALE_SECONDS", 300)
SUBSCRIBER_MAIL_RENDERED = env_int("SUBSCRIBER_MAIL_RENDERED", 256)

# Sign-in throttling (django-axes), on the editor's and the admin's sign-in forms alike:
# after AXES_FAILURE_LIMIT wrong passwords in a row an account is locked for
# AXES_COOLOFF_MINUTES, and a right password resets the count. Failures are counted per
# username and address together, never per address alone: behind the proxy every request
# comes from the proxy's address (REMOTE_ADDR), and locking it would lock everyone out at
# once; there the lock falls on the account, from wherever the guesses come.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Two-factor sign-in (assessments.two_factor): a code from an authenticator app (TOTP) or
# a recovery code after the password. Required of editors and superusers unless turned
# off; off by default with DEBUG, so that `make run`'s demo accounts sign in with their
# passwords alone; optional for everyone else. A wrong code waits 1, 2, 4, 8... seconds
# before the next is tried (django-otp's throttling, per device).
OUTLOOK_REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("PUBLISHER_NAME", "Outlook")
# A device's secret key is never shown in the admin: a superuser who could read it could
# sign in as its owner.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True


# Django's cache, which keeps the public pages (assessments.caching). CACHE_URL chooses it:
# locmem:// (the default: each process its own, right for one app server), db://TABLE
# (a table of the shared database, made with `manage.py createcachetable`: several app
# servers then render each page once between them), redis://HOST:PORT/DB (needs the redis
# package), dummy:// (nothing kept). Every choice is correct with several servers, since
# a page's key holds the publication generation read from the shared database; a shared
# cache only saves rendering.
def cache_from_url(url):
    scheme, _, rest = url.partition("://")
    backends = {
        "locmem": ("django.core.cache.backends.locmem.LocMemCache", rest or "outlook"),
        "db": ("django.core.cache.backends.db.DatabaseCache", rest or "outlook_cache"),
        "redis": ("django.core.cache.backends.redis.RedisCache", url),
        "dummy": ("django.core.cache.backends.dummy.DummyCache", ""),
    }
    if scheme not in backends:
        raise ImproperlyConfigured(
            f"CACHE_URL: unknown cache {scheme!r} (locmem, db, redis, dummy)."
        )
    backend, location = backends[scheme]
    # Pages kept, at most (the least used go first past it): a 40-country edition page
    # and its compressed copies take about 0.4 MB, a country page a tenth of that, so a
    # process's own (locmem) copy stays small; a shared cache may hold more.
    return {
        "BACKEND": backend,
        "LOCATION": location,
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 300)},
    }


CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}
PUBLIC_PAGE_CACHE = "default"
# How long the server keeps a page: a change of generation retires it anyway, so this
# only bounds what an unused page holds.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 24 * 3600)
# What a public page tells those who keep copies (Cache-Control). Browsers keep it
# PUBLIC_PAGE_MAX_AGE seconds, then revalidate it (a 304 costs one query). Shared caches
# (a CDN) keep it PUBLIC_PAGE_S_MAXAGE: a publication reaches CDN readers that much later
# at most (signed-in editors see it at once: their pages are never shared). For
# PUBLIC_PAGE_STALE_WHILE_REVALIDATE more, a CDN may serve the old copy while it
# revalidates, so that a crowd after a publication never waits on the app servers.
PUBLIC_PAGE_MAX_AGE = env_int("PUBLIC_PAGE_MAX_AGE", 60)
PUBLIC_PAGE_S_MAXAGE = env_int("PUBLIC_PAGE_S_MAXAGE", 300)
PUBLIC_PAGE_STALE_WHILE_REVALIDATE = env_int("PUBLIC_PAGE_STALE_WHILE_REVALIDATE", 600)
# A page not found may be published soon: kept that briefly, and never by the server.
PUBLIC_NOT_FOUND_MAX_AGE = env_int("PUBLIC_NOT_FOUND_MAX_AGE", 60)
# Brotli's quality for stored pages (0-11): made once per page and generation, inside a
# reader's request. 5 is within 2% of 9's size at a fifth of its time (3 ms, not 14, for
# an edition page).
PUBLIC_PAGE_BROTLI_QUALITY = env_int("PUBLIC_PAGE_BROTLI_QUALITY", 5)

# The PDF renderer runs in a child process under these limits.
PDF_MEMORY_LIMIT_MB = env_int("PDF_MEMORY_LIMIT_MB", 1024)
PDF_TIMEOUT_SECONDS = env_int("PDF_TIMEOUT_SECONDS", 300)

# Background jobs (README, Background jobs): django-tasks with its database backend, so the
# queue is a table of the site's own database (PostgreSQL, or SQLite under `make run`) and
# needs no other service. Workers: `manage.py worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running publication writes a heartbeat this often; one silent for PUBLICATION_STALE_SECONDS
# is taken for a dead worker, and its job is started again, up to PUBLICATION_MAX_ATTEMPTS.
PUBLICATION_HEARTBEAT_SECONDS = env_int("PUBLICATION_HEARTBEAT_SECONDS", 5)
PUBLICATION_STALE_SECONDS = env_int("PUBLICATION_STALE_SECONDS", 120)
PUBLICATION_MAX_ATTEMPTS = env_int("PUBLICATION_MAX_ATTEMPTS", 3)

# Evidence older than this, relative to an edition's period, is flagged by the checks.
EVIDENCE_MAX_AGE_YEARS = env_int("EVIDENCE_MAX_AGE_YEARS", 3)

# Who publishes the outlooks: in the footer of every public page, on the cover of every
# PDF and at the head of every citation (README, Configuration). An empty address or
# email is left out; a developer's site shows example ones, to show where they go.
EXAMPLE_ADDRESS, EXAMPLE_EMAIL = "1 Example Street, Example City", "contact@example.org"
OUTLOOK_PUBLISHER = {
    "name": os.environ.get("PUBLISHER_NAME", "Outlook"),
    "address": os.environ.get("PUBLISHER_ADDRESS", EXAMPLE_ADDRESS if DEBUG else ""),
    "email": os.environ.get("PUBLISHER_EMAIL", EXAMPLE_EMAIL if DEBUG else ""),
    "url": os.environ.get("PUBLISHER_URL", SITE_URL),
}
# The licences of what is published: the text (pages and PDFs) and the data (the open
# data's JSON and CSV). Each a name and the address of its terms.
CC_BY_4 = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
OUTLOOK_TEXT_LICENCE = {
    "name": os.environ.get("TEXT_LICENCE_NAME", CC_BY_4["name"]),
    "url": os.environ.get("TEXT_LICENCE_URL", CC_BY_4["url"]),
}
OUTLOOK_DATA_LICENCE = {
    "name": os.environ.get("DATA_LICENCE_NAME", CC_BY_4["name"]),
    "url": os.environ.get("DATA_LICENCE_URL", CC_BY_4["url"]),
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp: Django has its own only from 6.0): scripts, styles,
# images and fonts from the site itself, and no inline script, style or event handler,
# so that text that slipped past the sanitiser could run nothing. The risk levels'
# colours, which are data, come from a stylesheet of their own (/styles/risk-levels.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form controls' arrows and ticks as data: SVG images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# HTTPS, under Django's own names. Off unless set: HSTS pins every browser that saw it to
# HTTPS for that long, and the proxy may already redirect, so production turns them on
# knowingly (README, Configuration).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

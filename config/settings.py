"""Settings for the registry, read from the environment (see README, "Configuration").

The embedded default (no variables set except ``DJANGO_DEBUG=true``) runs on a
SQLite file with in-process background tasks. Production sets ``DATABASE_URL``,
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``CELERY_BROKER_URL``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Production must set SECRET_KEY; the server, the worker and every use of a key refuse
# to start without one (registry/keys.py). Offline commands such as makemigrations do
# not need a key, so they run without it. Debug mode alone may use a development key.
SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

# A separate key for pseudonymous identifiers in exports, so that rotating the
# session key does not change every published pseudonym.
PSEUDONYM_KEY = env_str("PSEUDONYM_KEY", default=SECRET_KEY)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_prometheus",
    "drf_spectacular_sidecar",
    "registry",
    "imports",
    "matching",
    "public_site",
    "staff",
    "demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files in production, from STATIC_ROOT (collectstatic), before anything else;
    # in debug mode runserver serves the apps' own files (there is no STATIC_ROOT).
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    # Public read pages on the replica when it is safe (config/db_router.py).
    "config.db_router.PublicReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "public_site.middleware.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", default=str(BASE_DIR / "db" / "registry.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers go on while an import writes; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# A PostgreSQL streaming replica for the public pages' reads (config/db_router.py):
# writes, staff pages, sessions and the audited lookups stay on the primary; while the
# replica is down or more than REPLICA_MAX_LAG_SECONDS behind, public reads fall back
# to the primary (checked at most every REPLICA_CHECK_SECONDS per process).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary).")
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    # A replica that does not answer must not hold a request for long.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests read the replica alias from the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and permissions ----------------------------------------------------
AUTH_USER_MODEL = "registry.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend with a lockout after repeated failures (registry/login_guard.py).
    "registry.login_guard.LockoutModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Object permissions never fall back to model-wide grants: a global "view_record"
# would otherwise expose every agency's records (see registry/access.py).
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "public_site:home"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Language and time ----------------------------------------------------------
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded import files (and anything else stored) go through Django's file storage:
# the local disk under MEDIA_ROOT by default (one machine), or S3-compatible object
# storage (django-storages) so that every web process and worker on every machine
# reads the same files.
FILE_STORAGE = env_choice("FILE_STORAGE", ("local", "s3"), default="local")
if FILE_STORAGE == "s3":
    _s3_bucket = env_str("S3_BUCKET")
    if not _s3_bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET.")
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": _s3_bucket,
        "endpoint_url": env_str("S3_ENDPOINT_URL"),
        "region_name": env_str("S3_REGION", default="us-east-1"),
        "access_key": env_str("S3_ACCESS_KEY_ID"),
        "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
        "location": env_str("S3_PREFIX", default=""),
        # Uploads are evidence: never public, never overwritten, never served by URL.
        "default_acl": "private", "file_overwrite": False, "querystring_auth": True,
    }}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Production serves STATIC_ROOT through WhiteNoise (``manage.py collectstatic`` first):
# hashed names (cached for a year) and gzip copies made once by collectstatic.
# Debug mode and tests serve the apps' files as they are (no manifest to build).
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cache (rate limits must be shared between processes in production) ---------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database: a restart of
    # Redis logs nobody out, and a family's status page costs no session query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-process cache of template fragments that are the same for every visitor of a
# language (navigation, footer, the filter options): never anything of a record.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "fragments", "TIMEOUT": 3600}
# The family-lookup and detention-lookup limits refuse to run on a per-process cache
# (each gunicorn worker would count on its own) unless this is switched off.
RATE_LIMIT_CACHE = "default"
RATE_LIMIT_REQUIRE_SHARED_CACHE = env_bool("RATE_LIMIT_REQUIRE_SHARED_CACHE", default=not DEBUG)

# --- Background tasks ---------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
# Without a broker (embedded default, most tests) tasks run inline in the caller.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Work that runs on a clock (`celery -A config beat`, one beat process per deployment).
CELERY_BEAT_SCHEDULE = {
    # The retention policy (registry/retention.py), every night at 03:30.
    "retention": {"task": "registry.tasks.retention_apply_task",
                  "schedule": crontab(hour=3, minute=30)},
    # Published entries whose person turned 18: shown as an adult's (registry/published.py).
    "published-entries-due": {"task": "registry.tasks.published_entries_due_task",
                              "schedule": crontab(hour=3, minute=45)},
    # The matching-quality alert to administrators (matching/quality.py), hourly.
    "matching-precision": {"task": "matching.tasks.precision_alert_check_task",
                           "schedule": crontab(minute=15)},
}

# --- JSON API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Nothing is open by default: each view states who may call it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # Public endpoints set their own throttle classes (public_site/api.py).
    "DEFAULT_THROTTLE_RATES": {
        "public_read": env_str("PUBLIC_API_RATE", default="120/minute"),
        "public_lookup": env_str("PUBLIC_LOOKUP_RATE", default="20/minute"),
        # Per agency account, on the token import API (imports/api.py).
        "import_api": env_str("IMPORT_API_RATE", default="30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Registro de personas desaparecidas y detenidas — API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": ("API pública de solo lectura del registro (fichas, estadísticas, consulta "
                    "de detención) y API de importación de las instituciones (con token)."),
    # Swagger UI from the drf-spectacular-sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Public site ------------------------------------------------------------------------
# Absolute address of the public site: links in emails to families, and the domain of
# the PFIF record ids (keep it stable: other repositories key on them). Unset outside
# debug: the PFIF export then names the request's host.
PUBLIC_SITE_URL = env_str("PUBLIC_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# Families' notification emails; the console locally, SMTP (EMAIL_HOST…) in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="avisos@registro.example")
# Content-Security-Policy of every page but the admin's: no inline script or style at all
# (public and staff templates load their CSS and JavaScript as static files).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

# --- Uploads ----------------------------------------------------------------------------
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", default=200 * 1024 * 1024)
# Memory python-calamine may take to read one sheet (imports/xlsx_scan.py); 0: openpyxl only.
IMPORT_XLSX_CALAMINE_MAX_BYTES = env_int("IMPORT_XLSX_CALAMINE_MAX_BYTES",
                                         default=256 * 1024 * 1024)

# --- Matching ---------------------------------------------------------------------------
# Below this many stored records no model is trained (EM needs enough candidate pairs):
# the incremental matcher then does nothing and says so in the log.
MATCHING_MIN_TRAINING_RECORDS = env_int("MATCHING_MIN_TRAINING_RECORDS", default=1000)
# Training uses at most this many stored records (a fixed random sample).
MATCHING_TRAINING_MAX_RECORDS = env_int("MATCHING_TRAINING_MAX_RECORDS", default=200_000)
# How far behind the refresh time the matching index's watermark trails, so that rows
# of an import transaction that committed late are still picked up (see matching.adapter).
MATCHING_INDEX_WATERMARK_LAG_SECONDS = env_int("MATCHING_INDEX_WATERMARK_LAG_SECONDS",
                                               default=600)
# The matching-quality alert (matching/quality.py): administrators are e-mailed when the
# observed precision of automatic links over the last MATCHING_PRECISION_WINDOW_DAYS falls
# below the floor, once MATCHING_PRECISION_MIN_SAMPLE links and decisions are in.
MATCHING_PRECISION_FLOOR = env_float("MATCHING_PRECISION_FLOOR", default=0.95)
MATCHING_PRECISION_MIN_SAMPLE = env_int("MATCHING_PRECISION_MIN_SAMPLE", default=30)
MATCHING_PRECISION_WINDOW_DAYS = env_int("MATCHING_PRECISION_WINDOW_DAYS", default=90)
# A batch with at least this many new or changed records is linked by the batch path
# (matching.bulk: the core's batch linker against candidates from the shared blocking-key
# index, outcomes written in bulk); smaller ones one record at a time (matching.adapter).
MATCHING_BATCH_MIN_RECORDS = env_int("MATCHING_BATCH_MIN_RECORDS", default=200)
# seed_demo links the demo records in-process only up to this many records (measured:
# 5,000 records link in ~25 s, 10,000 in ~65 s on the 2-core machine; relink does more).
MATCHING_DEMO_LINK_MAX_RECORDS = env_int("MATCHING_DEMO_LINK_MAX_RECORDS", default=5000)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The audit log's signed checkpoints (registry/audit.py, README "Audit log"): the key
# (default: derived from SECRET_KEY) and an optional append-only file that gets a copy.
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", default="")
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", default="")

# How many reverse proxies of ours stand in front of the server (each appends to
# X-Forwarded-For). 0: REMOTE_ADDR is the client. Rate limits key on this address, so
# behind a proxy it must be set, or every family would share the proxy's limit.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", default=0)
# Our API throttles key on registry.audit.client_ip (registry/throttling.py); this keeps
# any other DRF throttle from believing a forged X-Forwarded-For either.
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_HOPS

# Health probes and the metrics scrape come over the private network in plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^salud/", r"^metricas/"]
# Prometheus metrics at /metricas/ for a bearer of this token (config/metrics.py); unset: 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, and the
# exception), for a log collector; text by default.
LOG_FORMAT = env_choice("LOG_FORMAT", ("text", "json"), default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level",
                                   "name": "logger", "process": "pid"}},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}

"""The one settings module. Everything that differs between machines comes from the environment;
`.env.example` lists every variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from taicho.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("TAICHO_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("TAICHO_DEBUG", False)
SECRET_KEY = env_str("TAICHO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("TAICHO_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("TAICHO_SECRET_KEY must be set in production")
    # Embedded default for a single machine: a key kept under var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    else:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        key_file.write_text(SECRET_KEY)
        key_file.chmod(0o600)

ALLOWED_HOSTS = env_list("TAICHO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TAICHO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("TAICHO_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "taicho.core",
    "taicho.org",
    "taicho.catalog",
    "taicho.signing",
    "taicho.documents",
    "taicho.public",
    "taicho.dossiers",
    "taicho.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "taicho.urls"
WSGI_APPLICATION = "taicho.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "taicho.supervision.context.nav",
            ],
        },
    },
]

# Database: SQLite in WAL mode under var/ by default; PostgreSQL (or any dj-database-url URL) from DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "taicho.sqlite3"),
            # A file, not memory, so tests that use several connections at once see real SQLite locking.
            # One file per test process, so two test runs in the same checkout never share a database.
            "TEST": {"NAME": str(VAR_DIR / f"test-taicho-{os.getpid()}.sqlite3")},
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so
                # two concurrent writers queue on busy_timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Staff"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Vietnamese by default; people see Asia/Ho_Chi_Minh, the database stores UTC.
LANGUAGE_CODE = env_str("TAICHO_LANGUAGE", "vi")
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `taicho collectstatic` target in production; the embedded server serves straight from the packages.
STATIC_ROOT = env_str("TAICHO_STATIC_ROOT", "") or None
import xstatic.pkg.bootstrap as _xstatic_bootstrap  # noqa: E402 - Bootstrap 5 shipped by PyPI, no CDN

STATICFILES_DIRS = [PACKAGE_DIR / "static", ("bootstrap", _xstatic_bootstrap.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("TAICHO_MEDIA_ROOT", str(VAR_DIR / "media")))

# File storage: local files by default; any S3-compatible object store in production.
_storage_backend = env_str("TAICHO_STORAGE", "filesystem")
if _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("TAICHO_S3_BUCKET", ""),
            "endpoint_url": env_str("TAICHO_S3_ENDPOINT", "") or None,
            "access_key": env_str("TAICHO_S3_ACCESS_KEY", ""),
            "secret_key": env_str("TAICHO_S3_SECRET_KEY", ""),
            "region_name": env_str("TAICHO_S3_REGION", "") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
elif _storage_backend == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"TAICHO_STORAGE must be 'filesystem' or 's3', got {_storage_backend!r}")
TAICHO_LOCAL_MEDIA = _storage_backend == "filesystem"
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("TAICHO_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Background work: Django's Tasks API. Database backend by default (workers: `taicho db_worker`),
# immediate in tests, RQ when scaled out.
_tasks_backend = env_str("TAICHO_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "rq": "django_tasks_rq.RQBackend",
        }.get(_tasks_backend, _tasks_backend)
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL", ""),
        }
    }

SESSION_COOKIE_SECURE = env_bool("TAICHO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("TAICHO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Signing: PKCS#12 files of the embedded/demo setup live here (never under MEDIA_ROOT, which is served).
PKI_DIR = Path(env_str("TAICHO_PKI_DIR", str(VAR_DIR / "pki")))
# Optional RFC 3161 timestamp server (PAdES B-T) and revocation fetching (B-LT).
TIMESTAMP_URL = env_str("TAICHO_TIMESTAMP_URL", "")
FETCH_REVOCATION = env_bool("TAICHO_FETCH_REVOCATION", False)
# Dossier rules marked [?] in domain.md §2, configurable per province.
SUPPLEMENTS_PER_AGENCY = env_int("TAICHO_SUPPLEMENTS_PER_AGENCY", 1)
STOP_REFUSED_AFTER_FEES = env_bool("TAICHO_STOP_REFUSED_AFTER_FEES", True)
# Public verification: requests per minute per client address.
VERIFY_RATE_PER_MINUTE = env_int("TAICHO_VERIFY_RATE_PER_MINUTE", 30)

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TAICHO_LOG_LEVEL", "INFO")},
    # fontTools logs every glyph subset at INFO (the seal's text font); pyHanko is chatty too.
    "loggers": {"fontTools": {"level": "WARNING"}, "pyhanko": {"level": "WARNING"}},
}

# E-mail (the monthly supervision report to the center's director). Embedded default: files under var/mail/.
EMAIL_BACKEND = env_str("TAICHO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("TAICHO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("TAICHO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("TAICHO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("TAICHO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TAICHO_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("TAICHO_EMAIL_FROM", "taicho@localhost")
# Supervision read models are refreshed from the dossier events at most this often by a page view (seconds);
# `taicho supervision refresh` (cron) or the nightly task keeps them current without it.
SUPERVISION_REFRESH_SECONDS = int(env_str("TAICHO_SUPERVISION_REFRESH_SECONDS", "300"))

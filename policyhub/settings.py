"""Settings for PolicyHub, read from the environment.

Development needs no configuration: SQLite in the project folder and DEBUG on. Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) needs a secret key: "
            "export DJANGO_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    # Only for development: sessions signed with it are worthless anywhere else.
    SECRET_KEY = "development-only-insecure-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "reversion",
    "policyhub.apps.AxesConfig",  # django-axes, with a Chinese name in the admin
    "documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "policyhub.routers.PinToPrimaryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's 简体/繁體 choice (the set_language cookie, else Accept-Language: zh-TW, zh-HK
    # → 繁體); after the session, before CommonMiddleware as Django asks.
    "django.middleware.locale.LocaleMiddleware",
    "documents.i18n.AdminInDefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "policyhub.urls"

# Readers' pages are Jinja2 templates (documents/jinja2/, documents/templating/): a first
# page's CPU time 7-27 % less than with Django's template language (bench/README.md).
# The admin, the feeds and the last-resort 500 page are Django templates (templates/).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "documents.templating.environment",
            "context_processors": ["documents.context_processors.category_menu"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "documents.context_processors.category_menu",
            ],
        },
    },
]

WSGI_APPLICATION = "policyhub.wsgi.application"


def database(url: str) -> dict:
    config = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    return config


# An unset or empty DATABASE_URL means the embedded SQLite file.
DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# A read replica (PostgreSQL streaming replication): reads go there, writes to the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["policyhub.routers.PrimaryReplicaRouter"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server workers write view counts at once: wait for the lock instead of failing,
    # take it at the start of a transaction, and let readers go on during a write (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not the in-memory default, so that tests of concurrent requests see real locking.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("DJANGO_TEST_SQLITE", str(BASE_DIR / "test-db.sqlite3"))
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface's message ids are simplified Chinese; locale/zh_Hant holds the traditional
# catalog, its compiled .mo committed (no gettext needed to run; `make messages` rebuilds it).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体"), ("zh-hant", "繁體")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin's change form of a long regulation posts ~10 fields per unit (150 articles: 1,500);
# beyond this a request is refused with a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
# A pasted notice may be as long as an uploaded one (documents.forms.MAX_IMPORT_BYTES, 5 MB);
# Django's 2.5 MB default answered a longer paste with a bare 400 and lost it. Above this
# (the form's own limit and room for its other fields) a request is still refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

NOTICES_PER_PAGE = 20

# The API (documents/api.py) is anonymous, read-only and JSON only; the pages are for browsers.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PolicyHub API",
    "DESCRIPTION": "Read-only access to the published notices of the PolicyHub archive.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# The cache, shared by every server process: pages, counts and summaries, each keyed by the
# archive generation (documents/caching.py), so that they expire when the archive changes.
# With REDIS_URL (redis://host:6379/0) it is Redis, shared by every server machine; without,
# files in DJANGO_CACHE_DIR, shared by the processes of one machine (by default a folder of
# cache/ per database: the generation numbers of two databases are not each other's; a database
# made anew is migrated, and migrate empties the cache, documents/caching.py). Sized for a page per
# notice in each script at 100,000 notices, with room for lists and summaries: at about 8 KB a
# page (compressed) some 2.5 GB of disk at most.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "policyhub",
        }
    }
else:
    database_name = str(DATABASES["default"]["NAME"]).encode()
    CACHES = {
        "default": {
            "BACKEND": "policyhub.cache.FileCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR")
            or str(BASE_DIR / "cache" / hashlib.sha256(database_name).hexdigest()[:12]),
            "OPTIONS": {"MAX_ENTRIES": 300_000, "CULL_FREQUENCY": 10},
        }
    }

# The search service (manage.py serve_search, documents/search_service.py): with SEARCH_URL
# (http://127.0.0.1:8765) a search sorted by relevance is ranked and counted there, every
# match ranked by BM25 at a few milliseconds whatever the number of matches; without it, or
# while it does not answer within SEARCH_TIMEOUT seconds, in the database.
SEARCH_URL = os.environ.get("SEARCH_URL", "")
SEARCH_TIMEOUT = float(os.environ.get("SEARCH_TIMEOUT", "2"))

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Production is served over HTTPS only. Behind a proxy that terminates TLS, set
    # DJANGO_SECURE_PROXY_SSL_HEADER=1 so that X-Forwarded-Proto tells Django the scheme.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer's health check speaks plain http to the app server.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script anywhere, no third-party origin: every asset is ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Repeated failed admin logins lock the account and address out for a while (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

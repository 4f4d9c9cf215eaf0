"""Base settings, every value that differs per deployment read from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from .storage import media_origin, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# --- Core -----------------------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "django-insecure-development-only-key-do-not-use-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

DJANGO_APPS = [
    # modeltranslation patches the admin, so it must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]
THIRD_PARTY_APPS = [
    "taggit",
    "axes",
    "imagekit",
    # The admin's rich-text editor (its static files; publishing/widgets.py loads them without inline script).
    "django_prose_editor",
    # A revision of every save of articles, authors, tags and categories (publishing/revisions.py).
    "reversion",
    # The read API under /api/v1/ (articles/api/): REST framework, its OpenAPI schema, Swagger UI's static files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Django's tasks framework (backported to 5.2) and its database backend: the upkeep after a save
    # (articles/tasks.py) runs in a worker (`make worker`) when DJANGO_TASKS_BACKEND=database.
    "django_tasks",
    "django_tasks_db",
]
LOCAL_APPS = [
    "ankasam_site.apps.AnkasamSiteConfig",
    "publishing",
    "authors",
    "articles",
]
# The host project comes first among the apps so that its templates (base.html, error pages) win.
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside LocaleMiddleware, so that its language redirects carry the header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Readers' cached pages are answered here, before the middleware below that they do not need.
    "articles.pages.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ankasam_site.urls"
WSGI_APPLICATION = "ankasam_site.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# SQLite in the project root unless DATABASE_URL names another database (postgres://… in production).

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Connections are kept (CONN_MAX_AGE) on SQLite too: opening one per request re-reads the schema and prepares
    # every statement again, about 1 ms of an uncached article page.

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Bounded time on the database too: a connection attempt gives up after DJANGO_DB_CONNECT_TIMEOUT seconds
    # (libpq's least is 2), a dead peer is noticed by TCP keepalives, and a statement may run for
    # DJANGO_DB_STATEMENT_TIMEOUT milliseconds at most (0, no limit, by default: imports, restores and the benchmark
    # run long statements; ankasam_site/gunicorn_conf.py sets it for the web workers, below gunicorn's timeout, so
    # that a stuck query ends in the error page instead of a killed worker).
    _statement_timeout = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT", "0"))
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "2")),
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            **({"options": f"-c statement_timeout={_statement_timeout}"} if _statement_timeout else {}),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Cache ----------------------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Every call has a bounded time (REDIS_TIMEOUT seconds to connect, and to answer; Redis answers a page's
    # calls in well under a millisecond), and after a failure a circuit breaker (ankasam_site/cache.py) leaves
    # Redis alone for REDIS_BREAKER_PAUSE seconds: the site is served uncached meanwhile, one log line per outage.
    _REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
    CACHES = {
        "default": {
            "BACKEND": "ankasam_site.cache.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "ankasam"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # A missing Redis degrades to an uncached site instead of an error page.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": _REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": _REDIS_TIMEOUT,
                "BREAKER_PAUSE": float(os.environ.get("REDIS_BREAKER_PAUSE", "5")),
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    # The breaker logs each outage once; django-redis would log every call that failed, with its traceback.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    # The embedded setup: pages in each process's memory, their dependencies' versions in a cache every process
    # shares, so that a save made anywhere (another worker, import_translation, restore, a shell) reaches every
    # process's next request. In the database by default (articles.pages.stamps: one indexed query per cached page,
    # one upsert per save); PAGE_STAMPS_CACHE=file keeps them in files next to an SQLite database instead
    # (docs/performance.md compares the two).
    _PAGE_STAMPS = {
        "database": {"BACKEND": "articles.pages.stamps.DatabaseStampCache"},
        "file": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("PAGE_STAMPS_DIR")
            or (f"{DATABASES['default']['NAME']}.page-stamps"
                if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else str(BASE_DIR / ".page-stamps")),
        },
    }[os.environ.get("PAGE_STAMPS_CACHE", "database")]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ankasam",
            # Room for the readers' pages (articles.pages.caching).
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        # A version per article, tag, category and author in each language, a few bytes each: never culled (a
        # culled version would make the pages that recorded it again for nothing).
        "page-stamps": {**_PAGE_STAMPS, "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 10**9}},
    }
    ARTICLES_PAGE_STAMPS_ALIAS = "page-stamps"

# --- Tasks ----------------------------------------------------------------------------------------------------
# The upkeep after a save (other articles' Similar Posts, search entries, renditions, page-cache stamps). Without a
# worker (the embedded default) it runs at once, inside the save; with DJANGO_TASKS_BACKEND=database it is queued in
# the database when the save commits and `manage.py db_worker` (`make worker`) runs it.

TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate")
if _TASKS_BACKEND not in TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {_TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_TASKS_BACKEND]}}

# --- Authentication -------------------------------------------------------------------------------------------

# django-axes counts failed logins: after AXES_FAILURE_LIMIT failures from one address, or for one user name,
# logins are refused for the cool-off time (a guessed password is then useless), answered with 429.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ------------------------------------------------------------------------------------------------
# Turkish is the source language of the think-tank; every public URL carries its language prefix.

LANGUAGE_CODE = "tr"
LANGUAGES = [
    ("tr", "Türkçe"),
    ("en", "English"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Istanbul"

MODELTRANSLATION_DEFAULT_LANGUAGE = "tr"
MODELTRANSLATION_LANGUAGES = ("tr", "en", "ru")
# No silent fallbacks: a reader must never get Turkish text on a Russian page by accident. Where a fallback is
# wanted (an author's bio), the code asks for it and marks the text with its language.
MODELTRANSLATION_ENABLE_FALLBACKS = False
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "tr"
# The admin's language tabs need jQuery UI; modeltranslation loads it from a CDN by default. The plugin ships it.
JQUERY_UI_URL = "publishing/vendor/jquery-ui-1.14.1.min.js"

TAGGIT_CASE_INSENSITIVE = True

# --- Static and media files -----------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads and their renditions: the local folder, or an S3-compatible bucket shared by every app server when
# MEDIA_STORAGE_URL or AWS_STORAGE_BUCKET_NAME names one (ankasam_site/settings/storage.py).
STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: refuse oversized bodies before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers and process managers probe the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp): scripts only from this site, never inline, so injected markup cannot run.
# Styles allow inline attributes because the admin's widgets and image previews set them; sanitised content
# cannot carry a style attribute (publishing/text.py).
_MEDIA_ORIGIN = [origin] if (origin := media_origin(STORAGES["default"], MEDIA_URL)) else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *_MEDIA_ORIGIN],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging --------------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- The articles plugin --------------------------------------------------------------------------------------

ARTICLES_PAGE_SIZE = 10
ARTICLES_SIMILAR_LIMIT = 6
# Readers' pages are cached this long at most (articles/pages/caching.py); 0 turns the page cache off. Every process
# sees every save: through Redis, or through the shared dependency versions of the embedded setup (see CACHES).
ARTICLES_PAGE_CACHE_SECONDS = int(os.environ.get("ARTICLES_PAGE_CACHE_SECONDS") or "600")
ARTICLES_FEED_SIZE = 20
# The read API (articles/api/): requests per client address, counted in the shared cache (None: no limit). The
# address is the client's as the proxies in front report it: DJANGO_NUM_PROXIES of them append to X-Forwarded-For
# (0: the connection's own address, which behind a proxy is the proxy's).
ARTICLES_API_THROTTLE_RATE = os.environ.get("ARTICLES_API_THROTTLE_RATE", "120/minute") or None
REST_FRAMEWORK = {"NUM_PROXIES": int(os.environ.get("DJANGO_NUM_PROXIES", "0"))}
# The caching proxies in front of the app servers (deploy/varnish/ankasam.vcl), purged of exactly the pages a save
# changes: VARNISH_URLS=http://10.0.0.5:80,http://10.0.0.6:80 (articles/pages/frontend.py). None by default.
ARTICLES_FRONTEND_CACHE = (
    {"BACKEND": "varnish", "LOCATIONS": env_list("VARNISH_URLS", [])} if env_list("VARNISH_URLS", []) else None
)
# Named as the publisher in feeds and in the pages' structured data.
ARTICLES_PUBLISHER_NAME = "ANKASAM"
# Widths (px) of the responsive renditions of featured images and author photos, made once by django-imagekit.
PUBLISHING_RENDITION_WIDTHS = (320, 480, 640, 960, 1280, 1600)
IMAGEKIT_CACHEFILE_DIR = "renditions"

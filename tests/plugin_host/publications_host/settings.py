"""Settings of a minimal second host of the plugin: English and German, the plugin's pages under /publications/,
SQLite and a local-memory cache, none of ANKASAM's own apps, middleware or settings.

Everything here is what a site needs to run the plugin (README, "Use it in your own site"); what it leaves out
takes the plugin's defaults (``articles.conf``).
"""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "plugin-host-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["publications.example"]

INSTALLED_APPS = [
    # modeltranslation patches the admin: before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "imagekit",
    "django_prose_editor",
    "reversion",
    # The plugin's read API (articles.api): REST framework, its schema, Swagger UI's static files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "publishing",
    "authors",
    "articles",
    "publications_host",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "publications_host.urls"

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

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Berlin"

# The plugin's models get a column per language of LANGUAGES, so this host makes and owns their migrations.
MIGRATION_MODULES = {
    "publishing": "host_migrations.publishing",
    "articles": "host_migrations.articles",
    "authors": "host_migrations.authors",
}

# No silent fallbacks: a German page never shows English text by accident.
MODELTRANSLATION_ENABLE_FALLBACKS = False
# The admin's language tabs need jQuery UI: the plugin ships it, instead of modeltranslation's CDN link.
JQUERY_UI_URL = "publishing/vendor/jquery-ui-1.14.1.min.js"

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

# One of the plugin's settings, to show that a host's value is taken (default 10).
ARTICLES_PAGE_SIZE = 5

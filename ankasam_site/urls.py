"""URLs of the ANKASAM site: the admin, language switching, and the plugin's public pages under a language prefix."""
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.admin import translator_landing

from . import sitemaps, views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's home page sends translators to their dashboard (articles.admin.translation_files); the rest is the admin.
    path("admin/", translator_landing(admin.site)),
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's): answer with the site's icon.
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    # The read API: JSON, the language in its path (/api/v1/en/articles/), so outside i18n_patterns.
    path("api/v1/", include("articles.api.urls")),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS, "template_name": sitemaps.SECTION_TEMPLATE},
        name="sitemap-section",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database that cannot be reached answers 503 (try again), any other error 500: ankasam_site.views.server_error.
handler500 = "ankasam_site.views.server_error"

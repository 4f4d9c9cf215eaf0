"""The admin, language switching, a sitemap, the plugin's pages under /<language>/publications/ and its read API under
/api/v1/."""
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.pages.sitemaps import ArticleSitemap, AuthorSitemap, CategorySitemap, TagSitemap

SITEMAPS = {"articles": ArticleSitemap, "authors": AuthorSitemap, "tags": TagSitemap, "categories": CategorySitemap}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/v1/", include("articles.api.urls")),
]

urlpatterns += i18n_patterns(
    path("publications/", include("articles.urls")),
)

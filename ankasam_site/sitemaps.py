"""The site's sitemap: the plugin's sections, served as one file while they fit in one, as an index after that."""
from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse

from articles.pages.sitemaps import (
    ArticleSitemap, AuthorSitemap, CategorySitemap, PageSitemap, TagSitemap, sitemap_index,
)


SITEMAPS = {
    "pages": PageSitemap(["articles:index", "articles:authors"], x_default_paths={"articles:index": "/"}),
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "categories": CategorySitemap,
}


def sitemap(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: every URL while they fit in one sitemap file (50,000, the protocol's limit), else the index
    of the sections' files (``/sitemap-<section>.xml?p=<page>``), so the address crawlers know never changes."""
    sections = [site() if callable(site) else site for site in SITEMAPS.values()]
    one_file_holds = min(site.limit for site in sections)
    if sum(site.paginator.count for site in sections) <= one_file_holds:
        return sitemap_views.sitemap(request, sitemaps=SITEMAPS)
    return sitemap_index(request, SITEMAPS, section_url_name="sitemap-section")

"""The site's sitemap: the plugin's sections, served as one file while they fit in one, as an index after that."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from articles.pages.sitemaps import (
    ArticleSitemap, AuthorSitemap, CategorySitemap, PageSitemap, SECTION_TEMPLATE, TagSitemap, sitemap_or_index,
)


SITEMAPS = {
    "pages": PageSitemap(["articles:index", "articles:authors"], x_default_paths={"articles:index": "/"}),
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "categories": CategorySitemap,
}


def sitemap(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: every URL while they fit in one sitemap file (a section's ``limit`` of URLs), else the index
    of the sections' files (``/sitemap-<section>.xml?p=<page>``), so the address crawlers know never changes."""
    return sitemap_or_index(request, SITEMAPS, section_url_name="sitemap-section")

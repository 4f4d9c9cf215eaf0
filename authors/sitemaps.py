"""Sitemap of the author pages: each author in every language they have an article published in."""
from __future__ import annotations

from articles.sitemaps import TranslatedSitemap, with_published_languages

from .models import Author


class AuthorSitemap(TranslatedSitemap):
    changefreq = "weekly"

    def items(self):
        return with_published_languages(Author.objects.all(), via="articles__")


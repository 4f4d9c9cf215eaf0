"""Sitemaps of the public pages: each page once per language it is published in, with its hreflang alternates.

Django's i18n sitemap lists every object in every language of LANGUAGES; here ``get_languages_for_item`` gives only
the languages a reader can open, so a draft or an unpublished translation is never announced. Which languages those
are comes from the same rule the pages use (``ArticleQuerySet.published_q``), counted per language in the items query itself.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db import models
from django.db.models.functions import Greatest
from django.urls import reverse

from authors.models import Author
from publishing.languages import language_codes, localized

from ..models import Article, Category, Tag
from .seo import x_default_language


def public_in_any_language() -> models.Q:
    condition = models.Q()
    for code in language_codes():
        condition |= Article.objects.published_q(code)
    return condition


def with_published_languages(queryset: models.QuerySet, *, via: str) -> models.QuerySet:
    """Annotate each object with ``published_<lang>`` (its public articles per language, reached through ``via``)
    and ``last_change`` (its own or its newest public article's), and keep the objects that have any."""
    counts = {
        f"published_{code}": models.Count(f"{via}pk", filter=Article.objects.published_q(code, via=via), distinct=True)
        for code in language_codes()
    }
    any_public = models.Q()
    for code in language_codes():
        any_public |= Article.objects.published_q(code, via=via)
    any_counted = models.Q()
    for code in language_codes():
        any_counted |= models.Q(**{f"published_{code}__gt": 0})
    return (
        queryset.annotate(**counts, last_article_change=models.Max(f"{via}updated_at", filter=any_public))
        .filter(any_counted)
        .annotate(last_change=Greatest("updated_at", "last_article_change"))
        .order_by("pk")
    )


class TranslatedSitemap(Sitemap):
    """Per-language URLs with alternates and an ``x-default`` that point only at pages that exist.

    Django's own ``x-default`` is the default language's URL with the language prefix cut off, which this site does
    not serve (every public URL has its prefix) and which it omits for a page missing in the default language; it
    is replaced by the page's own ``x-default`` (``x_default_language``), the one its ``<head>`` names too.
    """

    i18n = True
    alternates = True
    x_default = True

    def get_languages_for_item(self, item) -> list[str]:
        return [code for code in language_codes() if getattr(item, f"published_{code}", 0)]

    def preferred_language(self, item) -> str:
        return settings.LANGUAGE_CODE

    def x_default_location(self, item) -> str | None:
        from django.utils import translation

        language = x_default_language(self.get_languages_for_item(item), self.preferred_language(item))
        if language is None:
            return None
        with translation.override(language):
            return self.location(item)

    def get_urls(self, page=1, site=None, protocol=None):
        protocol = self.get_protocol(protocol)
        domain = self.get_domain(site)
        urls = self._urls(page, protocol, domain)
        for url in urls:
            url["alternates"] = [alt for alt in url["alternates"] if alt["lang_code"] != "x-default"]
            location = self.x_default_location(url["item"][0]) if self.x_default else None
            if location:
                url["alternates"].append({"location": f"{protocol}://{domain}{location}", "lang_code": "x-default"})
        return urls

    def lastmod(self, item):
        return item.last_change


class ArticleSitemap(TranslatedSitemap):
    changefreq = "monthly"

    def items(self):
        """Only what a URL needs is loaded (no bodies): the slugs, the dates, and per language whether it is public."""
        codes = language_codes()
        public_in = {
            f"published_{code}": models.Case(
                models.When(Article.objects.published_q(code), then=models.Value(1)), default=models.Value(0)
            )
            for code in codes
        }
        return (
            Article.objects.filter(public_in_any_language())
            .annotate(**public_in)
            .only("pk", "original_language", "published_at", "updated_at", *(localized("slug", code) for code in codes))
            .order_by("-published_at", "-pk")
        )

    def preferred_language(self, item: Article) -> str:
        return item.original_language

    def lastmod(self, item: Article):
        return item.updated_at


class TagSitemap(TranslatedSitemap):
    changefreq = "weekly"

    def items(self):
        return with_published_languages(Tag.objects.all(), via="articles__")


class CategorySitemap(TranslatedSitemap):
    changefreq = "weekly"

    def items(self):
        return with_published_languages(Category.objects.all(), via="articles__")


class PageSitemap(TranslatedSitemap):
    """Pages named by URL name that exist in every language (the home page, the author index)."""

    changefreq = "daily"

    def __init__(self, url_names: list[str], *, x_default_paths: dict[str, str] | None = None) -> None:
        self.url_names = url_names
        self.x_default_paths = x_default_paths or {}

    def items(self) -> list[str]:
        return self.url_names

    def get_languages_for_item(self, item: str) -> list[str]:
        return language_codes()

    def location(self, item: str) -> str:
        return reverse(item)

    def x_default_location(self, item: str) -> str | None:
        return self.x_default_paths.get(item) or super().x_default_location(item)

    def lastmod(self, item: str):
        return Article.objects.filter(public_in_any_language()).aggregate(latest=models.Max("updated_at"))["latest"]


class AuthorSitemap(TranslatedSitemap):
    changefreq = "weekly"

    def items(self):
        return with_published_languages(Author.objects.all(), via="articles__")

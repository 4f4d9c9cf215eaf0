"""Sitemaps of the public pages: each page once per language it is published in, with its hreflang alternates.

Django's i18n sitemap lists every object in every language of LANGUAGES; here ``get_languages_for_item`` gives only
the languages a reader can open, so a draft or an unpublished translation is never announced. Which languages those
are comes from the same rule the pages use: ``ReleasedVariant`` rows (kept from ``Article.is_published_in``) whose
date has come, and for tags, categories and authors their stored counts (``ListingCount``, ``articles.listing``).

Django's sitemap builds every (item, language) pair of a section in Python to count its pages and to find its
latest change: at 100,000 articles the index took 24 s. Here a section is a ``VariantSequence``: its length comes
from the stored counts, a page of it is read with one indexed slice per language, and the latest change is stored
too, so the index costs a few queries and a section file the URLs it holds (``limit``, 1,000 a file).
"""
from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db import models
from django.urls import reverse
from django.utils import timezone

from authors.models import Author
from publishing.languages import language_codes, localized

from ..models import Article, Category, ListingCount, ReleasedVariant, Tag
from .seo import x_default_language


class VariantSequence:
    """The (item, language) pairs of a section, one language after the other, read only a slice at a time.

    ``segments`` are ``(language, length, read)``; ``read(start, stop)`` gives that language's items in that range.
    Django's paginator asks ``len()`` and slices; nothing else is needed.
    """

    def __init__(self, segments: list[tuple[str, int, object]]) -> None:
        self.segments = segments

    def __len__(self) -> int:
        return sum(length for _language, length, _read in self.segments)

    def __getitem__(self, window: slice) -> list[tuple[object, str]]:
        start, stop, _step = window.indices(len(self))
        pairs, offset = [], 0
        for language, length, read in self.segments:
            low, high = max(start - offset, 0), min(stop - offset, length)
            if low < high:
                pairs += [(item, language) for item in read(low, high)]
            offset += length
        return pairs


def latest_article_change():
    """When an article public in any language last changed (stored with the counts)."""
    return (
        ListingCount.objects.of(ListingCount.ALL)
        .filter(language=ListingCount.ANY_LANGUAGE)
        .values_list("last_changed_at", flat=True)
        .first()
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
    # URLs a file. A file costs what it holds (its URLs and alternates built in Python, then rendered by Django's
    # sitemap template) and the index what it lists: measured at 100,000 articles, 1,000 URLs a file took ~340 ms,
    # 100 a file made an index of ~2,600 files; 250 keep both near 45 ms on a loaded machine (about 1,050 files in
    # the index, far below the protocol's 50,000).
    limit = 250

    def get_languages_for_item(self, item) -> list[str]:
        return [code for code in language_codes() if getattr(item, f"published_{code}", 0)]

    def preferred_language(self, item) -> str:
        return settings.LANGUAGE_CODE

    def location_in(self, item, language: str) -> str:
        """The item's path in ``language``."""
        from django.utils import translation

        with translation.override(language):
            return self.location(item)

    def x_default_location(self, item, paths: dict[str, str]) -> str | None:
        language = x_default_language(paths, self.preferred_language(item))
        return paths[language] if language else None

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's URL entries, each path built once per item and language.

        Django's own loop builds an item's path in every language again for each of its entries and alternates
        (about six ``reverse()`` a URL), and its ``x-default`` is the default language's URL with the prefix cut
        off, which this site does not serve: the page's own ``x-default`` (``x_default_language``) replaces it.
        """
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        urls, lastmods = [], []
        for item, language in self.paginator.page(page).object_list:
            languages = self.get_languages_for_item(item)
            paths = {code: self.location_in(item, code) for code in languages}
            if language not in paths:
                paths[language] = self.location_in(item, language)
            lastmod = self.lastmod(item)
            lastmods.append(lastmod)
            alternates = [{"location": origin + paths[code], "lang_code": code} for code in languages]
            x_default = self.x_default_location(item, {code: paths[code] for code in languages})
            if x_default:
                alternates.append({"location": origin + x_default, "lang_code": "x-default"})
            urls.append(
                {
                    "item": (item, language),
                    "location": origin + paths[language],
                    "lastmod": lastmod,
                    "lastmod_day": _day(lastmod),
                    "changefreq": self.changefreq,
                    "priority": "",
                    "alternates": alternates,
                }
            )
        # As Django's: the file's Last-Modified only where every entry has a date.
        self.latest_lastmod = max(lastmods) if lastmods and None not in lastmods else None
        return urls

    def lastmod(self, item):
        return item.last_change


SECTION_TEMPLATE = "articles/sitemap.xml"


def _day(moment) -> str:
    """A ``lastmod`` as the section template writes it (``Y-m-d`` in the current time zone, as Django's template
    writes it with the ``date`` filter, whose formatter was a fifth of a section file's time)."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date().isoformat() if hasattr(moment, "date") else moment.isoformat()


class ArticleSitemap(TranslatedSitemap):
    changefreq = "monthly"

    def _items(self) -> VariantSequence:
        counts = ListingCount.objects.public_counts(ListingCount.ALL, 0, language_codes())
        return VariantSequence([(code, counts[code], partial(self._page, code)) for code in language_codes()])

    def _page(self, language: str, start: int, stop: int) -> list[Article]:
        """Articles ``start`` to ``stop`` of those public in ``language``, newest first: a slice of the released
        variants' date index, then only what a URL needs of those articles, and in which languages each is public
        from the same narrow rows (the rule tested on the articles read each one's title and body in every
        language: a real body, stored out of line, whole)."""
        public = ReleasedVariant.objects.public(language)
        ids = list(public.values_list("article_id", flat=True)[start:stop])
        codes = language_codes()
        public_in = {
            f"published_{code}": models.Exists(
                ReleasedVariant.objects.public(code).filter(article=models.OuterRef("pk")).order_by()
            )
            for code in codes
        }
        found = (
            Article.objects.annotate(**public_in)
            .only("pk", "original_language", "published_at", "updated_at", *(localized("slug", code) for code in codes))
            .in_bulk(ids)
        )
        return [found[pk] for pk in ids if pk in found]

    def items(self):
        return [item for item, _language in self._items()[:]]

    def get_latest_lastmod(self):
        return latest_article_change()

    def preferred_language(self, item: Article) -> str:
        return item.original_language

    def location_in(self, item: Article, language: str) -> str:
        return item.url_in(language)

    def lastmod(self, item: Article):
        return item.updated_at


class CollectionSitemap(TranslatedSitemap):
    """Tags, categories or authors with a public article, per language, from their stored counts."""

    changefreq = "weekly"
    model: type[models.Model]
    kind: str

    def _public(self):
        return ListingCount.objects.filter(kind=self.kind, released__gt=0, first_published_at__lte=timezone.now())

    def _items(self) -> VariantSequence:
        lengths = dict(self._public().values("language").annotate(n=models.Count("pk")).values_list("language", "n"))
        return VariantSequence([(code, lengths.get(code, 0), partial(self._page, code)) for code in language_codes()])

    def _page(self, language: str, start: int, stop: int) -> list:
        ids = list(self._public().filter(language=language).order_by("object_id").values_list("object_id", flat=True)[start:stop])
        found = self.model._default_manager.in_bulk(ids)
        for object_id, code, changed in self._public().filter(object_id__in=ids).values_list(
            "object_id", "language", "last_changed_at"
        ):
            item = found.get(object_id)
            if item is not None:
                setattr(item, f"published_{code}", 1)
                item.last_change = max(filter(None, (getattr(item, "last_change", None), item.updated_at, changed)))
        return [found[pk] for pk in ids if pk in found]

    def items(self):
        return [item for item, _language in self._items()[:]]

    def get_latest_lastmod(self):
        stored = ListingCount.objects.filter(kind=self.kind).aggregate(latest=models.Max("last_changed_at"))["latest"]
        own = self.model._default_manager.aggregate(latest=models.Max("updated_at"))["latest"]
        return max(filter(None, (stored, own)), default=None)


class TagSitemap(CollectionSitemap):
    model = Tag
    kind = ListingCount.TAG


class CategorySitemap(CollectionSitemap):
    model = Category
    kind = ListingCount.CATEGORY


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

    def x_default_location(self, item: str, paths: dict[str, str]) -> str | None:
        return self.x_default_paths.get(item) or super().x_default_location(item, paths)

    def lastmod(self, item: str):
        return latest_article_change()

    def get_latest_lastmod(self):
        """Every page listed here shows the newest articles: when an article last changed (Django's asks each)."""
        return latest_article_change()


class AuthorSitemap(CollectionSitemap):
    model = Author
    kind = ListingCount.AUTHOR


def sitemap_or_index(request, sitemaps: dict, *, section_url_name: str):
    """One sitemap file while every section's URLs fit in one (the smallest ``limit``), else the index of the
    sections' files (``sitemap_index``): one address crawlers keep whatever the archive's size. The index counts
    each section once (Django's ``paginator`` counts again each time it is asked; the one file, small by
    definition, is counted again by Django's view)."""
    from django.contrib.sitemaps.views import sitemap

    sections = {name: site() if callable(site) else site for name, site in sitemaps.items()}
    paginators = {name: site.paginator for name, site in sections.items()}
    if sum(paginator.count for paginator in paginators.values()) <= min(site.limit for site in sections.values()):
        return sitemap(request, sitemaps=sections, template_name=SECTION_TEMPLATE)
    return _index(request, sections, paginators, section_url_name)


def sitemap_index(request, sitemaps: dict, *, section_url_name: str):
    """The index of every section's files, as Django's ``sitemaps.views.index`` writes it, at a fraction of the cost.

    At 100,000 articles the index lists over a thousand files; Django's view formats each file's ``lastmod`` with
    the ``date`` filter in its template, the same value for every file of a section, and that was most of the
    page (100 ms). Here each section's date is formatted once and the template only repeats strings: each file's
    address is made here, so the template's loop, the part that grows with the archive, holds one variable per
    file and the section's date outside it (half the template's time at 1,200 files).
    """
    sections = {name: site() if callable(site) else site for name, site in sitemaps.items()}
    return _index(request, sections, {name: site.paginator for name, site in sections.items()}, section_url_name)


def _index(request, sitemaps: dict, paginators: dict, section_url_name: str):
    from django.contrib.sitemaps.views import x_robots_tag
    from django.contrib.sites.shortcuts import get_current_site
    from django.template.response import TemplateResponse
    from django.utils.dateformat import format as format_date
    from django.utils.http import http_date

    @x_robots_tag
    def render(request):
        domain = get_current_site(request).domain
        sections, latest, every_dated = [], None, True
        for name, site in sitemaps.items():
            protocol = site.protocol or request.scheme
            lastmod = site.get_latest_lastmod()
            if lastmod is None:
                every_dated = False
            else:
                latest = lastmod if latest is None else max(latest, lastmod)
            url = f"{protocol}://{domain}{reverse(section_url_name, kwargs={'section': name})}"
            pages = range(2, paginators[name].num_pages + 1)
            sections.append(
                {
                    "files": [url, *(f"{url}?p={page}" for page in pages)],
                    "lastmod": format_date(lastmod, "c") if lastmod else "",
                }
            )
        headers = {"Last-Modified": http_date(latest.timestamp())} if every_dated and latest else None
        return TemplateResponse(
            request, "articles/sitemap_index.xml", {"sections": sections}, content_type="application/xml",
            headers=headers,
        )

    return render(request)

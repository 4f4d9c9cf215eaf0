"""The article changelist's filters: a language's state, and the most used tags and authors."""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authors.models import Author
from publishing.languages import language_codes, localized, source_language

from ..listing import authored_articles, tagged_articles
from ..models import Article, ListingCount, Tag


def per_language(field: str) -> tuple[str, ...]:
    """The columns of a translated field, one per language of the site: ``name_tr``, ``name_en`` …"""
    return tuple(f"{field}_{code}" for code in language_codes())


class LanguageStatusFilter(admin.SimpleListFilter):
    """Articles by the state of one language variant: published, complete (ready), or missing text."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        choices = []
        for code, name in settings.LANGUAGES:
            choices += [
                (f"published_{code}", _("%(language)s: published") % {"language": name}),
                (f"draft_{code}", _("%(language)s: complete, not published") % {"language": name}),
                (f"missing_{code}", _("%(language)s: missing title or body") % {"language": name}),
            ]
        choices.append(("scheduled", _("Scheduled (date in the future)")))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "scheduled":
            return queryset.filter(published_at__gt=timezone.now())
        state, _sep, code = value.rpartition("_")
        if code not in language_codes():
            return queryset
        released = Article.objects.published_q(code, scheduled=True)
        complete = Q(**{f"{localized('title', code)}__gt": "", f"{localized('body', code)}__gt": ""})
        if state == "published":
            return queryset.filter(released)
        if state == "draft":
            return queryset.filter(complete).exclude(released)
        if state == "missing":
            return queryset.exclude(complete)
        return queryset


class MostUsedFilter(admin.SimpleListFilter):
    """Articles by one of a kind of list (a tag, an author), offering the most used (and the one chosen) instead of
    every one.

    Django's own related filter lists every tag or author in the sidebar: 5,000 tag links at archive scale, read and
    rendered on each changelist page, and a think-tank's author list only grows. The parameter is Django's own, so
    any other one is a link away: the article count of every tag on the tag changelist links to
    ``?tags__id__exact=N``, and every author on the author changelist links to ``?authors__id__exact=N``. "Most used" is read from
    the stored list counts (released language variants per list, ``ListingCount``) rather than by counting every
    link, and remembered for ten minutes (names are read fresh).
    """

    shown = 25
    kind: str
    listed_model: type  # the tag or the author model
    articles_of: Callable  # (one of them, language, rows=) -> its articles, read the cheaper way (``articles.listing``)
    cache_key: str

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.page_rows = model_admin.list_per_page + 1

    def lookups(self, request, model_admin):
        ids = cache.get(self.cache_key)
        if ids is None:
            ids = list(
                ListingCount.objects.filter(kind=self.kind, released__gt=0)
                .values("object_id")
                .annotate(uses=Sum("released"))
                .order_by("-uses", "object_id")
                .values_list("object_id", flat=True)[: self.shown]
            )
            cache.set(self.cache_key, ids, 600)
        by_pk = self.listed_model._default_manager.in_bulk(ids)
        items = [by_pk[pk] for pk in ids if pk in by_pk]
        chosen = self.chosen_id()
        if chosen is not None and all(item.pk != chosen for item in items):
            items += list(self.listed_model._default_manager.filter(pk=chosen))
        return [(str(item.pk), str(item)) for item in items]

    def chosen_id(self) -> int | None:
        """The id in the address, None for none or for one that is not a number ("²" is a digit to ``isdigit``)."""
        value = self.value()
        return int(value) if value and value.isascii() and value.isdigit() else None

    def has_output(self) -> bool:
        """Shown, and so applied, whenever one is chosen: with an empty sidebar list (a deleted author, nothing
        published yet) Django would drop the filter and list every article."""
        return bool(self.value()) or super().has_output()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        value = self.chosen_id()
        chosen = self.listed_model._default_manager.filter(pk=value).first() if value is not None else None
        if chosen is None:
            return queryset.none()
        # Read the way the list's size suits (``ArticleQuerySet.tagged``, ``by_author``); the changelist shows every
        # article, whatever its languages, so the source language's counts stand for the list's share of the archive.
        return queryset & self.articles_of(chosen, source_language(), rows=self.page_rows)


class MostUsedTagFilter(MostUsedFilter):
    title = _("tag")
    parameter_name = "tags__id__exact"
    kind, listed_model, articles_of = ListingCount.TAG, Tag, staticmethod(tagged_articles)
    cache_key = "articles:admin:most-used-tags"


class MostUsedAuthorFilter(MostUsedFilter):
    title = _("author")
    parameter_name = "authors__id__exact"
    kind, listed_model, articles_of = ListingCount.AUTHOR, Author, staticmethod(authored_articles)
    cache_key = "articles:admin:most-used-authors"

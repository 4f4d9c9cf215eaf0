"""Per-language counts of every list of articles (the home page, each tag, category and author), kept on save.

A list page that counts its articles, a sitemap that asks which tags are public in which language, a paginator that
counts every published row: each of these reads the whole list, which at 100,000 articles costs more than the page
itself. ``ListingCount`` stores the count per list and language instead, recounted by ``articles.upkeep`` only for
the lists a save changes (one grouped query per kind of list over the narrow ``ReleasedVariant`` rows, one upsert),
and only when the save changed what the lists hold: a release, a date, a category, tags or authors. An edit of a
title only moves the lists' ``last_changed_at`` (one UPDATE).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Count, Max, Min
from django.db.models.functions import Coalesce, Greatest

from publishing.languages import language_codes

from .models import Article, ListingCount, ReleasedVariant
from .models.derived import LISTING_RELATIONS

_COUNTED = ("released", "first_published_at", "last_published_at")


def tagged_articles(tag, language: str, *, rows: int):
    """The articles of ``tag`` for a list showing ``rows`` of them in ``language``, read through the tag or by date,
    whichever its stored size makes cheaper (``ArticleQuerySet.tagged``). Not yet filtered by the publication rule."""
    common = ListingCount.objects.is_common(ListingCount.TAG, tag.pk, language, rows=rows)
    return Article.objects.tagged(tag, common=common)


def authored_articles(author, language: str, *, rows: int):
    """The articles of ``author`` for a list showing ``rows`` of them in ``language``, the cheaper way (as
    :func:`tagged_articles`). Not yet filtered by the publication rule."""
    common = ListingCount.objects.is_common(ListingCount.AUTHOR, author.pk, language, rows=rows)
    return Article.objects.by_author(author, common=common)


class ReleasedList:
    """A tag's or an author's public articles in one language, newest first: walked on the released variants'
    narrow rows (``ReleasedVariantQuerySet``, the publication rule's stored outcome), then read as ``articles``
    (what a page shows of each). Keyset pages (``articles.pages.paging``) and feeds slice it as a queryset.

    Walking the articles themselves tested each one's title and body for the rule and read its whole row: an author
    of one article in a hundred read 1,128 article rows for a page of eleven at 100,000 articles, 8 ms while they
    were in PostgreSQL's buffers and 50 ms more once other pages had pushed them out; a real body, stored out of line
    past two kilobytes, would be read whole for each test. The variants' rows and the list's links answer the walk
    from their indexes alone, and the page reads its own articles only: one query, the walk as its subquery.
    """

    model = Article

    def __init__(self, variants, articles, *, newest_first: bool = True) -> None:
        self.variants = variants
        self.articles = articles
        self.newest_first = newest_first

    def before(self, published_at, pk) -> ReleasedList:
        return ReleasedList(self.variants.before(published_at, pk), self.articles)

    def after(self, published_at, pk) -> ReleasedList:
        return ReleasedList(self.variants.after(published_at, pk), self.articles, newest_first=False)

    def values_list(self, field: str, *, flat: bool):
        """The listed articles' ids, from the walk alone (``values_list("pk", flat=True)``, as a queryset's)."""
        if (field, flat) != ("pk", True):
            raise ValueError("a list of released variants gives only its articles' ids")
        return self.variants.values_list("article_id", flat=True)

    def __getitem__(self, window: slice) -> list[Article]:
        walked = self.variants.values("article_id")[window]
        order = ("-published_at", "-pk") if self.newest_first else ("published_at", "pk")
        return list(self.articles.filter(pk__in=walked).order_by(*order))


def listed_variants(variants, kind: str, listed, language: str, *, rows: int):
    """``variants`` (released variants of ``language``) narrowed to the list ``kind`` of ``listed`` (a tag or an
    author), read the way its stored size makes cheaper for ``rows`` of them (``ListingCount.objects.is_common``)."""
    common = ListingCount.objects.is_common(kind, listed.pk, language, rows=rows)
    if kind == ListingCount.TAG:
        return variants.tagged(listed, common=common)
    return variants.by_author(listed, common=common)


def public_tag_list(tag, language: str, *, rows: int, articles) -> ReleasedList:
    """The articles of ``tag`` public in ``language`` for a list showing ``rows`` of them, each read as
    ``articles`` (a queryset of articles)."""
    variants = ReleasedVariant.objects.public(language)
    return ReleasedList(listed_variants(variants, ListingCount.TAG, tag, language, rows=rows), articles)


def public_author_list(author, language: str, *, rows: int, articles) -> ReleasedList:
    """The articles of ``author`` public in ``language`` for a list showing ``rows`` of them, as ``articles``."""
    variants = ReleasedVariant.objects.public(language)
    return ReleasedList(listed_variants(variants, ListingCount.AUTHOR, author, language, rows=rows), articles)


def listing_counts_update(
    *, everything: bool = True, tag_ids: Iterable = (), category_ids: Iterable = (), author_ids: Iterable = ()
) -> None:
    """Count again the lists named (``everything``: the home page's too) from the released variants."""
    rows = _counted_all() if everything else []
    for kind, ids in ((ListingCount.TAG, tag_ids), (ListingCount.CATEGORY, category_ids), (ListingCount.AUTHOR, author_ids)):
        wanted = {pk for pk in ids if pk}
        if wanted:
            rows += _counted(kind, wanted)
    _store(rows, fields=_COUNTED)


def listing_counts_rebuild_all() -> None:
    """Every list counted again, with its last change (a restore, the benchmark's bulk load): one grouped query
    per kind of list and one insert."""
    ListingCount.objects.all().delete()
    rows = _counted_all(with_changes=True)
    for kind in LISTING_RELATIONS:
        rows += _counted(kind, None, with_changes=True)
    ListingCount.objects.bulk_create(rows, batch_size=2000)


def listing_counts_touch(
    *, changed_at, languages: Iterable[str], tag_ids: Iterable = (), category_ids: Iterable = (), author_ids: Iterable = ()
) -> None:
    """An article of these lists changed at ``changed_at`` (a sitemap's ``lastmod``): one UPDATE."""
    languages = set(languages)
    if not languages:
        return
    lists = models.Q(kind=ListingCount.ALL)
    for kind, ids in ((ListingCount.TAG, tag_ids), (ListingCount.CATEGORY, category_ids), (ListingCount.AUTHOR, author_ids)):
        wanted = {pk for pk in ids if pk}
        if wanted:
            lists |= models.Q(kind=kind, object_id__in=wanted)
    ListingCount.objects.filter(lists, language__in=languages | {ListingCount.ANY_LANGUAGE}).update(
        last_changed_at=Greatest(Coalesce("last_changed_at", models.Value(changed_at)), models.Value(changed_at))
    )


def _summary(*, with_changes: bool = False) -> dict:
    summary = {"released": Count("pk"), "first_published_at": Min("published_at"), "last_published_at": Max("published_at")}
    if with_changes:
        summary["last_changed_at"] = Max("article__updated_at")
    return summary


def _counted_all(*, with_changes: bool = False) -> list[ListingCount]:
    summary = _summary(with_changes=with_changes)
    counted = {row["language"]: row for row in ReleasedVariant.objects.values("language").annotate(**summary).order_by()}
    rows = [_row(ListingCount.ALL, 0, code, counted.get(code)) for code in language_codes()]
    # An article is released in any language at its one date: distinct articles, the same bounds.
    any_language = ReleasedVariant.objects.aggregate(**summary, articles=Count("article_id", distinct=True))
    any_language["released"] = any_language.pop("articles")
    rows.append(_row(ListingCount.ALL, 0, ListingCount.ANY_LANGUAGE, any_language))
    return rows


def _counted(kind: str, ids: set | None, *, with_changes: bool = False) -> list[ListingCount]:
    """The counts of the lists ``ids`` of ``kind`` (zeros for the empty ones), or of every list of it (None)."""
    relation = LISTING_RELATIONS[kind]
    variants = ReleasedVariant.objects.all() if ids is None else ReleasedVariant.objects.filter(**{f"{relation}__in": ids})
    counted = {
        (row[relation], row["language"]): row
        for row in variants.values(relation, "language").annotate(**_summary(with_changes=with_changes)).order_by()
        if row[relation] is not None  # an article without a category, tags or authors is in no such list
    }
    if ids is None:
        return [_row(kind, pk, code, row) for (pk, code), row in counted.items()]
    return [_row(kind, pk, code, counted.get((pk, code))) for pk in sorted(ids) for code in language_codes()]


def _row(kind: str, object_id: int, language: str, values: dict | None) -> ListingCount:
    values = values or {}
    return ListingCount(
        kind=kind,
        object_id=object_id,
        language=language,
        released=values.get("released") or 0,
        first_published_at=values.get("first_published_at"),
        last_published_at=values.get("last_published_at"),
        last_changed_at=values.get("last_changed_at"),
    )


def _store(rows: list[ListingCount], *, fields: tuple[str, ...]) -> None:
    """Insert or overwrite ``rows`` in one statement (an upsert on the list's unique key)."""
    if rows:
        ListingCount.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["kind", "object_id", "language"], update_fields=list(fields)
        )

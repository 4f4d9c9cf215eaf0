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

from .models import ListingCount, ReleasedVariant
from .models.derived import LISTING_RELATIONS

_COUNTED = ("released", "first_published_at", "last_published_at")


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
    """Every list counted again, with its last change (a migration, a restore, the benchmark's bulk load)."""
    from .models import Article, Category, Tag
    from authors.models import Author

    ListingCount.objects.all().delete()
    listing_counts_update(
        tag_ids=Tag.objects.filter(tagged_articles__isnull=False).values_list("pk", flat=True).distinct(),
        category_ids=Category.objects.values_list("pk", flat=True),
        author_ids=Author.objects.filter(articles__isnull=False).values_list("pk", flat=True).distinct(),
    )
    latest = {
        row["language"]: row["changed"]
        for row in ReleasedVariant.objects.values("language").annotate(changed=Max("article__updated_at"))
    }
    for kind, relation in LISTING_RELATIONS.items():
        for row in ReleasedVariant.objects.values(relation, "language").annotate(changed=Max("article__updated_at")):
            ListingCount.objects.filter(kind=kind, object_id=row[relation], language=row["language"]).update(
                last_changed_at=row["changed"]
            )
    for language, changed in latest.items():
        ListingCount.objects.of(ListingCount.ALL).filter(language=language).update(last_changed_at=changed)
    ListingCount.objects.of(ListingCount.ALL).filter(language=ListingCount.ANY_LANGUAGE).update(
        last_changed_at=Article.objects.filter(released_variants__isnull=False).aggregate(latest=Max("updated_at"))["latest"]
    )


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


def _summary() -> dict:
    return {"released": Count("pk"), "first_published_at": Min("published_at"), "last_published_at": Max("published_at")}


def _counted_all() -> list[ListingCount]:
    counted = {
        row["language"]: row
        for row in ReleasedVariant.objects.values("language").annotate(**_summary()).order_by()
    }
    rows = [_row(ListingCount.ALL, 0, code, counted.get(code)) for code in language_codes()]
    # An article is released in any language at its one date: distinct articles, the same bounds.
    any_language = ReleasedVariant.objects.aggregate(
        released=Count("article_id", distinct=True), first_published_at=Min("published_at"),
        last_published_at=Max("published_at"),
    )
    rows.append(_row(ListingCount.ALL, 0, ListingCount.ANY_LANGUAGE, any_language))
    return rows


def _counted(kind: str, ids: set) -> list[ListingCount]:
    relation = LISTING_RELATIONS[kind]
    counted = {
        (row[relation], row["language"]): row
        for row in ReleasedVariant.objects.filter(**{f"{relation}__in": ids})
        .values(relation, "language")
        .annotate(**_summary())
        .order_by()
    }
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
    )


def _store(rows: list[ListingCount], *, fields: tuple[str, ...]) -> None:
    """Insert or overwrite ``rows`` in one statement (an upsert on the list's unique key)."""
    if rows:
        ListingCount.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["kind", "object_id", "language"], update_fields=list(fields)
        )

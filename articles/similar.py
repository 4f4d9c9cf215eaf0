"""Similar Posts at archive scale: stored lists, made on first reading and kept current on every save.

The rule is ``ArticleQuerySet.similar_to``: the articles published in the page's language that share the most tags
with the article, newer first on a tie (publication date, then id), never the article itself. Counting shared tags
live reads every tag link of every tag the article has; with a long-tailed tag distribution one popular tag has
tens of thousands of articles, so at 100,000 articles that costs tens of milliseconds per page (``manage.py bench``
measures it). Here each (article, language) list is stored instead (``SimilarList`` and its ``SimilarArticle``
rows), and one indexed query reads it.

A list holds the best ``depth()`` due candidates (twice what a page shows, so that a few withdrawn articles never
leave it short), the scheduled ones ranked above the last of them, and its ``floor``, the ranking key of that last
row when more candidates exist. When an
article's tags, release or date change, the lists it is in lose its row, and one query over the tag links of its
tags finds every stored list it now ranks into (above the floor, or any list that holds all its candidates). So a
save costs about one live computation, however many lists change. A list that gets too short to be sure of is
dropped and made again on its next reading; lists nobody has read are never made.

Scheduled articles are stored where they will rank, beyond the due rows' count; reads leave them out until their
date comes, so a scheduled article appears without anyone saving it again.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from publishing.languages import language_codes, localized

from .conf import app_settings
from .models import Article, ReleasedVariant, SimilarArticle, SimilarList, TaggedArticle

RANK_ORDER = ("-shared_tags", "-similar_published_at", "-similar_id")


def shown_limit() -> int:
    return app_settings.SIMILAR_LIMIT


def depth() -> int:
    """Rows stored per list: twice what a page shows."""
    return 2 * shown_limit()


@dataclass(frozen=True)
class Row:
    similar_id: int
    shared_tags: int
    published_at: object

    @property
    def key(self) -> tuple:
        return (self.shared_tags, self.published_at, self.similar_id)


def _candidates(article_id: int, language: str):
    """Every article released in ``language`` that shares a tag with ``article_id``, as ``(article_id,
    published_at, shared)`` values grouped per article: ``similar_to``'s rule counted over the narrow released
    variants (``ReleasedVariant``) instead of rows full of text.

    The ORM reaches the tag links from a variant through the articles table (no relation joins the two directly):
    only its primary key is read, one more index step per candidate, which made this about 1.7 times the
    hand-written join it replaced (``docs/performance.md``). A count per candidate in a subquery, or the tag links
    first with each one's date in a subquery, were slower still."""
    shared_tags = TaggedArticle.objects.filter(content_object_id=article_id).values("tag_id")
    return (
        ReleasedVariant.objects.filter(language=language, article__tagged_items__tag_id__in=shared_tags)
        .exclude(article_id=article_id)
        .order_by()
        .values("article_id", "published_at")
        .annotate(shared=models.Count("pk"))
    )


def _live_candidates(article_id: int, language: str, count: int, *, due_only: bool) -> list[Row]:
    """The rule computed from the tag links, best first; ``due_only=False`` keeps scheduled ones."""
    candidates = _candidates(article_id, language)
    if due_only:
        candidates = candidates.filter(published_at__lte=timezone.now())
    ranked = candidates.order_by("-shared", "-published_at", "-article_id")[:count]
    return [Row(item["article_id"], item["shared"], item["published_at"]) for item in ranked]


def _scheduled_candidates(article_id: int, language: str, min_shared: int) -> list[Row]:
    """Scheduled candidates sharing at least ``min_shared`` tags: newer than any due one, so they rank above every
    due candidate with as many shared tags."""
    scheduled = _candidates(article_id, language).filter(published_at__gt=timezone.now(), shared__gte=min_shared)
    return [Row(item["article_id"], item["shared"], item["published_at"]) for item in scheduled]


def _cut(rows: list[Row], now) -> tuple[list[Row], list[Row]]:
    """Ranked rows split into what a list keeps and what it drops: the best ``depth()`` due rows, and the scheduled
    rows ranked above the last of them (where they will stand when their date comes)."""
    due = 0
    for index, row in enumerate(rows):
        if row.published_at <= now:
            due += 1
            if due == depth():
                return rows[: index + 1], rows[index + 1 :]
    return rows, []


def _due_count(rows: Iterable[Row], now) -> int:
    return sum(1 for row in rows if row.published_at <= now)


def released_variants_sync(*, article: Article) -> None:
    """Make ``article``'s ``ReleasedVariant`` rows match it, writing nothing when they already do (a restore loads
    every article raw, most of them unchanged)."""
    wanted = {
        code: article.published_at
        for code in language_codes()
        if article.is_published_in(code, scheduled=True)
    }
    stored = dict(ReleasedVariant.objects.filter(article_id=article.pk).values_list("language", "published_at"))
    if stored == wanted:
        return
    ReleasedVariant.objects.filter(article_id=article.pk).delete()
    ReleasedVariant.objects.bulk_create(
        ReleasedVariant(article_id=article.pk, language=code, published_at=date) for code, date in wanted.items()
    )


def similar_list_build(*, article_id: int, language: str) -> tuple[list[Row], bool]:
    """Compute and store the list of ``article_id`` in ``language``; returns its rows, best first, and whether
    more candidates exist beyond them.

    Two readers building the same list at once is harmless: the second one's rows are the same and are not stored.
    """
    due = _live_candidates(article_id, language, depth() + 1, due_only=True)
    has_more = len(due) > depth()
    due = due[: depth()]
    scheduled = _scheduled_candidates(article_id, language, due[-1].shared_tags if has_more else 1)
    rows = sorted(due + scheduled, key=lambda row: row.key, reverse=True)
    # With more candidates the last row is the last due one: the scheduled rows share at least as many tags and
    # are newer.
    floor = rows[-1] if rows else None
    try:
        with transaction.atomic():
            _take_turns()
            SimilarList.objects.create(
                article_id=article_id,
                language=language,
                has_more=has_more,
                floor_shared=floor.shared_tags if floor else 0,
                floor_published_at=floor.published_at if floor else None,
                floor_similar_id=floor.similar_id if floor else 0,
            )
            SimilarArticle.objects.bulk_create(
                SimilarArticle(
                    article_id=article_id,
                    language=language,
                    similar_id=row.similar_id,
                    shared_tags=row.shared_tags,
                    similar_published_at=row.published_at,
                )
                for row in rows
            )
    except IntegrityError:
        pass
    return rows, has_more


def shown_rows(rows: Iterable[Row], *, now) -> list[Row]:
    """What a page shows of stored rows at ``now``: the due ones, best first, as many as a page shows. ``now`` is
    the caller's, so that every step of one list's upkeep counts the same rows as due."""
    due = sorted((row for row in rows if row.published_at <= now), key=lambda row: row.key, reverse=True)
    return due[: shown_limit()]


def similar_ids_for(article_id: int, language: str, *, stored: tuple[list[Row], bool] | None) -> list[Row]:
    """The rows a page shows, from the stored list when it is there and sure, else computed (and stored).

    ``stored`` is the list's rows as read and its ``has_more``; None when no list is stored (it is made now)."""
    rows, has_more = stored if stored is not None else similar_list_build(article_id=article_id, language=language)
    shown = shown_rows(rows, now=timezone.now())
    if len(shown) < shown_limit() and has_more:
        # Its upkeep drops a list that says more exist but holds fewer due rows than a page shows: rows went behind
        # its back (a raw delete, a partial restore). Ask the tag links this time.
        return _live_candidates(article_id, language, shown_limit(), due_only=True)
    return shown


def similar_rows(article_id: int, language: str) -> list[Row]:
    """The Similar Posts a reader of ``language`` sees for ``article_id``, read from its stored list (made if missing).

    The article page reads the same rows within its own query (``articles.pages.reading``); this is for everything else:
    one query for the due rows in ranking order, each with its list's ``has_more`` (rows exist only in a stored
    list), and a second one for the list itself only when it shows no due row.
    """
    header = SimilarList.objects.filter(article_id=article_id, language=language).order_by()
    found = list(
        SimilarArticle.objects.filter(
            article_id=article_id, language=language, similar_published_at__lte=timezone.now()
        )
        .order_by(*RANK_ORDER)
        .annotate(has_more=Subquery(header.values("has_more")))
        .values_list("similar_id", "shared_tags", "similar_published_at", "has_more")[: shown_limit()]
    )
    if found:
        has_more = found[0][3]
    else:
        has_more = header.values_list("has_more", flat=True).first()
        if has_more is None:
            return similar_ids_for(article_id, language, stored=None)
    rows = [Row(similar_id, shared_tags, date) for similar_id, shared_tags, date, _has_more in found]
    return similar_ids_for(article_id, language, stored=(rows, has_more))


def _rows_by_list(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], list[Row]]:
    found: dict[tuple[int, str], list[Row]] = defaultdict(list)
    if not pairs:
        return found
    owners = {owner for owner, _language in pairs}
    for owner, language, similar_id, shared, published_at in SimilarArticle.objects.filter(
        article_id__in=owners
    ).values_list("article_id", "language", "similar_id", "shared_tags", "similar_published_at"):
        if (owner, language) in pairs:
            found[(owner, language)].append(Row(similar_id, shared, published_at))
    return found


def _shows(rows: list[Row], article_id: int, now) -> bool:
    return any(row.similar_id == article_id for row in shown_rows(rows, now=now))


# Any fixed number: the key of the PostgreSQL advisory lock that list maintenance takes (see below).
SIMILAR_LISTS_LOCK = 7_291_004


def _take_turns() -> None:
    """Let list maintenance run one transaction at a time.

    Two saves at once touch overlapping lists in different orders, which PostgreSQL answers with "deadlock
    detected" (seen under ``scripts/loadtest.py``). A transaction-scoped advisory lock serialises them; SQLite
    already writes one transaction at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SIMILAR_LISTS_LOCK])


@transaction.atomic(savepoint=False)  # within the save that calls it: a failure undoes the save
def similar_lists_update(
    *, article_id: int, tags_changed: bool = False, removed: bool = False
) -> set[tuple[int, str]]:
    """Bring every stored list in step with ``article_id``'s tags, release and date (``removed``: it is going away).

    Its own lists depend on its tags only: they are dropped, to be made again when next read, when ``tags_changed``.
    Returns the (article, language) pairs whose shown Similar Posts changed, for the page cache to forget.
    """
    _take_turns()
    now = timezone.now()
    containing = set(SimilarArticle.objects.filter(similar_id=article_id).values_list("article_id", "language"))
    before = _rows_by_list(containing)
    SimilarArticle.objects.filter(similar_id=article_id).delete()
    if tags_changed or removed:
        similar_lists_forget(article_id=article_id)

    entering: set[tuple[int, str]] = set()
    article = None if removed else Article.objects.filter(pk=article_id).first()
    if article is not None:
        languages = [code for code in language_codes() if article.is_published_in(code, scheduled=True)]
        tag_ids = list(TaggedArticle.objects.filter(content_object_id=article_id).values_list("tag_id", flat=True))
        if languages and tag_ids:
            date = article.published_at
            # Every stored list it now ranks into: above the floor, or any list that holds all its candidates.
            above_floor = (
                Q(has_more=False)
                | Q(floor_shared__lt=F("shared"))
                | Q(floor_shared=F("shared"), floor_published_at__lt=date)
                | Q(floor_shared=F("shared"), floor_published_at=date, floor_similar_id__lt=article_id)
            )
            matches = list(
                SimilarList.objects.filter(
                    language__in=languages, article__tagged_items__tag_id__in=tag_ids
                )
                .exclude(article_id=article_id)
                .order_by()
                .annotate(shared=models.Count("pk"))
                .filter(above_floor)
                .values_list("article_id", "language", "shared")
            )
            SimilarArticle.objects.bulk_create(
                [
                    SimilarArticle(
                        article_id=owner,
                        language=language,
                        similar_id=article_id,
                        shared_tags=shared,
                        similar_published_at=date,
                    )
                    for owner, language, shared in matches
                ],
                ignore_conflicts=True,
            )
            entering = {(owner, language) for owner, language, _shared in matches}

    affected = (containing | entering) - {(article_id, code) for code in language_codes()}
    after = _rows_by_list(affected)
    headers = {
        (header.article_id, header.language): header
        for header in SimilarList.objects.filter(article_id__in={owner for owner, _l in affected})
        if (header.article_id, header.language) in affected
    }
    trimmed: list[tuple[int, str, int]] = []
    dropped: list[SimilarList] = []
    changed_headers: list[SimilarList] = []
    changed_pages: set[tuple[int, str]] = set()
    for pair in affected:
        header = headers.get(pair)
        if header is None:
            continue
        rows = sorted(after.get(pair, []), key=lambda row: row.key, reverse=True)
        if (pair in containing and _shows(before[pair], article_id, now)) or _shows(rows, article_id, now):
            changed_pages.add(pair)
        has_more = header.has_more
        rows, dropped_rows = _cut(rows, now)
        if dropped_rows:
            trimmed += [(pair[0], pair[1], row.similar_id) for row in dropped_rows]
            has_more = True
        if has_more and _due_count(rows, now) < shown_limit():
            dropped.append(header)
            changed_pages.add(pair)
            continue
        floor = rows[-1] if rows else None
        header.has_more = has_more
        header.floor_shared = floor.shared_tags if floor else 0
        header.floor_published_at = floor.published_at if floor else None
        header.floor_similar_id = floor.similar_id if floor else 0
        changed_headers.append(header)
    for chunk in _chunks(trimmed):
        SimilarArticle.objects.filter(
            _any_of(models.Q(article_id=owner, language=language, similar_id=similar) for owner, language, similar in chunk)
        ).delete()
    for chunk in _chunks(dropped):
        SimilarArticle.objects.filter(
            _any_of(models.Q(article_id=header.article_id, language=header.language) for header in chunk)
        ).delete()
        SimilarList.objects.filter(pk__in=[header.pk for header in chunk]).delete()
    SimilarList.objects.bulk_update(
        changed_headers, ["has_more", "floor_shared", "floor_published_at", "floor_similar_id"]
    )
    return changed_pages


# Rows (or lists) deleted per statement, each one condition of an OR of three parameters: within SQLite's limits
# (999 parameters in older builds, an expression at most 1,000 deep).
DELETE_CHUNK = 200


def _chunks(items: list):
    for start in range(0, len(items), DELETE_CHUNK):
        yield items[start : start + DELETE_CHUNK]


def _any_of(conditions: Iterable[models.Q]) -> models.Q:
    combined = models.Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def similar_lists_forget(*, article_id: int) -> None:
    """Drop the lists of ``article_id`` (its tags changed): made again, from its new tags, when next read. Done within
    the save, so that its page never shows new tags beside the Similar Posts of the old ones."""
    SimilarArticle.objects.filter(article_id=article_id).delete()
    SimilarList.objects.filter(article_id=article_id).delete()


def similar_lists_forget_all() -> None:
    """Drop every stored list (after a change too wide to follow, such as deleting a tag): each is made again when
    next read."""
    SimilarArticle.objects.all().delete()
    SimilarList.objects.all().delete()


def similar_lists_build_all(*, article_ids: Iterable[int] | None = None, languages: Iterable[str] | None = None) -> int:
    """Make the lists of the given articles (default: every article) in advance; returns how many were made."""
    languages = list(languages or language_codes())
    made = 0
    queryset = Article.objects.all() if article_ids is None else Article.objects.filter(pk__in=list(article_ids))
    existing = set(SimilarList.objects.values_list("article_id", "language"))
    for article_id, *flags in queryset.values_list("pk", *[localized("is_published", code) for code in languages]):
        for code, flag in zip(languages, flags):
            if flag and (article_id, code) not in existing:
                similar_list_build(article_id=article_id, language=code)
                made += 1
    return made

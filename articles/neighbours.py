"""Each article's previous and next article in its category, per language, stored on its released variant.

The article page links to the nearest public articles before and after it in its category. Found on every reading,
they cost two correlated subqueries that Django spends longer building than the database answering (about a third
of an uncached article page, ``docs/performance.md``); stored, they are two columns of a row the page already
reaches by an index. Like a Similar Posts list, a variant's links are made on its first reading
(:func:`neighbours_link`) and forgotten by the upkeep when an article enters, leaves or moves in a category
(:func:`neighbours_forget`); a reading finds them again.

The links join released variants, scheduled ones included (``Article.is_published_in(language, scheduled=True)``),
so the passing of time never makes them wrong: the page shows a linked article only when it is due (the page's
query applies the publication rule), and when the nearest following article is not due yet, no later one is.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import F, Q, Subquery, Window
from django.db.models.functions import Lag, Lead

from publishing.languages import language_codes

from .models import Article, ReleasedVariant


def nearest_ids(article: Article, language: str, *, scheduled: bool = False) -> tuple[int | None, int | None]:
    """The ids of the articles just before and just after ``article`` in its category, public in ``language``
    (``scheduled=True``: released, due or not), in one query of a few index steps each way; None where none is."""
    if article.category_id is None or language not in language_codes():
        return None, None
    siblings = Article.objects.published(language, scheduled=scheduled).filter(category_id=article.category_id)
    before = siblings.before(article.published_at, article.pk).values("pk")[:1]
    after = siblings.after(article.published_at, article.pk).values("pk")[:1]
    rows = (
        Article.objects.filter(Q(pk=Subquery(before)) | Q(pk=Subquery(after)))
        .order_by()
        .values_list("pk", "published_at")
    )
    key = (article.published_at, article.pk)
    previous = next_ = None
    for pk, published_at in rows:
        if (published_at, pk) < key:
            previous = pk
        else:
            next_ = pk
    return previous, next_


def neighbours_link(article: Article, language: str) -> tuple[int | None, int | None]:
    """Find and store the links of ``article``'s variant in ``language``; returns (previous id, next id).

    The links are stored only if no save forgot them while they were being found (``links_version`` unchanged):
    a reader racing an editor's save never stores what the save made wrong. Two readers store the same ids.
    """
    variant = ReleasedVariant.objects.filter(article_id=article.pk, language=language)
    version = variant.values_list("links_version", flat=True).first()
    previous, next_ = nearest_ids(article, language, scheduled=True)
    if version is not None:
        variant.filter(links_version=version).update(
            previous_article_id=previous, next_article_id=next_, linked=True
        )
    return previous, next_


def neighbours_forget(*, moved: Mapping[int, Iterable[str]]) -> None:
    """Forget the links that the articles ``moved`` (id → the languages where it now stands somewhere new: it
    entered, changed date or category) may have made wrong: their own, those that point at them, and those of their
    new nearest neighbours in those languages, whose links now skip over them. One update."""
    if not moved:
        return
    affected = set(moved)
    placed = {pk: languages for pk, languages in ((pk, set(languages)) for pk, languages in moved.items()) if languages}
    for article in Article.objects.filter(pk__in=placed).only("pk", "category_id", "published_at"):
        for language in placed[article.pk]:
            affected.update(pk for pk in nearest_ids(article, language, scheduled=True) if pk)
    ReleasedVariant.objects.filter(
        Q(article_id__in=affected) | Q(previous_article_id__in=moved) | Q(next_article_id__in=moved)
    ).update(linked=False, links_version=F("links_version") + 1)


def neighbours_forget_all() -> None:
    """Rows written raw (fixtures, a restore) move articles without a signal each: every link is found again."""
    ReleasedVariant.objects.update(linked=False, links_version=F("links_version") + 1)


def neighbours_link_all(*, languages: Iterable[str] | None = None) -> int:
    """Link every released variant of ``languages`` (default: all) not linked yet, so that no reader pays for the
    first reading of one (``build_similar_lists`` runs it after a large import or a restore); returns how many.

    One window query per language walks each category in publication order; only the rows that change are written.
    """
    made = 0
    order = (F("published_at").asc(), F("article_id").asc())
    for language in languages or language_codes():
        rows = (
            ReleasedVariant.objects.filter(language=language, article__category__isnull=False)
            .annotate(
                # Over every released variant of the language: the window sees the whole category, so the rows
                # already linked are skipped afterwards, not filtered out before.
                previous_id=Window(Lag("article_id"), partition_by=F("article__category_id"), order_by=order),
                next_id=Window(Lead("article_id"), partition_by=F("article__category_id"), order_by=order),
            )
            .order_by()
            .values_list("pk", "linked", "previous_id", "next_id")
        )
        changed = [
            ReleasedVariant(pk=pk, previous_article_id=previous, next_article_id=next_, linked=True)
            for pk, linked, previous, next_ in rows.iterator(chunk_size=5000)
            if not linked
        ]
        ReleasedVariant.objects.bulk_update(
            changed, ["previous_article_id", "next_article_id", "linked"], batch_size=1000
        )
        made += len(changed)
    return made

"""Keeping the search entries current: one ``SearchEntry`` per article and language with text, rewritten whenever
the article, its tags or its authors change (``articles.upkeep`` calls these)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction

from publishing.languages import language_codes, translated_value

from ..models import Article, SearchEntry, SearchWord
from .backends import search_backend
from .text import entry_values, vocabulary_of


def search_index_update(*, article_ids: Iterable[int]) -> int:
    """Write the search entries of the given articles anew, one per language that has a title.

    Entries exist for unpublished variants too, drafts without a body included: whether a variant is public is
    decided when searching (``SearchEntry.objects.public``), so that a scheduled article becomes findable when its
    date comes without being saved again, and the editors' search in the admin finds drafts through the same index
    (``SearchBackend.editors_matches``). Returns the entries written.
    """
    ids = {pk for pk in article_ids if pk is not None}
    if not ids:
        return 0
    return search_index_write(articles=Article.objects.filter(pk__in=ids).prefetch_related("tags", "authors"))


@transaction.atomic(savepoint=False)  # within its caller's transaction: the entries are rewritten whole or not at all
def search_index_write(*, articles: Iterable) -> int:
    """:func:`search_index_update` for articles in memory as they were just saved: a save indexes what it wrote
    without reading its row back. Their tags and authors are read here, unless the caller prefetched them.

    The backend then updates its index (``articles_indexed``), and the words of the entries join their language's
    vocabulary (``SearchWord``, for "did you mean")."""
    articles = list(articles)
    models.prefetch_related_objects(articles, "tags", "authors")
    entries = []
    words: set[tuple[str, str]] = set()
    for article in articles:
        tags = list(article.tags.all())
        # Names as written, not as shown: a family name in Turkish capitals ("KIZILYAZI") loses its dotless ı
        # where the language folds I as Unicode does.
        author_names = [f"{author.given_name} {author.family_name}" for author in article.authors.all()]
        for code in language_codes():
            if not (translated_value(article, "title", code) or "").strip():
                continue
            values = entry_values(
                language=code,
                title=translated_value(article, "title", code) or "",
                highlights=translated_value(article, "highlights", code) or "",
                body=translated_value(article, "body", code) or "",
                keywords=[translated_value(tag, "name", code) or "" for tag in tags] + author_names,
            )
            entries.append(SearchEntry(article=article, **values))
            if article.has_content_in(code):  # a draft's words are never offered to readers ("did you mean")
                words |= {(code, word) for word in vocabulary_of(values)}
    ids = [article.pk for article in articles]
    SearchEntry.objects.filter(article_id__in=ids).delete()
    SearchEntry.objects.bulk_create(entries)
    search_backend().articles_indexed(ids)
    SearchWord.objects.bulk_create(
        [SearchWord(language=code, word=word[:100], length=len(word[:100])) for code, word in sorted(words)],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(entries)


def search_index_rebuild(*, batch_size: int = 200) -> int:
    """Write the entries of every article anew (after loading data with signals off, or changing the rules)."""

    written = 0
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchEntry.objects.exclude(article_id__in=ids).delete()
        for start in range(0, len(ids), batch_size):
            written += search_index_update(article_ids=ids[start : start + batch_size])
    search_backend().index_rewritten(connection)
    return written

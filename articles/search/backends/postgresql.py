"""The search on PostgreSQL: a stored ``tsvector`` per entry (``SearchEntry.document``) under one partial GIN
index per language (made after ``migrate``: ``prepare_database``), ranked with ``ts_rank`` on the stored vector, never re-parsing a text.

The vector is made of the Snowball stems the entries store (``title_stems`` weighted A, the rest B) with the
``simple`` configuration, which only splits and lower-cases: the stems were made in Python by the language's own
rules (``articles.search.text``), the same Snowball algorithms PostgreSQL's ``turkish``/``english``/``russian``
configurations use, but after case folding PostgreSQL cannot do (its ``lower()`` follows the server's locale, and
knows no Turkish İ/ı). So PostgreSQL and SQLite find the same articles for the same query.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models

from ..text import SearchTerms
from .base import SearchBackend

CONFIG = "simple"


def _document():
    from django.contrib.postgres.search import SearchVectorField

    return models.ExpressionWrapper(models.F("document"), output_field=SearchVectorField())


def _query(terms: SearchTerms, *, titles_only: bool = False):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(terms.tsquery(titles_only=titles_only), search_type="raw", config=CONFIG)


def gin_indexes(languages):
    """One partial GIN index of the stored vectors per language: a search reads only its language's entries.

    Without GIN's pending list (``fastupdate=off``): a save writes its few entries into the index at once, and a
    search never scans a list of unmerged entries, whose length would decide its time.
    """
    from django.contrib.postgres.indexes import GinIndex

    return [
        GinIndex(
            fields=["document"], condition=models.Q(language=code), name=f"search_entry_{code}_document",
            fastupdate=False,
        )
        for code in languages
    ]


class PostgresSearchBackend(SearchBackend):
    def prepare_database(self, connection) -> None:
        """The GIN index of each language of ``LANGUAGES`` that has none yet."""
        from ...models import SearchEntry

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            existing = connection.introspection.get_constraints(cursor, SearchEntry._meta.db_table)
        missing = [index for index in gin_indexes(code for code, _name in settings.LANGUAGES) if index.name not in existing]
        if missing:
            with connection.schema_editor() as editor:
                for index in missing:
                    editor.add_index(SearchEntry, index)

    def match(self, entries: models.QuerySet, terms: SearchTerms, *, titles_only: bool = False) -> models.QuerySet:
        return entries.alias(search_document=_document()).filter(
            search_document=_query(terms, titles_only=titles_only)
        )

    def ranked(self, matches: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
        from django.contrib.postgres.search import SearchRank

        return matches.annotate(rank=SearchRank(_document(), _query(terms))).order_by(
            "-rank", "-article__published_at", "-article_id"
        )

    def articles_indexed(self, article_ids: Iterable[int]) -> None:
        """Write the entries' vectors from the stems just stored: one UPDATE for every language."""
        from django.contrib.postgres.search import SearchVector

        from ...models import SearchEntry

        SearchEntry.objects.filter(article_id__in=list(article_ids)).update(
            document=SearchVector("title_stems", weight="A", config=CONFIG)
            + SearchVector("text_stems", weight="B", config=CONFIG)
        )

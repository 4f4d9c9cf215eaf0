"""The search on SQLite: FTS5 over the entries' stems, ranked by BM25 (``articles.models.SearchEntryIndex``).

FTS5 has no stemmer for Turkish or Russian, so it indexes the Snowball stems the entries store
(``title_stems``, ``text_stems``, made in Python by ``articles.search.text``) with the ``unicode61`` tokenizer,
diacritics kept ("ışık" and "isik" stay different words). The query is written in FTS5's syntax by
``SearchTerms.fts5_query``.
"""
from __future__ import annotations

from django.db import models

from ..text import SearchTerms
from .base import SearchBackend


class SqliteSearchBackend(SearchBackend):
    def match(self, entries: models.QuerySet, terms: SearchTerms, *, titles_only: bool = False) -> models.QuerySet:
        return entries.filter(index__query__match=terms.fts5_query(titles_only=titles_only))

    def ranked(self, matches: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
        # FTS5's rank is BM25 negated (lower is better); ``rank`` here is higher-better on every backend.
        return matches.annotate(rank=models.F("index__rank") * -1).order_by(
            "-rank", "-article__published_at", "-article_id"
        )

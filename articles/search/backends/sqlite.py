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


TABLE = "articles_searchentry_fts"
# External content: the FTS table stores no text of its own, it indexes articles_searchentry's stems, kept in step
# by the triggers (FTS5's documented pattern); BM25 with the title weighing three times the rest is its rank.
CREATE_INDEX = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title_stems, text_stems, content='articles_searchentry',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON articles_searchentry BEGIN"
    f" INSERT INTO {TABLE}(rowid, title_stems, text_stems) VALUES (new.id, new.title_stems, new.text_stems); END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON articles_searchentry BEGIN"
    f" INSERT INTO {TABLE}({TABLE}, rowid, title_stems, text_stems)"
    " VALUES ('delete', old.id, old.title_stems, old.text_stems); END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF title_stems, text_stems ON articles_searchentry BEGIN"
    f" INSERT INTO {TABLE}({TABLE}, rowid, title_stems, text_stems)"
    " VALUES ('delete', old.id, old.title_stems, old.text_stems);"
    f" INSERT INTO {TABLE}(rowid, title_stems, text_stems) VALUES (new.id, new.title_stems, new.text_stems); END",
    f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', 'bm25(3.0, 1.0)')",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
OPTIMIZE_INDEX = f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')"
DROP_INDEX = [f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("insert", "delete", "update")] + [
    f"DROP TABLE IF EXISTS {TABLE}"
]


class SqliteSearchBackend(SearchBackend):
    def prepare_database(self, connection) -> None:
        """The FTS5 table and its triggers, made and filled from the entries if the table is missing."""
        if connection.vendor != "sqlite" or TABLE in connection.introspection.table_names():
            return
        with connection.schema_editor() as editor:
            for statement in CREATE_INDEX:
                editor.execute(statement)

    def index_rewritten(self, connection) -> None:
        """Merge the FTS5 index into one segment: rewriting every entry leaves a deletion record for each old row
        in many small segments, which every query then reads (at 100,000 articles the suggestions took 139 ms
        instead of 29 and a phrase 402 instead of 148 until this ran; 4 s)."""
        if connection.vendor == "sqlite" and TABLE in connection.introspection.table_names():
            with connection.cursor() as cursor:
                cursor.execute(OPTIMIZE_INDEX)

    def match(self, entries: models.QuerySet, terms: SearchTerms, *, titles_only: bool = False) -> models.QuerySet:
        return entries.filter(index__query__match=terms.fts5_query(titles_only=titles_only))

    def recent_first(self, matches: models.QuerySet) -> models.QuerySet:
        # Ordered by the FTS table's own rowid (the entry's id), which FTS5 reads backwards without sorting.
        return matches.order_by(models.F("index__entry_id").desc())

    def ranked(self, matches: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
        # FTS5's rank is BM25 negated (lower is better); ``rank`` here is higher-better on every backend.
        return matches.annotate(rank=models.F("index__rank") * -1).order_by(
            "-rank", "-article__published_at", "-article_id"
        )

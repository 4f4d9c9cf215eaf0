"""Search of the published articles in each language: one entry per language variant, matched by word stems.

Neither database folds Turkish case correctly on its own (PostgreSQL's ``lower()`` follows the server's locale,
which turns "IŞIK" into "işik"; SQLite folds ASCII only), so every text is folded in Python before it is stored or
searched (``publishing.text.casefold_in``), and the database only ever sees folded text: by Turkish rules in a
language with Turkish casing ("IŞIK" = "ışık"), by Unicode's elsewhere ("Iran" = "iran", as an English or German
reader types it), and "İstanbul" = "istanbul" in every language. In Turkish the suffix a writer joins to a name
with an apostrophe ("İstanbul'da", "Rusya'nın") is dropped as well.

Each entry stores the Snowball stem of every word (``title_stems``, ``text_stems``), made in Python by the
language's algorithm (``ARTICLES_SEARCH_CONFIGS``), and each database's own full-text engine indexes those stems
(``backends``): PostgreSQL a stored ``tsvector`` under a GIN index per language, ranked with ``ts_rank``; SQLite
an FTS5 table, ranked with BM25. Both see the same stems, so "yaptırımlar" finds "yaptırım" and "санкции" finds
"санкций" on either database, with the same results. A site can point ``ARTICLES_SEARCH_BACKEND`` at a search
server of its own behind the same interface.

Snowball's Turkish stemmer strips one suffix layer at a time: "yaptırımlar" → "yaptırım", but "yaptırım" →
"yaptır". A document's "yaptırım" is therefore stored as "yaptır", which the plural's stem does not reach. So a
query word matches a document stem equal to the word's stem or to the stem of its stem (the plural finds the
singular without "yaptırım" finding every word that starts with "yap"), and in Turkish
(``ARTICLES_SEARCH_OPEN_STEMMERS``) one that starts with the word's stem too (the singular "yaptırım", stemmed
"yaptır", finds the plural's "yaptırım").

A query's words are matched that way, its quoted words as a phrase, and its last word, the one being typed, in
every language as the start of a stem ("sanc" finds "sanctions") and of the vocabulary's words ("securi" finds
"security"); "did you mean" corrects a query that finds
nothing from the same vocabulary (``SearchWord``: the words of titles, highlights, tags and authors).

The package: ``text`` (folding, stemming, query syntax, excerpts, what an entry stores; no model import),
``backends`` (the interface, PostgreSQL, SQLite), ``index`` (keeping the entries current) and ``SearchEntry``'s
queryset (``articles.models.derived``).
"""
from .text import SearchTerms, config_for, entry_values, fold, stem, stems_of

__all__ = ["SearchTerms", "config_for", "entry_values", "fold", "stem", "stems_of"]

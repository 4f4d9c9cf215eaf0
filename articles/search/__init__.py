"""Search of the published articles in each language: one entry per language variant, matched by word stems.

Neither database folds Turkish case correctly on its own (PostgreSQL's ``lower()`` follows the server's locale,
which turns "IŞIK" into "işik"; SQLite folds ASCII only), so every text is folded in Python before it is stored or
searched (``publishing.text.casefold_in``), and the database only ever sees folded text: by Turkish rules in a
language with Turkish casing ("IŞIK" = "ışık"), by Unicode's elsewhere ("Iran" = "iran", as an English or German
reader types it), and "İstanbul" = "istanbul" in every language. In Turkish the suffix a writer joins to a name
with an apostrophe ("İstanbul'da", "Rusya'nın") is dropped as well.

On PostgreSQL the folded columns are searched with the language's own text-search configuration (``turkish``,
``english``, ``russian`` …, ``ARTICLES_SEARCH_CONFIGS``) through one GIN expression index per language (migration
0002 makes them for this repository's languages), ranked with
``ts_rank``. Elsewhere (SQLite in development and tests) each entry also stores the Snowball stem of every word, the
lexemes PostgreSQL would make, and the same query is answered with ``LIKE``. Both stem with the same Snowball
algorithms, so "yaptırımlar" finds "yaptırım" and "санкции" finds "санкций" on either database.

Snowball's Turkish stemmer strips one suffix layer at a time: "yaptırımlar" → "yaptırım", but "yaptırım" →
"yaptır". A document's "yaptırım" is therefore stored as "yaptır", which the plural's stem does not reach. So a
query word matches a document stem that starts with the word's stem (typing "yaptır" finds "yaptırım"), or that
equals the stem of its stem: the plural finds the singular without "yaptırım" finding every word that starts with
"yap".

The package: ``text`` (folding, stemming, matching, excerpts, what an entry stores; no model import), ``index``
(keeping the entries current) and ``SearchEntry``'s queryset (``articles.models.derived``).
"""
from .text import SearchTerms, config_for, entry_values, fold, stem, stems_of

__all__ = ["SearchTerms", "config_for", "entry_values", "fold", "stem", "stems_of"]

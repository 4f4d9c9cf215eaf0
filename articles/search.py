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
"""
from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer
from django.db import connections, models, transaction
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe

from publishing.text import casefold_in, has_turkish_casing

from .conf import app_settings

MAX_QUERY_WORDS = 8
EXCERPT_WORDS = 36

WORD_RE = re.compile(r"\w+")
_TURKISH_NAME_SUFFIX_RE = re.compile(r"(?<=\w)['’ʼ]\w+")
_stemmers = threading.local()  # Snowball stemmer objects keep state between calls: one per thread.


def config_for(language: str) -> str:
    """PostgreSQL's text-search configuration for ``language``, which also names its Snowball stemmer
    (``ARTICLES_SEARCH_CONFIGS``); ``simple``, which does not stem, for a language it does not know."""
    return app_settings.SEARCH_CONFIGS.get(language, "simple")


def fold(text: str, language: str = "") -> str:
    """The form every stored and searched text takes: case folded by the language's rules (``casefold_in``: Turkish
    where it has Turkish casing, "İ" as "i" everywhere), one space between words, and in a language with Turkish
    casing no apostrophe suffixes."""
    folded = casefold_in(text or "", language)
    return _TURKISH_NAME_SUFFIX_RE.sub("", folded) if has_turkish_casing(language) else folded


def plain_text(markup: str) -> str:
    """Text a reader sees in stored HTML (bodies, highlights), entities decoded."""
    return " ".join(html.unescape(strip_tags(markup or "")).split())


def _stemmer(language: str):
    cache = getattr(_stemmers, "by_language", None)
    if cache is None:
        cache = _stemmers.by_language = {}
    if language not in cache:
        name = config_for(language)
        cache[language] = snowballstemmer.stemmer(name) if name in snowballstemmer.algorithms() else None
    return cache[language]


@functools.lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word in ``language`` (the word itself where the language has no stemmer).

    Cached: an archive repeats its words, and Snowball in pure Python costs some 50 µs a word.
    """
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


def stems_of(text: str, language: str) -> str:
    """The stems of every word of ``text``, space-delimited on both sides, so that `` stem`` matches a word start
    and `` stem `` a whole word."""
    stems = [stem(word, language) for word in WORD_RE.findall(fold(text, language))]
    return f" {' '.join(stems)} " if stems else ""


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and the two document stems it accepts (see the module docstring)."""

    word: str
    prefix: str  # the word's stem: any document stem starting with it matches
    exact: str  # the stem of the stem: a document stem equal to it matches

    def accepts(self, document_stem: str) -> bool:
        return document_stem.startswith(self.prefix) or document_stem == self.exact


@dataclass(frozen=True)
class SearchTerms:
    """What a reader typed, as the search understands it: folded words of two letters or more, in the order given."""

    language: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, query: str, language: str) -> SearchTerms:
        words = [word for word in WORD_RE.findall(fold(query, language)) if len(word) > 1]
        return cls(language=language, words=tuple(dict.fromkeys(words))[:MAX_QUERY_WORDS])

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def query_words(self) -> tuple[QueryWord, ...]:
        result = []
        for word in self.words:
            prefix = stem(word, self.language)
            result.append(QueryWord(word=word, prefix=prefix, exact=stem(prefix, self.language)))
        return tuple(result)

    def tsquery(self) -> str:
        """PostgreSQL query text. ``to_tsquery`` stems each operand itself, so the word is given for its stem (as a
        prefix) and its stem for the stem's stem (exact); every query word must match."""
        parts = []
        for query_word in self.query_words:
            if query_word.exact == query_word.prefix:
                parts.append(f"'{query_word.word}':*")
            else:
                parts.append(f"('{query_word.word}':* | '{query_word.prefix}')")
        return " & ".join(parts)

    def matches(self, word: str) -> bool:
        """Whether a word of a text is one the query found (for highlighting)."""
        document_stems = [stem(part, self.language) for part in WORD_RE.findall(fold(word, self.language))]
        return any(query_word.accepts(s) for s in document_stems for query_word in self.query_words)

    def highlight(self, text: str) -> SafeString:
        """``text`` escaped, every word that matches a term wrapped in ``<mark>``."""
        text = text or ""
        pieces = []
        position = 0
        for match in WORD_RE.finditer(text):
            word = match.group()
            marked = "{}<mark>{}</mark>" if self.matches(word) else "{}{}"
            pieces.append(format_html(marked, text[position : match.start()], word))
            position = match.end()
        pieces.append(conditional_escape(text[position:]))
        return mark_safe("".join(pieces))

    def excerpt(self, *markups: str, words: int = EXCERPT_WORDS) -> SafeString:
        """About ``words`` words around the first match in the first of ``markups`` that has one, matches marked;
        the opening words of the first non-empty one when none matches (the article was found by its tags)."""
        texts = [text for text in (plain_text(markup) for markup in markups) if text]
        if not texts:
            return mark_safe("")
        for text in texts:
            tokens = text.split(" ")
            first = next(
                (i for i, token in enumerate(tokens) if any(self.matches(w) for w in WORD_RE.findall(token))), None
            )
            if first is not None:
                break
        else:
            tokens, first = texts[0].split(" "), 0
        start = max(0, first - words // 4)
        end = min(len(tokens), start + words)
        excerpt = self.highlight(" ".join(tokens[start:end]))
        return mark_safe(("… " if start else "") + excerpt + (" …" if end < len(tokens) else ""))


def search_vector(config: str):
    """The weighted document PostgreSQL searches: title (A), highlights, tags and authors (B), body (C).

    Migration 0002 indexes exactly this expression per language; a change here needs a migration that rebuilds
    those indexes, or the planner stops using them (tests/articles/test_search.py checks it does).
    """
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("highlights", "keywords", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


class SearchEntryQuerySet(models.QuerySet):
    def matching(self, terms: SearchTerms) -> SearchEntryQuerySet:
        """Entries of articles published in ``terms.language`` that contain every word of the query, best first.

        Each entry carries ``rank``; its article comes with its category and authors.
        """
        from .models import Article

        if not terms:
            return self.none()
        entries = self.filter(Article.objects.published_q(terms.language, via="article__"), language=terms.language)
        if connections[self.db].vendor == "postgresql":
            entries = self._matching_full_text(entries, terms)
        else:
            entries = self._matching_stems(entries, terms)
        return (
            entries.select_related("article", "article__category")
            .prefetch_related("article__authors")
            .order_by("-rank", "-article__published_at", "-article_id")
        )

    @staticmethod
    def _matching_full_text(entries: SearchEntryQuerySet, terms: SearchTerms) -> SearchEntryQuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        config = config_for(terms.language)
        vector = search_vector(config)
        query = SearchQuery(terms.tsquery(), search_type="raw", config=config)
        return entries.annotate(document=vector, rank=SearchRank(vector, query)).filter(document=query)

    @staticmethod
    def _matching_stems(entries: SearchEntryQuerySet, terms: SearchTerms) -> SearchEntryQuerySet:
        """Every query word must match a stem of the entry; a match in the title weighs three times one elsewhere."""
        rank = models.Value(0)
        for query_word in terms.query_words:
            in_title = models.Q(title_stems__contains=f" {query_word.prefix}") | models.Q(
                title_stems__contains=f" {query_word.exact} "
            )
            in_text = models.Q(text_stems__contains=f" {query_word.prefix}") | models.Q(
                text_stems__contains=f" {query_word.exact} "
            )
            entries = entries.filter(in_title | in_text)
            rank = (
                rank
                + models.Case(models.When(in_title, then=models.Value(3)), default=models.Value(0))
                + models.Case(models.When(in_text, then=models.Value(1)), default=models.Value(0))
            )
        return entries.annotate(rank=models.ExpressionWrapper(rank, output_field=models.FloatField()))


# --- Keeping the entries current ------------------------------------------------------------------------------


def entry_values(*, language: str, title: str, highlights: str, body: str, keywords: Iterable[str]) -> dict:
    """The stored columns of one entry from an article variant's texts (HTML allowed) and its tag/author names.

    A plain function of plain values, so that migrations can fill entries with historical models too.
    """
    title_text = plain_text(title)
    highlights_text = plain_text(highlights)
    keywords_text = " ".join(keyword for keyword in keywords if keyword)
    body_text = plain_text(body)
    return {
        "language": language,
        "title": fold(title_text, language),
        "highlights": fold(highlights_text, language),
        "keywords": fold(keywords_text, language),
        "body": fold(body_text, language),
        "title_stems": stems_of(title_text, language),
        "text_stems": stems_of(" ".join((highlights_text, keywords_text, body_text)), language),
    }


def search_index_update(*, article_ids: Iterable[int]) -> int:
    """Write the search entries of the given articles anew, one per language that has a title and a body.

    Entries exist for unpublished variants too: whether a variant is public is decided when searching, so that a
    scheduled article becomes findable when its date comes without being saved again. Returns the entries written.
    """
    from .models import Article

    ids = {pk for pk in article_ids if pk is not None}
    if not ids:
        return 0
    return search_index_write(articles=Article.objects.filter(pk__in=ids).prefetch_related("tags", "authors"))


@transaction.atomic
def search_index_write(*, articles: Iterable) -> int:
    """:func:`search_index_update` for articles in memory as they were just saved: a save indexes what it wrote
    without reading its row back. Their tags and authors are read here, unless the caller prefetched them."""
    from publishing.languages import language_codes

    from .models import SearchEntry

    articles = list(articles)
    models.prefetch_related_objects(articles, "tags", "authors")
    entries = []
    for article in articles:
        tags = list(article.tags.all())
        # Names as written, not as shown: a family name in Turkish capitals ("KIZILYAZI") loses its dotless ı
        # where the language folds I as Unicode does.
        author_names = [f"{author.given_name} {author.family_name}" for author in article.authors.all()]
        for code in language_codes():
            if not article.has_content_in(code):
                continue
            values = entry_values(
                language=code,
                title=getattr(article, f"title_{code}") or "",
                highlights=getattr(article, f"highlights_{code}") or "",
                body=getattr(article, f"body_{code}") or "",
                keywords=[getattr(tag, f"name_{code}") or "" for tag in tags] + author_names,
            )
            entries.append(SearchEntry(article=article, **values))
    SearchEntry.objects.filter(article_id__in=[article.pk for article in articles]).delete()
    SearchEntry.objects.bulk_create(entries)
    return len(entries)


def search_index_rebuild(*, batch_size: int = 200) -> int:
    """Write the entries of every article anew (after loading data with signals off, or changing the rules)."""
    from .models import Article, SearchEntry

    written = 0
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchEntry.objects.exclude(article_id__in=ids).delete()
        for start in range(0, len(ids), batch_size):
            written += search_index_update(article_ids=ids[start : start + batch_size])
    return written

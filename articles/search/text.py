"""How the search sees text: folded by each language's rules, stemmed with Snowball, matched word by word, and
highlighted in excerpts; and what one search entry stores (``entry_values``). No model is imported here: the
models (``SearchEntry``'s queryset) and the index upkeep (``articles.search.index``) build on it.
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from publishing.text import casefold_in, has_turkish_casing, plain_text

from ..conf import app_settings

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



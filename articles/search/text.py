"""How the search sees text: folded by each language's rules, stemmed with Snowball, matched word by word, and
highlighted in excerpts; and what one search entry stores (``entry_values``). No model is imported here: the
models (``SearchEntry``'s queryset) and the index upkeep (``articles.search.index``) build on it.
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape

import snowballstemmer
from django.utils.safestring import SafeString, mark_safe

from publishing.text import casefold_in, has_turkish_casing, plain_text

from ..conf import app_settings
from ..footnotes import MARKER_RE

MAX_QUERY_WORDS = 8
VOCABULARY_MIN_LENGTH = 3
EXCERPT_WORDS = 36

WORD_RE = re.compile(r"\w+")
_QUOTES_RE = re.compile(r'["“”„«»]')
_TURKISH_NAME_SUFFIX_RE = re.compile(r"(?<=\w)['’ʼ]\w+")
_stemmers = threading.local()  # Snowball stemmer objects keep state between calls: one per thread.


def config_for(language: str) -> str:
    """The Snowball stemmer of ``language``, by the name of PostgreSQL's text-search configuration for it
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
    """One word of a query and the document stems it accepts (see the module docstring)."""

    word: str
    prefix: str  # the word's stem: a document stem equal to it matches, or starting with it if the word is ``open``
    exact: str  # the stem of the stem: a document stem equal to it matches
    open: bool = False  # the word may be unfinished, or its language's stems stop short (``SearchTerms.query_words``)

    @property
    def whole(self) -> bool:
        """Whether only whole stems match. A number matches only itself: as a prefix, "12" found 120 and 1200 too,
        and made the index read the postings of every number that starts with it (the admin's "Analysis 12" at
        100,000 articles: 0.5 s)."""
        return not self.open or self.word.isdigit()

    def accepts(self, document_stem: str) -> bool:
        if self.whole:
            return document_stem in (self.prefix, self.exact)
        return document_stem.startswith(self.prefix) or document_stem == self.exact


@dataclass(frozen=True)
class SearchTerms:
    """What a reader typed, as the search understands it: folded words of two letters or more, in the order given,
    and the groups of words put in quotes, which must appear together in that order (``phrases``).

    Each loose word matches a document stem equal to the word's stem or to the stem of its stem (see the package
    docstring); the last one, which the reader may still be typing, also a document stem that starts with the
    word's stem ("sanc" finds "sanctions"), as does every loose word in a language whose stems stop short
    (``ARTICLES_SEARCH_OPEN_STEMMERS``: Turkish). A phrase matches its words' stems one after the other. Every word
    and every phrase must match.

    Only the last word is open elsewhere because a prefix costs what every word it starts costs: the index merges
    all their document lists before it can walk them newest first, and in full (at 100,000 articles on SQLite, the
    three words "energy border crisis" took 44 ms as three prefixes, 30 ms with the last one only, 7.6 ms as whole
    stems; docs/performance.md).
    """

    language: str
    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...] = ()
    completions: tuple[str, ...] = ()  # more stems the last loose word accepts (``with_completions``)
    every_word_open: bool = False  # the language's stems stop short (``ARTICLES_SEARCH_OPEN_STEMMERS``)
    typing: bool = True  # the last loose word may be unfinished: it matches the start of a stem
    completions_known: bool = False  # ``completions`` are every word of the vocabulary that starts with the last word

    @classmethod
    def parse(cls, query: str, language: str) -> SearchTerms:
        phrases, loose = [], []
        for index, part in enumerate(_QUOTES_RE.split(query or "")):
            words = WORD_RE.findall(fold(part, language))
            if index % 2 and len(words) > 1:
                phrases.append(tuple(words[:MAX_QUERY_WORDS]))
            else:
                loose += [word for word in words if len(word) > 1 or word.isdigit()]  # "World War 2", "Piece 1"
        words = tuple(dict.fromkeys(loose + [word for phrase in phrases for word in phrase]))[:MAX_QUERY_WORDS]
        kept = [phrase for phrase in dict.fromkeys(phrases) if all(word in words for word in phrase)]
        every_word_open = config_for(language) in app_settings.SEARCH_OPEN_STEMMERS
        return cls(language=language, words=words, phrases=tuple(kept), every_word_open=every_word_open)

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def loose_words(self) -> tuple[str, ...]:
        """The words outside phrases (a word both loose and quoted is left to its phrase)."""
        quoted = {word for phrase in self.phrases for word in phrase}
        return tuple(word for word in self.words if word not in quoted)

    @functools.cached_property
    def query_words(self) -> tuple[QueryWord, ...]:
        """Each word as the index matches it; kept on the terms, which each suggested title and highlighted word asks."""
        loose, last = set(self.loose_words), self.last_word
        result = []
        for word in self.words:
            prefix = stem(word, self.language)
            is_open = (self.typing and word == last) or (self.every_word_open and word in loose)
            result.append(QueryWord(word=word, prefix=prefix, exact=stem(prefix, self.language), open=is_open))
        return tuple(result)

    def _loose(self) -> list[QueryWord]:
        loose = set(self.loose_words)
        return [query_word for query_word in self.query_words if query_word.word in loose]

    @property
    def last_word(self) -> str:
        """The last loose word, the one the reader may still be typing ("" if there is none)."""
        return self.loose_words[-1] if self.loose_words else ""

    def with_completions(self, words: Iterable[str], *, every: bool = False) -> SearchTerms:
        """These terms with the last word also accepting the stems of ``words``, whole words of the vocabulary
        that start with it: "securi" is not a prefix of the stem "secur" that "security" is indexed as, but
        "security" completes it. ``every``: those are all the vocabulary has (``for_titles``)."""
        own = {query_word.prefix for query_word in self._loose() if query_word.word == self.last_word}
        stems = sorted({stem(word, self.language) for word in words} - own)
        return replace(self, completions=tuple(stems), completions_known=every)

    def for_titles(self) -> SearchTerms:
        """These terms for matching titles only (the suggestions). The vocabulary holds every title word of three
        letters or more (``vocabulary_of``), so once it listed all the words that complete the last one, the last
        word is matched by their stems and its own, whole: as a prefix it made FTS5 merge the document list of
        every term starting so, the bodies' included, before keeping the titles' hits (the suggestion's growth
        with the archive), and PostgreSQL build their bitmap. (In Turkish every word stays open.)"""
        if self.completions_known and len(self.last_word) >= VOCABULARY_MIN_LENGTH:
            return replace(self, typing=False)
        return self

    @property
    def narrowed(self) -> bool:
        """Whether a loose word is matched by its stem whole that could also be read as the start of one."""
        return any(query_word.whole and not query_word.word.isdigit() for query_word in self._loose())

    def opened(self) -> SearchTerms:
        """These terms with every loose word also matching the start of a stem, as the last one does: what a
        search that found nothing reads next ("russ sanctions" then finds "Russian sanctions")."""
        return replace(self, every_word_open=True)

    def last_word_finished(self) -> SearchTerms:
        """These terms with the last word matched by its stem whole, as every other word is (but in Turkish): the
        last word of a correction is a whole word of the vocabulary, and as a prefix it made the index read every
        word that starts the same way. A query that finds something so finds it as typed too."""
        return replace(self, typing=False)

    def _alternatives(self, query_word: QueryWord) -> list[str]:
        return list(self.completions) if query_word.word == self.last_word else []

    def _phrase_stems(self) -> list[list[str]]:
        return [[stem(word, self.language) for word in phrase] for phrase in self.phrases]

    def tsquery(self, *, titles_only: bool = False) -> str:
        """PostgreSQL's query text (``to_tsquery`` with the ``simple`` configuration, over the stored stems): each
        loose word as its stem (a prefix if the word is open) or its stem's stem, each phrase as its stems one after
        the other (``<->``), all required; ``titles_only`` keeps to the title's lexemes (weight A). Stems are made of
        word characters only, so quoting them is safe."""
        weight = "A" if titles_only else ""
        parts = []
        for query_word in self._loose():
            exact = dict.fromkeys([query_word.exact, *self._alternatives(query_word)])
            exact.pop(query_word.prefix, None)
            first = f"'{query_word.prefix}':{weight}" if query_word.whole else f"'{query_word.prefix}':*{weight}"
            options = [first.rstrip(":")] + [f"'{s}'" + (f":{weight}" if weight else "") for s in exact]
            parts.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
        for stems in self._phrase_stems():
            parts.append("(" + " <-> ".join(f"'{s}'" + (f":{weight}" if weight else "") for s in stems) + ")")
        return " & ".join(parts)

    def fts5_query(self, *, titles_only: bool = False) -> str:
        """SQLite FTS5's query text (``MATCH``) with the same meaning as :meth:`tsquery`: ``"stem"*`` is a prefix,
        ``"a b"`` a phrase of tokens; stems hold no double quote, so quoting them is safe."""
        parts = []
        for query_word in self._loose():
            exact = dict.fromkeys([query_word.exact, *self._alternatives(query_word)])
            exact.pop(query_word.prefix, None)
            first = f'"{query_word.prefix}"' if query_word.whole else f'"{query_word.prefix}"*'
            options = [first] + [f'"{s}"' for s in exact]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        for stems in self._phrase_stems():
            parts.append('"' + " ".join(stems) + '"')
        query = " AND ".join(parts)
        return f"{{title_stems}}: ({query})" if titles_only else query

    def replaced(self, corrections: dict[str, str]) -> str:
        """The query as a reader would type it with some words replaced (what "did you mean" offers)."""
        loose = [corrections.get(word, word) for word in self.loose_words]
        quoted = ['"' + " ".join(corrections.get(word, word) for word in phrase) + '"' for phrase in self.phrases]
        return " ".join(quoted + loose)

    def title_share(self, title_stems: str) -> float:
        """The share of a title's stems that the query's words accept: what ranks the suggestions. Every suggested
        title holds every word typed, so BM25 would tell them apart mostly by length, as this does ("Security" before
        "Security of the Black Sea"), without the pass over each term's whole document list its weights cost (at
        100,000 articles most of a suggestion's time, and growing with the archive)."""
        stems = title_stems.split()
        if not stems:
            return 0.0
        query_words = self.query_words
        accepted = sum(
            1 for s in stems if s in self.completions or any(query_word.accepts(s) for query_word in query_words)
        )
        return accepted / len(stems)

    def matches(self, word: str) -> bool:
        """Whether a word of a text is one the query found (for highlighting)."""
        return _matches(self, word)

    def highlight(self, text: str) -> SafeString:
        """``text`` escaped, every word that matches a term wrapped in ``<mark>``.

        Escaped with ``html.escape`` (what Django's ``escape`` does) a span at a time rather than ``format_html`` a
        word at a time: a results page highlights some 2,000 words, and this was a sixth of its time."""
        text = text or ""
        pieces = []
        position = 0
        for match in WORD_RE.finditer(text):
            if self.matches(match.group()):
                pieces += [escape(text[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
                position = match.end()
        pieces.append(escape(text[position:]))
        return mark_safe("".join(pieces))

    def excerpt(self, *markups: str, words: int = EXCERPT_WORDS) -> SafeString:
        """About ``words`` words around the first match in the first of ``markups`` that has one, matches marked;
        the opening words of the first non-empty one when none matches (the article was found by its tags)."""
        texts = [text for text in (_without_markers(plain_text(markup)) for markup in markups) if text]
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


@functools.lru_cache(maxsize=20_000)
def _matches(terms: SearchTerms, word: str) -> bool:
    """``SearchTerms.matches``, kept per query and word: a page of results meets the same words again and again."""
    document_stems = [stem(part, terms.language) for part in WORD_RE.findall(fold(word, terms.language))]
    return any(
        query_word.accepts(s) for s in document_stems for query_word in terms.query_words
    ) or any(s in terms.completions for s in document_stems)


def _without_markers(text: str) -> str:
    """Text without its footnote markers ("Europe”.[2] South Korea" reads "Europe”. South Korea"): in an excerpt
    they link nowhere."""
    return " ".join(MARKER_RE.sub("", text).split())


def vocabulary_of(values: dict) -> set[str]:
    """The words an entry (``entry_values``) adds to its language's vocabulary, which "did you mean" corrects
    from: those of the title, highlights, tags and authors, of three letters or more and not all digits. The
    body is left out: its words are many, and the words readers look for are named in these."""
    text = " ".join((values["title"], values["highlights"], values["keywords"]))
    return {word for word in WORD_RE.findall(text) if len(word) >= VOCABULARY_MIN_LENGTH and not word.isdigit()}


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
        # Footnote markers are no words: indexed, "[1]" made every article with a footnote match "1".
        "title_stems": stems_of(_without_markers(title_text), language),
        "text_stems": stems_of(_without_markers(" ".join((highlights_text, keywords_text, body_text))), language),
    }



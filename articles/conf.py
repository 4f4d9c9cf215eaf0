"""The settings of the articles app, each with its default, in one place (``publishing.conf`` explains how they are
read and kept).

A host sets any of them in its settings module under the names below (``ARTICLES_PAGE_SIZE = 20``); whatever it
leaves out takes the default given here. Each is read from Django's settings the first time it is asked for, not
at import (settings may not be configured yet), and kept: a setting the host leaves out would otherwise cost a
failed lookup on every read, some on every page. ``override_settings`` (tests) sends ``setting_changed``, which
forgets what was kept.

Use them as ``from articles.conf import app_settings`` … ``app_settings.PAGE_SIZE``.
"""
from __future__ import annotations

from publishing.conf import AppSettings

# PostgreSQL's built-in text-search configurations (PostgreSQL 14 and later), which are also the names of the
# Snowball stemmers the search uses, by the language code Django uses for the language.
DEFAULT_SEARCH_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nb": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


class ArticlesSettings(AppSettings):
    """The articles app's settings; the docstring of each says what it changes."""

    prefix = "ARTICLES_"

    @property
    def PAGE_SIZE(self) -> int:
        """``ARTICLES_PAGE_SIZE`` (10): articles per page of the home, tag, category, author and search pages."""
        return self._read("PAGE_SIZE", 10)

    @property
    def SIMILAR_LIMIT(self) -> int:
        """``ARTICLES_SIMILAR_LIMIT`` (6): Similar Posts shown under an article (twice as many are stored)."""
        return self._read("SIMILAR_LIMIT", 6)

    @property
    def FEED_SIZE(self) -> int:
        """``ARTICLES_FEED_SIZE`` (20): articles in each RSS and Atom feed."""
        return self._read("FEED_SIZE", 20)

    @property
    def PAGE_CACHE_ALIAS(self) -> str:
        """``ARTICLES_PAGE_CACHE_ALIAS`` ("default"): the cache (a key of ``CACHES``) readers' pages are kept in;
        it must be shared by every process that serves the site, or a save seen by one is missed by the others."""
        return self._read("PAGE_CACHE_ALIAS", "default")

    @property
    def PAGE_STAMPS_ALIAS(self) -> str:
        """``ARTICLES_PAGE_STAMPS_ALIAS`` (""): the cache the page cache's dependency versions are kept in, if not
        the page cache itself. With one every process shares (a database or file cache), the pages themselves may
        be kept in a per-process cache: a save made by any process, a command or a shell, still reaches every
        process's next request (``articles.pages.caching``)."""
        return self._read("PAGE_STAMPS_ALIAS", "")

    @property
    def PAGE_CACHE_SECONDS(self) -> int:
        """``ARTICLES_PAGE_CACHE_SECONDS`` (600): how long a reader's page stays cached at most; 0 turns the page
        cache off (``articles.pages.caching``)."""
        return self._read("PAGE_CACHE_SECONDS", 600, int)

    @property
    def FRONTEND_CACHE(self) -> dict | None:
        """``ARTICLES_FRONTEND_CACHE`` (None: no proxy): the caching proxy in front of the site, which every save
        purges of exactly the pages it changed (``articles.pages.frontend``). ``{"BACKEND": "varnish", "LOCATIONS":
        ["http://127.0.0.1:6081"]}`` sends each of those Varnish instances a ``BAN`` on the pages' ``Surrogate-Key``
        header (the VCL in ``deploy/varnish/ankasam.vcl`` accepts it from the app servers only)."""
        return self._read("FRONTEND_CACHE", None)

    @property
    def PUBLISHER_NAME(self) -> str:
        """``ARTICLES_PUBLISHER_NAME`` (""): the organisation named as publisher in the feeds' titles and
        copyright, OpenGraph's ``og:site_name`` and the pages' structured data; left out where empty."""
        return self._read("PUBLISHER_NAME", "")

    @property
    def SEARCH_CONFIGS(self) -> dict[str, str]:
        """``ARTICLES_SEARCH_CONFIGS`` (PostgreSQL's configuration name for each language it has one for, e.g.
        ``{"de": "german", "tr": "turkish", …}``): the Snowball stemmer of each language code, named as PostgreSQL
        names its configurations. The stems are made in Python on every database (``articles.search``). The host's
        mapping is laid over the default one; a language in neither is searched unstemmed (``simple``).
        """
        return self._read("SEARCH_CONFIGS", {}, lambda configs: {**DEFAULT_SEARCH_CONFIGS, **configs})

    @property
    def SEARCH_OPEN_STEMMERS(self) -> frozenset[str]:
        """``ARTICLES_SEARCH_OPEN_STEMMERS`` (``["turkish"]``): the Snowball stemmers, by the names of
        ``ARTICLES_SEARCH_CONFIGS``, whose stem of a longer form of a word can run past the stem of the word itself
        (Turkish strips one layer of suffixes at a time: "yaptırımlar" is stemmed "yaptırım", "yaptırım" "yaptır").
        In these languages every word of a query matches the start of a stem; elsewhere only the last one, the word
        being typed, does, and the others match their stem whole, which the index finds without reading every word
        that starts the same way (``articles.search.text.SearchTerms``)."""
        return self._read("SEARCH_OPEN_STEMMERS", ["turkish"], frozenset)

    @property
    def SEARCH_BACKEND(self) -> str:
        """``ARTICLES_SEARCH_BACKEND`` (""): the dotted path of the search backend class; empty for the database's
        own full-text engine (PostgreSQL's ``tsvector``, SQLite's FTS5), a class of the site's own for a search
        server (``articles.search.backends``)."""
        return self._read("SEARCH_BACKEND", "")

    @property
    def SEARCH_RANK_WINDOW(self) -> int:
        """``ARTICLES_SEARCH_RANK_WINDOW`` (500): how many matches of a query are read, ranked and paged through at
        most, the most recently written ones; a word found in more articles says "more than 500 results", so that
        a very common word costs no more than a rare one (``articles.search.backends.base.SearchResults``,
        docs/performance.md)."""
        return self._read("SEARCH_RANK_WINDOW", 500, int)

    @property
    def SEARCH_SUGGESTION_CANDIDATES(self) -> int:
        """``ARTICLES_SEARCH_SUGGESTION_CANDIDATES`` (2000): at most this many words of the vocabulary are compared
        with a misspelt word for "did you mean" (those of its first letter and about its length)."""
        return self._read("SEARCH_SUGGESTION_CANDIDATES", 2000, int)

    @property
    def API_PAGE_SIZE(self) -> int:
        """``ARTICLES_API_PAGE_SIZE`` (20): articles (or tags) per page of the read API's lists (``articles.api``);
        the next page is reached by its cursor, at the same cost at any depth."""
        return self._read("API_PAGE_SIZE", 20, int)

    @property
    def API_THROTTLE_RATE(self) -> str | None:
        """``ARTICLES_API_THROTTLE_RATE`` ("120/minute"): requests one client address may make to the read API,
        as Django REST framework writes a rate (``"1000/hour"``); ``None`` turns the limit off. Counted in the
        ``ARTICLES_PAGE_CACHE_ALIAS`` cache, so every process of the site shares the count."""
        return self._read("API_THROTTLE_RATE", "120/minute")

    @property
    def API_CORS_MAX_AGE(self) -> int:
        """``ARTICLES_API_CORS_MAX_AGE`` (86400): seconds a browser may keep the answer to a cross-origin preflight
        request to the read API (every origin may read it; nothing is sent with credentials)."""
        return self._read("API_CORS_MAX_AGE", 86400, int)


app_settings = ArticlesSettings()


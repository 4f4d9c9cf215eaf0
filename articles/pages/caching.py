"""Readers' pages served from a shared cache, forgotten exactly when a save changes what they show.

Every cached page (article, home, tag, category, author pages) records the *dependencies* it was made from: names
such as ``article:12``, ``similar:12:en`` or ``tagged:4:ru``, each with the version it had then. A save stamps a
new version on the names it touches (``dependencies_changed``, called from ``articles.upkeep``), and a page
whose recorded versions differ from the current ones is made again. So a page is never served after a change to
anything it shows, and pages the change does not touch stay cached. The versions are nanosecond stamps: a page
whose dependency changed while it was being made is not stored, so a save racing a reader leaves nothing stale.

Pages are stored for ``ARTICLES_PAGE_CACHE_SECONDS`` (600; 0 turns the cache off), and never past the moment
the next scheduled article is due, so scheduled articles appear on time. Only anonymous GETs without a session
or messages cookie are served from or stored in the cache: editors always get fresh pages. The cache is the
``ARTICLES_PAGE_CACHE_ALIAS`` cache ("default"): Redis in production, shared by every worker. The versions may be
kept in another cache (``ARTICLES_PAGE_STAMPS_ALIAS``) that every process shares, such as the database: the pages
can then stay in each process's memory, and a save made by any process still reaches every process's next request.
If the cache is unreachable its errors are ignored and pages are made on each request (the host's Redis backend
skips it for a while after a failure: ``publishing.breaker``); when it answers again it forgets every page from
before (``articles.upkeep.cache_recovered``), since the saves made meanwhile could not stamp it. A request for a
Host the site does not serve is refused (400) before the cache is asked. A caching proxy in front (Varnish) may keep
the same pages: they carry ``Cache-Control``, an ``ETag`` and their dependencies as surrogate keys, and a save bans
what it stamped there too (``articles.pages.frontend``).
"""
from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.translation import get_language

from ..conf import app_settings
from .frontend import etag_of, frontend_purge, mark_private, mark_shared

PAGE_PREFIX = "articles:page:"
VALUE_PREFIX = "articles:value:"
DEPENDENCY_PREFIX = "articles:dep:"
EVERYTHING = "site"
T = TypeVar("T")
# The lists' pages: numbered (search) or named by the article they continue from (``articles.pages.paging``).
_PAGE_QUERY_RE = re.compile(r"\A((page=\d{1,6})|((before|after)=\d{1,12}))?\Z")


def page_cache():
    return caches[app_settings.PAGE_CACHE_ALIAS]


def stamp_cache():
    """Where the dependencies' versions are kept: the page cache itself unless ``ARTICLES_PAGE_STAMPS_ALIAS`` names
    another cache, one every process shares (pages may then be kept per process: a stale one is never served)."""
    return caches[app_settings.PAGE_STAMPS_ALIAS or app_settings.PAGE_CACHE_ALIAS]


def page_seconds() -> int:
    return app_settings.PAGE_CACHE_SECONDS


def dependencies_changed(names: Iterable[str]) -> None:
    """Stamp a new version on ``names`` now, and again when the current transaction commits.

    The second stamp covers a reader who, between the first stamp and the commit, made and stored a page from the
    data as it was before.
    """
    names = set(names)
    if not names:
        return
    _stamp(names)

    # Named functions, not functools.partial: when a robust callback fails Django logs it by its __qualname__,
    # which a partial lacks, and the AttributeError of that log line escaped the commit (the save answered 500).
    def stamp_again() -> None:
        _stamp(names)

    def purge_proxy() -> None:
        # The caching proxy in front, if any, refetches at once: only once the save is there to be read.
        frontend_purge(names)

    transaction.on_commit(stamp_again, robust=True)
    transaction.on_commit(purge_proxy, robust=True)


def _stamp(names: set[str]) -> None:
    version = time.time_ns()
    stamp_cache().set_many({DEPENDENCY_PREFIX + name: version for name in names}, timeout=None)


def is_cacheable_request(request: HttpRequest) -> bool:
    if page_seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return bool(_PAGE_QUERY_RE.match(request.META.get("QUERY_STRING", "")))


def _page_key(request: HttpRequest) -> str:
    return PAGE_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def valid_entry(key: str) -> dict | None:
    """The entry stored under ``key`` if every dependency it recorded is unchanged, else None: the one test of
    freshness, for the pages and for the read API (``articles.api.conditional``)."""
    entry = page_cache().get(key)
    if entry is None:
        return None
    recorded = entry["dependencies"]
    current = stamp_cache().get_many([DEPENDENCY_PREFIX + name for name in recorded])
    if any(current.get(DEPENDENCY_PREFIX + name) != version for name, version in recorded.items()):
        return None
    return entry


def cached_response(request: HttpRequest) -> HttpResponse | None:
    """The stored page for this request if every dependency it recorded is unchanged, else None.

    The Host header is validated first, as Django's own request handling would (``DisallowedHost``: a 400), so that a
    cached page is never an answer to a request the site refuses.
    """
    request.get_host()
    entry = valid_entry(_page_key(request))
    if entry is None:
        return None
    etag = entry.get("etag") or etag_of(entry["content"])
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["content"], content_type=entry["content_type"])  # only 200s are kept
    if entry.get("content_language"):
        response["Content-Language"] = entry["content_language"]
    seconds = entry["expires"] - time.time() if "expires" in entry else page_seconds()
    mark_shared(response, names=entry["dependencies"], etag=etag, seconds=seconds)
    response["X-Page-Cache"] = "hit"
    return response


class PageCacheMiddleware:
    """Answer from the page cache before the session, locale, CSRF, authentication, messages and login-limit
    middleware run: a cached page then costs little more than the cache lookups.

    Put it right after the middleware whose headers every response needs (security, CSP, frame options,
    static files). Pages are stored by the views (``cached_page``), which know what each page shows.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if is_cacheable_request(request):
            response = cached_response(request)
            if response is not None:
                return response
            request._page_cache_missed = True
        return self.get_response(request)


def cached_page(view):
    """Serve ``view``'s page from the cache when every dependency it recorded is unchanged, else make and store it.

    The view's context names the dependencies (``page_dependencies``) and, optionally, ``page_expires_at``: the
    moment the page may change by itself (a scheduled article falling due).
    """

    @functools.wraps(view)
    def serve(request: HttpRequest, *args, **kwargs):
        if not is_cacheable_request(request):
            response = view(request, *args, **kwargs)
            mark_private(response)
            return response
        if not getattr(request, "_page_cache_missed", False):
            response = cached_response(request)
            if response is not None:
                return response
        started = time.time_ns()
        response = view(request, *args, **kwargs)
        if hasattr(response, "add_post_render_callback") and response.status_code == 200:
            response.add_post_render_callback(
                functools.partial(_store, key=_page_key(request), started=started, language=get_language())
            )
        else:
            mark_private(response)
        response["X-Page-Cache"] = "miss"
        return response

    return serve


def cached_value(key: str, dependencies: Iterable[str], make: Callable[[], T]) -> T:
    """``make()``, kept in the page cache under ``key`` until one of ``dependencies`` is stamped or
    ``ARTICLES_PAGE_CACHE_SECONDS`` pass: the rule of the cached pages (``valid_entry``, ``store_entry``), for data
    that is not a page (the search box's suggestions). Made anew on every call when the page cache is off."""
    if page_seconds() <= 0:
        return make()
    key = VALUE_PREFIX + hashlib.sha256(key.encode()).hexdigest()
    entry = valid_entry(key)
    if entry is not None:
        return entry["value"]
    started = time.time_ns()
    value = make()
    store_entry(key, names=dependencies, started=started, expires_at=None, values={"value": value})
    return value


def _store(response, *, key: str, started: int, language: str | None) -> None:
    """Keep the rendered page, and let the proxy in front keep it as long, unless it may not be kept."""
    context = response.context_data or {}
    names = context.get("page_dependencies")
    if names is None or response.cookies:
        mark_private(response)
        return
    etag = etag_of(response.content)
    entry = store_entry(
        key,
        names=names,
        started=started,
        expires_at=context.get("page_expires_at"),
        values={
            "content": response.content,
            "content_type": response["Content-Type"],
            "content_language": language,
            "etag": etag,
        },
    )
    if entry is None:
        mark_private(response)  # not kept: the cache is off, or something it shows changed while it was made
    else:
        mark_shared(response, names=entry["dependencies"], etag=etag, seconds=entry["expires"] - time.time())


def store_entry(key: str, *, names: Iterable[str], started: int, expires_at: datetime | None, values: dict) -> dict | None:
    """Store ``values`` under ``key`` with the current versions of the dependencies ``names``, for at most
    ``ARTICLES_PAGE_CACHE_SECONDS`` and never past ``expires_at``; returns the entry, or None when nothing was
    stored: the cache is off, or something it shows changed since ``started`` (a ``time.time_ns()``), while it was
    being made."""
    names = set(names) | {EVERYTHING}
    timeout = page_seconds()
    if expires_at is not None:
        timeout = min(timeout, int((expires_at - timezone.now()).total_seconds()))
    if timeout < 1:
        return None
    current = stamp_cache().get_many([DEPENDENCY_PREFIX + name for name in names])
    if any(version is not None and version >= started for version in current.values()):
        return None
    entry = {
        "dependencies": {name: current.get(DEPENDENCY_PREFIX + name) for name in names},
        "expires": time.time() + timeout,
        **values,
    }
    page_cache().set(key, entry, timeout=timeout)
    return entry


# --- Names of dependencies ------------------------------------------------------------------------------------


def article_dependency(pk) -> str:
    """The article's own texts, references, date, category, tags and authors, in every language."""
    return f"article:{pk}"


def similar_dependency(pk, language: str) -> str:
    """The Similar Posts an article's page shows in ``language``."""
    return f"similar:{pk}:{language}"


def home_dependency(language: str) -> str:
    """Which articles the home page of ``language`` lists, and what their cards show."""
    return f"home:{language}"


def tag_dependency(pk) -> str:
    return f"tag:{pk}"


def tagged_dependency(pk, language: str) -> str:
    """Which articles a tag's page lists in ``language``."""
    return f"tagged:{pk}:{language}"


def category_dependency(pk) -> str:
    return f"category:{pk}"


def in_category_dependency(pk, language: str) -> str:
    return f"in-category:{pk}:{language}"


def author_dependency(pk) -> str:
    return f"author:{pk}"


def by_author_dependency(pk, language: str) -> str:
    return f"by-author:{pk}:{language}"


def author_index_dependency(language: str) -> str:
    return f"authors:{language}"


def schedule_dependency(language: str) -> str:
    """Every page of ``language``: stamped when an article is scheduled to appear sooner than a page lives."""
    return f"schedule:{language}"


def card_dependencies(articles: Iterable) -> set[str]:
    """What the cards of a list show besides the articles themselves: category names, author names."""
    names: set[str] = set()
    for article in articles:
        names.add(article_dependency(article.pk))
        if article.category_id:
            names.add(category_dependency(article.category_id))
        names.update(author_dependency(author.pk) for author in article.authors.all())
    return names

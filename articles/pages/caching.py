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
``ARTICLES_PAGE_CACHE_ALIAS`` cache ("default"): Redis in production, shared by every worker. If it is
unreachable the cache backend's errors are ignored (django-redis ``IGNORE_EXCEPTIONS``) and pages are made on
each request.
"""
from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.translation import get_language

from ..conf import app_settings
from .frontend import etag_of, frontend_purge, mark_private, mark_shared

PAGE_PREFIX = "articles:page:"
DEPENDENCY_PREFIX = "articles:dep:"
EVERYTHING = "site"
_PAGE_QUERY_RE = re.compile(r"\A(page=\d{1,6})?\Z")


def page_cache():
    return caches[app_settings.PAGE_CACHE_ALIAS]


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
    transaction.on_commit(functools.partial(_stamp, names), robust=True)
    # The caching proxy in front, if any, refetches at once: only once the save is there to be read.
    transaction.on_commit(functools.partial(frontend_purge, names), robust=True)


def _stamp(names: set[str]) -> None:
    version = time.time_ns()
    page_cache().set_many({DEPENDENCY_PREFIX + name: version for name in names}, timeout=None)


def is_cacheable_request(request: HttpRequest) -> bool:
    if page_seconds() <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return bool(_PAGE_QUERY_RE.match(request.META.get("QUERY_STRING", "")))


def _page_key(request: HttpRequest) -> str:
    return PAGE_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def cached_response(request: HttpRequest) -> HttpResponse | None:
    """The stored page for this request if every dependency it recorded is unchanged, else None."""
    cache = page_cache()
    entry = cache.get(_page_key(request))
    if entry is None:
        return None
    recorded = entry["dependencies"]
    current = cache.get_many([DEPENDENCY_PREFIX + name for name in recorded])
    if any(current.get(DEPENDENCY_PREFIX + name) != version for name, version in recorded.items()):
        return None
    etag = entry.get("etag") or etag_of(entry["content"])
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["content"], content_type=entry["content_type"], status=entry["status"])
    if entry.get("content_language"):
        response["Content-Language"] = entry["content_language"]
    seconds = entry["expires"] - time.time() if "expires" in entry else page_seconds()
    mark_shared(response, names=recorded, etag=etag, seconds=seconds)
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


def _store(response, *, key: str, started: int, language: str | None) -> None:
    """Keep the rendered page, and let the proxy in front keep it as long, unless it may not be kept."""
    context = response.context_data or {}
    names = context.get("page_dependencies")
    if names is None or response.cookies:
        mark_private(response)
        return
    names = set(names) | {EVERYTHING}
    timeout = page_seconds()
    expires_at: datetime | None = context.get("page_expires_at")
    if expires_at is not None:
        timeout = min(timeout, int((expires_at - timezone.now()).total_seconds()))
    if timeout < 1:
        mark_private(response)
        return
    cache = page_cache()
    current = cache.get_many([DEPENDENCY_PREFIX + name for name in names])
    if any(version is not None and version >= started for version in current.values()):
        mark_private(response)
        return  # something this page shows changed while it was being made
    etag = etag_of(response.content)
    cache.set(
        key,
        {
            "dependencies": {name: current.get(DEPENDENCY_PREFIX + name) for name in names},
            "content": response.content,
            "content_type": response["Content-Type"],
            "status": response.status_code,
            "content_language": language,
            "etag": etag,
            "expires": time.time() + timeout,
        },
        timeout=timeout,
    )
    mark_shared(response, names=names, etag=etag, seconds=timeout)


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

"""``ETag``, ``Last-Modified`` and ``304 Not Modified`` for the read API, kept by the page cache's dependency stamps.

An answer is stored in the page cache (``articles.pages.caching``) with the dependencies it was made from, the same
names the HTML pages record (``article:12``, ``similar:12:en``, ``home:en`` …), and its ``ETag`` (a hash of its
bytes). A save stamps new versions on the names it touches, so the stored answer stops being valid at that moment:
the next request makes it again, and its new ``ETag`` tells a client holding the old one that it changed. While the
answer is valid, a request repeats none of its queries, and one with a matching ``If-None-Match`` (or an
``If-Modified-Since`` no older than ``Last-Modified``) gets an empty ``304``. Django's
``get_conditional_response`` applies the rules of RFC 9110 (``If-None-Match`` first).

``Last-Modified`` is the whole second in which the answer was made, and is sent only when that second is later than
the last stamp of everything it shows: a change in that same second could otherwise hide behind an equal date.
Without it the ``ETag`` still holds. Answers not stored (the cache off, search results) carry an ``ETag`` only.
"""
from __future__ import annotations

import hashlib
import math
import time
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from ..pages import caching

ENTRY_PREFIX = "articles:api:"
CACHE_CONTROL = "public, no-cache"  # clients and proxies may keep an answer but ask again (cheaply, with a 304)


def _key(request: HttpRequest) -> str:
    """By the whole address, host included: answers hold absolute addresses made from it."""
    return ENTRY_PREFIX + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def _cacheable(request: HttpRequest) -> bool:
    return caching.page_seconds() > 0 and request.method in ("GET", "HEAD")


def last_modified_of(entry: dict) -> int | None:
    """The whole second an entry was made in, or None when a dependency was stamped in that second or later."""
    made = math.floor(entry["made"])
    stamps = [version for version in entry["dependencies"].values() if version is not None]
    if stamps and made < math.ceil(max(stamps) / 1e9):
        return None
    return made


def stored_response(request: HttpRequest) -> HttpResponse | None:
    """The stored answer to this request while everything it shows is unchanged, else None."""
    if not _cacheable(request):
        return None
    entry = caching.valid_entry(_key(request))
    if entry is None:
        return None
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    last_modified = last_modified_of(entry)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["X-Page-Cache"] = "hit"
    return response


def conditional(
    request: HttpRequest,
    response: HttpResponse,
    *,
    dependencies: set[str] | None,
    started: int,
    expires_at: datetime | None,
) -> HttpResponse:
    """``response`` with its validators, stored when it has ``dependencies``; a ``304`` when the client's copy is
    current. ``response`` must be rendered."""
    if response.status_code != 200:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["X-Page-Cache"] = "miss"
        if dependencies is not None and _cacheable(request):
            entry = caching.store_entry(
                _key(request),
                names=dependencies,
                started=started,
                expires_at=expires_at,
                values={
                    "content": response.content,
                    "content_type": response["Content-Type"],
                    "etag": response["ETag"],
                    "made": time.time(),
                },
            )
            if entry is not None and (last_modified := last_modified_of(entry)) is not None:
                response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )


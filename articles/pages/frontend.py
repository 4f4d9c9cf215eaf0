"""The caching proxy in front of the app servers (Varnish): what readers' pages tell it, and how a save purges it.

A page the page cache may keep (``articles.pages.caching``) is also one a shared proxy may keep: it carries
``Cache-Control: public, max-age=0, s-maxage=<the page cache's timeout>`` (the proxy keeps it, browsers ask again
each time, cheaply: its ``ETag`` answers ``304``), and a ``Surrogate-Key`` header listing the dependencies it was
made from (``article:12 similar:12:en home:en site``). When a save stamps dependencies, the stamps are sent to the
proxy too, once the save commits: it forgets exactly the pages whose keys name them (Wagtail's frontend-cache
invalidation does the same for Varnish, Cloudflare and CloudFront). Every other response (an editor's, a
translator's, anything with a session or a message) is ``private``: the proxy never keeps it.

The proxy is the setting ``ARTICLES_FRONTEND_CACHE`` (none by default). The one backend is Varnish with the VCL of
``deploy/varnish/ankasam.vcl``: one ``BAN`` request per 100 names with ``X-Ban-Keys``, a regular expression over the
``Surrogate-Key`` header. A proxy that cannot be reached is logged and skipped: the save stands, and its pages
expire there after ``s-maxage`` at the latest.
"""
from __future__ import annotations

import hashlib
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from ..conf import app_settings

logger = logging.getLogger(__name__)

SURROGATE_KEY = "Surrogate-Key"
BAN_KEYS = "X-Ban-Keys"
NAMES_PER_BAN = 100
TIMEOUT = 2


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def mark_shared(response: HttpResponse, *, names: Iterable[str], etag: str, seconds: int) -> None:
    """Let a shared proxy keep ``response`` for ``seconds``, keyed by the dependencies ``names``."""
    response["Cache-Control"] = f"public, max-age=0, s-maxage={max(0, int(seconds))}"
    response["ETag"] = etag
    response[SURROGATE_KEY] = " ".join(sorted(names))


def mark_private(response: HttpResponse) -> None:
    """Keep ``response`` out of every shared cache (an editor's page, a page made while its content changed)."""
    del response[SURROGATE_KEY]
    patch_cache_control(response, private=True, no_cache=True)


def frontend_purge(names: Iterable[str]) -> None:
    """Make the proxy forget every page that depends on any of ``names``."""
    config = app_settings.FRONTEND_CACHE
    names = sorted(set(names))
    if not config or not names:
        return
    if config.get("BACKEND") != "varnish":
        raise ValueError(f"ARTICLES_FRONTEND_CACHE: unknown BACKEND {config.get('BACKEND')!r} (known: 'varnish')")
    for location in config.get("LOCATIONS", ()):
        for start in range(0, len(names), NAMES_PER_BAN):
            _ban(location, names[start:start + NAMES_PER_BAN])


def ban_expression(names: list[str]) -> str:
    """A regular expression that matches a ``Surrogate-Key`` header naming any of ``names`` as a whole word."""
    # No spaces: Varnish reads the expression as one word of its ban language.
    return r"(^|\s)(" + "|".join(re.escape(name) for name in names) + r")(\s|$)"


def _ban(location: str, names: list[str]) -> None:
    request = urllib.request.Request(location.rstrip("/") + "/", method="BAN", headers={BAN_KEYS: ban_expression(names)})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the proxy itself, never an HTTP_PROXY
    try:
        with opener.open(request, timeout=TIMEOUT) as answer:
            answer.read()
    except (urllib.error.URLError, OSError) as error:
        logger.warning("The caching proxy at %s was not purged of %d names: %s", location, len(names), error)

"""The read API's rate limit per client address, counted in the shared page cache (``ARTICLES_API_THROTTLE_RATE``)."""
from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from ..conf import app_settings
from ..pages.caching import page_cache


class ClientAddressThrottle(SimpleRateThrottle):
    """REST framework's anonymous throttle with the plugin's rate and cache: every process of the site counts in the
    same cache (Redis in production), so a client cannot multiply its allowance by reaching another worker. The
    address is REST framework's (``REMOTE_ADDR``, or ``X-Forwarded-For`` behind ``NUM_PROXIES`` proxies)."""

    scope = "articles_api"

    @property
    def cache(self):
        return page_cache()

    def get_rate(self) -> str | None:
        return app_settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

"""The production cache: django-redis behind a circuit breaker (``publishing.breaker``).

django-redis alone, told to ignore errors, still waits for every call's socket timeout: a Redis that accepts
connections and never answers cost each cache call a full timeout, and a page makes dozens. Here every call goes
through one breaker per cache: after a failure the calls of the next few seconds are answered at once as if the
cache were empty (``get`` a miss, ``set`` nothing), and the outage is logged once by the breaker instead of once
per call by django-redis.

OPTIONS (besides django-redis's own): ``BREAKER_PAUSE``, the seconds to leave Redis alone after a failure (5).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

from publishing.breaker import CircuitBreaker


class ServiceSkipped(ConnectionError):
    """Redis was not asked: its breaker is open."""


# The client's methods that do not talk to Redis: passed through, so that they neither wait nor count as an answer.
LOCAL_METHODS = frozenset({"close", "make_key", "make_pattern", "encode", "decode", "get_client",
                           "get_client_with_index", "connect", "disconnect"})
# One breaker per cache, shared by the threads of a process (Django makes a cache object per thread).
_breakers: dict[str, CircuitBreaker] = {}


class GuardedClient:
    """The django-redis client with each call passed through the breaker; a skipped or failed call raises
    ``ConnectionInterrupted``, which the backend's ``IGNORE_EXCEPTIONS`` turns into the empty answer."""

    def __init__(self, client, breaker: CircuitBreaker) -> None:
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in LOCAL_METHODS:
            return attribute
        breaker = self._breaker

        def guarded(*args, **kwargs):
            if not breaker.allows_call():
                raise ConnectionInterrupted(connection=None) from ServiceSkipped(breaker.name)
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as error:
                breaker.call_failed(error.__cause__ or error)
                raise
            breaker.call_succeeded()
            return result

        return guarded


class GuardedRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        pause = float(options.pop("BREAKER_PAUSE", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        address = urlsplit(server.split(",")[0])  # named without a password
        name = f"Redis cache {address.hostname}:{address.port or 6379}{address.path}"
        self.breaker = _breakers.get(name) or _breakers.setdefault(name, CircuitBreaker(name, pause=pause))
        self._guarded: GuardedClient | None = None

    @property
    def client(self) -> GuardedClient:
        if self._guarded is None:
            self._guarded = GuardedClient(super().client, self.breaker)
        return self._guarded

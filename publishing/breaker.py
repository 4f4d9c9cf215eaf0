"""A circuit breaker for a shared service (a cache server, a search or storage backend): after a failure, the service
is left alone for a short pause instead of being asked, and waited for, on every call.

A service that accepts connections but never answers costs its full timeout on each call, and a page makes many
calls: without a breaker one page of a black-holed Redis took 30 s and logged thousands of lines. With one, the
first failing call costs one timeout, the calls of the next ``pause`` seconds are skipped at once (the caller
serves without the service: a cache miss, an uncached page), and after the pause one call tries again. The outage
is logged once when it begins and once when the service answers again, never per call.

When the service answers again, ``service_recovered`` is sent (``sender`` is the breaker's name), so that what
could not be written meanwhile can be made good: the page cache forgets every page it kept from before the outage
(``articles.pages.caching``), since the saves of the outage could not stamp their changes on it.

The state is per process (each gunicorn worker finds out for itself) and needs no lock: at worst two threads both
try the service after the pause, or both log the outage's start.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.dispatch import Signal

logger = logging.getLogger(__name__)

service_recovered = Signal()


class CircuitBreaker:
    """Whether ``name`` may be called now, told of each call's outcome by the caller.

    ``clock`` is injectable so that tests step through a pause by counting, not by sleeping.
    """

    def __init__(self, name: str, *, pause: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.pause = pause
        self.clock = clock
        self.failed_at: float | None = None
        self.skipped = 0

    @property
    def is_open(self) -> bool:
        """True during an outage (the last call failed), whether or not the pause is over."""
        return self.failed_at is not None

    def allows_call(self) -> bool:
        """False while the pause after a failure lasts: skip the service. Counts the calls skipped."""
        if self.failed_at is None or self.clock() - self.failed_at >= self.pause:
            return True
        self.skipped += 1
        return False

    def call_failed(self, error: BaseException) -> None:
        if self.failed_at is None:
            logger.error("%s is unavailable (%s): serving without it, trying again every %s s",
                         self.name, error, self.pause)
            self.skipped = 0
        self.failed_at = self.clock()

    def call_succeeded(self) -> None:
        if self.failed_at is None:
            return
        self.failed_at = None
        logger.warning("%s answers again (%d calls skipped during the outage)", self.name, self.skipped)
        service_recovered.send(sender=self.name)

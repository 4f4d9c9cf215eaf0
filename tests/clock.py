"""A fake clock: in a test, time moves when the test says so, never by waiting for it, and no test reads it."""
from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.utils import timezone

# The page cache in local memory, whose expiry follows ``time.time`` and so the fake clock (Redis keeps its own).
# The embedded setup's stamps cache (``page-stamps``) is replaced too: the whole page cache then follows the clock.
LOCAL_MEMORY_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clock"},
    "page-stamps": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clock-stamps"},
}


@contextmanager
def clock_moved(seconds: float):
    """Inside the block ``timezone.now()`` and ``time.time()`` are ``seconds`` later than they really are."""
    real_time, real_now = time.time, timezone.now
    with mock.patch("time.time", lambda: real_time() + seconds), \
            mock.patch("django.utils.timezone.now", lambda: real_now() + timedelta(seconds=seconds)):
        yield


@contextmanager
def clock_at(moment):
    """Inside the block the clock stands still at ``moment`` (an aware datetime): however slow the machine, the
    code under test sees exactly that time."""
    with mock.patch("time.time", lambda: moment.timestamp()), mock.patch("django.utils.timezone.now", lambda: moment):
        yield

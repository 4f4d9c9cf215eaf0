"""Suite-wide hooks: tests marked ``postgres`` run only against PostgreSQL and say so when they are skipped."""
from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://user@host:5432/name")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with empty caches: a page cached by one test must not answer another's request. (A
    database cache, such as the embedded setup's page stamps, is emptied with each test's rollback.)"""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from articles.pages.stamps import DatabaseStampCache

    for cache in caches.all():
        if not isinstance(cache, (DatabaseCache, DatabaseStampCache)):
            cache.clear()
    yield

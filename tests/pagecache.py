"""What a page served from the page cache may cost: no query, but in the embedded setup (pages per process, their
dependencies' versions shared in the database: ankasam_site/settings) the one read of those versions."""
from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext


def stamps_table() -> str | None:
    alias = getattr(settings, "ARTICLES_PAGE_STAMPS_ALIAS", "")
    stamps = settings.CACHES.get(alias) if alias else None
    if stamps and stamps["BACKEND"].endswith(".DatabaseStampCache"):
        from articles.models import PageStamp

        return PageStamp._meta.db_table
    if stamps and stamps["BACKEND"].endswith(".DatabaseCache"):
        return stamps["LOCATION"]
    return None


@contextmanager
def only_the_stamps_read(test):
    with CaptureQueriesContext(connection) as queries:
        yield
    table = stamps_table()
    others = [query["sql"] for query in queries if not (table and f'"{table}"' in query["sql"])]
    test.assertEqual(others, [], "a cached page makes no query but the read of its dependencies' versions")
    test.assertLessEqual(len(queries), 1 if table else 0, [query["sql"] for query in queries])


@contextmanager
def page_made_with(test, count: int):
    """``count`` queries to make a page, besides (embedded setup) the one read of the versions it is stored with."""
    with CaptureQueriesContext(connection) as queries:
        yield
    table = stamps_table()
    own = [query["sql"] for query in queries if not (table and f'"{table}"' in query["sql"])]
    test.assertEqual(len(own), count, "\n".join(own))
    test.assertLessEqual(len(queries) - len(own), 1)

"""The page cache's dependency stamps in a table of the site's own database: the embedded setup's shared store.

Without Redis each process keeps its pages in its own memory; what keeps them right is the version ("stamp") of
every dependency they show, which every process must read from one place (``articles.pages.caching``). Django's
database cache could hold them, but it writes key by key, each in a savepoint of its own after counting the whole
table to cull it: an editor's save, which stamps a dozen names, cost some sixty queries. Here the stamps are rows of
``PageStamp``: a save writes all its names in one upsert, a page reads all its names in one ``IN`` query, and
nothing is ever culled (a forgotten stamp would only make pages again).

Only what the page cache keeps here is supported: integer versions under string keys, no expiry.
"""
from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


def _stamps():
    from ..models import PageStamp  # the cache is made before the apps are ready

    return PageStamp.objects


class DatabaseStampCache(BaseCache):
    """``CACHES`` backend ``articles.pages.stamps.DatabaseStampCache`` for ``ARTICLES_PAGE_STAMPS_ALIAS``."""

    def __init__(self, location, params):
        super().__init__(params)

    def get_many(self, keys, version=None) -> dict:
        keys = list(keys)
        if not keys:
            return {}
        return dict(_stamps().filter(name__in=keys).values_list("name", "version"))

    def get(self, key, default=None, version=None):
        return self.get_many([key]).get(key, default)

    def has_key(self, key, version=None) -> bool:
        return _stamps().filter(name=key).exists()

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        from ..models import PageStamp

        rows = [PageStamp(name=name, version=int(value)) for name, value in sorted(data.items())]  # one lock order
        if rows:
            _stamps().bulk_create(rows, update_conflicts=True, unique_fields=["name"], update_fields=["version"])
        return []

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self.set_many({key: value})

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        from ..models import PageStamp

        return bool(_stamps().bulk_create([PageStamp(name=key, version=int(value))], ignore_conflicts=True)) and (
            self.get(key) == int(value)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self.has_key(key)

    def delete(self, key, version=None) -> bool:
        return _stamps().filter(name=key).delete()[0] > 0

    def delete_many(self, keys, version=None) -> None:
        _stamps().filter(name__in=list(keys)).delete()

    def clear(self) -> None:
        _stamps().all().delete()

"""The search backend: one interface (``base.SearchBackend``) the pages use, one implementation per engine.

``ARTICLES_SEARCH_BACKEND`` names the class (a dotted path); left empty, the database's own full-text engine is
used: ``postgresql.PostgresSearchBackend`` (a stored ``tsvector`` with GIN indexes) or ``sqlite.SqliteSearchBackend``
(FTS5). A site that outgrows its database points the setting at a class of its own, for a search server, that
implements the same methods.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils.module_loading import import_string

from ...conf import app_settings
from .base import SearchBackend, SearchResults

__all__ = ["SearchBackend", "SearchResults", "search_backend"]

DATABASE_BACKENDS = {
    "postgresql": "articles.search.backends.postgresql.PostgresSearchBackend",
    "sqlite": "articles.search.backends.sqlite.SqliteSearchBackend",
}
_instances: dict[str, SearchBackend] = {}


def search_backend() -> SearchBackend:
    """The configured backend (one instance per class: backends keep no state between searches)."""
    from ...models import SearchEntry

    path = app_settings.SEARCH_BACKEND
    if not path:
        vendor = connections[router.db_for_read(SearchEntry)].vendor
        if vendor not in DATABASE_BACKENDS:
            raise ImproperlyConfigured(
                f"The search has no backend for the {vendor} database: set ARTICLES_SEARCH_BACKEND to one."
            )
        path = DATABASE_BACKENDS[vendor]
    if path not in _instances:
        _instances[path] = import_string(path)()
    return _instances[path]

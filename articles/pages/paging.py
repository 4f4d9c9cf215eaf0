"""Pages of a list of articles that cost the same at any depth: "older" and "newer" links by keyset.

Django's paginator counts the whole list to number its pages and skips every row before a page (``OFFSET``): at
100,000 articles the home page counted 90,000 rows and page 4,500 read 45,000 to throw them away. Here a page is
named by the article it continues from: ``?before=<id>`` lists the articles published before that one
(``ArticleQuerySet.before``, an indexed walk from its date), ``?after=<id>`` the ones after it; one row more than a
page says whether there is another. Old ``?page=N`` links (search engines know them) are sent once, permanently, to
the keyset address of the same articles.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, QueryDict

OLDER, NEWER, PAGE = "before", "after", "page"


class MovedTo(Exception):
    """The page asked for lives at another address (``url``)."""

    def __init__(self, url: str, *, permanent: bool) -> None:
        super().__init__(url)
        self.url = url
        self.permanent = permanent


@dataclass
class KeysetPage:
    """One page of a list: its articles and the addresses of the pages around it (None: there is none)."""

    object_list: list
    older_url: str | None
    newer_url: str | None
    cursor: dict  # what names this page in its address (the canonical URL keeps it); empty on the first page

    def has_next(self) -> bool:
        return self.older_url is not None

    def has_previous(self) -> bool:
        return self.newer_url is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()


def _cursor(params: QueryDict, name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):  # "²" is a digit to ``isdigit`` and not to ``int``
        raise Http404("Not a page of this list.")
    return int(value)


def _url(path: str, params: QueryDict, **cursor) -> str:
    query = params.copy()
    for name in (OLDER, NEWER, PAGE):
        query.pop(name, None)
    query.update(cursor)
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def keyset_page(queryset, *, path: str, params: QueryDict, size: int) -> KeysetPage:
    """The page of ``queryset`` (newest first: articles, or a ``listing.ReleasedList``, which answers the same
    ``before``/``after``, slices and ``values_list("pk", flat=True)``) that ``params`` names; Http404 for a page
    that is not there."""
    older, newer, number = _cursor(params, OLDER), _cursor(params, NEWER), _cursor(params, PAGE)
    if number is not None and number != 1:
        if number < 1 or older is not None or newer is not None:
            raise Http404("Not a page of this list.")
        last_before = list(queryset.values_list("pk", flat=True)[(number - 1) * size - 1 : (number - 1) * size])
        if not last_before:
            raise Http404("Not a page of this list.")
        raise MovedTo(_url(path, params, **{OLDER: last_before[0]}), permanent=True)
    if older is not None and newer is not None:
        raise Http404("Not a page of this list.")
    if older is None and newer is None:
        rows = list(queryset[: size + 1])
        return KeysetPage(rows[:size], _older(path, params, rows, size), None, {})
    anchor = queryset.model._default_manager.filter(pk=older or newer).values_list("published_at", flat=True).first()
    if anchor is None:
        raise Http404("Not a page of this list.")
    if older is not None:
        rows = list(queryset.before(anchor, older)[: size + 1])
        newer_url = _url(path, params, **{NEWER: rows[0].pk}) if rows else None
        return KeysetPage(rows[:size], _older(path, params, rows, size), newer_url, {OLDER: older})
    rows = list(queryset.after(anchor, newer)[: size + 1])
    if len(rows) <= size:  # the newest articles: the list's own first page
        raise MovedTo(_url(path, params), permanent=False)
    shown = rows[:size][::-1]
    return KeysetPage(
        shown, _url(path, params, **{OLDER: shown[-1].pk}), _url(path, params, **{NEWER: shown[0].pk}), {NEWER: newer}
    )


def _older(path: str, params: QueryDict, rows: list, size: int) -> str | None:
    return _url(path, params, **{OLDER: rows[size - 1].pk}) if len(rows) > size else None

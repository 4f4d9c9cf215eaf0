"""Keyset pagination: each page ends with a cursor naming the last row's sort key, and the next page starts after it.

A page costs the same at any depth: the next rows are found from the key by the index the order follows (articles
by ``(published_at, id)`` through ``ArticleQuerySet.before``, tags by id), never by counting or skipping the rows
before them (no ``OFFSET``, no ``COUNT`` over the archive). A cursor is the key as URL-safe base64 JSON; one the
API did not give out is refused with a clear 400 (``errors.BadCursor``), never a traceback.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.utils.urls import replace_query_param

from .errors import BadCursor

CURSOR_PARAMETER = "cursor"
MAX_CURSOR_LENGTH = 200


def encode(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor()
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor() from None
    if not isinstance(key, dict):
        raise BadCursor()
    return key


def _identifier(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise BadCursor()
    return value


def _moment(value) -> datetime:
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadCursor()
    return moment


def _rank(value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise BadCursor()
    return float(value)


def _cursor(request) -> str | None:
    """The cursor asked for; an empty one (``?cursor=``) asks for the first page."""
    return request.query_params.get(CURSOR_PARAMETER) or None


def date_key(request) -> tuple[datetime, int] | None:
    """The ``(published_at, id)`` an article page starts after, or None on the first page."""
    cursor = _cursor(request)
    if cursor is None:
        return None
    key = _decode(cursor)
    return _moment(key.get("d")), _identifier(key.get("i"))


def ranked_key(request) -> tuple[float, datetime, int] | None:
    """The ``(rank, published_at, id)`` a page of search results starts after, or None on the first page."""
    cursor = _cursor(request)
    if cursor is None:
        return None
    key = _decode(cursor)
    return _rank(key.get("r")), _moment(key.get("d")), _identifier(key.get("i"))


def id_key(request) -> int | None:
    """The id a page of tags starts after, or None on the first page."""
    cursor = _cursor(request)
    if cursor is None:
        return None
    return _identifier(_decode(cursor).get("i"))


def page(request, rows: list, size: int, key_of) -> tuple[list, str | None]:
    """``rows`` (read one past ``size``) cut to a page, and the absolute address of the next page, if there is one."""
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    next_url = replace_query_param(request.build_absolute_uri(), CURSOR_PARAMETER, encode(key_of(rows[-1])))
    return rows, next_url

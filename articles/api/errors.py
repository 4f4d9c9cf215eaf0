"""The read API's errors: JSON ``{"detail": …, "code": …}`` with a message in the language asked for (or the
reader's, when the language itself is what was wrong), never an HTML page or a traceback."""
from __future__ import annotations

import math

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.response import Response


class UnknownLanguage(exceptions.NotFound):
    default_detail = _("This language is not one the site publishes in.")
    default_code = "unknown_language"


class NotPublished(exceptions.NotFound):
    default_detail = _("Nothing is published at this address in this language.")
    default_code = "not_found"


class BadCursor(exceptions.ParseError):
    default_detail = _("This cursor is not one the API gave out: start again from the first page.")
    default_code = "bad_cursor"


class MissingQuery(exceptions.ParseError):
    default_detail = _("Give the words to search for in the q parameter.")
    default_code = "missing_query"


class RateLimited(exceptions.Throttled):
    default_code = "throttled"

    def __init__(self, wait: float | None = None):
        seconds = max(1, math.ceil(wait or 1))
        super().__init__(
            wait=seconds,
            detail=ngettext(
                "Too many requests from your address: try again in %(seconds)d second.",
                "Too many requests from your address: try again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
        )


def handle_exception(exc: Exception, context: dict) -> Response | None:
    """Every error of the API as JSON; an unknown slug (``Http404``) says so in the reader's language."""
    if isinstance(exc, Http404):
        exc = NotPublished()
    if isinstance(exc, exceptions.Throttled) and not isinstance(exc, RateLimited):
        exc = RateLimited(exc.wait)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        detail = exceptions.ErrorDetail(str(exc.default_detail), code=exc.default_code)
    return Response(
        {"detail": str(detail), "code": getattr(detail, "code", None) or exc.default_code},
        status=exc.status_code,
        headers=headers,
    )

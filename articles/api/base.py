"""The read API's base view: everything REST framework needs, set on the view itself (no authentication, JSON only,
the plugin's throttle, error handler and schema class), and what every answer gets: the language of its path,
validators and a ``304`` from the page cache (``conditional``), CORS headers; and the schema's common parts."""
from __future__ import annotations

import time

from django.conf import settings
from django.utils import translation
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from publishing.languages import language_codes

from ..conf import app_settings
from . import conditional, cursors, errors, serializers
from .presenting import Presenter
from .throttling import ClientAddressThrottle

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}


class ReadSchema(AutoSchema):
    """drf-spectacular's schema of an endpoint, named by the view's ``operation_id``."""

    def get_operation_id(self) -> str:
        return self.view.operation_id


class JSONOnly(BaseContentNegotiation):
    """The API speaks JSON whatever ``Accept`` says: no 406 for a client that asks for HTML or nothing in particular."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def language_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "language", str, OpenApiParameter.PATH, enum=language_codes(), description="The language to read in."
    )


CURSOR_PARAMETER = OpenApiParameter(
    cursors.CURSOR_PARAMETER, str, description="Where the page starts: the cursor in the previous page's next address."
)
ERRORS = {
    304: OpenApiResponse(description="Not modified: the copy named by If-None-Match or If-Modified-Since is current."),
    404: OpenApiResponse(serializers.ErrorSerializer, description="An unknown language, or nothing published here."),
    429: OpenApiResponse(serializers.ErrorSerializer, description="Too many requests from this address (Retry-After)."),
}
PAGED_ERRORS = {
    **ERRORS,
    400: OpenApiResponse(serializers.ErrorSerializer, description="A cursor the API did not give out."),
}


def read_schema(response, *, operation_id: str, summary: str, parameters=(), errors=ERRORS, paged: bool = False):
    """The endpoint's schema: its language, its parameters, its answer and the errors it may give."""
    def decorate(view: type) -> type:
        view.operation_id = operation_id
        return extend_schema(
            summary=summary,
            description=summary + ".",
            parameters=[language_parameter(), *([CURSOR_PARAMETER] if paged else []), *parameters],
            responses={200: response, **(PAGED_ERRORS if paged else errors)},
        )(view)

    return decorate


class ReadView(APIView):
    """A public, read-only JSON endpoint of the API in one language of the site (the URL's ``language``).

    Everything REST framework needs is set here, not in the host's ``REST_FRAMEWORK`` settings: no authentication
    (nothing here depends on who asks, so no session or CSRF either), JSON only, the plugin's throttle and error
    handler, drf-spectacular's schema. Subclasses implement ``read``, which returns the answer's data and sets
    ``dependencies`` (None: not stored) and ``expires_at``.
    """

    authentication_classes: tuple = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    parser_classes: tuple = ()
    content_negotiation_class = JSONOnly
    throttle_classes = (ClientAddressThrottle,)
    schema = ReadSchema()
    operation_id = ""
    serializer_class: type | None = None
    language_in_path = True

    dependencies: set[str] | None = None
    expires_at = None
    started = 0

    def get_exception_handler(self):
        return errors.handle_exception

    def dispatch(self, request, *args, **kwargs):
        language = kwargs.get("language")
        if language in language_codes():
            with translation.override(language):
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.language_in_path and kwargs.get("language") not in language_codes():
            raise errors.UnknownLanguage()

    def get(self, request, *args, **kwargs):
        stored = conditional.stored_response(request)
        if stored is not None:
            return stored
        self.started = time.time_ns()
        data = self.read(request, Presenter(request, kwargs.get("language") or settings.LANGUAGE_CODE), **kwargs)
        return Response(self.serializer_class(data).data)

    def options(self, request, *args, **kwargs):
        """A browser's preflight before a cross-origin request with headers of its own (``If-None-Match``)."""
        return Response(status=204)

    def read(self, request, present: Presenter, **kwargs) -> dict:
        raise NotImplementedError

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and not response.is_rendered:
            response.render()
        response = conditional.conditional(
            request, response, dependencies=self.dependencies, started=self.started, expires_at=self.expires_at
        )
        for header, value in CORS_HEADERS.items():
            response[header] = value
        if request.method == "OPTIONS":
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since, Accept, Accept-Language"
            response["Access-Control-Max-Age"] = str(app_settings.API_CORS_MAX_AGE)
        return response

"""The OpenAPI 3 schema of the read API (drf-spectacular) and its documentation page (Swagger UI from
drf-spectacular-sidecar's static files: nothing is loaded from a CDN, and its script is a file of its own, so a
Content-Security-Policy without inline scripts lets it run)."""
from __future__ import annotations

from django.templatetags.static import static
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from .base import ReadView


SCHEMA_SETTINGS = {
    "TITLE": "Read API",
    "DESCRIPTION": (
        "The published articles, authors, tags and categories, per language: only what readers of that language "
        "may see. Lists are paged by cursor (follow `next`). Answers carry `ETag` (and, when it is certain, "
        "`Last-Modified`): send `If-None-Match` to get an empty `304 Not Modified` while nothing changed. Every "
        "origin may read it (CORS); each client address may make a limited number of requests a minute (`429` "
        "with `Retry-After` past it). Errors are JSON: `{\"detail\": …, \"code\": …}`."
    ),
    "VERSION": "1",
    "PREPROCESSING_HOOKS": ["articles.api.schema.only_this_api"],
}


def only_this_api(endpoints):
    """The schema describes this API's endpoints only: not itself or its documentation page, nor a host's own REST
    framework APIs (whose schema classes may be others)."""
    return [endpoint for endpoint in endpoints if issubclass(endpoint[3].cls, ReadView)]


class NotDescribed(AutoSchema):
    """The schema and documentation views are not operations of the API. Their own ``get`` methods carry an
    exclusion made with REST framework's default schema class, which drf-spectacular cannot use unless a host
    names it in ``REST_FRAMEWORK``: so ``get`` is overridden undecorated and excluded here."""

    def is_excluded(self) -> bool:
        return True


class SchemaView(SpectacularAPIView):
    authentication_classes: tuple = ()
    permission_classes = (AllowAny,)
    schema = NotDescribed()
    custom_settings = SCHEMA_SETTINGS

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes: tuple = ()
    permission_classes = (AllowAny,)
    schema = NotDescribed()
    url_name = "articles_api:schema"
    title = "Read API"

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")

"""Template helpers for the ``<head>``: canonical address, OpenGraph locales, absolute URLs (the tags themselves are
written by ``articles/templates/articles/includes/social_meta.html``)."""
from __future__ import annotations

from urllib.parse import urlencode

from django import template

from ..pages.seo import og_locale as _og_locale
from ..pages.seo import publisher_name as _publisher_name

register = template.Library()


@register.filter
def og_locale(language: str) -> str:
    """``tr`` → ``tr_TR``, the form OpenGraph's ``og:locale`` takes."""
    return _og_locale(language)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's one address: absolute, without tracking or sorting parameters; later pages keep ``?page=``
    (``?before=``/``?after=`` on the keyset-paged lists).

    The search page keeps its query, the only thing that makes one search page differ from another.
    """
    request = context["request"]
    kept = {}
    if request.GET.get("q"):
        kept["q"] = request.GET["q"]
    page = context.get("page_obj")
    if hasattr(page, "cursor"):  # a keyset page (``articles.pages.paging``) is named by the article it continues from
        kept.update(page.cursor)
    elif page is not None and page.number > 1:
        kept["page"] = page.number
    query = f"?{urlencode(kept)}" if kept else ""
    return request.build_absolute_uri(request.path) + query


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag
def publisher_name() -> str:
    """``ARTICLES_PUBLISHER_NAME`` (``og:site_name``): empty where the host names no publisher."""
    return _publisher_name()


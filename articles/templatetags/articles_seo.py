"""Template helpers for the ``<head>``: canonical address, OpenGraph locales, absolute URLs."""
from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from ..markup import format_markup, join_markup

from ..seo import PageMeta
from ..seo import og_locale as _og_locale
from ..seo import publisher_name

register = template.Library()


@register.filter
def og_locale(language: str) -> str:
    """``tr`` → ``tr_TR``, the form OpenGraph's ``og:locale`` takes."""
    return _og_locale(language)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's one address: absolute, without tracking or sorting parameters; later pages keep ``?page=``.

    The search page keeps its query, the only thing that makes one search page differ from another.
    """
    request = context["request"]
    kept = {}
    if request.GET.get("q"):
        kept["q"] = request.GET["q"]
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        kept["page"] = page.number
    query = f"?{urlencode(kept)}" if kept else ""
    return request.build_absolute_uri(request.path) + query


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def social_meta(context, meta: PageMeta) -> SafeString:
    """The OpenGraph, Twitter card and ``application/ld+json`` tags of ``meta`` (``articles.seo.PageMeta``).

    Written here rather than in a template: some thirty machine-read tags with a condition each cost an article
    page more than its visible text did, and nobody restyles them.
    """
    language = context.get("LANGUAGE_CODE") or ""
    canonical = canonical_url(context)
    site_name = publisher_name()  # ARTICLES_PUBLISHER_NAME; the tag is left out without one
    tags: list[tuple[str, str, str]] = [("property", "og:site_name", site_name)] if site_name else []
    tags += [  # (attribute, its value, content)
        ("property", "og:type", meta.og_type),
        ("property", "og:title", meta.title),
    ]
    if meta.description:
        tags.append(("property", "og:description", meta.description))
    tags += [("property", "og:url", canonical), ("property", "og:locale", _og_locale(language))]
    tags += [
        ("property", "og:locale:alternate", _og_locale(code))
        for code in context.get("alternate_urls") or ()
        if code != language
    ]
    image = meta.image
    if image:
        tags += [
            ("property", "og:image", image.url),
            ("property", "og:image:type", image.mime_type),
            ("property", "og:image:width", str(image.width)),
            ("property", "og:image:height", str(image.height)),
        ]
        if image.alt:
            tags.append(("property", "og:image:alt", image.alt))
    if meta.published_time:
        tags.append(("property", "article:published_time", localtime(meta.published_time).isoformat()))
    if meta.modified_time:
        tags.append(("property", "article:modified_time", localtime(meta.modified_time).isoformat()))
    tags += [("property", "article:author", url) for url in meta.author_urls]
    if meta.section:
        tags.append(("property", "article:section", meta.section))
    tags += [("property", "article:tag", tag) for tag in meta.tags]
    tags += [("name", "twitter:card", "summary_large_image" if image else "summary"), ("name", "twitter:title", meta.title)]
    if meta.description:
        tags.append(("name", "twitter:description", meta.description))
    if image:
        tags.append(("name", "twitter:image", image.url))
        if image.alt:
            tags.append(("name", "twitter:image:alt", image.alt))
    html = join_markup('<meta {}="{}" content="{}">', tags, "\n  ")
    if meta.structured_data:
        html += mark_safe("\n  ") + format_markup(
            '<script type="application/ld+json">{}</script>', meta.structured_data_json
        )
    return html

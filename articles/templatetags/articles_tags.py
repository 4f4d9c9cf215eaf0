"""Template helpers of the articles app: the data the templates need (language alternates, addresses) and the two
transformations of stored text (footnote links in a body, search matches marked).

The markup itself lives in the templates (``articles/templates/articles/includes/``); these helpers return data,
or text escaped by Django (``format_html``, ``conditional_escape``).
"""
from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from publishing.translated import language_url

from ..footnotes import link_footnotes

register = template.Library()


@register.filter
def footnotes(html: str, references) -> str:
    """The body with every marker that has a reference linked to it (``references`` are Reference objects)."""
    return mark_safe(link_footnotes(html, {reference.marker for reference in references}))


@register.simple_tag(takes_context=True)
def language_choices(context) -> list[tuple[str, str, str, bool]]:
    """``(code, name, address, is_current)`` for the header's language switcher: this page in each language
    (``alternate_urls``), or that language's home where the page does not exist in it."""
    alternates = context.get("alternate_urls") or {}
    current = get_language()
    return [
        (code, name, alternates[code] if code in alternates else language_url("articles:index", code), code == current)
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def alternate_links(context) -> list[tuple[str, str]]:
    """``(hreflang, absolute address)`` for each language of the page (``alternate_urls``) and ``x-default``."""
    request = context["request"]
    origin = f"{request.scheme}://{request.get_host()}"
    links = [(code, origin + url) for code, url in (context.get("alternate_urls") or {}).items()]
    if context.get("x_default_url"):
        links.append(("x-default", origin + context["x_default_url"]))
    return links


@register.simple_tag
def site_url(url_name: str) -> str:
    """``{% url url_name %}`` for a pattern without arguments, in the page's language, reversed once."""
    return language_url(url_name)


@register.simple_tag
def highlight(text: str, terms) -> str:
    """``text`` with the words that match the search ``terms`` (a ``SearchTerms``) marked, escaped otherwise."""
    return terms.highlight(text or "")


@register.simple_tag
def search_excerpt(article, terms) -> str:
    """A passage of the article's highlights or body around the first match, the matches marked."""
    return terms.excerpt(article.highlights or "", article.body or "")

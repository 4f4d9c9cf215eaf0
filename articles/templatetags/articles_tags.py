"""Template helpers of the articles app: footnote links, language alternates, share links, search highlighting."""
from __future__ import annotations

import functools
from datetime import date, datetime
from urllib.parse import quote

from django import template
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..footnotes import link_footnotes, note_id, ref_id
from ..markup import format_markup, join_markup
from ..models import language_url

register = template.Library()


@register.filter
def footnotes(html: str, references) -> str:
    """The body with every marker that has a reference linked to it (``references`` are Reference objects)."""
    return mark_safe(link_footnotes(html, {reference.marker for reference in references}))


@register.simple_tag
def time_element(value) -> str:
    """``<time datetime="2024-03-18">`` around the day as the page's language writes it (``DATE_FORMAT``).

    One tag for what two ``date`` filters did: the local day is worked out once and formatted as a date, which
    costs a third of formatting the datetime twice; a page shows a dozen of these.
    """
    if not value:
        return ""
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return _day_element(day, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _day_element(day: date, language: str | None) -> str:
    """A day's ``<time>`` in a language: the same few hundred days recur on every page (Similar Posts, lists), and
    Django's date formatting parses its format string again each time."""
    return format_markup('<time datetime="{}">{}</time>', day.isoformat(), formats.date_format(day, "DATE_FORMAT"))


@register.simple_tag
def reference_items(references) -> str:
    """The ``<li>`` items of the reference list: each note with its link back to the text, its address and the day
    it was read (``Erişim Tarihi`` / ``Date of Access``).

    Rendered here rather than by a loop in the template: the seeds carry up to twenty references, and each cost a
    dozen template nodes, more than the article's whole body did.
    """
    # Translators: read by screen readers on the link from a reference back to its marker ([1], [iv]) in the body.
    back_label = gettext("Back to note %(marker)s in the text")
    # Translators: before the day a source was read, as the think-tank's articles write it ("Erişim Tarihi").
    accessed_label = gettext("Date of Access")
    items = []
    for reference in references:
        marker = reference.marker
        tail = []
        if reference.url:
            tail.append(format_markup(
                ', <a class="references__url" href="{}" rel="noopener nofollow">{}</a>', reference.url, reference.url
            ))
        if reference.accessed_on:
            day = reference.accessed_on
            tail.append(format_markup(
                ', ({}: <time datetime="{}">{}</time>)', accessed_label, day.isoformat(), f"{day:%d.%m.%Y}"
            ))
        if tail:
            tail.append(".")
        items.append(format_markup(
            '\n      <li id="{}"><a class="references__back" href="#{}" role="doc-backlink" aria-label="{}">[{}]</a>'
            "\n        {}{}\n      </li>",
            note_id(marker), ref_id(marker), back_label % {"marker": marker}, marker,
            mark_safe(reference.text), mark_safe("".join(tail)),
        ))
    return mark_safe("".join(items))


@register.simple_tag
def author_boxes(authors) -> str:
    """A box for each author: the name linking to the author's page and the bio in the page's language, or the
    Turkish source (marked with its ``lang``) where the bio has no translation.

    Rendered here rather than by a loop in the template, for the reason ``reference_items`` gives.
    """
    language = translation.get_language()
    # Translators: read by screen readers as the name of the box with an author's name and bio under an article.
    label = gettext("About the author")
    boxes = []
    for author in authors:
        bio, bio_language = author.bio_for(language)
        bio_markup = ""
        if bio:
            marked = format_markup(' lang="{}"', bio_language) if bio_language != language else ""
            bio_markup = format_markup(
                '\n    <div class="author-box__bio"{}>{}</div>', marked, mark_safe(linebreaks(bio))
            )
        boxes.append(format_markup(
            '\n  <aside class="author-box" aria-label="{}">'
            '\n    <h2><a rel="author" href="{}">{}</a></h2>{}\n  </aside>',
            label, author.get_absolute_url(), author.name, bio_markup,
        ))
    return mark_safe("".join(boxes))


@register.simple_tag
def tag_links(tags) -> str:
    """The article's tags as links to their pages, in the page's language."""
    return join_markup('<a rel="tag" href="{}">{}</a>', ((tag.get_absolute_url(), tag.name) for tag in tags))


@register.simple_tag(takes_context=True)
def language_links(context) -> str:
    """The header's language switcher as ``<li>`` items: this page in each language, or that language's home."""
    alternates = context.get("alternate_urls") or {}
    current = translation.get_language()
    return join_markup(
        '\n          <li><a href="{}" hreflang="{}" lang="{}"{}>{}</a></li>',
        (
            (
                alternates[code] if code in alternates else language_url("articles:index", code),
                code,
                code,
                mark_safe(' aria-current="true"') if code == current else "",
                name,
            )
            for code, name in settings.LANGUAGES
        ),
    )


@register.simple_tag(takes_context=True)
def hreflang_links(context) -> str:
    """``<link rel="alternate" hreflang>`` for each language of the page (``alternate_urls``) and ``x-default``."""
    request = context["request"]
    origin = f"{request.scheme}://{request.get_host()}"
    links = [(code, origin + url) for code, url in (context.get("alternate_urls") or {}).items()]
    if context.get("x_default_url"):
        links.append(("x-default", origin + context["x_default_url"]))
    return join_markup('<link rel="alternate" hreflang="{}" href="{}">', links, "\n  ")


@register.simple_tag
def site_url(url_name: str) -> str:
    """``{% url url_name %}`` for a pattern without arguments, in the page's language, reversed once."""
    return language_url(url_name)


SHARE_TARGETS = (
    ("X", "https://x.com/intent/post?url={url}&text={title}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("Telegram", "https://t.me/share/url?url={url}&text={title}"),
    ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
)


@register.simple_tag(takes_context=True)
def share_links(context, title: str) -> str:
    """Plain share links (no third-party scripts) for the current page, as the ``<li>`` items of a list.

    Rendered here, not by a loop in the template: six links with a condition each cost an uncached article page
    more than its body did.
    """
    request = context["request"]
    url = quote(request.build_absolute_uri(), safe="")
    quoted_title = quote(title or "", safe="")
    items = [
        (pattern.format(url=url, title=quoted_title), mark_safe(' target="_blank"'), name)
        for name, pattern in SHARE_TARGETS
    ]
    items.append((f"mailto:?subject={quoted_title}&body={url}", "", gettext("E-mail")))
    return join_markup('\n      <li><a href="{}" rel="noopener nofollow"{}>{}</a></li>', items)


@register.simple_tag
def article_links(articles) -> str:
    """``<li>`` items linking to ``articles``, each with its title and day: Similar Posts and the like.

    Rendered here for the same reason as the share links: a loop of three lookups an item was a tenth of the page.
    """
    return join_markup(
        '\n    <li><a href="{}">{}</a> {}</li>',
        ((article.get_absolute_url(), article.title, time_element(article.published_at)) for article in articles),
    )


@register.simple_tag
def highlight(text: str, terms) -> str:
    """``text`` with the words that match the search ``terms`` (a ``SearchTerms``) marked, escaped otherwise."""
    return terms.highlight(text or "")


@register.simple_tag
def search_excerpt(article, terms) -> str:
    """A passage of the article's highlights or body around the first match, the matches marked."""
    return terms.excerpt(article.highlights or "", article.body or "")

"""Text rules the plugin applies everywhere: Turkish-aware casing, ASCII slugs, sanitised HTML.

Python's str.upper()/lower() follow the Unicode default, which is wrong for Turkish (``i`` must become ``İ`` and
``I`` must become ``ı``), and Django's ``slugify`` drops ``ı`` and every Cyrillic letter. These helpers are small
on purpose; transliteration and sanitising are delegated to python-slugify and nh3.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import nh3
from slugify import slugify as _transliterating_slugify

_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_TR_LOWER = str.maketrans({"I": "ı", "İ": "i"})


def upper_tr(value: str) -> str:
    """Capitals by Turkish rules: "Çiftçioğlu" -> "ÇİFTÇİOĞLU", "Kızılyazı" -> "KIZILYAZI"."""
    return value.translate(_TR_UPPER).upper()


def lower_tr(value: str) -> str:
    """Lower case by Turkish rules: "KIZILYAZI" -> "kızılyazı", "İSTANBUL" -> "istanbul"."""
    return value.translate(_TR_LOWER).lower()


def title_tr(value: str) -> str:
    """Each word capitalised by Turkish rules: "ÇİFTÇİOĞLU" -> "Çiftçioğlu"."""
    return " ".join(
        "-".join(upper_tr(part[:1]) + lower_tr(part[1:]) for part in word.split("-")) for word in value.split()
    )


def casefold_tr(value: str) -> str:
    """A key for case-insensitive matching that treats İ/i and I/ı as Turkish does."""
    return " ".join(lower_tr(value).split()).casefold()


# Apostrophes join Turkish suffixes to names ("Rusya'nın"), so they vanish instead of splitting the word.
_SLUG_REPLACEMENTS = [["'", ""], ["’", ""], ["ʼ", ""]]


def slugify(value: str, *, max_length: int = 200) -> str:
    """An ASCII slug: Turkish and Cyrillic letters transliterated ("Сближение" -> "sblizhenie")."""
    return _transliterating_slugify(
        value or "", max_length=max_length, word_boundary=True, replacements=_SLUG_REPLACEMENTS
    )


def unique_slug(
    base: str,
    *,
    is_taken: Callable[[str], bool],
    fallback: str = "item",
    max_length: int = 200,
) -> str:
    """The first of ``base``, ``base-2``, ``base-3``… that ``is_taken`` does not claim; never empty."""
    slug = slugify(base, max_length=max_length) or fallback
    candidate, suffix = slug, 2
    while is_taken(candidate):
        tail = f"-{suffix}"
        candidate = f"{slug[: max_length - len(tail)]}{tail}"
        suffix += 1
    return candidate


# --- Sanitising -------------------------------------------------------------------------------------------------
# What editors may use in article bodies, highlights, references and bios. Everything else is removed on save.

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "q", "cite", "abbr",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "span", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "figure", "figcaption",
}
INLINE_TAGS = {"br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "q", "cite", "abbr", "a", "span", "code"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang", "id"},
    "abbr": {"title"},
    "sup": {"id"},
    "li": {"id"},
    "span": {"lang"},
    "p": {"lang"},
    "blockquote": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str | None, *, inline: bool = False) -> str:
    """Markup safe to render: scripts, event handlers, ``javascript:``/``data:`` links, frames and styles go.

    ``inline`` keeps only phrase-level tags, for one-line texts (highlights, references).
    """
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=INLINE_TAGS if inline else ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


_BLOCK_RE = re.compile(r"<\s*(p|ul|ol|h[2-4]|blockquote|table|figure|pre|hr)\b", re.IGNORECASE)


def paragraphs_to_html(paragraphs: Iterable[str]) -> str:
    """Plain-text paragraphs as escaped ``<p>`` blocks, the body format the editor and the importer share."""
    from django.utils.html import escape

    return "\n".join(f"<p>{escape(p.strip())}</p>" for p in paragraphs if p and p.strip())


def ensure_paragraphs(value: str) -> str:
    """Wrap text typed without block markup into paragraphs, one per line, so bodies always render as ``<p>``."""
    if not value or _BLOCK_RE.search(value):
        return value
    return "\n".join(f"<p>{line.strip()}</p>" for line in value.splitlines() if line.strip())

"""Text rules the plugin applies everywhere: Turkish-aware casing, ASCII slugs, sanitised HTML.

Python's str.upper()/lower() follow the Unicode default, which is wrong for Turkish (``i`` must become ``İ`` and
``I`` must become ``ı``) and right for most other languages, where ``I`` is the capital of ``i``; the ``*_in``
helpers apply the rules of the language they are given (``has_turkish_casing``, from ICU's casing data). Django's
``slugify`` drops ``ı`` and every Cyrillic letter. These helpers are small on purpose; casing data, transliteration
and sanitising are delegated to ICU, python-slugify and nh3.
"""
from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

import icu
import nh3
from django.utils.html import strip_tags
from django.utils.translation import gettext as _gettext
from slugify import slugify as _transliterating_slugify

# A footnote marker as written in stored text: ``[1]``, ``[iv]``. Markers stay plain text; pages link them
# (``articles.footnotes``) and translations must keep them (``publishing.workflow.segments``).
FOOTNOTE_MARKER_RE = re.compile(r"\[(?P<marker>\d{1,4}|[ivxlcdm]{1,8})\]")


def footnote_markers(text: str | None) -> list[str]:
    """The footnote markers of ``text`` in order, every occurrence: what a translation must keep, in that order."""
    return [match["marker"] for match in FOOTNOTE_MARKER_RE.finditer(text or "")]

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


@functools.lru_cache(maxsize=64)
def has_turkish_casing(language: str) -> bool:
    """Whether ``language`` pairs ``I`` with dotless ``ı`` and ``İ`` with ``i`` (Turkish, Azerbaijani …), as ICU's
    casing rules for it say."""
    return str(icu.UnicodeString("I").toLower(icu.Locale(language or "und"))) == "ı"


def upper_in(value: str, language: str) -> str:
    """Capitals by the rules of ``language``: Turkish ones where it has Turkish casing ("Kızılyazı" ->
    "KIZILYAZI"), Unicode's elsewhere ("Schmidt" -> "SCHMIDT", where Turkish rules would write "SCHMİDT")."""
    return upper_tr(value) if has_turkish_casing(language) else value.upper()


def casefold_in(value: str, language: str) -> str:
    """A key for case-insensitive matching in ``language``: ``casefold_tr`` where it has Turkish casing; elsewhere
    Unicode's case folding (``I`` = ``i``), with the Turkish capital ``İ`` of names written in any language
    ("İstanbul") folded to a plain ``i`` too, while ``ı`` stays a letter of its own."""
    if has_turkish_casing(language):
        return casefold_tr(value)
    return " ".join(value.replace("İ", "i").split()).casefold()


def case_variants(value: str, languages: Iterable[str]) -> set[str]:
    """``value`` as a name may be written in each of ``languages``: as typed, in lower case, in capitals and
    capitalised, each by the language's rules ("кор" -> "кор", "КОР", "Кор"; "istanbul" -> "İstanbul" in Turkish).

    For matching names where the database cannot ignore case: SQLite's ``LIKE`` folds only ASCII letters, and
    PostgreSQL's ``UPPER`` folds by the server's locale, which knows no Turkish İ/i. Names are written in one
    of these forms, so trying each finds them whatever case the editor types in.
    """
    variants = {value}
    for language in languages:
        turkish = has_turkish_casing(language)
        lower = lower_tr(value) if turkish else value.lower()
        upper = upper_in(value, language)
        capitalised = (upper_tr(lower[:1]) if turkish else lower[:1].upper()) + lower[1:]
        variants |= {lower, upper, capitalised}
    return variants


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

# The HTML parser behind nh3 spends time growing with the square of the nesting depth of block elements
# (40,000 nested <div>s take seconds), and the depth can only be as large as the number of "<" in the text. A real
# article has a few hundred tags; these limits leave ample room for long reports and keep every save fast.
MAX_HTML_LENGTH = 500_000  # characters
MAX_HTML_TAGS = 5_000  # "<" characters, an upper bound of tags, comments and the nesting depth


def validate_html_size(value: str | None) -> None:
    """Refuse rich text too long or with too much markup, so that an editor sees a form error instead of a slow save."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    if not value:
        return
    if len(value) > MAX_HTML_LENGTH:
        raise ValidationError(
            _("The text is too long (%(length)s characters; the limit is %(limit)s)."),
            code="too_long",
            params={"length": f"{len(value):,}", "limit": f"{MAX_HTML_LENGTH:,}"},
        )
    if value.count("<") > MAX_HTML_TAGS:
        raise ValidationError(
            _("The text has too much markup (more than %(limit)s tags)."),
            code="too_many_tags",
            params={"limit": f"{MAX_HTML_TAGS:,}"},
        )


def sanitize_html(value: str | None, *, inline: bool = False) -> str:
    """Markup safe to render: scripts, event handlers, ``javascript:``/``data:`` links, frames and styles go.

    ``inline`` keeps only phrase-level tags, for one-line texts (highlights, references). Text with more markup
    than :data:`MAX_HTML_TAGS` never reaches the parser: it is kept as plain text without its "<" characters, so
    no tag can open, in linear time and without growing (forms refuse such text first, with
    :func:`validate_html_size`; this guards every other way in).
    """
    if not value:
        return ""
    if value.count("<") > MAX_HTML_TAGS:
        return value.replace("<", "").strip()
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
    from django.utils.html import format_html_join

    return format_html_join("\n", "<p>{}</p>", ((p.strip(),) for p in paragraphs if p and p.strip()))


def ensure_paragraphs(value: str) -> str:
    """Wrap text typed without block markup into paragraphs, one per line, so bodies always render as ``<p>``."""
    if not value or _BLOCK_RE.search(value):
        return value
    return "\n".join(f"<p>{line.strip()}</p>" for line in value.splitlines() if line.strip())


def plain_text(markup: str) -> str:
    """Text a reader sees in stored HTML (bodies, highlights), entities decoded."""
    return " ".join(html.unescape(strip_tags(markup or "")).split())


# Elements without content or end tag, as translators write them in a text.
VOID_TAGS = {"br", "hr", "img", "wbr"}


class MarkupCheck(HTMLParser):
    """The tags of a translated text in order: which are used, how many paragraphs, which are left open or closed
    without being opened (``problems``, in the translator's language). One check for the segment editor
    (``publishing.workflow.segments``) and the PO/XLIFF import (``articles.exchange.checks``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.paragraphs = 0
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "p":
            self.paragraphs += 1
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if tag in self.open:
            while self.open:
                opened = self.open.pop()
                if opened == tag:
                    break
                self.problems.append(_gettext("the tag <%(tag)s> is not closed") % {"tag": opened})
        else:
            self.problems.append(_gettext("</%(tag)s> closes a tag that is not open") % {"tag": tag})

    def finish(self) -> list[str]:
        self.close()
        self.problems += [_gettext("the tag <%(tag)s> is not closed") % {"tag": tag} for tag in reversed(self.open)]
        self.open = []
        return self.problems


def markup_check(text: str) -> MarkupCheck:
    """``text``'s tags read and checked (:class:`MarkupCheck`)."""
    check = MarkupCheck()
    check.feed(text or "")
    check.finish()
    return check

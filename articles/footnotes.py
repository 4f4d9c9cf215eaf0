"""Footnote links: ``[1]`` or ``[iv]`` in a body becomes a link to its reference, and the reference links back.

Markers stay plain text in the stored body (so translators and PO/XLIFF files see ``[1]``, not markup); the links
are made when the page is rendered, only for markers that have a reference.
"""
from __future__ import annotations

import re
from collections.abc import Collection

from django.utils.html import format_html

from publishing.text import FOOTNOTE_MARKER_RE as MARKER_RE

_TAG_RE = re.compile(r"(<[^>]*>)")


def note_id(marker: str) -> str:
    return f"fn-{marker}"


def ref_id(marker: str, occurrence: int = 1) -> str:
    return f"fnref-{marker}" if occurrence == 1 else f"fnref-{marker}-{occurrence}"


def link_footnotes(html: str, markers: Collection[str]) -> str:
    """Wrap each known marker of sanitised ``html`` in a link to its note; text inside tags is left alone."""
    occurrences: dict[str, int] = {}

    def link(match: re.Match[str]) -> str:
        marker = match.group("marker")
        if marker not in markers:
            return match.group(0)
        occurrences[marker] = occurrences.get(marker, 0) + 1
        return format_html(
            '<sup class="footnote-ref" id="{}"><a href="#{}" role="doc-noteref">[{}]</a></sup>',
            ref_id(marker, occurrences[marker]),
            note_id(marker),
            marker,
        )

    parts = _TAG_RE.split(html or "")
    return "".join(part if part.startswith("<") else MARKER_RE.sub(link, part) for part in parts)

"""Segments: the pieces a translator works on, smaller than the units of ``publishing.workflow.units``.

A unit is a whole field (``article:12:body``); a 6,000-character body is one unit but thirty paragraphs. Models
say how their fields split in ``translation_segments`` (``{"highlights": LINES, "body": BLOCKS}``); any other
field is one segment. A segment's id is its unit's id, with the position for a split field:
``article:12:body:3`` (the third block of the body), ``article:12:highlights:2``, ``article:12:title``.

- ``LINES``: one segment per non-empty line (highlights).
- ``INLINE_TEXT``: one segment with inline formatting only (a reference's text).
- ``BLOCKS``: one segment per top-level block of sanitised HTML. A paragraph or heading (``PHRASE_BLOCKS``) is
  translated as its inner HTML, with inline formatting only, and the source's tag wraps it again; another block
  (a list, a table, a quotation) is translated whole; a block without words (``<hr>``) is copied. A text that is
  not a clean sequence of blocks is one segment.

The target is read by the same split and aligned by position; when an editor inserts, removes or moves source
paragraphs, ``publishing.workflow.alignment`` rearranges the translations in the same write, so that a position
keeps meaning the same paragraph. A target whose split does not line up with the source's (edited by hand into
another number of paragraphs) is *misaligned*: its segments are shown but not saved one by one, so nothing of it
is lost. Empty target paragraphs are kept as ``<p></p>`` while others are translated, so positions hold; empty
lines cannot be stored, so highlights are translated in order.

The fingerprint of a segment (:func:`segment_hash`) is what ``TranslationState.segment_hashes`` keeps per segment:
a segment is *outdated* when it is translated and its source changed since it was saved.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.text import ALLOWED_TAGS, INLINE_TAGS, VOID_TAGS, footnote_markers, markup_check, plain_text

from . import units

SINGLE, LINES, BLOCKS, INLINE_TEXT = "single", "lines", "blocks", "inline"
# What markup the target of a segment may carry.
PLAIN, INLINE, BLOCK = "plain", "inline", "block"
PHRASE_BLOCKS = {"p", "h2", "h3", "h4"}
UNTRANSLATED, TRANSLATED, OUTDATED = "untranslated", "translated", "outdated"
STATE_LABELS = {
    UNTRANSLATED: gettext_lazy("untranslated"),
    TRANSLATED: gettext_lazy("translated"),
    OUTDATED: gettext_lazy("outdated"),
}


def segmentation(model: type[models.Model], field: str) -> str:
    return getattr(units._real_model(model), "translation_segments", {}).get(field, SINGLE)


def segment_hash(text: str) -> str:
    """The fingerprint of one source segment: equal exactly when it says the same thing (spacing aside)."""
    return hashlib.sha256(" ".join((text or "").split()).encode("utf-8")).hexdigest()[:16]


# --- Splitting --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One part of a split text: what is translated (``text``), how it goes back (``tag`` wraps a phrase block),
    and whether it is translated at all (a block without words is copied)."""

    text: str
    tag: str = ""
    translatable: bool = True
    kind: str = INLINE


class _BlockSplitter(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.depth = 0
        self.blocks: list[tuple[str, int, int, int, int]] = []
        self.stray = False
        self._open: tuple[str, int, int] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            self.handle_startendtag(tag, attrs)
            return
        if self.depth == 0:
            start = self._offset()
            self._open = (tag, start, start + len(self.get_starttag_text()))
        self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            start = self._offset()
            end = start + len(self.get_starttag_text())
            self.blocks.append((tag, start, end, end, end))
            self.stray = self.stray or tag != "hr"

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        self.depth -= 1
        if self.depth < 0:
            self.stray, self.depth = True, 0
        elif self.depth == 0 and self._open:
            name, start, inner_start = self._open
            inner_end = self._offset()
            end = self.text.find(">", inner_end) + 1
            self.blocks.append((name, start, inner_start, inner_end, end))
            self.stray = self.stray or name != tag or name not in ALLOWED_TAGS
            self._open = None

    def handle_data(self, data):
        if self.depth == 0 and data.strip():
            self.stray = True

    def handle_entityref(self, name):
        if self.depth == 0:
            self.stray = True

    handle_charref = handle_entityref


def split_blocks(text: str) -> list[Piece] | None:
    """The top-level blocks of ``text``, or None when it is not a clean sequence of blocks."""
    splitter = _BlockSplitter(text)
    splitter.feed(text)
    splitter.close()
    if splitter.stray or splitter.depth or not splitter.blocks:
        return None
    pieces = []
    for tag, start, inner_start, inner_end, end in splitter.blocks:
        if tag in PHRASE_BLOCKS:
            pieces.append(Piece(text[inner_start:inner_end].strip(), tag=tag))
        else:
            outer = text[start:end]
            pieces.append(Piece(outer, translatable=bool(plain_text(outer)), kind=BLOCK))
    return pieces


def split(text: str, how: str, *, rich: bool) -> list[Piece]:
    """``text`` split as ``how`` says (one piece for SINGLE, for an empty text, or for text that does not split)."""
    text = text or ""
    if how == LINES:
        return [Piece(line.strip()) for line in text.splitlines() if line.strip()]
    if how == BLOCKS and text.strip():
        pieces = split_blocks(text)
        if pieces is not None:
            return pieces
    kind = INLINE if how == INLINE_TEXT else BLOCK if rich else PLAIN
    return [Piece(text.strip(), kind=kind)] if text.strip() else []


def join(source: list[Piece], targets: list[str], how: str) -> str:
    """The stored text of a target whose pieces are ``targets`` (one per source piece, "" where untranslated)."""
    if not any(target.strip() for target, piece in zip(targets, source) if piece.translatable):
        return ""
    if how == LINES:
        return "\n".join(target.strip() for target in targets)
    if how != BLOCKS or len(source) == 1 and not source[0].tag and source[0].kind != BLOCK:
        return targets[0].strip() if targets else ""
    parts = []
    for piece, target in zip(source, targets):
        if not piece.translatable:
            parts.append(piece.text)
        elif piece.tag:
            parts.append(f"<{piece.tag}>{target.strip()}</{piece.tag}>")
        else:
            parts.append(target.strip() or "<p></p>")
    return "\n".join(parts)


# --- Segments of one object ---------------------------------------------------------------------------------------


@dataclass
class Segment:
    """One segment of an object's translation into one language, with its source and its current target."""

    id: str
    unit: units.Unit
    position: int | None
    label: str
    kind: str
    source: str
    target: str
    token: str
    source_hash: str
    state: str = UNTRANSLATED
    aligned: bool = True

    @property
    def markers(self) -> list[str]:
        return footnote_markers(self.source)


@dataclass
class UnitSegments:
    """The segments of one unit, with what it takes to write a target back into the field."""

    unit: units.Unit
    how: str
    pieces: list[Piece]
    segments: list[Segment]
    aligned: bool

    def joined(self, values: dict[str, str]) -> str:
        """The field's new target text, with ``values`` (by segment id) in place of the current targets."""
        targets, index = [], 0
        for piece in self.pieces:
            if piece.translatable:
                segment = self.segments[index]
                targets.append(values.get(segment.id, segment.target))
                index += 1
            else:
                targets.append("")
        return join(self.pieces, targets, self.how)


def _label(unit: units.Unit, how: str, position: int | None, count: int, child_number: int | None) -> str:
    field = str(unit.model_field.verbose_name)
    field = field[:1].upper() + field[1:]
    if child_number is not None:
        field = _("%(model)s %(number)d: %(field)s") % {
            "model": str(unit.instance._meta.verbose_name).capitalize(),
            "number": child_number,
            "field": field.lower(),
        }
    if position is None or count == 1:
        return field
    if how == LINES:
        return _("%(field)s, line %(number)d") % {"field": field, "number": position}
    return _("%(field)s, paragraph %(number)d") % {"field": field, "number": position}


def token(text: str) -> str:
    """What a form carries for a segment's target as it was loaded, to refuse a stale save of that segment."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:16]


def unit_segments(
    obj: models.Model,
    language: str,
    *,
    saved_hashes: dict[str, str] | None = None,
    to_translate: Sequence[units.Unit] | None = None,
) -> list[UnitSegments]:
    """Every unit of ``obj`` to translate, split into segments, with the targets in ``language`` aligned to them
    and each segment's state (``saved_hashes``: the translation's ``TranslationState.segment_hashes``;
    ``to_translate``: ``units.units_to_translate(obj)`` when the caller read it already)."""
    source = units.source_language(obj)
    saved_hashes = saved_hashes or {}
    result = []
    child_numbers: dict[str, int] = {}
    for unit in units.units_to_translate(obj) if to_translate is None else to_translate:
        child_number = None
        if unit.instance is not obj:
            key = unit.instance._meta.label_lower
            child_numbers.setdefault(f"{key}:{unit.instance.pk}", len([k for k in child_numbers if k.startswith(key)]) + 1)
            child_number = child_numbers[f"{key}:{unit.instance.pk}"]
        how = segmentation(type(unit.instance), unit.field)
        rich = isinstance(unit.model_field, models.TextField)
        pieces = split(unit.text(source), how, rich=rich)
        target_pieces = split(unit.text(language), how, rich=rich)
        translatable = [piece for piece in pieces if piece.translatable]
        # Lines are translated in order, so a target with fewer lines than the source is the start of it.
        aligned = (
            not target_pieces
            or len(target_pieces) == len(pieces)
            or how == LINES and len(target_pieces) < len(pieces)
        )
        target_texts = (
            [target.text for target, piece in zip(target_pieces, pieces) if piece.translatable]
            if aligned and target_pieces
            else []
        )
        if not aligned:
            # Nothing is shown as translated that cannot be saved back: the whole stored text stands in the first.
            target_texts = [unit.text(language)]
        segments = []
        for index, piece in enumerate(translatable, start=1):
            position = index if how != SINGLE and len(pieces) > 1 else None
            segment_id = unit.id if position is None else f"{unit.id}:{position}"
            target = target_texts[index - 1] if index - 1 < len(target_texts) else ""
            kind = PLAIN if not rich else piece.kind
            source_hash = segment_hash(piece.text)
            if not target.strip():
                state = UNTRANSLATED
            elif saved_hashes.get(segment_id, source_hash) != source_hash:
                state = OUTDATED
            else:
                state = TRANSLATED
            segments.append(
                Segment(
                    id=segment_id,
                    unit=unit,
                    position=position,
                    label=_label(unit, how, position, len(translatable), child_number),
                    kind=kind,
                    source=piece.text,
                    target=target,
                    token=token(target),
                    source_hash=source_hash,
                    state=state,
                    aligned=aligned,
                )
            )
        result.append(UnitSegments(unit=unit, how=how, pieces=pieces, segments=segments, aligned=aligned))
    return result


def source_segment_hashes(obj: models.Model, to_translate: Sequence[units.Unit] | None = None) -> dict[str, str]:
    """The fingerprint of every source segment of ``obj`` by segment id: what ``TranslationState`` keeps."""
    source = units.source_language(obj)
    return {
        segment.id: segment.source_hash
        for group in unit_segments(obj, source, to_translate=to_translate)
        for segment in group.segments
    }


# --- Checks -----------------------------------------------------------------------------------------------------


def segment_errors(segment: Segment, target: str) -> list[str]:
    """Why ``target`` cannot be the translation of ``segment``: markup it may not carry, footnote markers lost,
    added or reordered. Empty when it can."""
    errors = []
    parser = markup_check(target)
    allowed = {PLAIN: set(), INLINE: INLINE_TAGS, BLOCK: ALLOWED_TAGS}[segment.kind]
    for tag in dict.fromkeys(parser.tags):
        if tag not in allowed:
            errors.append(
                _("plain text expected, but it has the tag <%(tag)s>") % {"tag": tag}
                if segment.kind == PLAIN
                else _("the tag <%(tag)s> is not allowed here (inline formatting only)") % {"tag": tag}
            )
    errors += list(dict.fromkeys(parser.problems))
    max_length = getattr(segment.unit.model_field, "max_length", None)
    if max_length and len(target) > max_length:
        errors.append(
            _("the text has %(length)d characters; the field holds %(limit)d") % {"length": len(target), "limit": max_length}
        )
    wanted, found = footnote_markers(segment.source), footnote_markers(target)
    if wanted != found:
        missing = [marker for marker in dict.fromkeys(wanted) if wanted.count(marker) > found.count(marker)]
        extra = [marker for marker in dict.fromkeys(found) if found.count(marker) > wanted.count(marker)]
        errors += [_("the footnote marker [%(marker)s] of the source is missing") % {"marker": m} for m in missing]
        errors += [_("the footnote marker [%(marker)s] is not in the source") % {"marker": m} for m in extra]
        if not missing and not extra:
            errors.append(
                _("the footnote markers must stay in the source's order: %(markers)s")
                % {"markers": " ".join(f"[{marker}]" for marker in wanted)}
            )
    return errors

"""Translations that follow their source's paragraphs when paragraphs are inserted, removed or moved.

Segments are aligned by position (``publishing.workflow.segments``): the third paragraph of the Russian body
translates the third of the source. Without this module an editor who inserts a paragraph near the top would shift
every later source paragraph by one, and every translation would look outdated from there on (and the field
misaligned, one paragraph short). Instead, when a write changes a source text that splits into blocks, each
translation not changed in the same write is rearranged in that write to the new source's paragraphs, paragraph by
paragraph, matched by the fingerprint of their source (:func:`segments.segment_hash`):

- a paragraph whose text is unchanged keeps its translation and its state, wherever it moved;
- a paragraph changed in place keeps its translation, now *outdated* (it was made from the former text);
- a new paragraph is untranslated (an empty ``<p></p>`` holds its place), and the translation of a removed one goes
  (it stays in the revisions).

Highlights (one per line) are left as they are: an empty line cannot be stored to hold a new line's place. A
translation that did not line up with its former source paragraph by paragraph is left as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import models

from . import segments, units


@dataclass(frozen=True)
class Realigned:
    """A translation rearranged to a new source: its new stored text, and by new segment id the fingerprint of the
    source each kept translation was made from (what ``TranslationState.segment_hashes`` keeps)."""

    text: str
    made_from: dict[str, str]


def _segment_ids(unit_id: str, pieces: list[segments.Piece]) -> list[str]:
    """The ids of the translatable pieces, as :func:`segments.unit_segments` numbers them."""
    count = sum(1 for piece in pieces if piece.translatable)
    if len(pieces) <= 1:
        return [unit_id] * count
    return [f"{unit_id}:{index}" for index in range(1, count + 1)]


def matching(old: list[str], new: list[str]) -> dict[int, int]:
    """New index → old index of the fingerprints ``old`` and ``new``: equal runs in order first, then an unchanged
    paragraph that moved, then, inside a replaced run, changed paragraphs paired in order."""
    pairs: dict[int, int] = {}
    replaced: list[tuple[range, range]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            replaced.append((range(i1, i2), range(j1, j2)))
    used = set(pairs.values())
    for j, fingerprint in enumerate(new):
        if j not in pairs:
            moved = next((i for i, value in enumerate(old) if value == fingerprint and i not in used), None)
            if moved is not None:
                pairs[j] = moved
                used.add(moved)
    for old_run, new_run in replaced:
        free_old = [i for i in old_run if i not in used]
        free_new = [j for j in new_run if j not in pairs]
        for i, j in zip(free_old, free_new):
            if old[i] not in new:  # an old paragraph that still exists elsewhere is not this one's former text
                pairs[j] = i
                used.add(i)
    return pairs


def realign(
    *, unit_id: str, old_source: str, new_source: str, target: str, saved: dict[str, str], rich: bool
) -> Realigned | None:
    """``target`` (made paragraph by paragraph from ``old_source``; ``saved``: its segment fingerprints by id)
    rearranged to ``new_source``; None when nothing moves (each paragraph stays where it was) or when ``target``
    does not line up with ``old_source``."""
    old_pieces = segments.split(old_source, segments.BLOCKS, rich=rich)
    new_pieces = segments.split(new_source, segments.BLOCKS, rich=rich)
    target_pieces = segments.split(target, segments.BLOCKS, rich=rich)
    if not target.strip() or len(target_pieces) != len(old_pieces):
        return None
    old_texts = [piece.text for piece in old_pieces if piece.translatable]
    targets = [t.text for t, piece in zip(target_pieces, old_pieces) if piece.translatable]
    old = [segments.segment_hash(text) for text in old_texts]
    new = [segments.segment_hash(piece.text) for piece in new_pieces if piece.translatable]
    pairs = matching(old, new)
    if len(old) == len(new) and all(pairs.get(j, j) == j for j in range(len(new))):
        return None
    old_ids, new_ids = _segment_ids(unit_id, old_pieces), _segment_ids(unit_id, new_pieces)
    new_targets, made_from = [], {}
    for j, segment_id in enumerate(new_ids):
        i = pairs.get(j)
        new_targets.append(targets[i] if i is not None else "")
        if i is not None and targets[i].strip():
            made_from[segment_id] = saved.get(old_ids[i], old[i])
    parts, index = [], 0
    for piece in new_pieces:
        if piece.translatable:
            parts.append(new_targets[index])
            index += 1
        else:
            parts.append("")
    return Realigned(segments.join(new_pieces, parts, segments.BLOCKS), made_from)


@dataclass
class RealignedLanguage:
    """What a write rearranged in one language: the units, and the fingerprints of the segments kept, by new id."""

    unit_ids: set[str]
    made_from: dict[str, str]

    def segment_hashes(self, saved: dict[str, str]) -> dict[str, str]:
        """``saved`` (a ``TranslationState``'s segment fingerprints) with those of the rearranged units replaced."""
        kept = {
            key: value for key, value in saved.items()
            if not any(key == unit_id or key.startswith(f"{unit_id}:") for unit_id in self.unit_ids)
        }
        return {**kept, **self.made_from}


def translations_realign(*, obj: models.Model, stored: models.Model, changed: set[str]) -> dict[str, RealignedLanguage]:
    """Before a write to ``obj`` (``stored``: its row as stored): rearrange, on ``obj``, each translation not changed
    by the write (``changed``) to the source's paragraphs as the write leaves them. Returns what was rearranged, by
    language, for the write's ``TranslationState`` rows to follow once it is done."""
    from publishing.models import TranslationState

    if units.parent_field_name(type(obj)) is not None:
        return {}
    source = units.source_language(obj)
    if source != units.source_language(stored) or source not in changed:
        return {}
    fields = [
        unit for unit in units.units_to_translate(obj)
        if unit.instance is obj and segments.segmentation(type(obj), unit.field) == segments.BLOCKS
        and (getattr(stored, unit.field_name(source)) or "") != unit.text(source)
    ]
    if not fields:
        return {}
    rows = {row.language: row.segment_hashes for row in TranslationState.objects.for_object(obj)}
    result: dict[str, RealignedLanguage] = {}
    for code in units.language_codes():
        if code == source or code in changed:
            continue
        for unit in fields:
            realigned = realign(
                unit_id=unit.id,
                old_source=getattr(stored, unit.field_name(source)) or "",
                new_source=unit.text(source),
                target=unit.text(code),
                saved=rows.get(code, {}),
                rich=isinstance(unit.model_field, models.TextField),
            )
            if realigned is not None:
                setattr(obj, unit.field_name(code), realigned.text)
                language = result.setdefault(code, RealignedLanguage(set(), {}))
                language.unit_ids.add(unit.id)
                language.made_from.update(realigned.made_from)
    return result

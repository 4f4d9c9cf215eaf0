"""The translation memory: what was already translated, anywhere on the site, offered again for similar segments;
and the glossary: the names of tags and categories in the target language.

**Index.** Every translated, up-to-date segment is a ``MemoryEntry`` row (its source as plain text, its length and
fingerprint, its translation as stored), written by :func:`memory_sync` after every write to a translated object
(``services.translation_states_sync`` calls it) and by :func:`memory_rebuild` for data loaded raw (fixtures,
restores: ``manage.py rebuild_translation_memory``).

**Bounded cost.** Looking up the matches of a page of segments reads the index, never the objects: exact matches in
one query by fingerprint (indexed); fuzzy candidates in one query on the language pair's index within the length
band a match of ``PUBLISHING_MEMORY_MIN_SIMILARITY`` can have (a similarity of s needs lengths within s / (2 - s) of
each other), at most ``PUBLISHING_MEMORY_CANDIDATES`` of them, the most recently saved first. RapidFuzz then scores
each segment against the candidates of its own band: at most segments × candidates comparisons, in C.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from rapidfuzz import fuzz, process, utils

from publishing.conf import app_settings
from publishing.languages import localized, translated_value
from publishing.text import casefold_in, plain_text

from . import segments as segmenting
from . import units

_GLOSSARY: dict[str, str] = {}


def register_glossary(label: str, field: str = "name") -> None:
    """Show the names in ``field`` of model ``label`` (``"articles.tag"``) as glossary terms beside segments: each
    app names its own in its ``AppConfig.ready``."""
    _GLOSSARY[label] = field


def _plain(text: str) -> str:
    return plain_text(text)


def memory_entries(
    obj: models.Model,
    *,
    to_translate: Sequence[units.Unit] | None = None,
    hashes: dict[str, dict[str, str]] | None = None,
) -> list:
    """The index rows ``obj``'s translations make: one per translated segment that is not outdated.

    ``to_translate`` (``units.units_to_translate(obj)``) and ``hashes`` (each language's stored segment
    fingerprints) when the caller read them already: a save reads them once for all its languages."""
    from publishing.models import MemoryEntry, TranslationState

    source = units.source_language(obj)
    content_type = ContentType.objects.get_for_model(obj)
    if hashes is None:
        hashes = {row.language: row.segment_hashes for row in TranslationState.objects.for_object(obj)}
    if to_translate is None:
        to_translate = units.units_to_translate(obj)
    entries = []
    for code in units.language_codes():
        if code == source:
            continue
        for group in segmenting.unit_segments(obj, code, saved_hashes=hashes.get(code), to_translate=to_translate):
            if not group.aligned:
                continue
            for segment in group.segments:
                text = _plain(segment.source)
                if segment.state != segmenting.TRANSLATED or not text:
                    continue
                entries.append(
                    MemoryEntry(
                        content_type=content_type,
                        object_id=obj.pk,
                        segment_id=segment.id,
                        source_language=source,
                        language=code,
                        source_text=text,
                        source_length=len(text),
                        source_hash=segmenting.segment_hash(text),
                        target=segment.target,
                    )
                )
    return entries


# Inside :func:`memory_deferred`: by (content type, id), each object whose rows are to follow, with what its last
# write read of it.
_pending: ContextVar[dict | None] = ContextVar("publishing_memory_pending", default=None)


@contextmanager
def memory_deferred() -> Iterator[None]:
    """Write the index rows of each object written inside the block once, at its end, as its last write left it.

    A change form's save writes the object (its rows follow), then records the edited languages as saved (they
    follow again): only the last rows stand, so only they are written. A block inside another joins it; a block
    left by an exception writes nothing (its transaction is undone with it)."""
    if _pending.get() is not None:
        yield
        return
    pending: dict = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for obj, to_translate, hashes in pending.values():
        _memory_write(obj, to_translate=to_translate, hashes=hashes)


def memory_sync(
    *,
    obj: models.Model,
    to_translate: Sequence[units.Unit] | None = None,
    hashes: dict[str, dict[str, str]] | None = None,
) -> None:
    """The index rows of ``obj`` follow its texts and states (``to_translate``, ``hashes``: as for
    :func:`memory_entries`): now, or at the end of the :func:`memory_deferred` block around it."""
    pending = _pending.get()
    if pending is None:
        _memory_write(obj, to_translate=to_translate, hashes=hashes)
    else:
        pending[(ContentType.objects.get_for_model(obj).pk, obj.pk)] = (obj, to_translate, hashes)


def _memory_write(obj: models.Model, *, to_translate, hashes) -> None:
    from publishing.models import MemoryEntry

    content_type = ContentType.objects.get_for_model(obj)
    entries = memory_entries(obj, to_translate=to_translate, hashes=hashes)
    MemoryEntry.objects.filter(content_type=content_type, object_id=obj.pk).delete()
    if entries:
        MemoryEntry.objects.bulk_create(entries)


def memory_forget(*, obj: models.Model) -> None:
    from publishing.models import MemoryEntry

    content_type = ContentType.objects.get_for_model(obj)
    if (pending := _pending.get()) is not None:
        pending.pop((content_type.pk, obj.pk), None)
    MemoryEntry.objects.filter(content_type=content_type, object_id=obj.pk).delete()


def memory_rebuild(models_: Iterable[type[models.Model]] | None = None) -> int:
    """The whole index anew, from every translated object (after fixtures or a restore). Returns the rows written."""
    from modeltranslation.translator import translator

    from publishing.models import MemoryEntry

    MemoryEntry.objects.all().delete()
    written = 0
    for model in models_ or translator.get_registered_models(abstract=False):
        if units.parent_field_name(model):
            continue
        accessors = [relation.accessor for relation in units.child_relations(model)]
        for obj in model._default_manager.prefetch_related(*accessors).iterator(chunk_size=200):
            entries = memory_entries(obj)
            MemoryEntry.objects.bulk_create(entries)
            written += len(entries)
    return written


# --- Lookups ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    similarity: int
    source: str
    target: str
    segment_id: str


def _band(length: int, similarity: float) -> tuple[int, int]:
    """Source lengths a text of ``length`` can be ``similarity`` (0–1) similar to, by RapidFuzz's ratio."""
    factor = similarity / (2 - similarity)
    return int(length * factor), int(length / factor) + 1


def matches_for(
    found: list[segmenting.Segment], *, source_language: str, language: str, exclude: models.Model | None = None
) -> dict[str, list[Match]]:
    """Up to ``PUBLISHING_MEMORY_MATCHES`` matches per segment, best first: exact ones (100 %), then fuzzy ones of at
    least ``PUBLISHING_MEMORY_MIN_SIMILARITY``. Segments of ``exclude`` itself are left out. Two queries."""
    from publishing.models import MemoryEntry

    queries = {segment.id: _plain(segment.source) for segment in found if _plain(segment.source)}
    if not queries:
        return {}
    minimum = app_settings.MEMORY_MIN_SIMILARITY
    limit = app_settings.MEMORY_MATCHES
    entries = MemoryEntry.objects.for_pair(source_language, language)
    if exclude is not None:
        entries = entries.exclude(content_type=ContentType.objects.get_for_model(exclude), object_id=exclude.pk)
    fields = ("segment_id", "source_text", "source_length", "source_hash", "target")
    hashes = {segment_id: segmenting.segment_hash(text) for segment_id, text in queries.items()}
    exact: dict[str, list] = {}
    for entry in entries.filter(source_hash__in=set(hashes.values())).only(*fields)[: limit * len(hashes)]:
        exact.setdefault(entry.source_hash, []).append(entry)
    bands = {segment_id: _band(len(text), minimum / 100) for segment_id, text in queries.items()}
    low, high = min(band[0] for band in bands.values()), max(band[1] for band in bands.values())
    candidates = list(
        entries.filter(source_length__gte=low, source_length__lte=high)
        .only(*fields)
        .order_by("-updated_at", "-pk")[: app_settings.MEMORY_CANDIDATES]
    )
    result = {}
    for segment_id, text in queries.items():
        seen: set[tuple[str, str]] = set()
        found_matches = []
        for entry in exact.get(hashes[segment_id], []):
            if (entry.source_text, entry.target) not in seen:
                seen.add((entry.source_text, entry.target))
                found_matches.append(Match(100, entry.source_text, entry.target, entry.segment_id))
        low_, high_ = bands[segment_id]
        choices = [entry for entry in candidates if low_ <= entry.source_length <= high_]
        scored = process.extract(
            text,
            [entry.source_text for entry in choices],
            scorer=fuzz.ratio,
            processor=utils.default_process,
            score_cutoff=minimum,
            limit=limit * 3,
        )
        for _choice, score, index in sorted(scored, key=lambda item: (-item[1], item[2])):
            entry = choices[index]
            if (entry.source_text, entry.target) in seen:
                continue
            seen.add((entry.source_text, entry.target))
            found_matches.append(Match(min(int(score), 99), entry.source_text, entry.target, entry.segment_id))
        if found_matches:
            result[segment_id] = found_matches[:limit]
    return result


@dataclass(frozen=True)
class Term:
    source: str
    target: str


def glossary_terms(*, source_language: str, language: str) -> list[Term]:
    """The registered names (tags, categories) with both a source and a target text: one query per model."""
    terms = []
    for label, field in _GLOSSARY.items():
        model = apps.get_model(label)
        source_field, target_field = localized(field, source_language), localized(field, language)
        for row in model._default_manager.filter(**{f"{source_field}__gt": "", f"{target_field}__gt": ""}).only(
            source_field, target_field
        ):
            terms.append(Term(translated_value(row, field, source_language), translated_value(row, field, language)))
    return terms


def glossary_for(text: str, terms: list[Term], *, source_language: str) -> list[Term]:
    """The terms whose source name appears in ``text`` (case folded by the source language's rules)."""
    folded = casefold_in(_plain(text), source_language)
    return [term for term in terms if term.source and casefold_in(term.source, source_language) in folded]

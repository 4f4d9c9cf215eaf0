"""Writes of the translators' workflow: the stored fingerprints of source texts (``TranslationState``) follow every
change to a translated text, and saving or confirming a translation records it.

Like ``publishing.workflow.units`` these work on any model registered with django-modeltranslation, and on its child rows
(the models that name it their ``translation_parent``); they know no model of the app. The app's receivers call
the ``translation_*`` hooks below on every write to such an object, never for fixture loads and restores (``raw``
rows are the data as it was kept, and a restored database brings its own ``TranslationState`` rows).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.editing import checked_row
from publishing.models import TranslationState

from . import alignment, memory, segments, units

# Set on an instance between its pre_save and its post_save: the languages whose texts the write changes, or None
# when it changes nothing the fingerprints are made of.
_CHANGED = "_translation_changed_languages"
# Set between the same two signals: the translations the write rearranged to the source's new paragraphs.
_REALIGNED = "_translation_realigned"
# Set with it when the write keeps its parent: the state rows read before the write (it changes none of them).
_ROWS = "_translation_state_rows"
_UNKNOWN = object()


@dataclass
class _Source:
    """What one write read and computed of an object's (``obj``) source, passed on instead of read again."""

    obj: models.Model
    to_translate: list[units.Unit]
    fingerprint: str
    segment_hashes: dict[str, str]
    rows: dict[str, TranslationState]

    def hashes(self) -> dict[str, dict[str, str]]:
        return {code: row.segment_hashes for code, row in self.rows.items()}


# In :func:`translation_batched`, by (content type, id): the source each object's last write left (current: every
# write that changes a text of the object or of its child rows, or adds or deletes one, computes it again).
_latest: ContextVar[dict | None] = ContextVar("publishing_translation_sources", default=None)


@contextmanager
def translation_batched() -> Iterator[None]:
    """In the block (an upkeep batch: a change form's save), what one write computed of an object's source serves
    the next (the save, then its edited languages recorded as saved: one read of units and states, not two), and
    each object's translation memory is written once, at the end. A block inside another joins it."""
    if _latest.get() is not None:
        yield
        return
    token = _latest.set({})
    try:
        with memory.memory_deferred():
            yield
    finally:
        _latest.reset(token)


def _key(obj: models.Model) -> tuple[int, object]:
    return ContentType.objects.get_for_model(obj).pk, obj.pk


def _source_of(obj: models.Model) -> _Source:
    """``obj``'s source as the block's last write to this very instance left it, else read and followed now."""
    known = (_latest.get() or {}).get(_key(obj))
    return known if known is not None and known.obj is obj else _states_follow(obj)


def translation_states_sync(*, obj: models.Model, carried: Iterable[str] = (), rows: dict | None = None) -> None:
    """Keep the stored fingerprint of ``obj``'s source text current after a write to it or to one of its child rows.

    A translation seen for the first time is taken as made from the source as it is now. ``carried`` names the
    languages whose text changed in the same write: a translation that was up to date and changed together with
    its source stays up to date; any other translation keeps the fingerprint it was made from, so a changed source
    makes it outdated. Runs inside the save that calls it; rows are created with ``ignore_conflicts``, so two
    concurrent saves cannot fail on them. The translation memory follows. ``rows``: its state rows, if read already.
    """
    source = _states_follow(obj, carried=carried, rows=rows)
    memory.memory_sync(obj=obj, to_translate=source.to_translate, hashes=source.hashes())


def _states_follow(obj: models.Model, *, carried: Iterable[str] = (), rows: dict | None = None) -> _Source:
    """:func:`translation_states_sync` without the memory: the units, the state rows (one read each) and the
    fingerprints, for the caller to write more before the memory follows once."""
    content_type = ContentType.objects.get_for_model(obj)
    source = units.source_language(obj)
    to_translate = units.units_to_translate(obj)
    current = units.fingerprint(source, {unit.id: unit.text(source) for unit in to_translate})
    segment_hashes = segments.source_segment_hashes(obj, to_translate)
    if rows is None:
        rows = {row.language: row for row in TranslationState.objects.filter(content_type=content_type, object_id=obj.pk)}
    now = timezone.now()
    source_row = rows.get(source)
    if source_row is not None and (source_row.source_hash != current or source_row.segment_hashes != segment_hashes):
        in_step, older = [], []
        for code, row in rows.items():
            if code == source:
                continue
            if code in carried and row.source_hash == source_row.source_hash:
                # Changed together with the source and in step before: in step now, segment by segment too.
                row.source_hash, row.segment_hashes, row.updated_at = current, segment_hashes, now
                in_step.append(row)
            elif not row.segment_hashes and source_row.segment_hashes:
                # A translation older than the segment fingerprints was made from the source as it was.
                row.segment_hashes = source_row.segment_hashes
                older.append(row)
        source_row.source_hash, source_row.segment_hashes, source_row.updated_at = current, segment_hashes, now
        TranslationState.objects.bulk_update([source_row, *in_step], ["source_hash", "segment_hashes", "updated_at"])
        if older:
            TranslationState.objects.bulk_update(older, ["segment_hashes"])
    new_rows = [
        TranslationState(content_type=content_type, object_id=obj.pk, language=code, source_hash=current,
                         segment_hashes=segment_hashes, updated_at=now)
        for code in units.language_codes()
        if code not in rows and (code == source or any(unit.text(code).strip() for unit in to_translate))
    ]
    if new_rows:
        TranslationState.objects.bulk_create(new_rows, ignore_conflicts=True)
        rows.update((row.language, row) for row in new_rows)
    followed = _Source(obj=obj, to_translate=to_translate, fingerprint=current, segment_hashes=segment_hashes, rows=rows)
    if (latest := _latest.get()) is not None:
        latest[_key(obj)] = followed
    return followed


def translation_mark_saved(
    *, obj: models.Model, language: str, user=None, source_hash: str | None = None
) -> TranslationState | None:
    """Record that ``language`` of ``obj`` was saved against the source as it is now (or, for a file exported
    before the source changed, against the source ``source_hash`` stands for). Nothing for the source language.
    Part of the save that calls it: no savepoint of its own, a failure undoes that save."""
    if language not in units.language_codes():
        raise ValueError(f"unknown language {language!r}")
    if language == units.source_language(obj):
        return None
    with transaction.atomic(savepoint=False):
        source = _source_of(obj)
        values = {
            "source_hash": source_hash or source.fingerprint,
            # Saved whole against an older source (a file), its segments are as outdated as the whole.
            **({} if source_hash else {"segment_hashes": source.segment_hashes}),
            "updated_at": timezone.now(),
            "updated_by": user if getattr(user, "is_authenticated", False) else None,
        }
        state = source.rows.get(language)
        if state is not None and state.pk is not None:
            for name, value in values.items():
                setattr(state, name, value)
            state.save(update_fields=list(values))
        else:  # no row yet, or one just created without its id coming back
            state, _created = TranslationState.objects.update_or_create(
                content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, language=language, defaults=values
            )
            source.rows[language] = state
        memory.memory_sync(obj=obj, to_translate=source.to_translate, hashes=source.hashes())
    return state


class SegmentsRefused(Exception):
    """Segments that cannot be saved, each with its reasons (by segment id); nothing was written."""

    def __init__(self, errors: dict[str, list[str]], labels: dict[str, str]) -> None:
        self.errors, self.labels = errors, labels
        super().__init__("; ".join(f"{labels.get(key, key)}: {', '.join(value)}" for key, value in errors.items()))


@transaction.atomic
def translation_segments_save(
    *, obj: models.Model, language: str, values: dict[str, str], tokens: dict[str, str], user=None
) -> list[str]:
    """Write the targets ``values`` (by segment id) of ``obj``'s translation into ``language``; return the ids of
    the segments that changed. Each saved segment is recorded as made from its source as it is now.

    All or nothing: a segment that is unknown, misaligned, badly marked up, loses, adds or reorders a footnote
    marker, or was changed by someone else since it was loaded (its ``tokens`` entry, the fingerprint of the target
    the form showed, differs from the stored one: the per-segment form of ``publishing.editing``'s rule, checked
    under the same row lock) refuses the whole call with :class:`SegmentsRefused`, and nothing is written.
    """
    from publishing.revisions import revision_for

    if language not in units.language_codes():
        raise ValueError(f"unknown language {language!r}")
    model = type(obj)
    obj = model._default_manager.select_for_update(no_key=True).get(pk=obj.pk)
    if language == units.source_language(obj):
        raise ValueError("the source language is not translated segment by segment")
    state = TranslationState.objects.for_object(obj).filter(language=language).first()
    groups = segments.unit_segments(obj, language, saved_hashes=state.segment_hashes if state else {})
    by_id = {segment.id: (group, segment) for group in groups for segment in group.segments}
    errors: dict[str, list[str]] = {}
    changed: dict[str, str] = {}
    for segment_id, value in values.items():
        value = (value or "").replace("\r\n", "\n").strip()
        if segment_id not in by_id:
            errors[segment_id] = [_("this segment is no longer in the source")]
            continue
        group, segment = by_id[segment_id]
        if value == segment.target.strip() and segment.state != segments.OUTDATED:
            continue
        if tokens.get(segment_id) != segment.token:
            errors[segment_id] = [_("someone saved this segment after you opened it; reload to see their text")]
            continue
        if not segment.aligned:
            errors[segment_id] = [_("the stored translation of this field does not line up with the source; edit it in the change form")]
            continue
        if group.how == segments.LINES and value:
            earlier = [s for s in group.segments if s.position and s.position < segment.position]
            if any(not values.get(s.id, s.target).strip() for s in earlier):
                errors[segment_id] = [_("translate the lines of this field in order: an earlier one is still empty")]
                continue
        if problems := segments.segment_errors(segment, value):
            errors[segment_id] = problems
            continue
        changed[segment_id] = value
    if errors:
        raise SegmentsRefused(errors, {key: by_id[key][1].label for key in errors if key in by_id})
    if not changed:
        return []
    with revision_for(user=user, comment=_("Translated segment by segment (%(language)s)") % {"language": units.language_name(language)}):
        for group in groups:
            if not any(segment.id in changed for segment in group.segments):
                continue
            setattr(group.unit.instance, group.unit.field_name(language), group.joined(changed))
        saved = {id(group.unit.instance): group.unit.instance for group in groups if any(s.id in changed for s in group.segments)}
        for instance in saved.values():
            instance.save()
    translation_mark_segments_saved(obj=obj, language=language, segment_ids=list(changed), user=user)
    return list(changed)


def translation_mark_segments_saved(
    *, obj: models.Model, language: str, segment_ids: list[str] = (), made_from: dict[str, str] | None = None, user=None
) -> None:
    """Record the segments ``segment_ids`` of ``language`` as made from their source as it is now (or, by segment
    id in ``made_from``, from the source a file carried); once no segment is outdated, the whole translation is up
    to date too."""
    source = _source_of(obj)
    current = source.segment_hashes
    state = source.rows.get(language)
    if state is None or state.pk is None:
        state, _created = TranslationState.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, language=language,
            defaults={"source_hash": source.fingerprint, "segment_hashes": current},
        )
        source.rows[language] = state
    hashes = {
        **state.segment_hashes,
        **{key: current[key] for key in segment_ids if key in current},
        **{key: value for key, value in (made_from or {}).items() if key in current},
    }
    groups = segments.unit_segments(obj, language, saved_hashes=hashes, to_translate=source.to_translate)
    state.segment_hashes = hashes
    if not any(segment.state == segments.OUTDATED for group in groups for segment in group.segments):
        state.source_hash = source.fingerprint
    state.updated_at = timezone.now()
    state.updated_by = user if getattr(user, "is_authenticated", False) else None
    state.save()
    memory.memory_sync(obj=obj, to_translate=source.to_translate, hashes=source.hashes())


@transaction.atomic
def translation_mark_up_to_date(*, objects: Iterable[models.Model], language: str, user=None) -> list[models.Model]:
    """Clear the outdated flag of ``language`` on each object where it is set: someone checked that the
    translation still says what the changed source says. Returns the objects changed."""
    objects = list(objects)
    statuses = units.translation_statuses_for(objects)
    changed = []
    for obj in objects:
        if statuses[obj.pk][language].outdated:
            translation_mark_saved(obj=obj, language=language, user=user)
            changed.append(obj)
    return changed


# --- Following every write -------------------------------------------------------------------------------------


def stored_fields(model: type[models.Model]) -> list[str]:
    """The columns of a stored row that decide what a write to it means for the fingerprints: every language of its
    text fields, its source language where it has one, and its parent where it is a child row."""
    names = [f"{name}_{code}" for name in units.text_fields(model) for code in units.language_codes()]
    if any(field.name == "original_language" for field in model._meta.fields):
        names.append("original_language")
    if parent := units.parent_field_name(model):
        names.append(parent)
    return names


def translation_before_save(*, obj: models.Model) -> None:
    """Before a write to ``obj`` (a translated object or a child row): read its stored row, only the columns the
    fingerprints need, and note what the write changes (:func:`translation_note_changes`)."""
    if obj._state.adding or obj.pk is None:
        return
    stored = checked_row(obj)  # the change form's edit check read it under a lock, just before
    translation_note_changes(obj=obj, stored=stored if stored is not None else _stored(type(obj), obj.pk))


def translation_note_changes(*, obj: models.Model, stored: models.Model | None) -> None:
    """Note which languages' texts a write to ``obj`` changes, given its ``stored`` row (read by the caller with at
    least :func:`stored_fields`, so that a save reads its row once for every purpose).

    A write that changes no text, no source language and no parent leaves the fingerprints alone. Before the first
    change to an object that has no rows yet (loaded from fixtures, or older than the workflow), its translations are
    taken as made from the source as stored, before this write changes it. Translations the write leaves alone
    follow the source's paragraphs where it inserts, removes or moves some (``publishing.workflow.alignment``).
    """
    if stored is None:
        return
    changed = _changed_languages(_text_values(stored), _text_values(obj))
    moved = units.source_language(stored) != units.source_language(obj) or _parent_of(stored) != _parent_of(obj)
    if not changed and not moved:
        setattr(obj, _CHANGED, None)
        return
    setattr(obj, _CHANGED, changed)
    rows = _ensure_baseline(stored)
    if rows is not None and _parent_of(stored) == _parent_of(obj):
        setattr(obj, _ROWS, rows)
    if realigned := alignment.translations_realign(obj=obj, stored=stored, changed=changed):
        setattr(obj, _REALIGNED, realigned)


def translation_after_save(*, obj: models.Model, created: bool) -> None:
    """After a write to ``obj``: the fingerprints of the object its texts belong to (itself, or a child row's
    parent) follow its texts; translations changed in the same write stay in step with the source."""
    changed, rows = obj.__dict__.pop(_CHANGED, _UNKNOWN), obj.__dict__.pop(_ROWS, None)
    if changed is None:
        return
    for code, realigned in obj.__dict__.pop(_REALIGNED, {}).items():
        # The kept translations' fingerprints move with them (before the sync, which leaves these rows alone; the
        # rows read before the write, when they are the object's own, are these rows).
        own = rows if rows is not None and _parent_of(obj)[0] is type(obj) else None
        row = own.get(code) if own is not None else TranslationState.objects.for_object(obj).filter(language=code).first()
        if row is not None:
            row.segment_hashes = realigned.segment_hashes(row.segment_hashes)
            row.save(update_fields=["segment_hashes"])
    if changed is _UNKNOWN or created:
        changed = {name.rsplit("_", 1)[1] for name, value in _text_values(obj).items() if value}
    model, pk = _parent_of(obj)
    parent = obj if model is type(obj) else _stored(model, pk)
    if parent is not None:
        translation_states_sync(obj=parent, carried=changed, rows=rows)


def translation_before_child_delete(*, obj: models.Model) -> None:
    """Before a child row (a reference) is deleted: its parent gets its baseline, as before any first change."""
    _ensure_baseline(obj)


def translation_after_child_delete(*, obj: models.Model) -> None:
    """A deleted child row takes its source and its translations with it: translations in step stay in step."""
    parent = _stored(*_parent_of(obj))
    if parent is not None:
        carried = {name.rsplit("_", 1)[1] for name, value in _text_values(obj).items() if value}
        translation_states_sync(obj=parent, carried=carried)


def translation_after_delete(*, obj: models.Model) -> None:
    """A deleted object's rows go with it, and its entries in the translation memory."""
    if (latest := _latest.get()) is not None:
        latest.pop(_key(obj), None)
    TranslationState.objects.for_object(obj).delete()
    memory.memory_forget(obj=obj)


def _text_values(instance: models.Model) -> dict[str, str]:
    return {
        f"{name}_{code}": getattr(instance, f"{name}_{code}", "") or ""
        for name in units.text_fields(type(instance))
        for code in units.language_codes()
    }


def _changed_languages(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name.rsplit("_", 1)[1] for name, value in after.items() if (before.get(name) or "") != value}


def _parent_of(instance: models.Model) -> tuple[type[models.Model], object]:
    """(model, pk) of the object whose translation ``instance`` belongs to: itself, or a child row's parent."""
    fk_name = units.parent_field_name(type(instance))
    if fk_name is None:
        return type(instance), instance.pk
    field = instance._meta.get_field(fk_name)
    return field.related_model, getattr(instance, field.attname)


def _stored(model: type[models.Model], pk) -> models.Model | None:
    """The stored row, only :func:`stored_fields` (and unordered: a reference's default ordering joins its article)."""
    return model._default_manager.filter(pk=pk).only(*stored_fields(model)).order_by().first()


def _ensure_baseline(stored: models.Model) -> dict[str, TranslationState] | None:
    """Give the object ``stored`` belongs to (itself, or a child row's parent), if it has no rows yet, the
    fingerprint of its source as stored now, before a write changes it; its rows by language if it wrote none."""
    model, pk = _parent_of(stored)
    rows = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
    found = {row.language: row for row in rows}
    if found and all(row.segment_hashes for row in found.values()):
        return found
    parent = stored if model is type(stored) else _stored(model, pk)
    if parent is not None:
        if not found:
            translation_states_sync(obj=parent)
        else:
            # Rows older than the segment fingerprints: the segments as stored, before this write, are their base.
            rows.filter(segment_hashes={}).update(segment_hashes=segments.source_segment_hashes(parent))
    return None

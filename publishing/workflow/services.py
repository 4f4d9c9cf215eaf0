"""Writes of the translators' workflow: the stored fingerprints of source texts (``TranslationState``) follow every
change to a translated text, and saving or confirming a translation records it.

Like ``publishing.workflow.units`` these work on any model registered with django-modeltranslation, and on its child rows
(the models that name it their ``translation_parent``); they know no model of the app. The app's receivers call
the ``translation_*`` hooks below on every write to such an object, never for fixture loads and restores (``raw``
rows are the data as it was kept, and a restored database brings its own ``TranslationState`` rows).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from publishing.models import TranslationState

from . import units

# Set on an instance between its pre_save and its post_save: the languages whose texts the write changes, or None
# when it changes nothing the fingerprints are made of.
_CHANGED = "_translation_changed_languages"
_UNKNOWN = object()


def translation_states_sync(*, obj: models.Model, carried: Iterable[str] = ()) -> None:
    """Keep the stored fingerprint of ``obj``'s source text current after a write to it or to one of its child rows.

    A translation seen for the first time is taken as made from the source as it is now. ``carried`` names the
    languages whose text changed in the same write: a translation that was up to date and changed together with
    its source stays up to date; any other translation keeps the fingerprint it was made from, so a changed source
    makes it outdated. Runs inside the save that calls it; rows are created with ``ignore_conflicts``, so two
    concurrent saves cannot fail on them.
    """
    content_type = ContentType.objects.get_for_model(obj)
    source = units.source_language(obj)
    to_translate = units.units_to_translate(obj)
    current = units.fingerprint(source, {unit.id: unit.text(source) for unit in to_translate})
    rows = {row.language: row for row in TranslationState.objects.filter(content_type=content_type, object_id=obj.pk)}
    now = timezone.now()
    source_row = rows.get(source)
    if source_row is not None and source_row.source_hash != current:
        in_step = [
            row.pk
            for code, row in rows.items()
            if code in carried and code != source and row.source_hash == source_row.source_hash
        ]
        TranslationState.objects.filter(pk__in=[source_row.pk, *in_step]).update(source_hash=current, updated_at=now)
    new_languages = [
        code
        for code in units.language_codes()
        if code not in rows and (code == source or any(unit.text(code).strip() for unit in to_translate))
    ]
    TranslationState.objects.bulk_create(
        [
            TranslationState(content_type=content_type, object_id=obj.pk, language=code, source_hash=current, updated_at=now)
            for code in new_languages
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def translation_mark_saved(
    *, obj: models.Model, language: str, user=None, source_hash: str | None = None
) -> TranslationState | None:
    """Record that ``language`` of ``obj`` was saved against the source as it is now (or, for a file exported
    before the source changed, against the source ``source_hash`` stands for). Nothing for the source language."""
    if language not in units.language_codes():
        raise ValueError(f"unknown language {language!r}")
    if language == units.source_language(obj):
        return None
    translation_states_sync(obj=obj)
    state, _created = TranslationState.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        language=language,
        defaults={
            "source_hash": source_hash or units.source_fingerprint(obj),
            "updated_at": timezone.now(),
            "updated_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return state


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
    translation_note_changes(obj=obj, stored=_stored(type(obj), obj.pk))


def translation_note_changes(*, obj: models.Model, stored: models.Model | None) -> None:
    """Note which languages' texts a write to ``obj`` changes, given its ``stored`` row (read by the caller with at
    least :func:`stored_fields`, so that a save reads its row once for every purpose).

    A write that changes no text, no source language and no parent leaves the fingerprints alone. Before the first
    change to an object that has no rows yet (loaded from fixtures, or older than the workflow), its translations are
    taken as made from the source as stored, before this write changes it.
    """
    if stored is None:
        return
    changed = _changed_languages(_text_values(stored), _text_values(obj))
    moved = units.source_language(stored) != units.source_language(obj) or _parent_of(stored) != _parent_of(obj)
    if not changed and not moved:
        setattr(obj, _CHANGED, None)
        return
    setattr(obj, _CHANGED, changed)
    _ensure_baseline(stored)


def translation_after_save(*, obj: models.Model, created: bool) -> None:
    """After a write to ``obj``: the fingerprints of the object its texts belong to (itself, or a child row's
    parent) follow its texts; translations changed in the same write stay in step with the source."""
    changed = obj.__dict__.pop(_CHANGED, _UNKNOWN)
    if changed is None:
        return
    if changed is _UNKNOWN or created:
        changed = {name.rsplit("_", 1)[1] for name, value in _text_values(obj).items() if value}
    model, pk = _parent_of(obj)
    parent = obj if model is type(obj) else _stored(model, pk)
    if parent is not None:
        translation_states_sync(obj=parent, carried=changed)


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
    """A deleted object's rows go with it."""
    TranslationState.objects.for_object(obj).delete()


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


def _ensure_baseline(stored: models.Model) -> None:
    """Give the object ``stored`` belongs to (itself, or a child row's parent), if it has no rows yet, the
    fingerprint of its source as stored now, before a write changes it."""
    model, pk = _parent_of(stored)
    rows = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
    if not rows.exists():
        parent = stored if model is type(stored) else _stored(model, pk)
        if parent is not None:
            translation_states_sync(obj=parent)

"""The translators' workflow: what is translated, how far each translation is, and whether it is outdated.

It works on any model registered with django-modeltranslation and on ``TranslationState``, never on a model of its
own: who may edit which language is ``roles``, the same rules as SQL conditions ``queries``, and
the writes that keep the fingerprints current ``services``.

**Units.** What is translated is a list of units: one per translatable text field of an object (the fields
``translation.py`` registers, minus publish flags and the slugs made from titles) and one per text of its child rows,
the translated models that name it as their ``translation_parent`` (an article's references):
``article:12:body``, ``reference:40:text``, ``tag:3:name``, ``author:2:bio``. The source of a unit
is its text in the object's source language (an article's ``original_language``; Turkish, modeltranslation's
default language, for bios, tags and categories). A unit whose source is empty has nothing to translate. The
PO/XLIFF files of ``articles.exchange`` carry exactly these units.

**State.** Per object and language: progress (units filled of the units to translate) and one of missing, in
progress, complete, published; and the outdated flag. ``TranslationState`` keeps, per language, the fingerprint of
the source text: for the source language as it is now, for a translation as it was when the translation was last
saved. They differ once the source changes after the translation was made. The same rules exist twice, in Python
for the objects on a page and as SQL conditions for filtering lists; the tests hold them to the same answers.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import DEFAULT_LANGUAGE
from modeltranslation.translator import NotRegistered, translator

MISSING, IN_PROGRESS, COMPLETE, PUBLISHED = "missing", "in_progress", "complete", "published"
STATES = (MISSING, IN_PROGRESS, COMPLETE, PUBLISHED)
OUTDATED = "outdated"
STATE_LABELS = {
    MISSING: _("missing"),
    IN_PROGRESS: _("in progress"),
    COMPLETE: _("complete"),
    PUBLISHED: _("published"),
    OUTDATED: _("outdated"),
}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


# --- Fields and units -------------------------------------------------------------------------------------------


def _real_model(model: type[models.Model]) -> type[models.Model]:
    """The registered model behind ``model``, which may be a migration's historical copy of it."""
    return apps.get_model(model._meta.label_lower)


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields ``translation.py`` registers for ``model``, in the model's own order."""
    real = _real_model(model)
    try:
        registered = set(translator.get_options_for_model(real).get_field_names())
    except NotRegistered:
        return ()
    return tuple(field.name for field in real._meta.fields if field.name in registered)


def text_fields(model: type[models.Model]) -> tuple[str, ...]:
    """Translated fields that hold words to translate: no publish flags, no slugs (they follow the titles)."""
    real = _real_model(model)
    return tuple(
        name
        for name in translated_fields(real)
        if not isinstance(real._meta.get_field(name), (models.BooleanField, models.SlugField))
    )


def editable_field_names(model: type[models.Model], languages: Iterable[str]) -> set[str]:
    """The form fields of ``model`` a translator of ``languages`` may change: every translated field of those
    languages, slugs included, except the publish flags."""
    real = _real_model(model)
    return {
        f"{name}_{code}"
        for name in translated_fields(real)
        if not isinstance(real._meta.get_field(name), models.BooleanField)
        for code in languages
    }


def field_language(model: type[models.Model], name: str) -> str | None:
    """``"en"`` for ``title_en`` (a modeltranslation field), None for a field that is not a translation."""
    try:
        return getattr(model._meta.get_field(name), "language", None)
    except FieldDoesNotExist:  # a form-only field, such as the edit token
        return None


def parent_field_name(model: type[models.Model]) -> str | None:
    """The foreign key through which the rows of ``model`` belong to another object's translation (a reference's
    ``article``), as the model declares it in ``translation_parent``; None for an object translated on its own."""
    return getattr(_real_model(model), "translation_parent", None)


@dataclass(frozen=True)
class ChildRelation:
    """Translated rows whose texts are units of their parent's translation (an article's references)."""

    model: type[models.Model]
    fk_name: str
    accessor: str


@functools.cache
def _child_relations(label: str) -> tuple[ChildRelation, ...]:
    parent = apps.get_model(label)
    relations = []
    for model in translator.get_registered_models(abstract=False):
        fk_name = getattr(model, "translation_parent", None)
        if fk_name is None:
            continue
        field = model._meta.get_field(fk_name)
        if field.related_model is parent:
            relations.append(ChildRelation(model, fk_name, field.remote_field.get_accessor_name()))
    return tuple(relations)


def child_relations(model: type[models.Model]) -> tuple[ChildRelation, ...]:
    """The child rows of ``model``'s translation, from the translated models that name it their parent."""
    return _child_relations(model._meta.label_lower)


def source_language(obj: models.Model) -> str:
    return getattr(obj, "original_language", None) or DEFAULT_LANGUAGE


def unit_id(instance: models.Model, field: str) -> str:
    return f"{instance._meta.model_name}:{instance.pk}:{field}"


@dataclass(frozen=True)
class Unit:
    """One translatable text of an object (or of one of its child rows), addressed by ``id`` in files."""

    id: str
    instance: models.Model
    field: str

    def text(self, language: str) -> str:
        return getattr(self.instance, f"{self.field}_{language}", "") or ""

    def field_name(self, language: str) -> str:
        return f"{self.field}_{language}"

    @property
    def model_field(self) -> models.Field:
        return self.instance._meta.get_field(self.field)


def units_of(obj: models.Model) -> list[Unit]:
    """Every translatable text of ``obj``, its own fields first, then its child rows' (an article's references) in
    order."""
    units = [Unit(unit_id(obj, name), obj, name) for name in text_fields(type(obj))]
    if obj.pk:
        for relation in child_relations(type(obj)):
            for item in getattr(obj, relation.accessor).all():
                units += [Unit(unit_id(item, name), item, name) for name in text_fields(relation.model)]
    return units


def units_to_translate(obj: models.Model) -> list[Unit]:
    """The units whose source text is not empty: what a complete translation fills.

    Each call reads the child rows again: a write that needs the units several times (fingerprints, segments, the
    translation memory) reads them once and passes them on (the ``to_translate`` arguments below and in
    ``segments`` and ``memory``)."""
    source = source_language(obj)
    return [unit for unit in units_of(obj) if unit.text(source).strip()]


def fingerprint(language: str, texts: dict[str, str]) -> str:
    """A fingerprint of source texts by unit id: equal exactly when the same units say the same thing."""
    payload = json.dumps({"language": language, "units": dict(sorted(texts.items()))}, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def source_texts(obj: models.Model, to_translate: Sequence[Unit] | None = None) -> dict[str, str]:
    source = source_language(obj)
    return {unit.id: unit.text(source) for unit in (units_to_translate(obj) if to_translate is None else to_translate)}


def source_fingerprint(obj: models.Model, to_translate: Sequence[Unit] | None = None) -> str:
    return fingerprint(source_language(obj), source_texts(obj, to_translate))


# --- State of one object, in Python -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationStatus:
    language: str
    is_source: bool
    filled: int
    total: int
    state: str
    outdated: bool
    saved_at: datetime | None = None
    saved_by: object | None = None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def needs_work(self) -> bool:
        return not self.is_source and (self.outdated or self.filled < self.total)


def _is_published(obj: models.Model, language: str) -> bool:
    """Released in ``language`` (scheduled ones too), for models with a publication rule (articles)."""
    is_published_in = getattr(obj, "is_published_in", None)
    return bool(is_published_in and is_published_in(language, scheduled=True))


def translation_statuses(obj: models.Model, rows: Iterable | None = None) -> dict[str, TranslationStatus]:
    """Progress, state and outdated flag of every language of ``obj`` (``rows``: its TranslationState rows, when
    the caller fetched them for many objects at once)."""
    from publishing.models import TranslationState

    if rows is None:
        rows = TranslationState.objects.for_object(obj).select_related("updated_by")
    by_language = {row.language: row for row in rows}
    source = source_language(obj)
    source_row = by_language.get(source)
    units = units_to_translate(obj)
    statuses = {}
    for code in language_codes():
        filled = sum(1 for unit in units if unit.text(code).strip())
        if _is_published(obj, code):
            state = PUBLISHED
        elif filled == 0:
            state = MISSING
        elif filled < len(units):
            state = IN_PROGRESS
        else:
            state = COMPLETE
        row = by_language.get(code)
        outdated = bool(
            code != source and filled and row and source_row and row.source_hash != source_row.source_hash
        )
        statuses[code] = TranslationStatus(
            language=code,
            is_source=code == source,
            filled=filled,
            total=len(units),
            state=state,
            outdated=outdated,
            saved_at=row.updated_at if row and code != source else None,
            saved_by=row.updated_by if row and code != source else None,
        )
    return statuses


def translation_statuses_for(objects: Sequence[models.Model]) -> dict[object, dict[str, TranslationStatus]]:
    """:func:`translation_statuses` of many objects of one model in two queries (child rows, state rows)."""
    from publishing.models import TranslationState

    objects = list(objects)
    if not objects:
        return {}
    model = type(objects[0])
    accessors = [relation.accessor for relation in child_relations(model)]
    if accessors:
        models.prefetch_related_objects(objects, *accessors)
    rows = defaultdict(list)
    for row in TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[obj.pk for obj in objects]
    ).select_related("updated_by"):
        rows[row.object_id].append(row)
    return {obj.pk: translation_statuses(obj, rows.get(obj.pk, [])) for obj in objects}

"""The translators' workflow: who may edit which language, how far each translation is, and whether it is outdated.

**Roles.** ``publishing.publish_article`` makes an editor: every field in every language, the shared fields (dates,
authors, tags, images, category) and publishing. Everyone else who may change articles, tags, categories or bios
is a translator, limited to the languages of their ``publishing.translate_<language>`` permissions; translators never
add, delete or publish. Superusers are editors. The data migration ``0004_translation_roles`` creates the groups
holding these permissions: "Editor", and "Translator (tr)", "Translator (en)", "Translator (ru)" (a user may be in
several).

**Units.** What is translated is a list of units: one per translatable text field of an object (the fields
``translation.py`` registers, minus publish flags and the slugs made from titles) and, for an article, one per
reference text: ``article:12:body``, ``reference:40:text``, ``tag:3:name``, ``author:2:bio``. The source of a unit
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

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import DEFAULT_LANGUAGE
from modeltranslation.translator import NotRegistered, translator

EDITOR_GROUP = "Editor"
PUBLISH_PERMISSION = "publishing.publish_article"

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

# The models whose texts translators work on, in the dashboard's order.
TRANSLATED_MODELS = ("articles.article", "authors.author", "articles.tag", "articles.category")
# Rows whose units belong to their parent's translation: (parent, accessor on the parent, child model, its FK name).
CHILD_UNITS = {"articles.article": ("references", "articles.reference", "article")}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


# --- Roles ------------------------------------------------------------------------------------------------------


def translator_group_name(language: str) -> str:
    return f"Translator ({language})"


def translate_permission(language: str) -> str:
    return f"publishing.translate_{language}"


def is_editor(user) -> bool:
    """Editors (and superusers) edit every language and the shared fields, and publish."""
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(PUBLISH_PERMISSION)))


def editable_languages(user) -> list[str]:
    """The languages whose texts ``user`` may change: all for an editor, the translator's own otherwise."""
    if is_editor(user):
        return language_codes()
    if not user or not user.is_active:
        return []
    return [code for code in language_codes() if user.has_perm(translate_permission(code))]


def is_translator(user) -> bool:
    """A staff member limited to some languages: the admin sends them to the translation dashboard."""
    return bool(user and user.is_active and user.is_staff and not is_editor(user) and editable_languages(user))


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


def source_language(obj: models.Model) -> str:
    return getattr(obj, "original_language", None) or DEFAULT_LANGUAGE


def unit_id(instance: models.Model, field: str) -> str:
    return f"{instance._meta.model_name}:{instance.pk}:{field}"


@dataclass(frozen=True)
class Unit:
    """One translatable text of an object (or of one of its references), addressed by ``id`` in files."""

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
    """Every translatable text of ``obj``, its own fields first, then (for an article) its references in order."""
    units = [Unit(unit_id(obj, name), obj, name) for name in text_fields(type(obj))]
    child = CHILD_UNITS.get(obj._meta.label_lower)
    if child and obj.pk:
        for item in getattr(obj, child[0]).all():
            units += [Unit(unit_id(item, name), item, name) for name in text_fields(type(item))]
    return units


def units_to_translate(obj: models.Model) -> list[Unit]:
    """The units whose source text is not empty: what a complete translation fills."""
    source = source_language(obj)
    return [unit for unit in units_of(obj) if unit.text(source).strip()]


def fingerprint(language: str, texts: dict[str, str]) -> str:
    """A fingerprint of source texts by unit id: equal exactly when the same units say the same thing."""
    payload = json.dumps({"language": language, "units": dict(sorted(texts.items()))}, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def source_texts(obj: models.Model) -> dict[str, str]:
    source = source_language(obj)
    return {unit.id: unit.text(source) for unit in units_to_translate(obj)}


def source_fingerprint(obj: models.Model) -> str:
    return fingerprint(source_language(obj), source_texts(obj))


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
    """:func:`translation_statuses` of many objects of one model in two queries (references, state rows)."""
    from publishing.models import TranslationState

    objects = list(objects)
    if not objects:
        return {}
    model = type(objects[0])
    child = CHILD_UNITS.get(model._meta.label_lower)
    if child:
        models.prefetch_related_objects(objects, child[0])
    rows = defaultdict(list)
    for row in TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[obj.pk for obj in objects]
    ).select_related("updated_by"):
        rows[row.object_id].append(row)
    return {obj.pk: translation_statuses(obj, rows.get(obj.pk, [])) for obj in objects}


# --- The same rules as SQL conditions, for lists and the dashboard -----------------------------------------------


def _filled(field: str, language: str) -> Q:
    return Q(**{f"{field}_{language}__gt": ""})


def _source_cases(model: type[models.Model]) -> list[tuple[Q, str]]:
    """(condition on a row, the source language it implies) for every source language a row of ``model`` may have."""
    if any(field.name == "original_language" for field in model._meta.fields):
        return [(Q(original_language=code), code) for code in language_codes()]
    return [(Q(), DEFAULT_LANGUAGE)]


def _units_q(model: type[models.Model], language: str, *, filled: bool) -> Q:
    """Rows with at least one unit to translate that is filled in ``language`` (or, ``filled=False``, still empty)."""
    conditions = []
    child = CHILD_UNITS.get(model._meta.label_lower)
    child_model = apps.get_model(child[1]) if child else None
    for case, source in _source_cases(model):
        for name in text_fields(model):
            target = _filled(name, language) if filled else ~_filled(name, language)
            conditions.append(case & _filled(name, source) & target)
        if child_model is not None:
            for name in text_fields(child_model):
                target = _filled(name, language) if filled else ~_filled(name, language)
                rows = child_model._default_manager.filter(**{child[2]: OuterRef("pk")})
                conditions.append(case & Exists(rows.filter(_filled(name, source) & target)))
    return reduce(or_, conditions, Q(pk__in=[]))


def _published_q(model: type[models.Model], language: str) -> Q | None:
    """Released in ``language`` (scheduled ones too), for models whose queryset has a publication rule."""
    published_q = getattr(model._default_manager, "published_q", None)
    return published_q(language, scheduled=True) if published_q else None


def _is_source_q(model: type[models.Model], language: str) -> Q:
    cases = [case for case, source in _source_cases(model) if source == language]
    return reduce(or_, cases) if cases else Q(pk__in=[])


def with_source_fingerprint(queryset: models.QuerySet) -> models.QuerySet:
    """Alias ``translation_source_hash``: the stored fingerprint of each row's source text, for :func:`outdated_q`."""
    from publishing.models import TranslationState

    model = queryset.model
    rows = TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    if any(field.name == "original_language" for field in model._meta.fields):
        rows = rows.filter(language=OuterRef("original_language"))
    else:
        rows = rows.filter(language=DEFAULT_LANGUAGE)
    return queryset.alias(translation_source_hash=Subquery(rows.values("source_hash")[:1]))


def outdated_q(model: type[models.Model], language: str) -> Q:
    """Rows whose ``language`` translation was made from another source text than the current one. Needs the
    alias of :func:`with_source_fingerprint`."""
    from publishing.models import TranslationState

    stale = TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), language=language
    ).exclude(source_hash=OuterRef("translation_source_hash"))
    return Exists(stale) & _units_q(model, language, filled=True) & ~_is_source_q(model, language)


def needs_work_q(model: type[models.Model], language: str) -> Q:
    """What the dashboard lists: a translation (not the source) with a unit still empty, or outdated. Needs the
    alias of :func:`with_source_fingerprint`."""
    incomplete = _units_q(model, language, filled=False) & ~_is_source_q(model, language)
    return incomplete | outdated_q(model, language)


def filter_by_state(queryset: models.QuerySet, language: str, state: str) -> models.QuerySet:
    """Rows whose ``language`` variant is in ``state`` (one of :data:`STATES`, or :data:`OUTDATED`)."""
    model = queryset.model
    if state == OUTDATED:
        return with_source_fingerprint(queryset).filter(outdated_q(model, language))
    published = _published_q(model, language)
    if state == PUBLISHED:
        return queryset.filter(published) if published is not None else queryset.none()
    not_published = ~published if published is not None else Q()
    started = _units_q(model, language, filled=True)
    incomplete = _units_q(model, language, filled=False)
    if state == COMPLETE:
        return queryset.filter(started & ~incomplete & not_published)
    if state == IN_PROGRESS:
        return queryset.filter(started & incomplete & not_published)
    if state == MISSING:
        return queryset.filter(~started & not_published)
    raise ValueError(f"unknown translation state {state!r}")


# --- Keeping the fingerprints current ---------------------------------------------------------------------------
# Every write to a translated object or to a reference passes through here (not fixture loads: ``raw`` rows are
# the data as it was kept, and a restored database brings its own TranslationState rows).

_OLD_TEXTS = "_translation_texts_before_save"


def _text_values(instance: models.Model) -> dict[str, str]:
    return {
        f"{name}_{code}": getattr(instance, f"{name}_{code}", "") or ""
        for name in text_fields(type(instance))
        for code in language_codes()
    }


def _changed_languages(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name.rsplit("_", 1)[1] for name, value in after.items() if (before.get(name) or "") != value}


def parent_field_name(model: type[models.Model]) -> str | None:
    """The foreign key of a child model (a reference) to the object whose translation it belongs to."""
    for _parent, (_accessor, child_label, fk_name) in CHILD_UNITS.items():
        if child_label == model._meta.label_lower:
            return fk_name
    return None


def _parent_of(instance: models.Model) -> tuple[type[models.Model], object] | None:
    """(model, pk) of the object whose translation ``instance`` belongs to: itself, or a reference's article."""
    fk_name = parent_field_name(type(instance))
    if fk_name is None:
        return type(instance), instance.pk
    field = instance._meta.get_field(fk_name)
    return field.related_model, getattr(instance, field.attname)


def _ensure_baseline(model: type[models.Model], pk) -> None:
    """Before the first tracked write to an object that has no rows yet (loaded from fixtures, or older than the
    workflow): its translations are taken as made from the source as stored, before this write changes it."""
    from publishing.models import TranslationState
    from .services import translation_states_sync

    rows = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
    if not rows.exists():
        stored = model._default_manager.filter(pk=pk).first()
        if stored is not None:
            translation_states_sync(obj=stored)


def _before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    setattr(instance, _OLD_TEXTS, _text_values(stored))
    _ensure_baseline(*_parent_of(stored))


def _after_save(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    from .services import translation_states_sync

    if raw:
        return
    before = getattr(instance, _OLD_TEXTS, None) or {}
    carried = _changed_languages(before, _text_values(instance))
    if hasattr(instance, _OLD_TEXTS):
        delattr(instance, _OLD_TEXTS)
    model, pk = _parent_of(instance)
    parent = instance if model is type(instance) else model._default_manager.filter(pk=pk).first()
    if parent is not None:
        translation_states_sync(obj=parent, carried=carried)


def _before_child_delete(sender, instance, **kwargs) -> None:
    _ensure_baseline(*_parent_of(instance))


def _after_child_delete(sender, instance, **kwargs) -> None:
    """A deleted reference takes its source and its translations with it: translations in step stay in step."""
    from .services import translation_states_sync

    model, pk = _parent_of(instance)
    parent = model._default_manager.filter(pk=pk).first()
    if parent is not None:
        carried = {name.rsplit("_", 1)[1] for name, value in _text_values(instance).items() if value}
        translation_states_sync(obj=parent, carried=carried)


def _after_delete(sender, instance, **kwargs) -> None:
    from publishing.models import TranslationState

    TranslationState.objects.for_object(instance).delete()


def connect_signals() -> None:
    """Connected in ``ArticlesConfig.ready``: every write to a translated text keeps the fingerprints current."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    for label in TRANSLATED_MODELS:
        model = apps.get_model(label)
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"articles.workflow.before_save.{label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"articles.workflow.after_save.{label}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"articles.workflow.after_delete.{label}")
    for _parent, (_accessor, child_label, _fk) in CHILD_UNITS.items():
        child = apps.get_model(child_label)
        pre_save.connect(_before_save, sender=child, dispatch_uid=f"articles.workflow.before_save.{child_label}")
        post_save.connect(_after_save, sender=child, dispatch_uid=f"articles.workflow.after_save.{child_label}")
        pre_delete.connect(_before_child_delete, sender=child, dispatch_uid=f"articles.workflow.before_delete.{child_label}")
        post_delete.connect(_after_child_delete, sender=child, dispatch_uid=f"articles.workflow.after_delete.{child_label}")

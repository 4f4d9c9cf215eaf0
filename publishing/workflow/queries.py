"""The translators' states as SQL conditions, for filtering lists and the dashboard.

The same rules as ``publishing.workflow.units`` computes in Python for the objects on a page (``translation_statuses``);
``tests/articles/test_translation_state.py`` holds the two to the same answers. Like the rest of the workflow they
work on any translated model: a model's publication rule is its manager's ``published_q``, where it has one.
"""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from modeltranslation.settings import DEFAULT_LANGUAGE

from ..languages import localized
from .units import (
    COMPLETE,
    IN_PROGRESS,
    MISSING,
    OUTDATED,
    PUBLISHED,
    child_relations,
    language_codes,
    text_fields,
)


def _filled(field: str, language: str) -> Q:
    return Q(**{f"{localized(field, language)}__gt": ""})


def _source_cases(model: type[models.Model]) -> list[tuple[Q, str]]:
    """(condition on a row, the source language it implies) for every source language a row of ``model`` may have."""
    if any(field.name == "original_language" for field in model._meta.fields):
        return [(Q(original_language=code), code) for code in language_codes()]
    return [(Q(), DEFAULT_LANGUAGE)]


def _units_q(model: type[models.Model], language: str, *, filled: bool) -> Q:
    """Rows with at least one unit to translate that is filled in ``language`` (or, ``filled=False``, still empty)."""
    conditions = []
    for case, source in _source_cases(model):
        for name in text_fields(model):
            target = _filled(name, language) if filled else ~_filled(name, language)
            conditions.append(case & _filled(name, source) & target)
        for relation in child_relations(model):
            rows = relation.model._default_manager.filter(**{relation.fk_name: OuterRef("pk")})
            for name in text_fields(relation.model):
                target = _filled(name, language) if filled else ~_filled(name, language)
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

"""Writes of the articles app that touch several rows or need a rule enforced: the admin and commands call these."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import exchange, workflow
from publishing.models import TranslationState

from .models import Article, language_codes
from publishing.revisions import revision_for


@dataclass
class PublishResult:
    changed: list[Article] = field(default_factory=list)
    incomplete: list[Article] = field(default_factory=list)


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


@transaction.atomic
def article_publish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Release ``language`` of each article that has a title and a body there; report the ones that do not."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    with revision_for(comment=gettext("Published in %(language)s") % {"language": _language_name(language)}):
        for article in articles:
            if not article.has_content_in(language):
                result.incomplete.append(article)
                continue
            if not getattr(article, f"is_published_{language}"):
                setattr(article, f"is_published_{language}", True)
                article.save()
                result.changed.append(article)
    return result


@transaction.atomic
def article_unpublish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Withdraw ``language`` of each article from readers; its text stays for editors."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    with revision_for(comment=gettext("Unpublished in %(language)s") % {"language": _language_name(language)}):
        for article in articles:
            if getattr(article, f"is_published_{language}"):
                setattr(article, f"is_published_{language}", False)
                article.save()
                result.changed.append(article)
    return result


# --- The translators' workflow (articles.workflow explains the states) -------------------------------------------


def translation_states_sync(*, obj: models.Model, carried: Iterable[str] = ()) -> None:
    """Keep the stored fingerprint of ``obj``'s source text current after a write to it or to one of its references.

    A translation seen for the first time is taken as made from the source as it is now. ``carried`` names the
    languages whose text changed in the same write: a translation that was up to date and changed together with
    its source stays up to date; any other translation keeps the fingerprint it was made from, so a changed source
    makes it outdated. Runs inside the save that calls it; rows are created with ``ignore_conflicts``, so two
    concurrent saves cannot fail on them.
    """
    content_type = ContentType.objects.get_for_model(obj)
    source = workflow.source_language(obj)
    units = workflow.units_to_translate(obj)
    current = workflow.fingerprint(source, {unit.id: unit.text(source) for unit in units})
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
        for code in language_codes()
        if code not in rows and (code == source or any(unit.text(code).strip() for unit in units))
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
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    if language == workflow.source_language(obj):
        return None
    translation_states_sync(obj=obj)
    state, _created = TranslationState.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        language=language,
        defaults={
            "source_hash": source_hash or workflow.source_fingerprint(obj),
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
    statuses = workflow.translation_statuses_for(objects)
    changed = []
    for obj in objects:
        if statuses[obj.pk][language].outdated:
            translation_mark_saved(obj=obj, language=language, user=user)
            changed.append(obj)
    return changed


@dataclass
class TranslationImportResult:
    plans: list[exchange.ImportPlan] = field(default_factory=list)
    dry_run: bool = False

    @property
    def articles(self) -> list[Article]:
        return [plan.article for plan in self.plans]


@transaction.atomic
def translation_file_import(
    *,
    data: bytes,
    name: str,
    language: str,
    user=None,
    article_id: int | None = None,
    dry_run: bool = False,
) -> TranslationImportResult:
    """Import a filled PO/XLIFF file (or a zip of them) into the ``language`` fields of its article(s).

    Every document is checked first (``exchange.plan_import``); one problem anywhere refuses the whole upload with
    :class:`exchange.TranslationFileError` listing them all, and nothing is written. The translation counts as
    saved against the source text the file carries: a file exported before the source changed stays outdated.
    """
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    if user is not None and language not in workflow.editable_languages(user):
        raise exchange.TranslationFileError(
            [gettext("you may not edit the %(language)s texts") % {"language": _language_name(language)}], source=name
        )
    plans, errors = [], []
    for document in exchange.read_documents(data, name):
        try:
            plans.append(exchange.plan_import(document, language=language, article_id=article_id))
        except exchange.TranslationFileError as error:
            errors += [f"{document.name}: {message}" for message in error.errors] if document.name != name else error.errors
    if errors:
        raise exchange.TranslationFileError(errors, source=name)
    with revision_for(user=user, comment=gettext("Translation imported from %(file)s") % {"file": name}):
        for plan in plans:
            _apply_import_plan(plan, user=user)
    if dry_run:
        transaction.set_rollback(True)
    return TranslationImportResult(plans=plans, dry_run=dry_run)


def _apply_import_plan(plan: exchange.ImportPlan, *, user) -> None:
    changed: dict[int, models.Model] = {}
    for unit, text in plan.values:
        name = unit.field_name(plan.language)
        if (getattr(unit.instance, name) or "") != text:
            setattr(unit.instance, name, text)
            changed[id(unit.instance)] = unit.instance
    # The article first, then its references: each save sanitises its own texts.
    for instance in sorted(changed.values(), key=lambda instance: instance is not plan.article):
        instance.save()
    if plan.carries_translation:
        translation_mark_saved(obj=plan.article, language=plan.language, user=user, source_hash=plan.source_hash)

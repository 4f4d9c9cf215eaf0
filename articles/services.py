"""Writes of the articles app that touch several rows or need a rule enforced: the admin and commands call these."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext

from publishing.languages import language_codes, localized, translated_value
from publishing.revisions import keep_initial_revision, revision_for
from publishing.workflow.roles import editable_languages
from publishing.workflow.services import translation_mark_saved, translation_mark_segments_saved

from . import exchange, upkeep
from .models import Article


@dataclass
class PublishResult:
    changed: list[Article] = field(default_factory=list)
    incomplete: list[Article] = field(default_factory=list)


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


@transaction.atomic
def article_publish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Release ``language`` of each article that has a title and a body there; report the ones that do not.

    One revision and one run of the upkeep (search, Similar Posts, page cache) for all of them."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    with (
        revision_for(comment=gettext("Published in %(language)s") % {"language": _language_name(language)}),
        upkeep.batched(),
    ):
        for article in articles:
            if not article.has_content_in(language):
                result.incomplete.append(article)
                continue
            if not translated_value(article, "is_published", language):
                setattr(article, localized("is_published", language), True)
                article.save()
                result.changed.append(article)
    return result


@transaction.atomic
def article_unpublish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Withdraw ``language`` of each article from readers; its text stays for editors. One revision and one run of
    the upkeep for all of them."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    with (
        revision_for(comment=gettext("Unpublished in %(language)s") % {"language": _language_name(language)}),
        upkeep.batched(),
    ):
        for article in articles:
            if translated_value(article, "is_published", language):
                setattr(article, localized("is_published", language), False)
                article.save()
                result.changed.append(article)
    return result


# --- Translations in files (articles.exchange reads and checks them) ----------------------------------------------


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
    if user is not None and language not in editable_languages(user):
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
    comment = gettext("Translation imported from %(file)s") % {"file": name}
    for plan in plans:
        keep_initial_revision(plan.article)
    with revision_for(user=user, comment=comment), upkeep.batched():
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
        translation_mark_segments_saved(
            obj=plan.article, language=plan.language, made_from=plan.segment_hashes, user=user
        )

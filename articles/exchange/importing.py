"""Importing the old site's text exports: a new article, a re-import, or a translation of an existing article.

One file is one transaction: it is written whole or not at all, and importing the same file again changes nothing.
The command ``import_articles`` and the admin's "Import from text" page both call :func:`article_import_text`.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from modeltranslation.settings import DEFAULT_LANGUAGE as SOURCE_LANGUAGE

from authors.models import Author
from publishing.languages import language_codes, localized, translated_value
from publishing.revisions import keep_initial_revision, revision_for
from publishing.text import casefold_tr, ensure_paragraphs, paragraphs_to_html, sanitize_html, title_tr, upper_tr
from publishing.workflow.services import translation_mark_saved

from .. import upkeep
from ..models import Article, Category, Reference
from .seedtext import ParsedArticle, ParsedAuthor, SeedTextError, decode_export, parse_article_text


class ArticleImportError(Exception):
    """An export that cannot be imported; ``str()`` is one line naming the file and, where known, the line."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.message, self.source, self.line = message, source, line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: line {self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass
class ImportOutcome:
    source: str
    action: str  # "created", "updated" or "unchanged"
    article: Article
    language: str
    url: str
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    dry_run: bool = False


class _Changes(list):
    """Field assignments that record what really changed, so a second import of the same file writes nothing."""

    def assign(self, obj, name: str, value) -> None:
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            self.append(f"{obj._meta.model_name}.{name}")


def split_author_name(name: str) -> tuple[str, str]:
    """ "Hatice ÇİFTÇİOĞLU" -> ("Hatice", "Çiftçioğlu"): the trailing words in capitals are the family name."""
    words = name.split()
    family: list[str] = []
    while len(words) > 1 and upper_tr(words[-1]) == words[-1] and any(c.isalpha() for c in words[-1]):
        family.insert(0, words.pop())
    if not family:
        family = [words.pop()] if len(words) > 1 else []
    return " ".join(words), title_tr(" ".join(family))


def _author_for(parsed: ParsedAuthor, changes: _Changes) -> Author:
    author = Author.objects.by_name(parsed.name)
    if author is None:
        given, family = split_author_name(parsed.name)
        author = Author(given_name=given, family_name=family)
        changes.append(f"author {parsed.name} created")
    # Export bios are always the source text (the source language's field), whatever the language of the article.
    if parsed.bio:
        changes.assign(author, localized("bio", SOURCE_LANGUAGE), sanitize_html(parsed.bio))
    if author._state.adding or changes:
        author.save()
    return author


def _category_for(name: str, language: str, changes: _Changes) -> Category:
    key = casefold_tr(name)
    for category in Category.objects.all():
        if any(casefold_tr(translated_value(category, "name", code) or "") == key for code in language_codes()):
            return category
    category = Category(**{localized("name", language): name})
    category.save()
    changes.append(f"category {name} created")
    return category


def _find_article(slug: str, source: str) -> Article:
    query = Q()
    for code in language_codes():
        query |= Q(**{localized("slug", code): slug})
    article = Article.objects.filter(query).first()
    if article is None:
        raise ArticleImportError(f"--translation-of: no article has the slug {slug!r} in any language", source=source)
    return article


def _existing_article(parsed: ParsedArticle, *, language: str, translation_of: str | None, source: str) -> Article | None:
    """The article an import writes into: the one named by ``--translation-of``, else the one with the title."""
    if translation_of:
        return _find_article(translation_of, source)
    return Article.objects.filter(**{localized("title", language): parsed.title}).first()


def _publication_date(parsed: ParsedArticle) -> datetime.datetime:
    """The exports lost their dates; the latest access date of the references is the best evidence left."""
    dates = [reference.accessed_on for reference in parsed.references if reference.accessed_on]
    if not dates:
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(max(dates), datetime.time(12, 0)))


def article_import_text(
    *,
    data: bytes,
    language: str,
    source: str = "upload",
    title: str | None = None,
    translation_of: str | None = None,
    publish: bool = False,
    dry_run: bool = False,
    user=None,
) -> ImportOutcome:
    """Import one export in ``language``; raise :class:`ArticleImportError` with nothing written on bad input."""
    if language not in language_codes():
        raise ArticleImportError(
            f"unknown language {language!r}; choose one of {', '.join(language_codes())}", source=source
        )
    try:
        text = decode_export(data)
        known = {
            name for row in Category.objects.values_list(*[localized("name", c) for c in language_codes()]) for name in row if name
        }
        parsed = parse_article_text(text, title=title, known_categories=known)
    except SeedTextError as error:
        raise ArticleImportError(error.message, source=source, line=error.line) from error

    try:
        with transaction.atomic():
            keep_initial_revision(_existing_article(parsed, language=language, translation_of=translation_of, source=source))
            with revision_for(user=user, comment=f"{source} ({language})"), upkeep.batched():
                outcome = _write(parsed, language=language, source=source, translation_of=translation_of, publish=publish)
                if outcome.action != "unchanged" and language != outcome.article.original_language:
                    translation_mark_saved(obj=outcome.article, language=language, user=user)
            outcome.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)
    except ArticleImportError:
        raise
    return outcome


def _write(parsed: ParsedArticle, *, language: str, source: str, translation_of: str | None, publish: bool) -> ImportOutcome:
    changes = _Changes()
    article = _existing_article(parsed, language=language, translation_of=translation_of, source=source) or Article(
        original_language=language, published_at=_publication_date(parsed)
    )
    created = article._state.adding
    is_source_text = created or (not translation_of and article.original_language == language)

    if parsed.category:
        category = _category_for(parsed.category, language, changes)
        if article.category_id is None or (is_source_text and article.category_id != category.pk):
            changes.assign(article, "category", category)
        current = article.category
        if current is not None and not translated_value(current, "name", language):
            # A translated export names the category in its language: that fills the missing translation.
            setattr(current, localized("name", language), parsed.category)
            current.save()
            changes.append(f"category name_{language}")

    changes.assign(article, localized("title", language), parsed.title)
    changes.assign(article, localized("highlights", language), "\n".join(sanitize_html(h, inline=True) for h in parsed.highlights))
    changes.assign(article, localized("body", language), sanitize_html(ensure_paragraphs(paragraphs_to_html(parsed.paragraphs))))
    if publish:
        changes.assign(article, localized("is_published", language), True)
    if changes or created:
        article.save()

    authors = [_author_for(parsed_author, changes) for parsed_author in parsed.authors]
    if authors and (is_source_text or not article.authors.exists()):
        if {a.pk for a in article.authors.all()} != {a.pk for a in authors}:
            article.authors.set(authors)
            changes.append("authors")

    existing = {reference.marker: reference for reference in article.references.all()} if not created else {}
    warnings = list(parsed.warnings)
    for position, parsed_reference in enumerate(parsed.references, start=1):
        reference = existing.pop(parsed_reference.marker, None) or Reference(
            article=article, marker=parsed_reference.marker
        )
        ref_changes = _Changes()
        ref_changes.assign(reference, localized("text", language), sanitize_html(parsed_reference.text, inline=True))
        if is_source_text or reference._state.adding or not reference.url:
            ref_changes.assign(reference, "url", parsed_reference.url)
        elif parsed_reference.url and parsed_reference.url != reference.url:
            # A reference has one address for every language: the translation's own source is not taken, and the
            # importer says so rather than dropping it unseen.
            warnings.append(
                f"reference [{reference.marker}]: this {language} text cites {parsed_reference.url}; the article "
                f"keeps {reference.url} (one address for every language: change it in the admin if it should)"
            )
        if is_source_text or reference._state.adding or not reference.accessed_on:
            ref_changes.assign(reference, "accessed_on", parsed_reference.accessed_on)
        if is_source_text:
            ref_changes.assign(reference, "position", position)
        elif reference._state.adding:
            reference.position = position
        if reference._state.adding or ref_changes:
            reference.save()
            changes.append(f"reference [{reference.marker}]")
    if is_source_text and existing:
        # The source text is authoritative for the list: references it no longer has are gone.
        Reference.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        changes.append("references removed")

    action = "created" if created else ("updated" if changes else "unchanged")
    return ImportOutcome(
        source=source,
        action=action,
        article=article,
        language=language,
        url=article.url_in(language),
        warnings=warnings,
        changes=list(changes),
    )

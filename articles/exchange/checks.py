"""Checking a PO/XLIFF document before anything is written: the file must name an existing article and the language
asked for, every unit must be a text of that article, and each translated text must keep the source's footnote
markers and paragraphs and use only well-formed, allowed markup. Every problem is reported, each naming its unit;
the file is then refused whole (``articles.services.translation_file_import`` writes what a plan says).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from publishing.text import (
    ALLOWED_TAGS,
    INLINE_TAGS,
    ensure_paragraphs,
    footnote_markers,
    markup_check,
    validate_html_size,
)
from publishing.models import TranslationState
from publishing.workflow import segments as segmenting
from publishing.workflow import units as workflow

from .files import INLINE_FIELDS, OBJECT_RE, TranslationDocument, TranslationFileError


# The fingerprint recorded for a translation the file marks as not final: it matches no source, so the segment (and
# the whole translation) stays outdated until someone saves or confirms it.
NOT_REVIEWED = "not-reviewed"


@dataclass
class ImportPlan:
    """What importing one checked document will write."""

    document: TranslationDocument
    article: models.Model
    language: str
    values: list[tuple[workflow.Unit, str]]
    source_hash: str
    source_changed: list[str]
    # By segment id: the fingerprint of the source each imported translation was made from.
    segment_hashes: dict[str, str] = field(default_factory=dict)
    # Units the file marks as not final (fuzzy, needs review): written, and kept outdated.
    needs_review: list[str] = field(default_factory=list)

    @property
    def carries_translation(self) -> bool:
        return bool(self.values)


def plan_import(document: TranslationDocument, *, language: str, article_id: int | None = None) -> ImportPlan:
    """Check ``document`` against the article it names; raise :class:`TranslationFileError` listing every problem."""
    from ..models import Article

    def refuse(errors: list[str]):
        raise TranslationFileError(errors, source=document.name)

    match = OBJECT_RE.fullmatch(document.object_ref or "")
    if not match:
        refuse([_("the file does not say which article it translates (article:<id> in its header is missing)")])
    article = Article.objects.filter(pk=int(match["pk"])).first()
    if article is None:
        refuse([_("article %(id)s does not exist") % {"id": match["pk"]}])
    errors = []
    if article_id is not None and article.pk != article_id:
        errors.append(
            _("the file is for article %(found)s (“%(title)s”), not for article %(expected)s")
            % {"found": article.pk, "title": article, "expected": article_id}
        )
    source = article.original_language
    if _language_code(document.target_language) != language:
        errors.append(
            _("the file is a translation into “%(found)s”, not into %(expected)s")
            % {"found": document.target_language or "?", "expected": workflow.language_name(language)}
        )
    if language == source:
        errors.append(
            _("%(language)s is the source language of this article: translate into another language")
            % {"language": workflow.language_name(language)}
        )
    if document.source_language and _language_code(document.source_language) != source:
        errors.append(
            _("the file was made from “%(found)s”, but the article is written in %(source)s")
            % {"found": document.source_language, "source": workflow.language_name(source)}
        )
    if errors:
        refuse(errors)

    expected = {unit.id: unit for unit in workflow.units_to_translate(article)}
    state = TranslationState.objects.for_object(article).filter(language=language).first()
    groups = segmenting.unit_segments(article, language, saved_hashes=state.segment_hashes if state else {})
    by_segment = {
        segment.id: (group, segment)
        for group in groups
        if group.aligned
        for segment in group.segments
        if segment.id != group.unit.id
    }
    seen: set[str] = set()
    values, source_changed, needs_review = [], [], []
    segment_values: dict[str, dict[str, str]] = {}
    made_from: dict[str, str] = {}
    texts = {unit_id: unit.text(source) for unit_id, unit in expected.items()}
    file_texts = dict(texts)
    for file_unit in document.units:
        if file_unit.id in seen:
            errors.append(_("unit %(unit)s appears twice") % {"unit": file_unit.id})
            continue
        seen.add(file_unit.id)
        if file_unit.id in by_segment:
            group, segment = by_segment[file_unit.id]
            made = segment.source_hash
            if file_unit.source is not None and _normalised(file_unit.source) != _normalised(segment.source):
                source_changed.append(segment.id)
                made = segmenting.segment_hash(file_unit.source)
                file_texts[group.unit.id] = f"{file_texts[group.unit.id]}\n{file_unit.source}"
            target = (file_unit.target or "").replace("\r\n", "\n").strip()
            if not target:
                continue
            if file_unit.needs_review:
                needs_review.append(segment.id)
                made = NOT_REVIEWED
                file_texts[group.unit.id] = f"{file_texts[group.unit.id]}\n{NOT_REVIEWED}"
            made_from[segment.id] = made
            segment_errors = segmenting.segment_errors(segment, target)
            errors += [f"{segment.id}: {message}" for message in segment_errors]
            if not segment_errors:
                segment_values.setdefault(group.unit.id, {})[segment.id] = target
            continue
        unit = expected.get(file_unit.id)
        if unit is None:
            errors.append(
                _("unknown unit %(unit)s: it is not a text of article %(id)s to translate")
                % {"unit": file_unit.id or f"“{(file_unit.source or '')[:40]}…”", "id": article.pk}
            )
            continue
        if file_unit.source is not None and _normalised(file_unit.source) != _normalised(unit.text(source)):
            source_changed.append(unit.id)
            file_texts[unit.id] = file_unit.source
        target = (file_unit.target or "").replace("\r\n", "\n")
        if not target.strip():
            continue
        unit_errors = text_errors(unit, target, source_text=unit.text(source))
        errors += [f"{unit.id}: {message}" for message in unit_errors]
        if not unit_errors:
            values.append((unit, target.strip()))
            # Made from the source the file carries: where that is older, every segment of the field stays outdated.
            made = segmenting.segment_hash(file_unit.source) if unit.id in source_changed else None
            if file_unit.needs_review:
                needs_review.append(unit.id)
                made = NOT_REVIEWED
                file_texts[unit.id] = f"{file_texts[unit.id]}\n{NOT_REVIEWED}"
            made_from.update(
                {
                    segment.id: made or segment.source_hash
                    for group in groups
                    if group.unit.id == unit.id
                    for segment in group.segments
                }
            )
    for group in groups:
        given = segment_values.get(group.unit.id)
        if not given:
            continue
        if any(unit.id == group.unit.id for unit, _text in values):
            errors.append(_("unit %(unit)s appears twice") % {"unit": group.unit.id})
            continue
        if group.how == segmenting.LINES:
            filled = [bool(given.get(segment.id, segment.target).strip()) for segment in group.segments]
            if any(not earlier and later for earlier, later in zip(filled, filled[1:])):
                errors.append(
                    _("%(unit)s: translate the lines of this field in order: an earlier one is still empty")
                    % {"unit": group.unit.id}
                )
                continue
        values.append((group.unit, group.joined(given)))
    if errors:
        refuse(errors)
    return ImportPlan(
        document=document,
        article=article,
        language=language,
        values=values,
        source_hash=workflow.fingerprint(source, file_texts),
        source_changed=source_changed,
        segment_hashes=made_from,
        needs_review=needs_review,
    )


def _language_code(value: str | None) -> str:
    """``ru`` for ``ru``, ``ru-RU``, ``ru_RU`` or ``RU``: files name languages as their tools like."""
    return (value or "").replace("_", "-").split("-")[0].lower()


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def text_errors(unit: workflow.Unit, target: str, *, source_text: str) -> list[str]:
    """Why ``target`` cannot stand in for ``source_text`` in ``unit``: bad markup, lost or invented footnote markers,
    another number of paragraphs, too long. Empty when it can."""
    model_field = unit.model_field
    errors = []
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(target) > max_length:
        errors.append(
            _("the text has %(length)d characters; the field holds %(limit)d") % {"length": len(target), "limit": max_length}
        )
    rich = isinstance(model_field, models.TextField)
    if rich:
        try:
            validate_html_size(target)
        except ValidationError as error:
            return errors + list(error.messages)
    check = markup_check(target)
    if not rich:
        if check.tags:
            errors.append(_("plain text expected, but it has the tag <%(tag)s>") % {"tag": check.tags[0]})
    else:
        inline = f"{unit.instance._meta.label_lower}.{unit.field}" in INLINE_FIELDS
        allowed = INLINE_TAGS if inline else ALLOWED_TAGS
        for tag in dict.fromkeys(check.tags):
            if tag not in allowed:
                errors.append(_("the tag <%(tag)s> is not allowed here") % {"tag": tag})
        errors += list(dict.fromkeys(check.problems))
        if not inline:
            wanted = markup_check(source_text).paragraphs
            found = markup_check(ensure_paragraphs(target)).paragraphs
            if wanted != found:
                errors.append(
                    _("the source has %(wanted)d paragraphs, the translation %(found)d: keep one <p> per paragraph")
                    % {"wanted": wanted, "found": found}
                )
    source_markers = _markers(source_text)
    target_markers = _markers(target)
    for marker in source_markers:
        if marker not in target_markers:
            errors.append(_("the footnote marker [%(marker)s] of the source is missing") % {"marker": marker})
    for marker in target_markers:
        if marker not in source_markers:
            errors.append(_("the footnote marker [%(marker)s] is not in the source") % {"marker": marker})
    return errors


def _markers(text: str) -> list[str]:
    return list(dict.fromkeys(footnote_markers(text)))

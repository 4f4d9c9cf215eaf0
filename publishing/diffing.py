"""What changed between two states of an object, field by field and language by language.

Editors meet this twice: when their save is refused because someone else saved first (the fields the other
editor's version and theirs disagree on), and when they compare two revisions before restoring one. Both show the
same thing: for each language, the fields that differ, with the removed and added words marked.
"""
from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Tags, words and single other characters, each with the white space after it: a change shows as the words it
# touched, not as scattered letters or spaces.
_TOKEN_RE = re.compile(r"<[^>]{0,200}>\s*|\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)
# Past this many tokens on a side the comparison would take too long for a page; the field is shown whole instead.
MAX_DIFF_TOKENS = 20_000
# Unchanged words kept on each side of a change; longer unchanged stretches are shortened to "…".
CONTEXT_TOKENS = 12
_BETWEEN_TAGS_RE = re.compile(r">\s+<")
SHARED = ""  # the "language" of fields that are not translated


@dataclass(frozen=True)
class FieldChange:
    language: str  # a code of LANGUAGES, or SHARED
    name: str  # the model field's name without the language suffix
    label: str
    before: str
    after: str

    @property
    def diff_html(self) -> SafeString:
        return inline_diff(self.before, self.after)


def _language_of(field_name: str) -> tuple[str, str]:
    for code, _name in settings.LANGUAGES:
        suffix = f"_{code}"
        if field_name.endswith(suffix):
            return field_name[: -len(suffix)], code
    return field_name, SHARED


def _as_text(value) -> str:
    """A value as an editor reads it: related objects by name, lists sorted, files by name, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "all") and callable(value.all):  # a related manager or a queryset
        value = list(value.all())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(_as_text(item) for item in value))
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an editor writes: every editable field (tags and authors too) but keys, bookkeeping dates and
    modeltranslation's copy of the default language in the untranslated column (``title`` beside ``title_tr``)."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        translated = set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        translated = set()
    skip = {"id", "created_at", "updated_at", "name_key"}
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.name not in skip and field.name not in translated and field.editable and not field.primary_key
    ]


def snapshot(instance: models.Model, *, related: Mapping[str, Iterable] | None = None) -> dict[str, str]:
    """``{field name: text}`` of an object, as :func:`field_changes` compares it. ``related`` gives the many-to-many
    values of an object that is not in the database as it is (an old revision): ``{"authors": [author, …]}``."""
    related = related or {}
    values = {}
    for field in compared_fields(type(instance)):
        if field.name in related:
            values[field.name] = _as_text(list(related[field.name]))
        elif field.many_to_many:
            values[field.name] = _as_text(getattr(instance, field.name).all()) if instance.pk else ""
        else:
            try:
                values[field.name] = _as_text(getattr(instance, field.name))
            except models.ObjectDoesNotExist:
                values[field.name] = f"#{getattr(instance, field.attname)}"
    return values


def form_snapshot(model: type[models.Model], cleaned_data: Mapping[str, object]) -> dict[str, str]:
    """The same for what a form submitted: only the fields the form has."""
    stored_form = getattr(model, "stored_form", lambda name, value: value)  # sanitised as save() would
    return {
        field.name: _as_text(stored_form(field.name, cleaned_data[field.name]))
        for field in compared_fields(model)
        if field.name in cleaned_data
    }


def field_changes(model: type[models.Model], before: Mapping[str, str], after: Mapping[str, str]) -> list[FieldChange]:
    """The fields of ``model`` whose texts differ between two snapshots, in field order; a field missing from
    either snapshot is not compared (a form posts only what it shows)."""
    changes = []
    for field in compared_fields(model):
        if field.name not in before or field.name not in after:
            continue
        old, new = before[field.name], after[field.name]
        if comparable(old) == comparable(new):
            continue
        name, language = _language_of(field.name)
        label = model._meta.get_field(name).verbose_name if language else field.verbose_name  # "body", not "body [en]"
        changes.append(FieldChange(language=language, name=name, label=str(label), before=old, after=new))
    return changes


def changes_by_language(changes: Iterable[FieldChange]) -> list[tuple[str, str, list[FieldChange]]]:
    """``[(code, language name, changes)]`` in the order of LANGUAGES, fields shared by all languages last."""
    grouped: dict[str, list[FieldChange]] = {}
    for change in changes:
        grouped.setdefault(change.language, []).append(change)
    names = [*settings.LANGUAGES, (SHARED, str(_("all languages")))]
    return [(code, str(name), grouped[code]) for code, name in names if code in grouped]


def changes_summary(changes: Iterable[FieldChange]) -> str:
    """One line for a revision list: "tr: title, body; en: highlights; all languages: tags"."""
    return "; ".join(
        f"{name if code == SHARED else code}: {', '.join(change.label for change in group)}"
        for code, name, group in changes_by_language(changes)
    )


def comparable(value: str) -> str:
    """``value`` with white space reduced to what a reader sees: runs collapsed, none between tags. The rich-text
    editor writes paragraphs without the line breaks the importer puts between them; that is no change."""
    return _BETWEEN_TAGS_RE.sub("><", " ".join((value or "").split()))


def _context(tokens: list[str], *, first: bool, last: bool) -> str:
    """Unchanged text between changes, shortened to the words next to them when it is long (``…`` for the rest)."""
    if len(tokens) <= 2 * CONTEXT_TOKENS + 1 or (first and last):
        return "".join(tokens)
    head = [] if first else tokens[:CONTEXT_TOKENS]
    tail = [] if last else tokens[-CONTEXT_TOKENS:]
    return "".join(head) + "… " + "".join(tail)


def inline_diff(before: str, after: str) -> SafeString:
    """``before`` turned into ``after`` with removed words in ``<del>`` and added words in ``<ins>``, all escaped.

    Words are matched without the space after them, so a word that only moved to the end of the text is not shown
    as changed.
    """
    old, new = _TOKEN_RE.findall(comparable(before)), _TOKEN_RE.findall(comparable(after))
    if len(old) > MAX_DIFF_TOKENS or len(new) > MAX_DIFF_TOKENS:
        return format_html("<del>{}</del><ins>{}</ins>", before, after)
    parts = []
    matcher = difflib.SequenceMatcher(
        None, [token.strip() for token in old], [token.strip() for token in new], autojunk=False
    )
    opcodes = matcher.get_opcodes()
    for number, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        if operation == "equal":
            parts.append(escape(_context(new[j1:j2], first=number == 0, last=number == len(opcodes) - 1)))
            continue
        spaced_before = (i1 and old[i1 - 1][-1:].isspace()) or (j1 and new[j1 - 1][-1:].isspace())
        if parts and spaced_before and not parts[-1][-1:].isspace():
            parts.append(" ")
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(new[j1:j2])))
    return mark_safe("".join(parts))

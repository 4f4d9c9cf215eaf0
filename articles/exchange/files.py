"""PO and XLIFF files for outside translators: one article, one target language, one unit per segment.

A file carries the segments of ``publishing.workflow.segments``, the same pieces as the translation screen:
``article:12:title``, ``article:12:highlights:2``, ``article:12:body:3`` (a paragraph, its inner HTML),
``reference:40:text``: the source text in the article's source language, the current translation, and a note
naming the segment. A field whose stored translation does not line up with the source paragraph by paragraph
travels whole, as its unit (``article:12:body``); files of the former layout, one unit per field, are still read.
PO files are written and read with polib; XLIFF 1.2 and 2.0 with the Translate Toolkit. Markup stays in the texts
as written (escaped in XLIFF), and so do the footnote markers (``[1]``).

Each unit's state (untranslated, translated, outdated: its source paragraph changed since) is where its format
keeps it, for translators' tools to show, and read back from there. PO: an outdated entry is ``#, fuzzy`` (no
``#| msgid``: only the fingerprint of the source a translation was made from is kept); XLIFF 1.2: ``<target
state="translated">`` or ``"needs-review-translation"``; XLIFF 2.0: ``<segment state="translated">``, or ``initial``
with ``subState="publishing:outdated"``. An untranslated unit has no target (and is ``initial`` in XLIFF 2.0).

A unit still marked so (fuzzy, ``needs-…``, ``initial`` with that subState) is imported but stays *outdated*;
without the mark (Poedit clears it on an edit) it is translated, as is an XLIFF 2.0 target left ``initial`` without
the subState (an untranslated segment filled in a text editor).

Reading makes documents; ``articles.exchange.checks`` checks them against their article before anything is written.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polib
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from translate.misc.xml_helpers import parse_xml
from translate.storage import xliff, xliff2

from publishing.languages import translated_value
from publishing.workflow import segments as segmenting
from publishing.workflow import units as workflow

FORMATS = {
    "po": ("PO (gettext)", "po", "text/x-gettext-translation"),
    "xliff12": ("XLIFF 1.2", "xlf", "application/xliff+xml"),
    "xliff20": ("XLIFF 2.0", "xlf", "application/xliff+xml"),
}
FORMAT_CHOICES = [(key, label) for key, (label, _ext, _type) in FORMATS.items()]

# Texts sanitised as one line of phrase markup (Article.save, Reference.save); other text fields hold block markup.
INLINE_FIELDS = {"articles.article.highlights", "articles.reference.text"}
OBJECT_RE = re.compile(r"article:(?P<pk>\d+)")
UNIT_RE = re.compile(r"(?P<model>[a-z]+):(?P<pk>\d+):(?P<field>[a-z_]+)")
# What a unit still waiting for review says in each format (see above).
XLIFF12_NEEDS_REVIEW = {f"needs-{what}" for what in ("translation", "adaptation", "l10n")}
XLIFF12_NEEDS_REVIEW |= {f"needs-review-{what}" for what in ("translation", "adaptation", "l10n")}
XLIFF20_OUTDATED = "publishing:outdated"
MAX_ARCHIVE_FILES = 500
MAX_FILE_BYTES = 10 * 2**20


class TranslationFileError(Exception):
    """A translation file that cannot be imported: every problem found, one line each, prefixed with the file."""

    def __init__(self, errors: Sequence[str], *, source: str) -> None:
        self.errors, self.source = list(errors), source
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {error}" for error in self.errors)


@dataclass
class ExportedFile:
    name: str
    content: bytes
    content_type: str


@dataclass
class FileUnit:
    id: str
    source: str | None
    target: str | None
    # The file marks the target as not final (fuzzy, needs review): it is imported as outdated.
    needs_review: bool = False


@dataclass
class TranslationDocument:
    """What a PO or XLIFF file says, before any check: its article, languages and units."""

    name: str
    object_ref: str | None
    source_language: str | None
    target_language: str | None
    units: list[FileUnit] = field(default_factory=list)


# --- Export -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    """One unit of an exported file: a segment (or a whole field that does not split)."""

    id: str
    source: str
    target: str
    note: str
    state: str = segmenting.TRANSLATED

    @property
    def outdated(self) -> bool:
        return self.state == segmenting.OUTDATED


def _note(unit: workflow.Unit) -> str:
    model_field = unit.model_field
    label = f"{unit.instance._meta.verbose_name}: {model_field.verbose_name} ({unit.field})"
    if isinstance(model_field, models.TextField):
        if f"{unit.instance._meta.label_lower}.{unit.field}" in INLINE_FIELDS:
            return label + ". " + _("HTML, one line: keep the footnote markers such as [1].")
        return label + ". " + _("HTML: keep every <p> paragraph and the footnote markers such as [1].")
    return label + ". " + _("Plain text.")


_KIND_NOTES = {
    segmenting.PLAIN: gettext_lazy("Plain text."),
    segmenting.INLINE: gettext_lazy("HTML, inline formatting only: keep the footnote markers such as [1] in their order."),
    segmenting.BLOCK: gettext_lazy("HTML: keep the footnote markers such as [1] in their order."),
}


def _segment_note(segment: segmenting.Segment) -> str:
    state = str(segmenting.STATE_LABELS[segment.state])
    return f"{segment.label} ({segment.unit.field}). {_KIND_NOTES[segment.kind]} " + _("State: %(state)s.") % {"state": state}


def file_entries(article, language: str) -> list[FileEntry]:
    """What a file of ``article`` into ``language`` carries: its segments, each with its state."""
    from publishing.models import TranslationState

    state = TranslationState.objects.for_object(article).filter(language=language).first()
    entries = []
    for group in segmenting.unit_segments(article, language, saved_hashes=state.segment_hashes if state else {}):
        if not group.aligned:
            unit = group.unit
            target = unit.text(language)
            state = segmenting.TRANSLATED if target.strip() else segmenting.UNTRANSLATED
            entries.append(FileEntry(unit.id, unit.text(article.original_language), target, _note(unit), state))
            continue
        entries += [
            FileEntry(segment.id, segment.source, segment.target, _segment_note(segment), segment.state)
            for segment in group.segments
        ]
    return entries


def file_name(article, language: str, fmt: str) -> str:
    slug = (translated_value(article, "slug", article.original_language) or "")[:40].strip("-")
    return f"article-{article.pk}{'-' + slug if slug else ''}.{language}.{FORMATS[fmt][1]}"


def export_article(article, *, language: str, fmt: str) -> ExportedFile:
    """The units of ``article`` with their source text and their ``language`` text, in format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    source = article.original_language
    if language == source:
        raise ValueError(f"{language} is the source language of article {article.pk}")
    ref = f"article:{article.pk}"
    writer = {"po": _po_bytes, "xliff12": _xliff12_bytes, "xliff20": _xliff20_bytes}[fmt]
    with translation.override(language):  # the notes speak the translator's language
        content = writer(ref, str(article), source, language, file_entries(article, language))
    return ExportedFile(file_name(article, language, fmt), content, FORMATS[fmt][2])


def export_articles(articles: Iterable, *, language: str, fmt: str) -> ExportedFile:
    """One file for one article; a zip of one file per article for several (articles already in ``language``'s
    source are left out)."""
    files = [export_article(a, language=language, fmt=fmt) for a in articles if a.original_language != language]
    if not files:
        raise ValueError("no article to translate into this language")
    if len(files) == 1:
        return files[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for exported in files:
            archive.writestr(exported.name, exported.content)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportedFile(f"articles-{language}-{fmt}-{stamp}.zip", buffer.getvalue(), "application/zip")


def _po_bytes(ref: str, title: str, source: str, language: str, entries: list[FileEntry]) -> bytes:
    catalogue = polib.POFile(wrapwidth=0)
    now = timezone.now().strftime("%Y-%m-%d %H:%M%z")
    catalogue.metadata = {
        "Project-Id-Version": title,
        "POT-Creation-Date": now,
        "PO-Revision-Date": now,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": source,
        "X-Object": ref,
    }
    for entry in entries:
        catalogue.append(
            polib.POEntry(
                msgctxt=entry.id,
                msgid=entry.source,
                msgstr=entry.target,
                comment=entry.note,
                flags=["fuzzy"] if entry.outdated else [],
            )
        )
    return str(catalogue).encode("utf-8")


class _Xliff12Unit(xliff.xliffunit):
    namespace = "urn:oasis:names:tc:xliff:document:1.2"


class _Xliff12File(xliff.xlifffile):
    """The Translate Toolkit writes XLIFF 1.1 by default; the same classes with the 1.2 namespace write 1.2."""

    UnitClass = _Xliff12Unit
    namespace = "urn:oasis:names:tc:xliff:document:1.2"
    XMLskeleton = """<?xml version="1.0" ?>
<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'>
<file original='NoName' source-language='en' datatype='plaintext'>
<body>
</body>
</file>
</xliff>"""


def _xliff12_bytes(ref: str, title: str, source: str, language: str, entries: list[FileEntry]) -> bytes:
    store = _Xliff12File(sourcelanguage=source, targetlanguage=language)
    for item in entries:
        entry = store.addsourceunit(item.source, filename=ref, createifmissing=True)
        entry.setid(item.id)
        if item.target:
            entry.target = item.target
            target = entry.xmlelement.find(entry.namespaced("target"))
            target.set("state", "needs-review-translation" if item.outdated else "translated")
        entry.addnote(item.note, origin="developer")
    store.settargetlanguage(language)
    return bytes(store)


def _xliff20_bytes(ref: str, title: str, source: str, language: str, entries: list[FileEntry]) -> bytes:
    store = xliff2.Xliff2File(sourcelanguage=source, targetlanguage=language)
    store.body.set("id", ref.replace(":", "-"))
    store.body.set("original", ref)
    for item in entries:
        entry = store.addsourceunit(item.source)
        entry.setid(item.id)
        if item.target:
            entry.target = item.target
        # ``entry.xmlelement`` is the unit's one <segment>, where XLIFF 2.0 keeps the state.
        entry.xmlelement.set("state", "translated" if item.target and not item.outdated else "initial")
        if item.target and item.outdated:
            entry.xmlelement.set("subState", XLIFF20_OUTDATED)
        entry.addnote(item.note, origin="developer")
    _conform_to_xliff20(store)
    return bytes(store)


def _conform_to_xliff20(store: xliff2.Xliff2File) -> None:
    """Put notes and ``xml:space`` where the XLIFF 2.0 schema wants them: on ``<unit>``, not on ``<segment>`` (the
    Translate Toolkit writes both inside the segment, which validating tools refuse)."""
    space = "{http://www.w3.org/XML/1998/namespace}space"
    for segment in store.body.iter(store.namespaced("segment")):
        unit = segment.getparent()
        notes = segment.find(store.namespaced("notes"))
        if notes is not None:
            segment.remove(notes)
            unit.insert(0, notes)
        if segment.get(space):
            unit.set(space, segment.attrib.pop(space))


# --- Reading ----------------------------------------------------------------------------------------------------


def read_documents(data: bytes, name: str) -> list[TranslationDocument]:
    """The documents in an uploaded file: a PO file, an XLIFF 1.2 or 2.0 file, or a zip of such files."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _read_archive(data, name)
    return [_read_document(data, name)]


def _read_archive(data: bytes, name: str) -> list[TranslationDocument]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as error:
        raise TranslationFileError([_("not a readable zip file (%(error)s)") % {"error": error}], source=name)
    if len(members) > MAX_ARCHIVE_FILES:
        raise TranslationFileError(
            [_("the zip file holds more than %(limit)d files") % {"limit": MAX_ARCHIVE_FILES}], source=name
        )
    documents, errors = [], []
    for info in members:
        if info.file_size > MAX_FILE_BYTES:
            errors.append(_("%(file)s is larger than %(limit)d MB") % {"file": info.filename, "limit": MAX_FILE_BYTES // 2**20})
            continue
        try:
            documents.append(_read_document(archive.read(info), info.filename))
        except TranslationFileError as error:
            errors += [f"{info.filename}: {message}" for message in error.errors]
    if errors:
        raise TranslationFileError(errors, source=name)
    return documents


def _read_document(data: bytes, name: str) -> TranslationDocument:
    text = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return _read_xliff(data, name)
    return _read_po(data, name)


def _read_po(data: bytes, name: str) -> TranslationDocument:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TranslationFileError([_("not a PO or XLIFF file in UTF-8")], source=name)
    if "msgid" not in text:
        raise TranslationFileError([_("not a PO or XLIFF file: no msgid and no XML")], source=name)
    try:
        # The trailing newline keeps polib from taking the text for the name of a file on this server.
        catalogue = polib.pofile(text if text.endswith("\n") else text + "\n")
    except (OSError, ValueError) as error:
        raise TranslationFileError([_("the PO file cannot be read: %(error)s") % {"error": error}], source=name)
    metadata = catalogue.metadata
    units = [
        FileUnit(id=entry.msgctxt or "", source=entry.msgid, target=entry.msgstr, needs_review=entry.fuzzy)
        for entry in catalogue
        if not entry.obsolete
    ]
    return TranslationDocument(
        name=name,
        object_ref=metadata.get("X-Object"),
        source_language=metadata.get("X-Source-Language"),
        target_language=metadata.get("Language"),
        units=units,
    )


def _entity_references(root: etree._Element) -> list[str]:
    """One message per entity reference (``&name;``) in the file, naming its unit.

    The safe parser never expands entities (an external one could read a file of the server), so the text of a
    unit holding one would be imported without it; the file is refused instead, and the translator told where.
    """
    messages = []
    for entity in root.iter(etree.Entity):
        unit = next((element for element in entity.iterancestors()
                     if etree.QName(element).localname in {"trans-unit", "unit"}), None)
        unit_id = (unit.get("id") or "").rpartition("\x04")[2] if unit is not None else ""
        messages.append(
            _("%(unit)s: the entity %(entity)s is not accepted; write the text itself")
            % {"unit": unit_id or _("the file's header"), "entity": entity.text}
        )
    return messages


def _read_xliff(data: bytes, name: str) -> TranslationDocument:
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as error:
        raise TranslationFileError([_("the XML cannot be read: %(error)s") % {"error": error}], source=name)
    if etree.QName(root).localname != "xliff":
        raise TranslationFileError([_("not an XLIFF file (the root element is <%(tag)s>)") % {"tag": etree.QName(root).localname}], source=name)
    if entities := _entity_references(root):
        raise TranslationFileError(entities, source=name)
    version = root.get("version", "")
    try:
        if version.startswith("2."):
            store = xliff2.Xliff2File.parsestring(data)
            files = list(root.iterchildren(store.namespaced("file")))
            object_ref = files[0].get("original") if len(files) == 1 else None
            source, target = root.get("srcLang"), root.get("trgLang")
        else:
            store = xliff.xlifffile.parsestring(data)
            files = list(root.iterchildren(store.namespaced("file")))
            object_ref = files[0].get("original") if len(files) == 1 else None
            source = files[0].get("source-language") if len(files) == 1 else None
            target = files[0].get("target-language") if len(files) == 1 else None
    except (ValueError, AssertionError, etree.XMLSyntaxError, StopIteration) as error:
        raise TranslationFileError([_("the XLIFF file cannot be read: %(error)s") % {"error": error}], source=name)
    if len(files) != 1:
        raise TranslationFileError([_("the XLIFF file must hold exactly one <file> (one article)")], source=name)
    units = [
        FileUnit(
            id=(unit.getid() or "").rpartition("\x04")[2],
            source=unit.source,
            target=unit.target,
            needs_review=_xliff_needs_review(unit, version),
        )
        for unit in store.units
        if not unit.isheader()
    ]
    return TranslationDocument(name=name, object_ref=object_ref, source_language=source, target_language=target, units=units)


def _xliff_needs_review(unit, version: str) -> bool:
    """Whether the file marks ``unit``'s target as not final (see the module's docstring)."""
    if not unit.target:
        return False
    if version.startswith("2."):
        return unit.xmlelement.get("state") == "initial" and unit.xmlelement.get("subState") == XLIFF20_OUTDATED
    target = unit.xmlelement.find(unit.namespaced("target"))
    return target is not None and target.get("state") in XLIFF12_NEEDS_REVIEW

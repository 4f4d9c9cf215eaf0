"""PO and XLIFF files for outside translators: one article, one target language, one unit per translatable text.

A file carries the units of ``publishing.workflow.units`` (``article:12:body``, ``reference:40:text``): the source text in
the article's source language, the current translation, and a note naming the field. PO files are written and read
with polib; XLIFF 1.2 and 2.0 with the Translate Toolkit. Markup stays in the texts as written (escaped in XLIFF),
so the paragraphs and the footnote markers (``[1]``) a translator sees are the ones stored.

Reading checks everything before anything is written (``services.translation_file_import`` writes): the file must
name an existing article and the language asked for, every unit must be a text of that article, and each
translated text must keep the source's footnote markers and paragraphs and use only well-formed, allowed markup.
Every problem is reported, each naming its unit; the file is then refused whole.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

import polib
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree
from translate.misc.xml_helpers import parse_xml
from translate.storage import xliff, xliff2

from publishing.workflow import units as workflow
from .footnotes import MARKER_RE
from publishing.text import ALLOWED_TAGS, INLINE_TAGS, ensure_paragraphs, validate_html_size

FORMATS = {
    "po": ("PO (gettext)", "po", "text/x-gettext-translation"),
    "xliff12": ("XLIFF 1.2", "xlf", "application/xliff+xml"),
    "xliff20": ("XLIFF 2.0", "xlf", "application/xliff+xml"),
}
FORMAT_CHOICES = [(key, label) for key, (label, _ext, _type) in FORMATS.items()]

# Texts sanitised as one line of phrase markup (Article.save, Reference.save); other text fields hold block markup.
INLINE_FIELDS = {"articles.article.highlights", "articles.reference.text"}
VOID_TAGS = {"br", "hr", "img", "wbr"}
OBJECT_RE = re.compile(r"article:(?P<pk>\d+)")
UNIT_RE = re.compile(r"(?P<model>[a-z]+):(?P<pk>\d+):(?P<field>[a-z_]+)")
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


@dataclass
class TranslationDocument:
    """What a PO or XLIFF file says, before any check: its article, languages and units."""

    name: str
    object_ref: str | None
    source_language: str | None
    target_language: str | None
    units: list[FileUnit] = field(default_factory=list)


# --- Export -----------------------------------------------------------------------------------------------------


def _note(unit: workflow.Unit) -> str:
    model_field = unit.model_field
    label = f"{unit.instance._meta.verbose_name}: {model_field.verbose_name} ({unit.field})"
    if isinstance(model_field, models.TextField):
        if f"{unit.instance._meta.label_lower}.{unit.field}" in INLINE_FIELDS:
            return label + ". " + _("HTML, one line: keep the footnote markers such as [1].")
        return label + ". " + _("HTML: keep every <p> paragraph and the footnote markers such as [1].")
    return label + ". " + _("Plain text.")


def file_name(article, language: str, fmt: str) -> str:
    slug = (getattr(article, f"slug_{article.original_language}") or "")[:40].strip("-")
    return f"article-{article.pk}{'-' + slug if slug else ''}.{language}.{FORMATS[fmt][1]}"


def export_article(article, *, language: str, fmt: str) -> ExportedFile:
    """The units of ``article`` with their source text and their ``language`` text, in format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    source = article.original_language
    if language == source:
        raise ValueError(f"{language} is the source language of article {article.pk}")
    units = workflow.units_to_translate(article)
    ref = f"article:{article.pk}"
    writer = {"po": _po_bytes, "xliff12": _xliff12_bytes, "xliff20": _xliff20_bytes}[fmt]
    with translation.override(language):  # the notes speak the translator's language
        content = writer(ref, str(article), source, language, units)
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


def _po_bytes(ref: str, title: str, source: str, language: str, units: list[workflow.Unit]) -> bytes:
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
    for unit in units:
        catalogue.append(
            polib.POEntry(msgctxt=unit.id, msgid=unit.text(source), msgstr=unit.text(language), comment=_note(unit))
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


def _xliff12_bytes(ref: str, title: str, source: str, language: str, units: list[workflow.Unit]) -> bytes:
    store = _Xliff12File(sourcelanguage=source, targetlanguage=language)
    for unit in units:
        entry = store.addsourceunit(unit.text(source), filename=ref, createifmissing=True)
        entry.setid(unit.id)
        if unit.text(language):
            entry.target = unit.text(language)
        entry.addnote(_note(unit), origin="developer")
    store.settargetlanguage(language)
    return bytes(store)


def _xliff20_bytes(ref: str, title: str, source: str, language: str, units: list[workflow.Unit]) -> bytes:
    store = xliff2.Xliff2File(sourcelanguage=source, targetlanguage=language)
    store.body.set("id", ref.replace(":", "-"))
    store.body.set("original", ref)
    for unit in units:
        entry = store.addsourceunit(unit.text(source))
        entry.setid(unit.id)
        if unit.text(language):
            entry.target = unit.text(language)
        entry.addnote(_note(unit), origin="developer")
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
        FileUnit(id=entry.msgctxt or "", source=entry.msgid, target=entry.msgstr)
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


def _read_xliff(data: bytes, name: str) -> TranslationDocument:
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as error:
        raise TranslationFileError([_("the XML cannot be read: %(error)s") % {"error": error}], source=name)
    if etree.QName(root).localname != "xliff":
        raise TranslationFileError([_("not an XLIFF file (the root element is <%(tag)s>)") % {"tag": etree.QName(root).localname}], source=name)
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
        FileUnit(id=(unit.getid() or "").rpartition("\x04")[2], source=unit.source, target=unit.target)
        for unit in store.units
        if not unit.isheader()
    ]
    return TranslationDocument(name=name, object_ref=object_ref, source_language=source, target_language=target, units=units)


# --- Checking ---------------------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What importing one checked document will write."""

    document: TranslationDocument
    article: models.Model
    language: str
    values: list[tuple[workflow.Unit, str]]
    source_hash: str
    source_changed: list[str]

    @property
    def carries_translation(self) -> bool:
        return bool(self.values)


def plan_import(document: TranslationDocument, *, language: str, article_id: int | None = None) -> ImportPlan:
    """Check ``document`` against the article it names; raise :class:`TranslationFileError` listing every problem."""
    from .models import Article

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
    seen: set[str] = set()
    values, source_changed = [], []
    texts = {unit_id: unit.text(source) for unit_id, unit in expected.items()}
    file_texts = dict(texts)
    for file_unit in document.units:
        if file_unit.id in seen:
            errors.append(_("unit %(unit)s appears twice") % {"unit": file_unit.id})
            continue
        seen.add(file_unit.id)
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
    if errors:
        refuse(errors)
    return ImportPlan(
        document=document,
        article=article,
        language=language,
        values=values,
        source_hash=workflow.fingerprint(source, file_texts),
        source_changed=source_changed,
    )


def _language_code(value: str | None) -> str:
    """``ru`` for ``ru``, ``ru-RU``, ``ru_RU`` or ``RU``: files name languages as their tools like."""
    return (value or "").replace("_", "-").split("-")[0].lower()


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


class _MarkupCheck(HTMLParser):
    """Tags of a text in order: which are used, which are left open or closed without being opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.paragraphs = 0
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "p":
            self.paragraphs += 1
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if tag in self.open:
            while self.open:
                opened = self.open.pop()
                if opened == tag:
                    break
                self.problems.append(_("the tag <%(tag)s> is not closed") % {"tag": opened})
        else:
            self.problems.append(_("</%(tag)s> closes a tag that is not open") % {"tag": tag})

    def finish(self) -> list[str]:
        self.close()
        self.problems += [_("the tag <%(tag)s> is not closed") % {"tag": tag} for tag in reversed(self.open)]
        return self.problems


def _markup(text: str) -> _MarkupCheck:
    check = _MarkupCheck()
    check.feed(text)
    check.finish()
    return check


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
    check = _markup(target)
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
            wanted = _markup(source_text).paragraphs
            found = _markup(ensure_paragraphs(target)).paragraphs
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
    return list(dict.fromkeys(match["marker"] for match in MARKER_RE.finditer(text or "")))

"""PO and XLIFF files for outside translators: export, fill, import, the page shows the translation; a bad file is
refused whole with a message naming the unit, and nothing is written."""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import polib
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from lxml import etree

from articles import exchange
from publishing.models import TranslationState
from publishing.workflow import segments as segmenting
from publishing.workflow import units as workflow
from articles.models import Article
from articles.services import translation_file_import
from tests.factories import make_article, make_reference, make_staff

BODY_TR = "<p>Birinci paragraf[1].</p>\n<p>İkinci <em>paragraf</em>[2].</p>\n<p>Üçüncü paragraf.</p>"
RUSSIAN = {
    "title": "Сближение России и Северной Кореи",
    "highlights": "Первая мысль.\nВторая мысль[1].",
    "body": "<p>Первый абзац[1].</p>\n<p>Второй <em>абзац</em>[2].</p>\n<p>Третий абзац.</p>",
    "featured_image_alt": "Лидеры на встрече",
}
XLIFF_NS = {"1.2": "urn:oasis:names:tc:xliff:document:1.2", "2.0": "urn:oasis:names:tc:xliff:document:2.0"}


def russian_for(unit_id: str) -> str:
    """The Russian of a unit (``article:1:body``, the former layout) or of a segment (``article:1:body:2``)."""
    kind, _pk, field, *position = unit_id.split(":")
    if kind == "reference":
        return f"Источник {_pk}"
    text = RUSSIAN[field]
    if not position:
        return text
    parts = text.splitlines() if field == "highlights" else re.findall(r"<p>(.*?)</p>", text)
    return parts[int(position[0]) - 1]


def legacy_po(article, fill=russian_for, language: str = "ru") -> bytes:
    """A filled PO file of the former layout, one entry per field (``article:1:body``), as files sent out before
    the segments still are."""
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {"Language": language, "X-Source-Language": article.original_language,
                          "X-Object": f"article:{article.pk}", "Content-Type": "text/plain; charset=UTF-8"}
    for unit in workflow.units_to_translate(article):
        catalogue.append(polib.POEntry(msgctxt=unit.id, msgid=unit.text(article.original_language), msgstr=fill(unit.id)))
    return str(catalogue).encode("utf-8")


def filled_po(content: bytes, fill=russian_for, *, confirm: bool = True) -> bytes:
    """``content`` with every entry filled by ``fill``; ``confirm``: its fuzzy marks cleared, as Poedit does on an
    edit (else left as exported)."""
    catalogue = polib.pofile(content.decode("utf-8"))
    for entry in catalogue:
        entry.msgstr = fill(entry.msgctxt)
        if confirm:
            entry.fuzzy = False
    return str(catalogue).encode("utf-8")


def filled_xliff(content: bytes, fill=russian_for, *, confirm: bool = True) -> bytes:
    """``content`` with every target filled by ``fill``; ``confirm``: each state set to translated, as a translator's
    tool does on a confirmed segment (else left as exported)."""
    root = etree.fromstring(content)
    ns = root.nsmap[None]
    units = root.iter(f"{{{ns}}}trans-unit") if root.get("version") == "1.2" else root.iter(f"{{{ns}}}unit")
    for unit in units:
        holder = unit if root.get("version") == "1.2" else unit.find(f"{{{ns}}}segment")
        target = holder.find(f"{{{ns}}}target")
        if target is None:
            target = etree.SubElement(holder, f"{{{ns}}}target")
        target.text = fill(unit.get("id"))
        if confirm:
            (target if root.get("version") == "1.2" else holder).set("state", "translated")
            holder.attrib.pop("subState", None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class ExchangeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Rapprochement", languages=("tr", "en"), published=("tr", "en"), body=BODY_TR,
                                   highlights_tr="Birinci fikir.\nİkinci fikir[1].", featured_image_alt_tr="Liderler")
        cls.ref1 = make_reference(cls.article, "1", text_ru="", url="https://example.org/1")
        cls.ref2 = make_reference(cls.article, "2", text_ru="")
        cls.other = make_article("Other", languages=("tr",), published=("tr",))
        cls.editor = make_staff("ayse", "Editor")
        cls.translator = make_staff("olga", "Translator (ru)")

    def setUp(self):
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.enterContext(translation.override("en"))  # the messages asserted below, whatever ran before

    def unit_ids(self) -> list[str]:
        a = self.article.pk
        return [f"article:{a}:title", f"article:{a}:highlights:1", f"article:{a}:highlights:2", f"article:{a}:body:1",
                f"article:{a}:body:2", f"article:{a}:body:3", f"article:{a}:featured_image_alt",
                f"reference:{self.ref1.pk}:text", f"reference:{self.ref2.pk}:text"]

    def export(self, fmt: str, language: str = "ru", article=None) -> bytes:
        return exchange.export_article(Article.objects.get(pk=(article or self.article).pk), language=language, fmt=fmt).content

    def snapshot(self) -> dict:
        article = Article.objects.get(pk=self.article.pk)
        values = {name: getattr(article, name) for name in workflow.editable_field_names(Article, ("tr", "en", "ru"))}
        values["references"] = list(article.references.values_list("marker", "text_tr", "text_en", "text_ru"))
        return values

    def assert_russian_page(self) -> None:
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.title_ru, article.body_ru), (RUSSIAN["title"], RUSSIAN["body"]))
        article.is_published_ru = True
        article.save()
        with translation.override("ru"):
            response = self.client.get(article.url_in("ru"))
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(page.select_one("h1").get_text(strip=True), RUSSIAN["title"])
        body = page.select_one(".post__body")
        self.assertEqual([p.get_text() for p in body.select("p")], ["Первый абзац[1].", "Второй абзац[2].", "Третий абзац."])
        self.assertEqual([a["href"] for a in body.select("sup.footnote-ref a")], ["#fn-1", "#fn-2"])
        self.assertEqual(page.select_one("#fn-1").get_text(" ", strip=True).split(" ", 1)[1].split(",")[0],
                         f"Источник {self.ref1.pk}")


class ExportTests(ExchangeTestCase):
    def test_a_po_file_has_one_entry_per_unit_with_source_translation_and_a_note(self):
        catalogue = polib.pofile(self.export("po", language="en").decode())
        self.assertEqual(catalogue.metadata["Language"], "en")
        self.assertEqual(catalogue.metadata["X-Source-Language"], "tr")
        self.assertEqual(catalogue.metadata["X-Object"], f"article:{self.article.pk}")
        self.assertEqual([entry.msgctxt for entry in catalogue], self.unit_ids())
        body = catalogue.find(f"article:{self.article.pk}:body:2", by="msgctxt")
        self.assertEqual((body.msgid, body.msgstr), ("İkinci <em>paragraf</em>[2].", "İkinci <em>paragraf</em>[2]."))
        self.assertIn("(body)", body.comment)
        self.assertIn("inline formatting only", body.comment)
        self.assertIn("State: translated", body.comment)
        self.assertEqual(catalogue.find(f"article:{self.article.pk}:title", by="msgctxt").msgstr, "Rapprochement en")

    def test_xliff_12_and_20_files_are_what_their_schemas_expect(self):
        for fmt, version, unit_tag in (("xliff12", "1.2", "trans-unit"), ("xliff20", "2.0", "unit")):
            with self.subTest(fmt):
                root = etree.fromstring(self.export(fmt))
                ns = XLIFF_NS[version]
                self.assertEqual((root.get("version"), root.nsmap[None]), (version, ns))
                units = list(root.iter(f"{{{ns}}}{unit_tag}"))
                self.assertEqual([unit.get("id") for unit in units], self.unit_ids())
                body = units[4]
                self.assertEqual(body.find(f".//{{{ns}}}source").text, "İkinci <em>paragraf</em>[2].", "markup travels as text")
                self.assertIsNone(body.find(f".//{{{ns}}}target"), "no Russian text yet")
                if version == "1.2":
                    file = root.find(f"{{{ns}}}file")
                    self.assertEqual((file.get("source-language"), file.get("target-language"), file.get("original")),
                                     ("tr", "ru", f"article:{self.article.pk}"))
                    self.assertIn("(body)", body.find(f"{{{ns}}}note").text)
                else:
                    self.assertEqual((root.get("srcLang"), root.get("trgLang")), ("tr", "ru"))
                    self.assertEqual([child.tag.split("}")[1] for child in body], ["notes", "segment"])
                    self.assertIn("(body)", body.find(f"{{{ns}}}notes/{{{ns}}}note").text)

    def test_the_export_action_gives_one_file_or_a_zip_for_a_selection(self):
        self.client.force_login(self.translator)
        response = self.client.post(reverse("admin:articles_article_changelist"),
                                    {"action": "export_for_translation", "_selected_action": [self.article.pk, self.other.pk]})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Rapprochement en")
        self.assertContains(page, "Other tr")
        response = self.client.get(response["Location"] + "&language=ru&format=xliff20")
        self.assertEqual(response["Content-Type"], "application/zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            self.assertEqual(sorted(archive.namelist()),
                             sorted([f"article-{self.article.pk}-rapprochement-tr.ru.xlf", f"article-{self.other.pk}-other-tr.ru.xlf"]))
        single = self.client.get(reverse("admin:articles_article_translation_export"),
                                 {"ids": self.article.pk, "language": "ru", "format": "po"})
        self.assertIn(f'filename="article-{self.article.pk}-rapprochement-tr.ru.po"', single["Content-Disposition"])

    def test_a_translator_exports_only_their_languages(self):
        self.client.force_login(self.translator)
        response = self.client.get(reverse("admin:articles_article_translation_export"),
                                   {"ids": self.article.pk, "language": "en", "format": "po"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("attachment", response.get("Content-Disposition", ""))
        self.assertContains(response, "Select a valid choice")


class RoundTripTests(ExchangeTestCase):
    def test_po_round_trip_through_the_admin_upload(self):
        self.client.force_login(self.translator)
        exported = self.client.get(reverse("admin:articles_article_translation_export"),
                                   {"ids": self.article.pk, "language": "ru", "format": "po"}).content
        upload = SimpleUploadedFile("filled.ru.po", filled_po(exported))
        response = self.client.post(reverse("admin:articles_article_translation_import"),
                                    {"file": upload, "language": "ru", "article": self.article.pk}, follow=True)
        self.assertRedirects(response, reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertContains(response, "6 texts imported into")
        self.assert_russian_page()
        status = workflow.translation_statuses(Article.objects.get(pk=self.article.pk))["ru"]
        self.assertEqual((status.filled, status.total, status.outdated, status.saved_by), (6, 6, False, self.translator))

    def test_xliff_round_trips_through_the_commands(self):
        for fmt in ("xliff12", "xliff20"):
            with self.subTest(fmt), tempfile.TemporaryDirectory() as folder:
                Article.objects.filter(pk=self.article.pk).update(title_ru="", body_ru="", is_published_ru=False)
                path = Path(folder) / "article.xlf"
                out = io.StringIO()
                call_command("export_translation", str(self.article.slug_tr), "--language", "ru", "--format", fmt,
                             "-o", str(path), stdout=out)
                self.assertIn(str(path), out.getvalue())
                path.write_bytes(filled_xliff(path.read_bytes()))
                out = io.StringIO()
                call_command("import_translation", str(path), "--language", "ru", stdout=out)
                self.assertIn(f"6 text(s) into article {self.article.pk} (ru)", out.getvalue())
                self.assert_russian_page()

    def test_a_zip_of_files_imports_whole(self):
        exported = exchange.export_articles(Article.objects.filter(pk__in=[self.article.pk, self.other.pk]),
                                            language="ru", fmt="po").content
        other = {"title": "Другое", "body": "<p>Текст[1].</p>"}

        def fill(unit: str) -> str:
            if unit.startswith(f"article:{self.other.pk}:"):
                return other[unit.rsplit(":", 1)[1]]
            return russian_for(unit)

        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(buffer, "w") as target:
            for name in source.namelist():
                target.writestr(name, filled_po(source.read(name), fill=fill))
        result = translation_file_import(data=buffer.getvalue(), name="batch.zip", language="ru", user=self.editor)
        self.assertEqual(sorted(plan.article.pk for plan in result.plans), sorted([self.article.pk, self.other.pk]))
        self.assertEqual(Article.objects.get(pk=self.other.pk).title_ru, "Другое")
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, RUSSIAN["title"])

    def test_empty_targets_leave_the_fields_as_they_are(self):
        Article.objects.filter(pk=self.article.pk).update(title_ru="Уже есть")
        data = filled_po(self.export("po"), fill=lambda unit: russian_for(unit) if ":body:" in unit else "")
        translation_file_import(data=data, name="part.po", language="ru")
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.title_ru, article.body_ru), ("Уже есть", RUSSIAN["body"]))

    def test_a_file_made_from_an_older_source_is_imported_but_stays_outdated(self):
        data = filled_po(self.export("po"))
        article = Article.objects.get(pk=self.article.pk)
        article.title_tr = "Yeni başlık"
        article.save()
        result = translation_file_import(data=data, name="old.po", language="ru")
        self.assertEqual(result.plans[0].source_changed, [f"article:{self.article.pk}:title"])
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, RUSSIAN["title"])
        self.assertTrue(workflow.translation_statuses(Article.objects.get(pk=self.article.pk))["ru"].outdated)
        translation_file_import(data=filled_po(self.export("po")), name="new.po", language="ru")
        self.assertFalse(workflow.translation_statuses(Article.objects.get(pk=self.article.pk))["ru"].outdated)

    def test_a_dry_run_writes_nothing(self):
        before = self.snapshot()
        result = translation_file_import(data=filled_po(self.export("po")), name="f.po", language="ru", dry_run=True)
        self.assertEqual(len(result.plans[0].values), 6)
        self.assertEqual(self.snapshot(), before)


class RejectionTests(ExchangeTestCase):
    def refused(self, data: bytes, *, language: str = "ru", name: str = "bad.po", user=None, article_id=None) -> str:
        before = self.snapshot()
        with self.assertRaises(exchange.TranslationFileError) as caught:
            translation_file_import(data=data, name=name, language=language, user=user, article_id=article_id)
        self.assertEqual(self.snapshot(), before, "a refused file writes nothing")
        return str(caught.exception)

    def po_with(self, **targets) -> bytes:
        """A Russian PO of the former layout (one entry per field), filled, with the texts of some fields
        (``body=…``) replaced: the checks of whole fields."""
        article = Article.objects.get(pk=self.article.pk)
        return legacy_po(article, fill=lambda unit: targets.get(unit.rsplit(":", 1)[1], russian_for(unit)))

    def test_wrong_article_and_wrong_language(self):
        message = self.refused(filled_po(self.export("po")), article_id=self.other.pk)
        self.assertIn(f"the file is for article {self.article.pk} (“Rapprochement", message)
        self.assertIn(f"not for article {self.other.pk}", message)
        message = self.refused(filled_po(self.export("po", language="en")), language="ru")
        self.assertIn("the file is a translation into “en”, not into Русский", message)
        message = self.refused(filled_po(self.export("po")), language="tr")
        self.assertIn("Türkçe is the source language of this article", message)

    def test_a_missing_article_and_a_file_without_one(self):
        data = filled_po(self.export("po")).replace(f"X-Object: article:{self.article.pk}".encode(), b"X-Object: article:999999")
        self.assertIn("article 999999 does not exist", self.refused(data))
        data = filled_po(self.export("po")).replace(b"X-Object", b"X-Nothing")
        self.assertIn("does not say which article", self.refused(data))

    def test_unknown_units_are_named(self):
        catalogue = polib.pofile(filled_po(self.export("po")).decode())
        catalogue.append(polib.POEntry(msgctxt="article:999:title", msgid="x", msgstr="y"))
        catalogue.append(polib.POEntry(msgctxt=f"article:{self.article.pk}:is_published", msgid="x", msgstr="y"))
        message = self.refused(str(catalogue).encode())
        self.assertIn("unknown unit article:999:title", message)
        self.assertIn(f"unknown unit article:{self.article.pk}:is_published", message)

    def test_broken_or_disallowed_markup_is_refused_naming_the_unit(self):
        unit = f"article:{self.article.pk}:body"
        cases = {
            "<p>Первый <em>абзац[1].</p>\n<p>Второй[2].</p>\n<p>Третий.</p>": "the tag <em> is not closed",
            "<p>Первый абзац[1].</b></p>\n<p>Второй[2].</p>\n<p>Третий.</p>": "</b> closes a tag that is not open",
            "<p>Первый абзац[1].</p>\n<p>Второй[2].</p>\n<p>Третий.<iframe src=x></iframe></p>": "the tag <iframe> is not allowed",
        }
        for body, expected in cases.items():
            with self.subTest(expected):
                self.assertIn(f"bad.po: {unit}: {expected}", self.refused(self.po_with(body=body)))
        message = self.refused(self.po_with(title="Сближение <b>жирно</b>"))
        self.assertIn(f"article:{self.article.pk}:title: plain text expected, but it has the tag <b>", message)
        message = self.refused(self.po_with(highlights="Мысль[1].\n<p>Абзац</p>"))
        self.assertIn(f"article:{self.article.pk}:highlights: the tag <p> is not allowed here", message)

    def test_footnote_markers_must_survive_and_no_new_one_may_appear(self):
        unit = f"article:{self.article.pk}:body"
        message = self.refused(self.po_with(body="<p>Первый абзац[1].</p>\n<p>Второй абзац.</p>\n<p>Третий[7].</p>"))
        self.assertIn(f"{unit}: the footnote marker [2] of the source is missing", message)
        self.assertIn(f"{unit}: the footnote marker [7] is not in the source", message)
        message = self.refused(self.po_with(highlights="Первая мысль.\nВторая мысль."))
        self.assertIn(f"article:{self.article.pk}:highlights: the footnote marker [1] of the source is missing", message)

    def test_the_paragraphs_must_stay_as_many_as_in_the_source(self):
        message = self.refused(self.po_with(body="<p>Первый абзац[1]. Второй абзац[2].</p>\n<p>Третий абзац.</p>"))
        self.assertIn(f"article:{self.article.pk}:body: the source has 3 paragraphs, the translation 2", message)

    def test_one_bad_unit_refuses_the_whole_file(self):
        data = self.po_with(body="<p>Первый абзац.</p>\n<p>Второй абзац[2].</p>\n<p>Третий абзац.</p>")
        self.refused(data)  # the title, highlights and references were fine, and are not written either
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, None)

    def test_files_that_are_not_translation_files(self):
        self.assertIn("not a PO or XLIFF file", self.refused(b"\x00\x01\x02binary" * 10, name="x.bin"))
        self.assertIn("not a PO or XLIFF file", self.refused(b"/etc/passwd", name="path.po"))
        self.assertIn("the PO file cannot be read", self.refused(b'msgid "a"\nmsgstr "b"\ngarbage here\n', name="broken.po"))
        self.assertIn("the XML cannot be read", self.refused(b"<xliff version='1.2'><file>", name="broken.xlf"))
        self.assertIn("not an XLIFF file", self.refused(b"<html><body>hi</body></html>", name="page.xlf"))

    def test_xml_entities_are_refused_naming_the_unit(self):
        """Never expanded (an external entity would read a server file), never silently dropped: refused."""
        declaration = b'<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY word "Lider">]>'
        unit = f"article:{self.article.pk}:featured_image_alt"
        for fmt, target in (("xliff12", b"<target>&secret;</target>"), ("xliff20", b"<target>&word;ler</target>")):
            with self.subTest(fmt):
                data = self.export(fmt).replace(
                    b'<?xml version="1.0" encoding="UTF-8"?>', b'<?xml version="1.0" encoding="UTF-8"?>\n' + declaration
                ).replace(b"<source>Liderler</source>", b"<source>Liderler</source>" + target, 1)
                self.assertIn(target, data)
                message = self.refused(data, name="entity.xlf")
                entity = "&secret;" if fmt == "xliff12" else "&word;"
                self.assertIn(f"{unit}: the entity {entity} is not accepted; write the text itself", message)
                self.assertNotIn("root:", message)

    def test_an_xliff_file_with_two_articles_is_refused(self):
        root = etree.fromstring(self.export("xliff12"))
        file = root[0]
        root.append(etree.fromstring(etree.tostring(file)))
        message = self.refused(etree.tostring(root), name="two.xlf")
        self.assertIn("exactly one <file>", message)

    def test_a_translator_imports_only_their_language(self):
        message = self.refused(filled_po(self.export("po", language="en")), language="en", user=self.translator)
        self.assertIn("you may not edit the English texts", message)

    def test_the_admin_page_lists_every_problem_and_keeps_the_form(self):
        self.client.force_login(self.translator)
        data = self.po_with(body="<p>Первый <em>абзац.</p>\n<p>Второй[2].</p>")
        response = self.client.post(reverse("admin:articles_article_translation_import"),
                                    {"file": SimpleUploadedFile("bad.po", data), "language": "ru"})
        self.assertEqual(response.status_code, 200)
        errors = [li.get_text() for li in BeautifulSoup(response.content, "html.parser").select("ul.errorlist.nonfield li")]
        unit = f"article:{self.article.pk}:body"
        self.assertIn(f"bad.po: {unit}: the tag <em> is not closed", errors)
        self.assertIn(f"bad.po: {unit}: the footnote marker [1] of the source is missing", errors)
        self.assertIn(f"bad.po: {unit}: the source has 3 paragraphs, the translation 2: keep one <p> per paragraph", errors)
        self.assertIsNone(Article.objects.get(pk=self.article.pk).title_ru)

    def test_the_command_reports_each_refused_file_and_goes_on(self):
        with tempfile.TemporaryDirectory() as folder:
            bad, good = Path(folder) / "bad.po", Path(folder) / "good.po"
            bad.write_bytes(self.po_with(body="<p>Без сносок.</p>"))
            good.write_bytes(filled_po(self.export("po")))
            out, err = io.StringIO(), io.StringIO()
            with self.assertRaises(SystemExit) as exit_status:
                call_command("import_translation", str(bad), str(good), "--language", "ru", stdout=out, stderr=err)
        self.assertEqual(exit_status.exception.code, 1)
        self.assertIn(f"{bad}: article:{self.article.pk}:body: the footnote marker [1] of the source is missing", err.getvalue())
        self.assertIn(f"{good}: 6 text(s) into article {self.article.pk} (ru)", out.getvalue())
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, RUSSIAN["title"])


class SegmentFileTests(ExchangeTestCase):
    def test_a_dropped_marker_in_one_paragraph_is_refused_naming_the_segment(self):
        a = self.article.pk
        data = filled_po(self.export("po"), fill=lambda unit: "Второй абзац." if unit == f"article:{a}:body:2" else russian_for(unit))
        with self.assertRaises(exchange.TranslationFileError) as caught:
            translation_file_import(data=data, name="bad.po", language="ru")
        self.assertIn(f"article:{a}:body:2: the footnote marker [2] of the source is missing", str(caught.exception))
        self.assertIsNone(Article.objects.get(pk=a).title_ru)

    def test_one_translated_paragraph_imports_alone_and_keeps_the_paragraphs_in_place(self):
        a = self.article.pk
        data = filled_po(self.export("po"), fill=lambda unit: russian_for(unit) if unit == f"article:{a}:body:3" else "")
        translation_file_import(data=data, name="one.po", language="ru")
        self.assertEqual(Article.objects.get(pk=a).body_ru, "<p></p>\n<p></p>\n<p>Третий абзац.</p>")

    def test_the_file_says_which_paragraph_is_outdated_and_marks_it_fuzzy(self):
        a = self.article.pk
        translation_file_import(data=filled_po(self.export("po")), name="all.po", language="ru")
        article = Article.objects.get(pk=a)
        article.body_tr = BODY_TR.replace("Üçüncü paragraf.", "Üçüncü paragraf, değişti.")
        article.save()
        catalogue = polib.pofile(self.export("po").decode())
        fuzzy = [entry.msgctxt for entry in catalogue if entry.fuzzy]
        self.assertEqual(fuzzy, [f"article:{a}:body:3"])
        # The notes speak the translator's language.
        self.assertIn("устарел", catalogue.find(f"article:{a}:body:3", by="msgctxt").comment)
        self.assertIn("переведено", catalogue.find(f"article:{a}:body:2", by="msgctxt").comment)
        # Translating it again in the file makes the whole translation current.
        translation_file_import(
            data=filled_po(self.export("po"), fill=lambda unit: "Третий, новый." if unit.endswith(":body:3") else russian_for(unit)),
            name="again.po", language="ru",
        )
        self.assertFalse(workflow.translation_statuses(Article.objects.get(pk=a))["ru"].outdated)

    def outdate_the_third_paragraph(self) -> None:
        """The Russian translated whole, then the third Turkish paragraph changed (each time into another text)."""
        translation_file_import(data=filled_po(self.export("po")), name="all.po", language="ru")
        article = Article.objects.get(pk=self.article.pk)
        self.changes = getattr(self, "changes", 0) + 1
        article.body_tr = BODY_TR.replace("Üçüncü paragraf.", f"Üçüncü paragraf, {self.changes}. değişiklik.")
        article.save()

    def segment_states(self) -> dict[str, str]:
        article = Article.objects.get(pk=self.article.pk)
        state = TranslationState.objects.for_object(article).get(language="ru")
        return {
            segment.id: segment.state
            for group in segmenting.unit_segments(article, "ru", saved_hashes=state.segment_hashes)
            for segment in group.segments
        }

    def test_each_xliff_keeps_the_state_of_a_unit_where_its_format_does(self):
        a = self.article.pk
        self.outdate_the_third_paragraph()
        Article.objects.filter(pk=a).update(featured_image_alt_ru="")
        outdated, translated, untranslated = f"article:{a}:body:3", f"article:{a}:body:2", f"article:{a}:featured_image_alt"
        ns = XLIFF_NS["1.2"]
        units = {unit.get("id"): unit for unit in etree.fromstring(self.export("xliff12")).iter(f"{{{ns}}}trans-unit")}
        self.assertEqual(units[outdated].find(f"{{{ns}}}target").get("state"), "needs-review-translation")
        self.assertEqual(units[translated].find(f"{{{ns}}}target").get("state"), "translated")
        self.assertIsNone(units[untranslated].find(f"{{{ns}}}target"))
        ns = XLIFF_NS["2.0"]
        units = {unit.get("id"): unit.find(f"{{{ns}}}segment") for unit in etree.fromstring(self.export("xliff20")).iter(f"{{{ns}}}unit")}
        self.assertEqual((units[outdated].get("state"), units[outdated].get("subState")), ("initial", "publishing:outdated"))
        self.assertEqual((units[translated].get("state"), units[translated].get("subState")), ("translated", None))
        self.assertEqual(units[untranslated].get("state"), "initial")
        self.assertIsNone(units[untranslated].find(f"{{{ns}}}target"))

    def test_a_unit_the_file_still_marks_for_review_is_imported_but_stays_outdated(self):
        a = self.article.pk
        outdated = f"article:{a}:body:3"
        fill = lambda unit: "Третий, новый." if unit == outdated else russian_for(unit)  # noqa: E731
        for fmt, filled in (("po", filled_po), ("xliff12", filled_xliff), ("xliff20", filled_xliff)):
            with self.subTest(fmt):
                self.outdate_the_third_paragraph()
                result = translation_file_import(data=filled(self.export(fmt), fill, confirm=False), name="f", language="ru")
                self.assertEqual(result.plans[0].needs_review, [outdated])
                self.assertIn("<p>Третий, новый.</p>", Article.objects.get(pk=a).body_ru)
                states = self.segment_states()
                self.assertEqual(states[outdated], segmenting.OUTDATED)
                self.assertEqual({key for key, value in states.items() if value != segmenting.TRANSLATED}, {outdated})
                self.assertTrue(workflow.translation_statuses(Article.objects.get(pk=a))["ru"].outdated)
                # The same file with the mark cleared (the translator confirmed it): translated, the whole current.
                translation_file_import(data=filled(self.export(fmt), fill), name="f", language="ru")
                self.assertEqual(self.segment_states()[outdated], segmenting.TRANSLATED)
                self.assertFalse(workflow.translation_statuses(Article.objects.get(pk=a))["ru"].outdated)

    def test_an_untranslated_xliff_20_segment_filled_in_a_text_editor_counts_as_translated(self):
        a = self.article.pk
        translation_file_import(data=filled_xliff(self.export("xliff20"), confirm=False), name="f.xlf", language="ru")
        self.assertEqual(set(self.segment_states().values()), {segmenting.TRANSLATED})
        self.assertFalse(workflow.translation_statuses(Article.objects.get(pk=a))["ru"].outdated)

    def test_a_file_of_the_former_layout_one_unit_per_field_still_imports(self):
        translation_file_import(data=legacy_po(Article.objects.get(pk=self.article.pk)), name="old.po", language="ru")
        self.assert_russian_page()


class SeedRoundTripTests(TestCase):
    fixtures = ["01_taxonomy", "02_authors", "03_articles"]

    def test_every_seed_translation_comes_back_exactly_through_each_file_format(self):
        for article in Article.objects.all():
            for language in ("tr", "en", "ru"):
                if language == article.original_language:
                    continue
                fields = [f"{name}_{language}" for name in ("title", "highlights", "body", "featured_image_alt")]
                before = ([getattr(article, name) or "" for name in fields],
                          list(article.references.values_list(f"text_{language}", flat=True)))
                for fmt in ("po", "xliff12", "xliff20"):
                    with self.subTest(article=article.pk, language=language, fmt=fmt):
                        exported = exchange.export_article(article, language=language, fmt=fmt).content
                        Article.objects.filter(pk=article.pk).update(**{name: "" for name in fields})
                        article.references.update(**{f"text_{language}": ""})
                        translation_file_import(data=exported, name=f"seed.{fmt}", language=language)
                        article = Article.objects.get(pk=article.pk)
                        after = ([getattr(article, name) or "" for name in fields],
                                 list(article.references.values_list(f"text_{language}", flat=True)))
                        self.assertEqual(after, before)

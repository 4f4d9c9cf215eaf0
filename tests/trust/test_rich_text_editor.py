"""The admin's rich-text editor: a real editor in every language tab of bodies and bios that runs under the site's
Content-Security-Policy (no inline script, no import map), offers only markup the server keeps, leaves footnote
markers as plain text, and never replaces the server's sanitiser."""
from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client, TestCase
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from articles.models import Article
from publishing.text import ALLOWED_TAGS
from publishing.widgets import RICH_TEXT_EXTENSIONS
from authors.models import Author
from tests.browser.support import PASSWORD, BrowserJourneyTestCase, expect
from tests.factories import make_article, make_author
from tests.trust.helpers import form_data, make_editor

EDITOR_ATTRIBUTE = "data-django-prose-editor-configurable"


class RichTextEditorFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article("Edited", body="<p>Text with a note[1].</p>")
        cls.author = make_author()

    def setUp(self):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.client.force_login(self.editor)

    def page(self, name: str, pk: int) -> BeautifulSoup:
        response = self.client.get(reverse(f"admin:{name}_change", args=[pk]))
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def test_bodies_and_bios_get_the_editor_in_each_language_tab(self):
        for name, pk, field in (("articles_article", self.article.pk, "body"), ("authors_author", self.author.pk, "bio")):
            page = self.page(name, pk)
            for code in ("tr", "en", "ru"):
                with self.subTest(name=name, language=code):
                    textarea = page.find("textarea", attrs={"name": f"{field}_{code}"})
                    self.assertTrue(textarea.has_attr(EDITOR_ATTRIBUTE), "the editor takes over the textarea")
                    classes = textarea["class"]
                    self.assertIn("mt", classes, "modeltranslation groups it into the language tabs")
                    self.assertIn(f"mt-field-{field}-{code}", classes)
            self.assertIsNone(page.find("textarea", attrs={"name": "highlights_en", EDITOR_ATTRIBUTE: True}))

    def test_the_editor_loads_without_inline_script_or_import_map(self):
        page = self.page("articles_article", self.article.pk)
        self.assertIsNone(page.find("script", attrs={"type": "importmap"}), "an inline import map breaks under the CSP")
        for script in page.find_all("script"):
            self.assertTrue(script.get("src") or script.get("type") == "application/json", f"inline script: {script}")
        modules = [script["src"] for script in page.find_all("script", attrs={"type": "module"})]
        self.assertEqual(modules, ["/static/publishing/admin/form.js", "/static/publishing/rich-text-editor.js"])
        module = open(finders.find("publishing/rich-text-editor.js"), encoding="utf-8").read()
        imports = re.findall(r'^import .* from "([^"]+)";', module, re.MULTILINE)
        self.assertEqual(imports, ["../django_prose_editor/editor.js"], "relative paths only: no bare names")
        self.assertIsNotNone(finders.find("django_prose_editor/editor.js"), "the editor it imports is served")
        for stylesheet in ("django_prose_editor/editor.css", "django_prose_editor/overrides.css"):
            self.assertIsNotNone(page.find("link", href=f"/static/{stylesheet}"))

    def test_the_editor_offers_only_markup_the_server_keeps(self):
        offered = allowlist_from_extensions(expand_extensions(RICH_TEXT_EXTENSIONS))["tags"]
        self.assertLessEqual(set(offered), ALLOWED_TAGS, "formatting the sanitiser would remove on save")
        config = json.loads(self.page("articles_article", self.article.pk)
                            .find("textarea", attrs={"name": "body_en"})[EDITOR_ATTRIBUTE])
        self.assertEqual(config["extensions"]["Link"]["protocols"], ["http", "https", "mailto"])
        self.assertNotIn("Image", config["extensions"])

    def test_footnote_markers_stay_plain_text_and_the_sanitiser_still_runs_on_an_editor_bypass(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        data = form_data(self.client.get(url).content)
        data["body_en"] = (
            '<p>Edited with <strong>bold</strong>[1] and <a href="https://example.org/">a link</a>[2].</p>'
            '<p onclick="alert(1)">Crafted<script>alert(2)</script><iframe src="https://evil.example/"></iframe></p>'
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        body = Article.objects.get(pk=self.article.pk).body_en
        self.assertIn("<strong>bold</strong>[1]", body)
        self.assertIn("</a>[2].", body)
        self.assertEqual(BeautifulSoup(body, "html.parser").find_all("sup"), [], "markers are not turned into markup")
        for forbidden in ("<script", "onclick", "<iframe", "alert(2)"):
            self.assertNotIn(forbidden, body)

        author_url = reverse("admin:authors_author_change", args=[self.author.pk])
        data = form_data(self.client.get(author_url).content)
        data["bio_en"] = '<p>Bio <em>kept</em><img src=x onerror="alert(3)"></p>'
        self.assertEqual(self.client.post(author_url, data).status_code, 302)
        self.assertEqual(Author.objects.get(pk=self.author.pk).bio_en, "<p>Bio <em>kept</em></p>")


CARET_TO_END = """(editor) => {
    const end = document.createRange();
    end.selectNodeContents(editor.lastElementChild || editor);
    end.collapse(false);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(end);
}"""

CARET_AT_END = """(editor) => {
    const selection = getSelection();
    if (!selection.rangeCount || !editor.contains(selection.focusNode)) return false;
    const rest = document.createRange();
    rest.setStart(selection.focusNode, selection.focusOffset);
    rest.setEnd(editor, editor.childNodes.length);
    return rest.toString() === "";
}"""


@pytest.mark.browser
class RichTextEditorBrowserTests(BrowserJourneyTestCase):
    def test_an_editor_formats_text_in_the_english_tab_and_the_marker_is_saved_as_typed(self):
        editor = get_user_model().objects.create_superuser("richtext", "richtext@example.org", PASSWORD)
        article = Article.objects.order_by("pk").first()
        with self.journey("rich-text-editor"):
            page = self.open_browser(locale="en-US")
            self.log_in(page, editor)
            page.goto(reverse("admin:articles_article_change", args=[article.pk]))
            self.show_language_tab(page, "title", "en")
            box = page.locator(".prose-editor:has(#id_body_en) [contenteditable=true]")
            box.wait_for(state="visible")
            self.assertEqual(page.locator("#id_body_en").is_visible(), False, "the editor stands in for the textarea")
            box.click()
            expect(box).to_be_focused()
            page.keyboard.press("Control+End")
            # The editor takes the caret from the page's selection a moment later; an Enter sent before that
            # splits a paragraph in the middle instead of starting a new one at the end. On a loaded machine the
            # key can also land before the editor has focus, so the caret is put at the end explicitly too.
            box.evaluate(CARET_TO_END)
            page.wait_for_function(CARET_AT_END, arg=box.element_handle())
            page.wait_for_timeout(150)
            page.keyboard.press("Enter")
            page.keyboard.press("Control+b")
            page.keyboard.type("Bold closing line")
            page.keyboard.press("Control+b")
            page.keyboard.type(" with a new note[9].")
            self.assert_rendered(page)
            page.click("input[name=_continue]")
            page.locator(".messagelist .success").wait_for()
            self.show_language_tab(page, "title", "en")
            self.save_screenshot(page, "rich-text-editor")
        body = Article.objects.get(pk=article.pk).body_en
        self.assertIn("<strong>Bold closing line</strong> with a new note[9].</p>", body)
        # The Turkish translation of this English source keeps every paragraph as it was, and an empty one holds the
        # place of the new English paragraph, so that the two still line up (publishing.workflow.alignment).
        self.assertEqual(article.original_language, "en")
        self.assertEqual(Article.objects.get(pk=article.pk).body_tr, article.body_tr + "\n<p></p>", "other tabs kept")

"""A Russian translator on the translation screen, in a real Chromium (see ``support.py``), and axe-core on the
pages translators, editors and readers use."""
from __future__ import annotations

import pytest

from articles.models import Article
from publishing.workflow import segments
from tests.browser.support import BrowserJourneyTestCase, axe_problems, expect, make_user

SEED_SLUG = "russia-north-korea-rapprochement-in-the-context-of-bilateral-relations"


@pytest.mark.browser
class TranslationScreenJourneyTests(BrowserJourneyTestCase):
    maxDiff = None

    def setUp(self):
        super().setUp()
        self.article = Article.objects.get(slug_en__startswith="russia-north-korea-rapprochement")
        self.source = self.article.original_language
        # What the seed's Russian says, segment by segment: what the translator will type.
        self.russian = {
            segment.id: segment.target
            for group in segments.unit_segments(self.article, "ru")
            for segment in group.segments
        }
        for name in ("title", "highlights", "body", "featured_image_alt"):
            setattr(self.article, f"{name}_ru", "")
        self.article.is_published_ru = False
        self.article.save()
        for reference in self.article.references.all():
            reference.text_ru = ""
            reference.save()
        # An earlier article whose first paragraph says almost the same: the memory offers its translation.
        first = f"article:{self.article.pk}:body:1"
        body = next(group for group in segments.unit_segments(self.article, "ru") if group.unit.field == "body")
        source_paragraph = body.segments[0].source
        self.memory_translation = self.russian[first]
        Article.objects.create(
            title_en="An earlier note",
            title_ru="Более ранняя заметка",
            original_language=self.source,
            body_en=f"<p>{source_paragraph.replace('March', 'Mar.')}</p>",
            body_ru=f"<p>{self.memory_translation}</p>",
        )

    def segment(self, page, segment_id: str):
        return page.locator(f'li.segment[data-segment="{segment_id}"]')

    def type_into(self, page, segment_id: str, text: str) -> None:
        editor = self.segment(page, segment_id).locator(".segment-input")
        editor.click()
        editor.fill(text)

    def save(self, page, segment_id: str) -> None:
        item = self.segment(page, segment_id)
        item.locator(".segment-input").press("Control+Enter")

    def test_russian_translator_translates_segment_by_segment_with_memory_and_marker_checks_to_100_percent(self):
        translator = make_user("irina", groups=("Translator (ru)",))
        editor = make_user("editor", groups=("Editor",))
        pk = self.article.pk
        with self.journey("translation-screen"):
            page = self.open_browser(locale="ru-RU")
            self.log_in(page, translator)
            work = page.locator("#language-ru .translation-row", has_text=self.article.title_tr)
            work.get_by_role("link", name=self.article.title_tr).click()
            expect(page).to_have_url(f"{self.live_server_url}/admin/articles/article/{pk}/translate/ru/")
            expect(page.locator("#segment-progress")).to_have_attribute("value", "0")

            # The title, typed and saved with Ctrl+Enter: the focus moves to the next untranslated segment.
            title = f"article:{pk}:title"
            self.type_into(page, title, self.russian[title])
            self.save(page, title)
            expect(self.segment(page, title)).to_have_attribute("data-state", "translated")
            expect(self.segment(page, f"article:{pk}:highlights:1").locator(".segment-input")).to_be_focused()

            # The first paragraph: the memory's match, copied in with one click.
            first = f"article:{pk}:body:1"
            match = self.segment(page, first).locator(".segment__memory li").first
            expect(match.locator(".segment-match__score")).to_contain_text("%")
            match.get_by_role("button").click()
            self.save(page, first)
            expect(self.segment(page, first)).to_have_attribute("data-state", "translated")

            # A paragraph whose [2] the translator dropped is refused, the message naming it.
            with_marker = next(key for key, text in self.russian.items() if ":body:" in key and "[2]" in text)
            self.type_into(page, with_marker, self.russian[with_marker].replace("[2]", ""))
            self.save(page, with_marker)
            status = self.segment(page, with_marker).locator(".segment__status")
            expect(status).to_contain_text("[2]")
            expect(status).to_contain_text("4")
            expect(self.segment(page, with_marker)).to_have_attribute("data-state", "untranslated")
            # Unsaved work stays in the browser: a reload brings it back.
            page.reload()
            expect(self.segment(page, with_marker).locator(".segment__status")).not_to_be_empty()
            self.type_into(page, with_marker, self.russian[with_marker])
            self.save(page, with_marker)
            expect(self.segment(page, with_marker)).to_have_attribute("data-state", "translated")

            for key, text in self.russian.items():
                if self.segment(page, key).get_attribute("data-state") != "translated":
                    self.type_into(page, key, text)
                    self.save(page, key)
                    expect(self.segment(page, key)).to_have_attribute("data-state", "translated")
            expect(page.locator("[data-progress-percent]")).to_have_text("100 %")
            expect(page.locator("[data-outdated-count]")).to_be_hidden()

            # An editor changes one source paragraph in the change form.
            desk = self.open_browser(locale="en-US")
            self.log_in(desk, editor)
            desk.goto(f"/admin/articles/article/{pk}/change/")
            self.assertEqual(axe_problems(desk), [], "the change form")
            # The whole form fits a 1,280 px window: the references table too, with its last column.
            overflow = desk.evaluate(
                """() => [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                          document.querySelector('#references-group table').getBoundingClientRect().right
                          - document.documentElement.clientWidth]"""
            )
            self.assertLessEqual(max(overflow), 0, "the change form is wider than the window")
            # One language switch, agreeing with the fields shown.
            switch = desk.locator("#modeltranslation-main-switch")
            expect(desk.get_by_label("Language of the fields")).to_be_visible()
            switch.select_option(label="tr")
            expect(desk.locator("#id_title_tr")).to_be_visible()
            expect(desk.locator(f"#id_title_{self.source}")).to_be_hidden()
            switch.select_option(label=self.source)
            self.save_screenshot(desk, "editor-form-1280")
            desk.goto("/admin/articles/article/")
            self.assertEqual(axe_problems(desk), [], "the article list")
            self.assertLessEqual(
                desk.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"), 0
            )
            self.assertTrue(desk.evaluate(
                """() => document.querySelector('#result_list').getBoundingClientRect().right
                         <= document.querySelector('#changelist-filter').getBoundingClientRect().left"""
            ), "the list's last column runs under the filters")
            self.save_screenshot(desk, "article-changelist-1280")
            desk.goto(f"/admin/articles/article/{pk}/change/")
            changed_source = "This sentence was added by the editor."
            paragraph = desk.locator(f".prose-editor:has(#id_body_{self.source}) [contenteditable=true] p").nth(4)
            paragraph.click()
            desk.keyboard.press("End")
            desk.keyboard.type(" " + changed_source)
            desk.click("input[name=_continue]")
            expect(desk.locator(".messagelist .success")).to_be_visible()

            page.reload()
            outdated = page.locator("li.segment[data-state=outdated]")
            expect(outdated).to_have_count(1)
            expect(outdated).to_have_attribute("data-segment", f"article:{pk}:body:5")
            expect(outdated.locator(".segment__source")).to_contain_text(changed_source)
            expect(page.locator("[data-progress-percent]")).not_to_have_text("100 %")
            expect(page.locator("[data-outdated-count]")).to_be_visible()
            key = f"article:{pk}:body:5"
            self.type_into(page, key, self.russian[key] + " Это предложение добавил редактор.")
            self.save(page, key)
            expect(self.segment(page, key)).to_have_attribute("data-state", "translated")
            expect(page.locator("[data-progress-percent]")).to_have_text("100 %")
            expect(page.locator("[data-outdated-count]")).to_be_hidden()

            # The editor inserts a paragraph after the second: only that one is new to the translator; every later
            # paragraph keeps its translation and its state where its source went.
            desk.goto(f"/admin/articles/article/{pk}/change/")
            inserted = "This paragraph was inserted by the editor."
            second = desk.locator(f".prose-editor:has(#id_body_{self.source}) [contenteditable=true] p").nth(1)
            second.click()
            # The caret at the end of the paragraph (End goes to the end of its first line only).
            second.evaluate(
                """p => { const range = document.createRange(); range.selectNodeContents(p); range.collapse(false);
                          getSelection().removeAllRanges(); getSelection().addRange(range); }"""
            )
            desk.keyboard.press("Enter")
            desk.keyboard.type(inserted)
            desk.click("input[name=_continue]")
            expect(desk.locator(".messagelist .success")).to_be_visible()
            page.reload()
            expect(page.locator("li.segment[data-state=untranslated]")).to_have_count(1)
            expect(self.segment(page, f"article:{pk}:body:3")).to_have_attribute("data-state", "untranslated")
            expect(self.segment(page, f"article:{pk}:body:3").locator(".segment__source")).to_contain_text(inserted)
            expect(page.locator("li.segment[data-state=outdated]")).to_have_count(0)
            expect(self.segment(page, f"article:{pk}:body:4").locator(".segment-input")).to_contain_text(
                self.russian[f"article:{pk}:body:3"][:40]
            )
            self.type_into(page, f"article:{pk}:body:3", "Этот абзац вставил редактор.")
            self.save(page, f"article:{pk}:body:3")
            expect(page.locator("[data-progress-percent]")).to_have_text("100 %")

            self.assertEqual(axe_problems(page), [], "the translation screen")
            self.save_screenshot(page, "translation-screen-1280")
            page.set_viewport_size({"width": 390, "height": 844})
            self.assertEqual(axe_problems(page), [], "the translation screen at 390 px")
            self.save_screenshot(page, "translation-screen-390")

        self.article.refresh_from_db()
        self.assertIn("Это предложение добавил редактор.", self.article.body_ru)
        self.assertEqual(self.article.body_ru.count("<p>"), self.article.body_en.count("<p>"))


    def test_the_formatting_toolbar_makes_bold_italic_and_links_that_are_stored(self):
        translator = make_user("irina", groups=("Translator (ru)",))
        pk = self.article.pk
        first = f"article:{pk}:body:1"
        with self.journey("segment-toolbar"):
            page = self.open_browser(locale="ru-RU")
            self.log_in(page, translator)
            page.goto(f"/admin/articles/article/{pk}/translate/ru/")
            toolbar = self.segment(page, first).get_by_role("toolbar", name="Форматирование")
            expect(toolbar).to_be_visible()
            # A title takes no markup: it has no toolbar.
            expect(self.segment(page, f"article:{pk}:title").get_by_role("toolbar")).to_have_count(0)
            editor = self.segment(page, first).locator(".segment-input")
            editor.click()
            page.keyboard.type(self.russian[first] + " Важное слово")
            # "слово" selected with the keyboard, then the Bold button.
            page.keyboard.press("Control+Shift+ArrowLeft")
            toolbar.get_by_role("button", name="Полужирный").click()
            expect(toolbar.get_by_role("button", name="Полужирный")).to_have_attribute("aria-pressed", "true")
            # "Важное" in italics with Ctrl+I.
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("Control+Shift+ArrowLeft")
            page.keyboard.press("Control+I")
            # The first words made a link, its address asked for.
            page.once("dialog", lambda dialog: dialog.accept("https://example.org/a"))
            page.keyboard.press("Control+Home")
            page.keyboard.press("Control+Shift+ArrowRight")
            toolbar.get_by_role("button", name="Ссылка").click()
            self.save(page, first)
            expect(self.segment(page, first)).to_have_attribute("data-state", "translated")
            self.save_screenshot(page, "segment-toolbar-1280")

        body = Article.objects.get(pk=pk).body_ru
        self.assertIn("<strong>слово</strong>", body)
        self.assertIn("<em>Важное</em>", body)
        self.assertRegex(body, r'<p><a href="https://example.org/a"[^>]*>[^<]+</a>')


@pytest.mark.browser
class AccessibilityTests(BrowserJourneyTestCase):
    maxDiff = None

    def test_the_public_pages_have_no_serious_or_critical_axe_violations(self):
        article = Article.objects.get(slug_en__startswith="russia-north-korea-rapprochement")
        with self.journey("axe-public"):
            page = self.open_browser(locale="ru-RU")
            for language in ("tr", "en", "ru"):
                for url in (f"/{language}/", article.url_in(language)):
                    page.goto(url)
                    self.assertEqual(axe_problems(page), [], url)
            # The header on one row in every language at desktop widths (Russian's longer words included).
            for language in ("tr", "en", "ru"):
                for width in (1024, 1280):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"/{language}/")
                    # On one row, every part of the header crosses one horizontal line.
                    one_row = page.evaluate(
                        """() => { const boxes = [...document.querySelector('.site-header__inner').children]
                                     .map(e => e.getBoundingClientRect());
                                   return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom)); }"""
                    )
                    self.assertTrue(one_row, f"the {language} header wraps at {width} px")
            self.save_screenshot(page, "public-ru-1280")
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(article.url_in("ru"))
            self.assertEqual(axe_problems(page), [], "the Russian article at 390 px")
            self.save_screenshot(page, "axe-public-390")

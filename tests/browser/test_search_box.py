"""The search box's suggestions in a real Chromium: as a reader types, titles appear in a listbox the keyboard
can reach, and the form still searches when nothing is picked (see ``support.py``)."""
from __future__ import annotations

import pytest
from django.utils import translation

from articles.models import Article
from tests.browser.support import BrowserJourneyTestCase, expect


@pytest.mark.browser
class SearchBoxJourneyTests(BrowserJourneyTestCase):
    def test_reader_picks_a_suggested_title_with_the_keyboard(self):
        article = Article.objects.published("ru").filter(title_ru__contains="Пхеньян").first()
        self.assertIsNotNone(article)
        with self.journey("search-box"):
            page = self.open_browser(locale="ru-RU")
            page.goto("/ru/")
            box = page.locator("#site-search-q")
            box.press_sequentially("пхень", delay=30)
            listbox = page.get_by_role("listbox")
            expect(listbox).to_be_visible()
            expect(box).to_have_attribute("aria-expanded", "true")
            option = listbox.get_by_role("option").filter(has_text=article.title_ru)
            expect(option).to_have_count(1)
            for _ in range(listbox.get_by_role("option").count()):
                box.press("ArrowDown")
                if option.get_attribute("aria-selected") == "true":
                    break
            expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
            box.press("Enter")
            with translation.override("ru"):
                expect(page).to_have_url(self.live_server_url + article.get_absolute_url())
            expect(page.locator("h1")).to_have_text(article.title_ru)

            box = page.locator("#site-search-q")
            box.fill("пхеньян")
            expect(page.get_by_role("listbox")).to_be_visible()
            box.press("Escape")
            expect(page.get_by_role("listbox")).to_be_hidden()
            box.press("Enter")  # nothing picked: the form searches
            expect(page.locator(".search-result").first).to_be_visible()
            self.save_screenshot(page, "search-box")

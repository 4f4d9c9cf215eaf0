"""The translation dashboard: per language, what is missing, unfinished or outdated, newest first, linked to forms."""
from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from tests.factories import make_article, make_author, make_category, make_staff

URL = reverse("admin:articles_article_translations")


def touch(obj, minutes_ago: int) -> None:
    """Set ``updated_at`` without a save (which would change it again)."""
    type(obj).objects.filter(pk=obj.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.done = make_article("Done")                                  # complete everywhere
        cls.missing = make_article("Missing", languages=("tr", "en"))    # nothing in Russian
        cls.started = make_article("Started", languages=("tr",), published=("tr",), highlights_tr="Vurgu.")
        Article.objects.filter(pk=cls.started.pk).update(title_ru="Начато")  # a title, no body, no highlights
        cls.outdated = make_article("Outdated")
        outdated = Article.objects.get(pk=cls.outdated.pk)
        outdated.body_tr = "<p>Değişen kaynak[1].</p>"
        outdated.save()
        cls.russian_source = make_article("Russian", languages=("ru",), original_language="ru")
        touch(cls.missing, 30)
        touch(cls.started, 20)
        touch(cls.outdated, 10)
        cls.untranslated_bio = make_author("Berra", "Kızılyazı", bio_tr="<p>Biyografi.</p>")
        cls.translated_bio = make_author("Hatice", "Çiftçioğlu", bio_tr="<p>Biyografi.</p>")
        cls.translated_bio.bio_ru = "<p>Биография.</p>"
        cls.translated_bio.save()
        cls.tag = Tag.objects.create(name_tr="Enerji", name_en="Energy")  # no Russian name yet
        cls.outdated_category = make_category("Analysis", tr="Analiz", ru="Аналитика")
        cls.outdated_category.name_tr = "Analizler"
        cls.outdated_category.save()
        cls.translator = make_staff("olga", "Translator (ru)")

    def dashboard(self, user) -> BeautifulSoup:
        self.client.force_login(user)
        response = self.client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def rows(self, page, language: str, heading: str) -> list[tuple[str, str, str]]:
        section = page.select_one(f"#language-{language}")
        title = next(h3 for h3 in section.select("h3") if h3.get_text().startswith(heading))
        table = title.find_next_sibling()
        if table.name != "table":
            return []
        return [
            (cells[0].a.get_text(strip=True), cells[1].get_text(" ", strip=True), cells[0].a["href"])
            for cells in (row.select("td") for row in table.select("tbody tr"))
        ]

    def test_a_translator_sees_their_language_newest_first_each_linked_to_its_translation_screen(self):
        page = self.dashboard(self.translator)
        self.assertEqual([section["id"] for section in page.select("section[id^=language-]")], ["language-ru"])
        articles = self.rows(page, "ru", "Articles")
        self.assertEqual([title for title, _state, _url in articles], ["Outdated en", "Started tr", "Missing en"])
        self.assertEqual([state for _title, state, _url in articles], ["published outdated", "in progress", "missing"])
        self.assertEqual(articles[0][2], reverse("admin:articles_article_translate", args=[self.outdated.pk, "ru"]))
        self.assertIn(reverse("admin:articles_article_change", args=[self.outdated.pk]),
                      [a["href"] for a in page.select("#language-ru a.translation-dashboard__form")])
        self.assertEqual([title for title, *_ in self.rows(page, "ru", "Bios")], ["Berra KIZILYAZI"])
        self.assertEqual(self.rows(page, "ru", "Bios")[0][2],
                         reverse("admin:authors_author_translate", args=[self.untranslated_bio.pk, "ru"]))
        self.assertEqual([title for title, *_ in self.rows(page, "ru", "Tags")], ["Energy"])
        self.assertEqual([(title, state) for title, state, _url in self.rows(page, "ru", "Categories")],
                         [("Analysis", "complete outdated")])

    def test_complete_and_source_variants_are_not_listed(self):
        page = self.dashboard(self.translator)
        text = page.select_one("#language-ru").get_text()
        self.assertNotIn("Done", text)
        self.assertNotIn("Hatice", text)
        self.assertNotIn("Russian ru", text)

    def test_an_editor_sees_every_language_with_export_and_upload_links(self):
        page = self.dashboard(make_staff("ayse", "Editor"))
        self.assertEqual([section["id"] for section in page.select("section[id^=language-]")],
                         ["language-tr", "language-en", "language-ru"])
        turkish = [title for title, *_ in self.rows(page, "tr", "Articles")]
        self.assertEqual(turkish, ["Russian ru"])
        links = [a["href"] for a in page.select("#language-ru a")]
        export = reverse("admin:articles_article_translation_export")
        self.assertIn(f"{export}?ids={self.outdated.pk}&language=ru&format=xliff20", links)
        self.assertIn(f"{reverse('admin:articles_article_translation_import')}?article={self.outdated.pk}&language=ru", links)

    def test_show_all_opens_the_filtered_list(self):
        self.client.force_login(self.translator)
        response = self.client.get(reverse("admin:articles_article_changelist") + "?translation=todo_ru",
                                   HTTP_ACCEPT_LANGUAGE="en")
        page = BeautifulSoup(response.content, "html.parser")
        titles = {row.select_one("th").get_text(strip=True) for row in page.select("#result_list tbody tr")}
        self.assertEqual(titles, {"Outdated en", "Started tr", "Missing en"})

    def test_only_staff_with_a_language_get_the_dashboard(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.client.force_login(make_staff("nobody"))
        self.assertEqual(self.client.get(URL).status_code, 403)

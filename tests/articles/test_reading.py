"""Reading aids: reading time, previous/next in the category, counts, print stylesheet, error pages, landmarks."""
from bs4 import BeautifulSoup
from django.test import TestCase, override_settings
from django.utils import translation

from tests.factories import make_article, make_category, make_tag


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


class ReadingTimeTests(TestCase):
    def test_reading_time_counts_words_of_the_pages_language(self):
        article = make_article("Long", body="<p>" + "word " * 1000 + "</p>")
        article.body_ru = "<p>" + "слово " * 150 + "</p>"
        article.save()
        self.assertEqual(article.reading_minutes("en"), 5)
        self.assertEqual(article.reading_minutes("ru"), 1)
        labels = {"en": "5 minutes read", "tr": "5 dakikalık okuma", "ru": "1 минута чтения"}
        for code, label in labels.items():
            text = soup(self.client.get(article.url_in(code))).select_one(".post__reading-time").get_text()
            self.assertEqual(text, label, code)


class NeighbourTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.oldest = make_article("Oldest", category=cls.category, days_ago=30)
        cls.middle = make_article("Middle", category=cls.category, days_ago=20)
        cls.english_gap = make_article("Turkish only", category=cls.category, days_ago=15, published=("tr",))
        cls.newest = make_article("Newest", category=cls.category, days_ago=10)
        make_article("Elsewhere", category=make_category("Other", tr="Diğer", ru="Другое"), days_ago=12)
        cls.alone = make_article("No category", days_ago=25)

    def links(self, article, code):
        page = soup(self.client.get(article.url_in(code)))
        return {a["rel"][0]: a["href"] for a in page.select(".post__neighbours a")}

    def test_previous_and_next_are_the_neighbours_published_in_the_same_category_and_language(self):
        self.assertEqual(self.links(self.middle, "en"),
                         {"prev": self.oldest.url_in("en"), "next": self.newest.url_in("en")})
        self.assertEqual(self.links(self.newest, "tr"), {"prev": self.english_gap.url_in("tr")})
        self.assertEqual(self.links(self.newest, "en"), {"prev": self.middle.url_in("en")})
        self.assertEqual(self.links(self.oldest, "ru"), {"next": self.middle.url_in("ru")})

    def test_an_article_without_category_has_no_neighbours(self):
        self.assertEqual(self.links(self.alone, "en"), {})

    def test_labels_are_translated(self):
        page = soup(self.client.get(self.middle.url_in("ru")))
        self.assertIn("Предыдущая в рубрике", page.select_one(".post__previous").get_text())


class CountTests(TestCase):
    def test_tag_and_category_pages_count_the_articles_of_their_language(self):
        category = make_category()
        tag = make_tag("Energy", tr="Enerji", ru="Энергетика")
        make_article("A", category=category, tags=(tag,))
        make_article("B", category=category, tags=(tag,), published=("tr",))
        for url, expected in ((tag.url_in("tr"), "2 yazı"), (tag.url_in("en"), "1 article"),
                              (category.url_in("ru"), "1 статья")):
            self.assertEqual(soup(self.client.get(url)).select_one(".page-count").get_text(), expected, url)


class FrameTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Framed", featured_image_alt_en="x")

    def test_every_page_has_landmarks_a_skip_link_and_a_print_stylesheet(self):
        page = soup(self.client.get(self.article.url_in("en")))
        self.assertEqual(page.select_one("a.skip-link")["href"], "#content")
        self.assertIsNotNone(page.select_one("main#content"))
        self.assertIsNotNone(page.select_one("header"))
        self.assertIsNotNone(page.select_one("footer"))
        self.assertEqual(len(page.select("nav[aria-label]")), 2)
        search = page.select_one('form[role="search"]')
        self.assertEqual(search.select_one("label")["for"], search.select_one("input")["id"])
        self.assertTrue(page.select_one('link[rel="stylesheet"][media="print"]')["href"].endswith("print.css"))

    def test_every_image_has_a_text_alternative(self):
        page = soup(self.client.get(self.article.url_in("en")))
        self.assertTrue(all(img.has_attr("alt") for img in page.select("img")))


@override_settings(DEBUG=False)
class ErrorPageTests(TestCase):
    def test_404_speaks_the_language_of_the_address(self):
        expected = {"tr": "Sayfa bulunamadı", "en": "Page not found", "ru": "Страница не найдена"}
        for code, heading in expected.items():
            response = self.client.get(f"/{code}/no-such-page/")
            self.assertEqual(response.status_code, 404)
            page = soup(response)
            self.assertEqual(page.h1.get_text(), heading, code)
            self.assertEqual(page.html["lang"], code)

    def test_500_speaks_the_language_of_the_address(self):
        from django.template.loader import render_to_string

        with translation.override("ru"):
            html = render_to_string("500.html")
        self.assertIn("Ошибка сервера", html)
        with translation.override("tr"):
            self.assertIn("Sunucu hatası", render_to_string("500.html"))

"""What each page tells search engines and link previews, in the page's own language."""
import json
import shutil
import tempfile
from io import BytesIO

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from articles.pages.seo import og_locale
from tests.factories import make_article, make_author, make_category, make_tag

OG_LOCALES = {"tr": "tr_TR", "en": "en_US", "ru": "ru_RU"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def meta(page: BeautifulSoup, key: str) -> list[str]:
    """Contents of every ``<meta property=key>`` or ``<meta name=key>``."""
    return [tag["content"] for tag in page.select(f'head meta[property="{key}"], head meta[name="{key}"]')]


def structured_data(page: BeautifulSoup) -> list[dict]:
    return [json.loads(script.string) for script in page.select('script[type="application/ld+json"]')]


def jpeg(width: int = 1600, height: int = 900) -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


class MetaTagTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = tempfile.mkdtemp()
        cls.media_override = override_settings(MEDIA_ROOT=cls.media)
        cls.media_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("Energy", tr="Enerji", ru="Энергетика")
        cls.author = make_author("Hatice", "Çiftçioğlu", bio_tr="<p>Uzun yıllardır enerji politikaları üzerine çalışıyor.</p>")
        cls.article = make_article(
            "Pipelines",
            category=cls.category,
            tags=(cls.tag,),
            highlights_tr="Türkçe ana cümle.",
            highlights_en="The English key sentence.",
            highlights_ru="Главная мысль по-русски.",
            featured_image_alt_en="A pipeline at dusk",
        )
        cls.article.authors.add(cls.author)
        cls.article.featured_image.save("photo.jpg", jpeg(), save=True)
        cls.partial = make_article("Partial", published=("tr", "ru"))

    def setUp(self):
        cache.clear()

    def page(self, path: str) -> BeautifulSoup:
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        return soup(response)

    def test_title_and_description_are_in_the_pages_language(self):
        summaries = {"tr": "Türkçe ana cümle.", "en": "The English key sentence.", "ru": "Главная мысль по-русски."}
        for code, summary in summaries.items():
            with self.subTest(language=code):
                page = self.page(self.article.url_in(code))
                self.assertTrue(page.title.get_text().startswith(f"Pipelines {code} · "))
                self.assertEqual(meta(page, "description"), [summary])
                self.assertEqual(meta(page, "og:title"), [f"Pipelines {code}"])
                self.assertEqual(meta(page, "og:description"), [summary])
                self.assertEqual(meta(page, "twitter:title"), [f"Pipelines {code}"])
                self.assertEqual(meta(page, "twitter:description"), [summary])

    def test_canonical_url_and_og_url_are_the_pages_absolute_address(self):
        page = self.page(self.article.url_in("ru") + "?utm_source=x")
        canonical = "http://testserver" + self.article.url_in("ru")
        self.assertEqual(page.select_one('link[rel="canonical"]')["href"], canonical)
        self.assertEqual(meta(page, "og:url"), [canonical])

    def test_og_locale_names_the_page_and_the_other_published_languages(self):
        page = self.page(self.article.url_in("tr"))
        self.assertEqual(meta(page, "og:locale"), ["tr_TR"])
        self.assertEqual(sorted(meta(page, "og:locale:alternate")), ["en_US", "ru_RU"])
        partial = self.page(self.partial.url_in("ru"))
        self.assertEqual(meta(partial, "og:locale"), ["ru_RU"])
        self.assertEqual(meta(partial, "og:locale:alternate"), ["tr_TR"])

    def test_og_site_name_is_the_publisher_and_left_out_without_one(self):
        path = self.article.url_in("en")
        with override_settings(ARTICLES_PUBLISHER_NAME="Example Press"):
            self.assertEqual(meta(self.page(path), "og:site_name"), ["Example Press"])
        cache.clear()
        with override_settings(ARTICLES_PUBLISHER_NAME=""):
            self.assertEqual(meta(self.page(path), "og:site_name"), [])

    def test_every_public_page_has_meta_in_its_language(self):
        for code, locale in OG_LOCALES.items():
            with translation.override(code):
                paths = ["/" + code + "/", self.tag.url_in(code), self.category.url_in(code),
                         self.author.get_absolute_url(), reverse("articles:authors")]
            for path in paths:
                with self.subTest(path=path):
                    page = self.page(path)
                    self.assertEqual(meta(page, "og:locale"), [locale])
                    self.assertTrue(meta(page, "og:title")[0])
                    self.assertTrue(meta(page, "description")[0])
                    self.assertEqual(page.select_one('link[rel="canonical"]')["href"], "http://testserver" + path)
                    self.assertEqual(page.html["lang"], code)

    def test_article_image_is_a_rendition_with_its_size(self):
        page = self.page(self.article.url_in("en"))
        image = meta(page, "og:image")[0]
        self.assertTrue(image.startswith("http://testserver/media/renditions/"), image)
        self.assertTrue(image.endswith(".jpg"))
        self.assertEqual(meta(page, "og:image:width"), ["1280"])
        self.assertEqual(meta(page, "og:image:height"), ["720"])
        self.assertEqual(meta(page, "og:image:alt"), ["A pipeline at dusk"])
        self.assertEqual(meta(page, "twitter:card"), ["summary_large_image"])
        self.assertEqual(meta(page, "twitter:image"), [image])
        self.assertEqual(meta(self.page(self.partial.url_in("tr")), "twitter:card"), ["summary"])

    def test_article_has_news_article_structured_data(self):
        page = self.page(self.article.url_in("ru"))
        [data] = structured_data(page)
        self.assertEqual(data["@type"], "NewsArticle")
        self.assertEqual(data["headline"], "Pipelines ru")
        self.assertEqual(data["inLanguage"], "ru")
        self.assertEqual(data["description"], "Главная мысль по-русски.")
        self.assertEqual(data["author"], [{"@type": "Person", "name": "Hatice ÇİFTÇİOĞLU",
                                          "url": "http://testserver" + self.author_url("ru")}])
        self.assertEqual(data["keywords"], ["Энергетика"])
        self.assertEqual(data["articleSection"], "Аналитика")
        self.assertEqual(data["publisher"]["name"], "ANKASAM")
        self.assertTrue(data["image"][0].startswith("http://testserver/media/renditions/"))
        self.assertEqual(meta(page, "og:type"), ["article"])
        self.assertEqual(meta(page, "article:tag"), ["Энергетика"])

    def test_author_page_has_person_structured_data(self):
        page = self.page(self.author_url("en"))
        [data] = structured_data(page)
        self.assertEqual(data["@type"], "Person")
        self.assertEqual(data["name"], "Hatice ÇİFTÇİOĞLU")
        self.assertEqual(data["description"], "Uzun yıllardır enerji politikaları üzerine çalışıyor.")
        self.assertEqual(meta(page, "og:type"), ["profile"])

    def test_structured_data_cannot_break_out_of_its_script(self):
        article = make_article("</script><script>alert(1)</script>", languages=("en",))
        response = self.client.get(article.url_in("en"))
        self.assertNotIn(b"</script><script>alert(1)", response.content)
        [data] = structured_data(soup(response))
        self.assertEqual(data["headline"], "</script><script>alert(1)</script> en")

    def author_url(self, language: str) -> str:
        with translation.override(language):
            return self.author.get_absolute_url()


class OgLocaleTests(SimpleTestCase):
    """``og:locale`` wants a territory: a language code without one gets CLDR's likely one, whatever the language."""

    def test_a_language_code_gets_its_likely_territory(self):
        expected = {**OG_LOCALES, "de": "de_DE", "pt": "pt_BR", "kk": "kk_KZ"}
        self.assertEqual({code: og_locale(code) for code in expected}, expected)

    def test_a_territory_in_the_code_is_kept(self):
        self.assertEqual(og_locale("en-gb"), "en_GB")
        self.assertEqual(og_locale("pt-br"), "pt_BR")

    def test_a_language_unknown_to_cldr_still_gets_a_locale(self):
        self.assertEqual(og_locale("xx"), "xx_XX")

"""The sitemap: every public page in each language it exists in, with its alternates, and nothing else."""
from datetime import timedelta
from unittest import mock
from xml.etree import ElementTree

from django.test import TestCase
from django.utils import timezone, translation

from articles.pages.sitemaps import ArticleSitemap
from tests.factories import make_article, make_author, make_category, make_tag

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
HOST = "http://testserver"


def parse(response) -> ElementTree.Element:
    return ElementTree.fromstring(response.content)


def urls_of(root: ElementTree.Element) -> dict[str, dict]:
    """loc -> {"lastmod": str, "alternates": {hreflang: href}}"""
    result = {}
    for url in root.findall("sm:url", NS):
        result[url.findtext("sm:loc", namespaces=NS)] = {
            "lastmod": url.findtext("sm:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)
            },
        }
    return result


def absolute(path: str) -> str:
    return HOST + path


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("Energy", tr="Enerji", ru="Энергетика")
        cls.author = make_author("Hatice", "Çiftçioğlu")
        cls.everywhere = make_article("Everywhere", category=cls.category, tags=(cls.tag,))
        cls.everywhere.authors.add(cls.author)
        cls.english_only = make_article(
            "English only", languages=("tr", "en", "ru"), published=("en",), original_language="tr",
            tags=(cls.tag,),
        )
        cls.draft = make_article("Draft", published=(), category=make_category("Drafts", tr="Taslak", ru="Черновики"))
        cls.draft_author = make_author("Nobody", "Yet")
        cls.draft.authors.add(cls.draft_author)
        cls.draft.tags.add(make_tag("Secret"))
        cls.scheduled = make_article("Scheduled", published_at=timezone.now() + timedelta(days=2))

    def sitemap(self) -> dict[str, dict]:
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        return urls_of(parse(response))

    def test_articles_appear_once_per_published_language_with_their_alternates(self):
        urls = self.sitemap()
        expected = {code: absolute(self.everywhere.url_in(code)) for code in ("tr", "en", "ru")}
        for code, loc in expected.items():
            self.assertIn(loc, urls)
            self.assertEqual(urls[loc]["alternates"], {**expected, "x-default": expected["tr"]})

    def test_unpublished_language_variants_are_absent_and_x_default_is_a_published_one(self):
        urls = self.sitemap()
        self.assertNotIn(absolute(self.english_only.url_in("tr")), urls)
        self.assertNotIn(absolute(self.english_only.url_in("ru")), urls)
        english = urls[absolute(self.english_only.url_in("en"))]
        only_english = absolute(self.english_only.url_in("en"))
        self.assertEqual(english["alternates"], {"en": only_english, "x-default": only_english})

    def test_drafts_and_scheduled_articles_and_whatever_only_they_reach_are_absent(self):
        text = self.client.get("/sitemap.xml").content.decode()
        for absent in ("draft", "scheduled", "nobody-yet", "secret", "drafts", "taslak"):
            self.assertNotIn(absent, text.lower())

    def test_authors_tags_and_categories_appear_in_the_languages_they_have_articles_in(self):
        urls = self.sitemap()
        for code in ("tr", "en", "ru"):
            with translation.override(code):
                author_url = absolute(self.author.get_absolute_url())
            self.assertIn(author_url, urls)
            self.assertIn(absolute(self.tag.url_in(code)), urls)
            self.assertIn(absolute(self.category.url_in(code)), urls)
        tag = urls[absolute(self.tag.url_in("en"))]
        self.assertEqual(set(tag["alternates"]), {"tr", "en", "ru", "x-default"})

    def test_lastmod_is_the_last_change(self):
        urls = self.sitemap()
        entry = urls[absolute(self.everywhere.url_in("en"))]
        self.assertEqual(entry["lastmod"], timezone.localtime(self.everywhere.updated_at).strftime("%Y-%m-%d"))
        self.assertIsNotNone(urls[absolute(self.tag.url_in("en"))]["lastmod"])

    def test_home_pages_have_the_root_as_x_default(self):
        home = self.sitemap()[absolute("/en/")]
        self.assertEqual(home["alternates"]["x-default"], absolute("/"))
        self.assertEqual(home["alternates"]["ru"], absolute("/ru/"))

    def test_the_sitemap_becomes_an_index_when_it_outgrows_one_file(self):
        with mock.patch.object(ArticleSitemap, "limit", 2):
            response = self.client.get("/sitemap.xml")
            root = parse(response)
            self.assertEqual(root.tag, "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex")
            locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
            # Four article URLs (three languages of one, one of the other), two a file.
            self.assertIn(absolute("/sitemap-articles.xml"), locations)
            self.assertIn(absolute("/sitemap-articles.xml?p=2"), locations)
            second = urls_of(parse(self.client.get("/sitemap-articles.xml?p=2")))
            first = urls_of(parse(self.client.get("/sitemap-articles.xml")))
            # Every file is listed once, each with its section's last change; the index is not itself indexed.
            self.assertEqual(len(locations), len(set(locations)))
            dated = root.findall("{http://www.sitemaps.org/schemas/sitemap/0.9}sitemap")
            self.assertTrue(all(entry.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod") for entry in dated))
            self.assertEqual(response["X-Robots-Tag"], "noindex, noodp, noarchive")
            self.assertIn("Last-Modified", response)
        self.assertEqual(len(first) + len(second), 4)

    def test_the_index_counts_each_section_once(self):
        counted = mock.Mock(side_effect=ArticleSitemap._items)

        def items(sitemap):
            return counted(sitemap)

        with mock.patch.object(ArticleSitemap, "limit", 2), mock.patch.object(ArticleSitemap, "_items", items):
            root = parse(self.client.get("/sitemap.xml"))
        self.assertEqual(root.tag, "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex")
        self.assertEqual(counted.call_count, 1)

    def test_robots_txt_points_to_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)
        self.assertIn("Disallow: /admin/", lines)

    def test_the_number_of_queries_does_not_grow_with_the_archive(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            self.client.get("/sitemap.xml")
        for n in range(5):
            article = make_article(f"More {n}", category=make_category(f"C{n}", tr=f"K{n}", ru=f"Р{n}"),
                                   tags=(make_tag(f"T{n}"),))
            article.authors.add(make_author("Writer", f"Number{n}"))
        with CaptureQueriesContext(connection) as after:
            self.client.get("/sitemap.xml")
        self.assertEqual(len(after), len(before))

"""RSS and Atom feeds per language: valid, linked from the pages, and carrying only what that language publishes."""
import feedparser
from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from tests.factories import make_article, make_author, make_category, make_tag


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("Energy", tr="Enerji", ru="Энергетика")
        cls.author = make_author("Hatice", "Çiftçioğlu")
        cls.everywhere = make_article(
            "Everywhere", category=cls.category, tags=(cls.tag,), highlights_en="The key sentence.", days_ago=2
        )
        cls.everywhere.authors.add(cls.author)
        cls.turkish = make_article("Turkish only", published=("tr",), category=cls.category, tags=(cls.tag,))
        cls.turkish.authors.add(cls.author)
        make_article("Draft", published=(), category=cls.category, tags=(cls.tag,))

    def feed(self, path: str):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        parsed = feedparser.parse(response.content)
        self.assertFalse(parsed.bozo, f"{path}: {parsed.get('bozo_exception')}")
        return response, parsed

    def feed_paths(self, language: str) -> list[str]:
        with translation.override(language):
            author_feed = reverse("articles:author_feed", kwargs={"slug": self.author.slug})
            author_atom = reverse("articles:author_feed_atom", kwargs={"slug": self.author.slug})
        slug_tag, slug_category = getattr(self.tag, f"slug_{language}"), getattr(self.category, f"slug_{language}")
        return [
            url("articles:feed", language),
            url("articles:feed_atom", language),
            url("articles:tag_feed", language, slug=slug_tag),
            url("articles:tag_feed_atom", language, slug=slug_tag),
            url("articles:category_feed", language, slug=slug_category),
            url("articles:category_feed_atom", language, slug=slug_category),
            author_feed,
            author_atom,
        ]

    def test_every_feed_parses_and_lists_only_articles_published_in_its_language(self):
        expected = {"tr": ["Turkish only tr", "Everywhere tr"], "en": ["Everywhere en"], "ru": ["Everywhere ru"]}
        for language, titles in expected.items():
            for path in self.feed_paths(language):
                with self.subTest(path=path):
                    _response, parsed = self.feed(path)
                    self.assertEqual([entry.title for entry in parsed.entries], titles)
                    self.assertEqual(parsed.feed.get("language", language), language)

    def test_rss_and_atom_carry_links_dates_authors_tags_and_a_summary(self):
        response, rss = self.feed(url("articles:feed", "en"))
        self.assertTrue(response["Content-Type"].startswith("application/rss+xml"))
        self.assertEqual(rss.version, "rss20")
        self.assertEqual(rss.feed.language, "en")
        entry = rss.entries[0]
        self.assertEqual(entry.link, "http://testserver" + self.everywhere.url_in("en"))
        self.assertEqual(entry.summary, "The key sentence.")
        self.assertEqual([tag.term for tag in entry.tags], ["Energy"])
        self.assertIn("Hatice ÇİFTÇİOĞLU", entry.author)
        self.assertIsNotNone(entry.published_parsed)

        response, atom = self.feed(url("articles:feed_atom", "ru"))
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        self.assertEqual(atom.version, "atom10")
        self.assertEqual(atom.entries[0].link, "http://testserver" + self.everywhere.url_in("ru"))
        self.assertIsNotNone(atom.entries[0].updated_parsed)

    def test_feed_titles_are_translated(self):
        _response, tr = self.feed(url("articles:feed", "tr"))
        _response, ru = self.feed(url("articles:feed", "ru"))
        self.assertEqual(tr.feed.title, "ANKASAM: son yazılar")
        self.assertEqual(ru.feed.title, "ANKASAM: последние статьи")

    def test_without_a_publisher_name_titles_name_only_what_the_feed_lists(self):
        with self.settings(ARTICLES_PUBLISHER_NAME=""):
            titles = [self.feed(path)[1].feed.title for path in self.feed_paths("tr")[::2]]
        self.assertEqual(titles, ["Son yazılar", "Etiket: Enerji", self.category.name_tr, self.author.name])

    def test_a_collection_with_nothing_in_the_language_has_no_feed(self):
        lonely = make_tag("Lonely")
        make_article("Lonely", languages=("tr",), tags=(lonely,))
        self.assertEqual(self.client.get(url("articles:tag_feed", "tr", slug=lonely.slug_tr)).status_code, 200)
        self.assertEqual(self.client.get(url("articles:tag_feed", "en", slug=lonely.slug_en)).status_code, 404)

    def test_pages_link_their_feeds(self):
        def feed_links(path: str) -> set[str]:
            page = BeautifulSoup(self.client.get(path).content, "html.parser")
            return {
                link["href"]
                for link in page.select('head link[rel="alternate"][type="application/rss+xml"], '
                                        'head link[rel="alternate"][type="application/atom+xml"]')
            }

        site_feeds = {url("articles:feed", "ru"), url("articles:feed_atom", "ru")}
        self.assertEqual(feed_links("/ru/"), site_feeds)
        self.assertEqual(feed_links(self.everywhere.url_in("ru")), site_feeds)
        tag_feeds = feed_links(self.tag.url_in("ru"))
        self.assertIn(url("articles:tag_feed", "ru", slug=self.tag.slug_ru), tag_feeds)
        self.assertIn(url("articles:tag_feed_atom", "ru", slug=self.tag.slug_ru), tag_feeds)
        self.assertIn(url("articles:category_feed", "ru", slug=self.category.slug_ru),
                      feed_links(self.category.url_in("ru")))
        with translation.override("ru"):
            author_page = self.author.get_absolute_url()
        self.assertIn(url("articles:author_feed", "ru", slug=self.author.slug), feed_links(author_page))

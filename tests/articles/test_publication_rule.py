"""One publication rule: every place a reader can meet an article agrees with it.

Random articles (a fixed seed, so a failure repeats) mix what makes a language variant public or not: a title that
is empty or only blanks, an empty body, an editor's release missing, a date to come, and equal dates (ties). The
rule is ``ArticleQuerySet.published`` for the database and ``Article.is_published_in`` for an instance; each page,
list, feed, sitemap, search, Similar Posts list, neighbour link and admin state is checked against it.
"""
from __future__ import annotations

import random
import re
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article
from tests.factories import make_author, make_category, make_tag

LANGUAGES = ("tr", "en", "ru")
WORD = "Zeytin"  # in every title, so one search finds every candidate
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def random_articles(rng: random.Random, count: int, *, category, tag, author) -> list[Article]:
    now = timezone.now()
    shared_day = now - timedelta(days=3)  # several articles on the very same instant: ties
    articles = []
    for number in range(count):
        when = rng.choice([shared_day, shared_day, now - timedelta(days=rng.randint(1, 90)), now + timedelta(days=2)])
        values = {"published_at": when, "category": category}
        for code in LANGUAGES:
            values[f"title_{code}"] = rng.choice([f"{WORD} {number} {code}", f"{WORD} {number} {code}", "", "   \t"])
            values[f"body_{code}"] = rng.choice([f"<p>{WORD} body {number}.</p>", f"<p>{WORD} body {number}.</p>", ""])
            values[f"is_published_{code}"] = rng.random() < 0.75
            values[f"slug_{code}"] = f"zeytin-{number}-{code}"
        article = Article.objects.create(**values)
        article.tags.add(tag)
        article.authors.add(author)
        articles.append(article)
    return articles


def links_to_articles(html: bytes, language: str) -> set[str]:
    """The article addresses a page links to (``/<language>/<articles word>/<slug>/``)."""
    with translation.override(language):
        prefix = reverse("articles:detail", kwargs={"slug": "x"})[: -len("x/")]
    return {
        anchor["href"]
        for anchor in BeautifulSoup(html, "html.parser").find_all("a", href=True)
        if anchor["href"].startswith(prefix) and anchor["href"].count("/") == prefix.count("/") + 1
    }


@override_settings(ARTICLES_PAGE_SIZE=200, ARTICLES_FEED_SIZE=200, ARTICLES_SIMILAR_LIMIT=200)
class PublicationRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("Olive", tr="Zeytin ağacı", ru="Олива")
        cls.author = make_author("Ayşe", "Yılmaz")
        cls.articles = random_articles(
            random.Random(20261207), 40, category=cls.category, tag=cls.tag, author=cls.author
        )

    def setUp(self):
        for article in self.articles:
            article.refresh_from_db()

    def public(self, language: str) -> list[Article]:
        return [article for article in self.articles if article.is_published_in(language)]

    def urls(self, articles, language: str) -> set[str]:
        return {article.url_in(language) for article in articles}

    def test_the_seed_covers_every_case(self):
        """Otherwise the other tests could pass without meeting a blank title, a date to come or a tie."""
        cases = {"public": 0, "blank title": 0, "no body": 0, "not released": 0, "scheduled": 0}
        for article in self.articles:
            for code in LANGUAGES:
                if article.is_published_in(code):
                    cases["public"] += 1
                elif not getattr(article, f"title_{code}"):
                    cases["blank title"] += 1
                elif not getattr(article, f"body_{code}"):
                    cases["no body"] += 1
                elif not getattr(article, f"is_published_{code}"):
                    cases["not released"] += 1
                else:
                    cases["scheduled"] += 1
        self.assertTrue(all(cases.values()), cases)
        dates = [article.published_at for article in self.public("en")]
        self.assertGreater(len(dates), len(set(dates)), "no two public articles share a date")

    def test_blank_titles_are_stored_empty(self):
        self.assertFalse(Article.objects.filter(title_en__regex=r"^\s+$").exists())

    def test_the_queryset_and_the_instance_agree(self):
        for code in LANGUAGES:
            with self.subTest(language=code):
                self.assertEqual(set(Article.objects.published(code)), set(self.public(code)))
                self.assertEqual(
                    set(Article.objects.published(code, scheduled=True)),
                    {article for article in self.articles if article.is_published_in(code, scheduled=True)},
                )

    def test_article_pages_answer_exactly_for_public_variants(self):
        for article in self.articles:
            for code in LANGUAGES:
                with self.subTest(article=article.pk, language=code):
                    response = self.client.get(f"/{code}/{article.url_in(code).split('/', 2)[2]}")
                    self.assertEqual(response.status_code, 200 if article.is_published_in(code) else 404)

    def test_lists_show_exactly_the_public_articles(self):
        for code in LANGUAGES:
            expected = self.urls(self.public(code), code)
            with translation.override(code):
                pages = {
                    "home": reverse("articles:index"),
                    "tag": self.tag.url_in(code),
                    "category": self.category.url_in(code),
                    "author": self.author.get_absolute_url(),
                }
            for name, url in pages.items():
                with self.subTest(page=name, language=code):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(links_to_articles(response.content, code), expected)

    def test_feeds_show_exactly_the_public_articles(self):
        for code in LANGUAGES:
            expected = {f"http://testserver{url}" for url in self.urls(self.public(code), code)}
            with translation.override(code):
                feeds = {
                    "rss": reverse("articles:feed"),
                    "atom": reverse("articles:feed_atom"),
                    "tag": reverse("articles:tag_feed", kwargs={"slug": getattr(self.tag, f"slug_{code}")}),
                    "category": reverse(
                        "articles:category_feed", kwargs={"slug": getattr(self.category, f"slug_{code}")}
                    ),
                }
            for name, url in feeds.items():
                with self.subTest(feed=name, language=code):
                    entries = feedparser.parse(self.client.get(url).content).entries
                    self.assertEqual({entry.link for entry in entries}, expected)

    def test_the_sitemap_lists_exactly_the_public_variants(self):
        root = ElementTree.fromstring(self.client.get("/sitemap.xml").content)
        listed = {url.findtext("sm:loc", namespaces=SITEMAP_NS) for url in root.findall("sm:url", SITEMAP_NS)}
        for code in LANGUAGES:
            with self.subTest(language=code):
                expected = {f"http://testserver{url}" for url in self.urls(self.public(code), code)}
                with translation.override(code):
                    prefix = "http://testserver" + reverse("articles:detail", kwargs={"slug": "x"})[: -len("x/")]
                article_urls = {url for url in listed if url.startswith(prefix)}
                self.assertEqual(article_urls, expected)

    def test_search_finds_exactly_the_public_articles(self):
        for code in LANGUAGES:
            with self.subTest(language=code), translation.override(code):
                response = self.client.get(reverse("articles:search"), {"q": WORD})
                self.assertEqual(links_to_articles(response.content, code), self.urls(self.public(code), code))

    def test_similar_posts_and_neighbours_and_languages_follow_the_rule(self):
        for code in LANGUAGES:
            public = sorted(self.public(code), key=lambda article: (article.published_at, article.pk))
            for place, article in enumerate(public):
                with self.subTest(article=article.pk, language=code):
                    page = BeautifulSoup(self.client.get(article.url_in(code)).content, "html.parser")
                    similar = page.find(id="similar-posts")
                    shown = {a["href"] for a in similar.find_all("a")} if similar else set()
                    self.assertEqual(shown, self.urls(public, code) - {article.url_in(code)})
                    previous, following = page.find("a", rel="prev"), page.find("a", rel="next")
                    self.assertEqual(previous and previous["href"], place and public[place - 1].url_in(code) or None)
                    self.assertEqual(
                        following and following["href"],
                        public[place + 1].url_in(code) if place + 1 < len(public) else None,
                    )
                    alternates = {link["hreflang"] for link in page.find_all("link", rel="alternate", hreflang=True)}
                    self.assertEqual(
                        alternates - {"x-default"}, {other for other in LANGUAGES if article.is_published_in(other)}
                    )

    def test_the_author_index_lists_an_author_only_where_they_have_a_public_article(self):
        for code in LANGUAGES:
            with self.subTest(language=code), translation.override(code):
                html = self.client.get(reverse("articles:authors")).content.decode()
                self.assertEqual(self.author.get_absolute_url() in html, bool(self.public(code)))

    def test_the_admin_states_follow_the_rule(self):
        admin = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-1")
        self.client.force_login(admin)
        changelist = reverse("admin:articles_article_changelist")
        for code in LANGUAGES:
            with self.subTest(language=code):
                html = self.client.get(changelist, {"status": f"published_{code}"}).content.decode()
                shown = {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)}
                released = {a.pk for a in self.articles if a.is_published_in(code, scheduled=True)}
                self.assertEqual(shown, released)

    @override_settings(ARTICLES_API_THROTTLE_RATE=None, ARTICLES_API_PAGE_SIZE=7)
    def test_the_read_api_follows_the_rule(self):
        """Its lists (walked page by page across the ties), articles, Similar Posts, search and languages."""

        def walk(url: str) -> list[int]:
            ids = []
            while url:
                page = self.client.get(url).json()
                ids += [item["id"] for item in page["results"]]
                url = page["next"]
            return ids

        for code in LANGUAGES:
            public = sorted(self.public(code), key=lambda article: (article.published_at, article.pk), reverse=True)
            expected = [article.pk for article in public]
            with self.subTest(language=code):
                self.assertEqual(walk(f"/api/v1/{code}/articles/"), expected)
                self.assertEqual(walk(f"/api/v1/{code}/articles/?tag={getattr(self.tag, f'slug_{code}')}"), expected)
                self.assertEqual(sorted(walk(f"/api/v1/{code}/search/?q={WORD}")), sorted(expected))
            for article in self.articles:
                with self.subTest(article=article.pk, language=code):
                    response = self.client.get(f"/api/v1/{code}/articles/{getattr(article, f'slug_{code}')}/")
                    self.assertEqual(response.status_code, 200 if article.is_published_in(code) else 404)
                    if response.status_code == 200:
                        data = response.json()
                        self.assertEqual({item["id"] for item in data["similar"]}, set(expected) - {article.pk})
                        self.assertEqual([t["language"] for t in data["translations"]],
                                         [other for other in LANGUAGES if article.is_published_in(other)])

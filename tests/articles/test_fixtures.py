"""The shipped fixtures, crawled as a reader would: 5 articles in every language, the seeds' text intact."""
import re
from collections import deque

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import resolve
from django.utils import translation

from articles.models import Article
from articles.exchange.seedtext import FOOTNOTE_MARKER_RE, decode_export, parse_article_text
from tests.seeds import SEED_004_TITLE, seed_files

LANGUAGES = ("tr", "en", "ru")
ARTICLE_PATH = {"tr": "/tr/makaleler/", "en": "/en/articles/", "ru": "/ru/stati/"}


def slug_of(url: str, language: str) -> str:
    with translation.override(language):
        return resolve(url).kwargs["slug"]


def normalised(text: str) -> str:
    return " ".join(text.split())


class FixtureCrawlTests(TestCase):
    fixtures = ["01_taxonomy", "02_authors", "03_articles"]

    def crawl(self, language: str) -> dict[str, BeautifulSoup]:
        """Every page reachable from the language's home by following same-language links."""
        start = f"/{language}/"
        pages, queue, seen = {}, deque([start]), {start}
        while queue:
            url = queue.popleft()
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            if not response["Content-Type"].startswith("text/html"):
                continue  # feeds are linked from the pages too; they are tested on their own
            page = BeautifulSoup(response.content, "html.parser")
            pages[url] = page
            for link in page.select("a[href]"):
                href = link["href"].split("#")[0]
                if href.startswith(start) and href not in seen:
                    seen.add(href)
                    queue.append(href)
        return pages

    def test_each_language_has_the_five_articles(self):
        for language in LANGUAGES:
            articles = [url for url in self.crawl(language) if url.startswith(ARTICLE_PATH[language])]
            self.assertEqual(len(articles), 5, language)

    def test_english_pages_reproduce_every_seed_paragraph_highlight_and_reference(self):
        pages = self.crawl("en")
        by_title = {page.h1.get_text(strip=True): page for url, page in pages.items()
                    if url.startswith(ARTICLE_PATH["en"])}
        for path in seed_files():
            parsed = parse_article_text(decode_export(path.read_bytes()), title=SEED_004_TITLE)
            page = by_title[parsed.title]
            paragraphs = {normalised(p.get_text()) for p in page.select(".post__body p")}
            for paragraph in parsed.paragraphs:
                self.assertIn(normalised(paragraph), paragraphs, path.name)
            highlights = [li.get_text(strip=True) for li in page.select(".post__highlights li")]
            self.assertEqual(highlights, [h.strip() for h in parsed.highlights], path.name)
            for reference in parsed.references:
                item = page.find(id=f"fn-{reference.marker}")
                self.assertIsNotNone(item, f"{path.name} [{reference.marker}]")
                text = normalised(item.get_text(" "))
                self.assertIn(normalised(reference.text), text)
                if reference.url:
                    self.assertIn(reference.url, text)
                if reference.accessed_on:
                    self.assertIn(f"Date of Access: {reference.accessed_on:%d.%m.%Y}", text)

    def test_every_footnote_link_resolves_and_links_back(self):
        """Counted, not only looped over: each marker of a body that has a reference is one link on the page (a
        page that lost its links, or linked a marker twice, fails), to its note, whose back link returns to it."""
        linked_pages = 0
        for language in LANGUAGES:
            for url, page in self.crawl(language).items():
                if not url.startswith(ARTICLE_PATH[language]):
                    self.assertEqual(page.select("a[role=doc-noteref]"), [], url)
                    continue
                article = Article.objects.get(**{f"slug_{language}": slug_of(url, language)})
                referenced = set(article.references.values_list("marker", flat=True))
                body = getattr(article, f"body_{language}")
                expected = [marker for marker in FOOTNOTE_MARKER_RE.findall(body) if marker in referenced]
                links = page.select(".post__body a[role=doc-noteref]")
                self.assertEqual([link.get_text() for link in links], [f"[{marker}]" for marker in expected], url)
                self.assertEqual(len(page.select("a[role=doc-noteref]")), len(expected), url)
                for link, marker in zip(links, expected):
                    self.assertEqual(link["href"], f"#fn-{marker}", url)
                    note = page.find(id=f"fn-{marker}")
                    self.assertIsNotNone(note, f"{url} {link['href']}")
                    back = note.select_one("a[role=doc-backlink]")["href"]
                    self.assertEqual(back, f"#fnref-{marker}", url)
                    self.assertEqual(page.find(id=back[1:]).a["href"], f"#fn-{marker}", url)
                self.assertEqual(len(page.select("a[role=doc-backlink]")), len(referenced), url)
                linked_pages += bool(links)
        self.assertEqual(linked_pages, 15, "every seed article has footnotes, in each of the three languages")

    def test_every_language_link_leads_to_the_same_article(self):
        for language in LANGUAGES:
            for url, page in self.crawl(language).items():
                if not url.startswith(ARTICLE_PATH[language]):
                    continue
                article = Article.objects.get(**{f"slug_{language}": slug_of(url, language)})
                links = page.select(".post-translations a")
                self.assertEqual(len(links), 2, url)
                for link in links:
                    other = link["hreflang"]
                    response = self.client.get(link["href"])
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(slug_of(link["href"], other), getattr(article, f"slug_{other}"))

    def test_fixture_articles_are_complete_and_published_in_every_language(self):
        self.assertEqual(Article.objects.count(), 5)
        for article in Article.objects.prefetch_related("references", "authors", "tags"):
            self.assertEqual(article.available_languages, list(LANGUAGES))
            for language in LANGUAGES:
                self.assertTrue(article.highlights_en == "" or getattr(article, f"highlights_{language}"))
                for reference in article.references.all():
                    self.assertTrue(getattr(reference, f"text_{language}"), f"{article} [{reference.marker}]")
                self.assertRegex(getattr(article, f"slug_{language}"), r"^[a-z0-9-]+$")
            self.assertGreaterEqual(article.tags.count(), 3)
            for author in article.authors.all():
                self.assertTrue(author.bio_tr and author.bio_en and author.bio_ru)

    def test_seeds_without_an_author_block_have_no_author(self):
        self.assertEqual(Article.objects.filter(authors__isnull=True).count(), 2)

    def test_publication_dates_follow_the_access_dates(self):
        dates = sorted(a.published_at.date().isoformat() for a in Article.objects.all())
        self.assertEqual(dates, ["2023-09-14", "2023-09-24", "2024-01-07", "2024-10-29", "2025-03-18"])

    def test_russian_pages_use_russian_labels(self):
        page = self.crawl("ru")
        article = next(p for u, p in page.items() if u.startswith(ARTICLE_PATH["ru"]) and p.select("#fn-1"))
        self.assertRegex(normalised(article.select_one("#fn-1").get_text()), re.compile(r"Дата обращения: \d\d\.\d\d\.\d{4}"))

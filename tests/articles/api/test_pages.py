"""Each seed article read through the API and as its HTML page, in every language it is published in: the same
title, highlights, paragraphs, footnote links, references, tags, authors, Similar Posts and languages. A client of
the API sees what a reader of the page sees, no more and no less."""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase

from articles.models import Article
from publishing.languages import language_codes, translated_value

ORIGIN = "http://testserver"


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def paragraphs(html: str) -> list[str]:
    return [text(p) for p in BeautifulSoup(html, "html.parser").find_all("p")]


class ApiMatchesPageTests(TestCase):
    fixtures = ["01_taxonomy", "02_authors", "03_articles"]

    def pairs(self):
        for code in language_codes():
            for article in Article.objects.published(code).order_by("pk"):
                slug = translated_value(article, "slug", code)
                page = self.client.get(article.url_in(code))
                api = self.client.get(f"/api/v1/{code}/articles/{slug}/")
                self.assertEqual((page.status_code, api.status_code), (200, 200), slug)
                yield code, BeautifulSoup(page.content, "html.parser"), api.json()

    def test_every_seed_article_in_every_language_says_the_same_in_both(self):
        compared = 0
        for code, page, data in self.pairs():
            compared += 1
            with self.subTest(language=code, article=data["slug"]):
                self.assertEqual(text(page.find("h1", id="post-title")), data["title"])
                highlights = page.select(".post__highlights li")
                self.assertEqual([text(li) for li in highlights],
                                 [text(BeautifulSoup(h, "html.parser")) for h in data["highlights_html"]])
                body = page.select_one(".post__body")
                self.assertEqual([text(p) for p in body.find_all("p")], paragraphs(data["body_html"]))
                api_body = BeautifulSoup(data["body_html"], "html.parser")
                self.assertEqual([a["href"] for a in body.select("sup.footnote-ref a")],
                                 [a["href"] for a in api_body.select("sup.footnote-ref a")])
                notes = page.select("ol.references li")
                self.assertEqual([li["id"] for li in notes], [r["note_id"] for r in data["references"]])
                self.assertEqual([a["href"] for li in notes for a in li.select("a.references__url")],
                                 [r["url"] for r in data["references"] if r["url"]])
                self.assertEqual([t["datetime"] for li in notes for t in li.select("time")],
                                 [r["accessed_on"] for r in data["references"] if r["accessed_on"]])
                for li, reference in zip(notes, data["references"]):
                    self.assertIn(text(BeautifulSoup(reference["text_html"], "html.parser")), text(li))
                self.assertEqual([text(a) for a in page.select(".post__tags a")], [t["name"] for t in data["tags"]])
                self.assertEqual([ORIGIN + a["href"] for a in page.select(".post__tags a")],
                                 [t["url"] for t in data["tags"]])
                self.assertEqual([text(a) for a in page.select(".author-box h2 a")],
                                 [a["name"] for a in data["authors"]])
                self.assertEqual([ORIGIN + a["href"] for a in page.select("#similar-posts li a")],
                                 [item["url"] for item in data["similar"]])
                alternates = {link["hreflang"]: link["href"]
                              for link in page.select('link[rel="alternate"][hreflang]') if link["hreflang"] != "x-default"}
                self.assertEqual(alternates, {t["language"]: t["url"] for t in data["translations"]})
                other = [a["hreflang"] for a in page.select(".post-translations a")]
                self.assertEqual(other, [t["language"] for t in data["translations"] if t["language"] != code])
                category = page.select_one(".post__category a")
                self.assertEqual(text(category) if category else None, (data["category"] or {}).get("name"))
        self.assertGreaterEqual(compared, 15)  # five seeds, three languages

"""The read API's validators: a repeated request is answered from the page cache (no query), a client's current copy
gets an empty 304, and a save that changes what an answer shows changes its ETag at once."""
from __future__ import annotations

import time

from django.test import TestCase, override_settings
from django.utils.http import http_date

from tests.factories import make_article, make_author, make_reference, make_tag
from tests.pagecache import only_the_stamps_read, stamps_table


class ConditionalTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Energy")
        cls.author = make_author()
        cls.article = make_article("Pipelines", tags=(cls.tag,), days_ago=3)
        cls.article.authors.add(cls.author)
        make_reference(cls.article, "1", url="https://example.org/a")
        cls.other = make_article("Neighbour", tags=(cls.tag,), days_ago=4)

    def url(self) -> str:
        return f"/api/v1/en/articles/{self.article.slug_en}/"

    def test_an_unchanged_article_is_answered_from_the_cache_then_with_304(self):
        first = self.client.get(self.url())
        self.assertEqual(first["X-Page-Cache"], "miss")
        etag = first["ETag"]
        with only_the_stamps_read(self):
            again = self.client.get(self.url())
        self.assertEqual((again["X-Page-Cache"], again["ETag"]), ("hit", etag))
        self.assertEqual(again.content, first.content)
        with only_the_stamps_read(self):
            not_modified = self.client.get(self.url(), HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(not_modified.status_code, 304)
        self.assertEqual(not_modified.content, b"")
        self.assertEqual(not_modified["ETag"], etag)

    def test_an_edit_changes_the_answer_and_its_etag_at_once(self):
        etag = self.client.get(self.url())["ETag"]
        self.article.title_en = "Pipelines rerouted"
        self.article.save()
        response = self.client.get(self.url(), HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], etag)
        self.assertEqual(response.json()["title"], "Pipelines rerouted")

    def test_what_the_article_shows_of_others_counts_too(self):
        """A renamed tag, an edited reference, a Similar Post retitled: each changes the article's answer."""
        reference = self.article.references.get()

        def edit(instance, field, value):
            setattr(instance, field, value)
            instance.save()

        changes = {
            "tag": lambda: edit(self.tag, "name_en", "Power"),
            "reference": lambda: edit(reference, "url", "https://example.org/b"),
            "similar post": lambda: edit(self.other, "title_en", "Neighbour renamed"),
            "author": lambda: edit(self.author, "bio_en", "<p>New bio.</p>"),
        }
        for name, change in changes.items():
            etag = self.client.get(self.url())["ETag"]
            change()
            with self.subTest(name):
                self.assertEqual(self.client.get(self.url(), HTTP_IF_NONE_MATCH=etag).status_code, 200)

    def test_a_newly_published_article_changes_the_list(self):
        etag = self.client.get("/api/v1/en/articles/")["ETag"]
        self.assertEqual(self.client.get("/api/v1/en/articles/", HTTP_IF_NONE_MATCH=etag).status_code, 304)
        fresh = make_article("Fresh news")
        response = self.client.get("/api/v1/en/articles/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"][0]["id"], fresh.pk)

    def test_if_modified_since_is_honoured(self):
        from articles.pages.caching import stamp_cache

        stamp_cache().clear()  # no stamp of the fixture's saves in the second the answer is made
        last_modified = self.client.get(self.url())["Last-Modified"]
        self.assertEqual(self.client.get(self.url(), HTTP_IF_MODIFIED_SINCE=last_modified).status_code, 304)
        earlier = http_date(time.time() - 3600 * 24 * 400)
        self.assertEqual(self.client.get(self.url(), HTTP_IF_MODIFIED_SINCE=earlier).status_code, 200)

    def test_nolast_modified_of_for_an_answer_made_in_the_second_of_a_change(self):
        """A second change within that same second would otherwise hide behind an equal date."""
        from articles.api.conditional import last_modified_of

        stamp = 1_700_000_000_400_000_000  # ns
        self.assertIsNone(last_modified_of({"made": 1_700_000_000.9, "dependencies": {"article:1": stamp, "site": None}}))
        self.assertEqual(last_modified_of({"made": 1_700_000_001.2, "dependencies": {"article:1": stamp}}), 1_700_000_001)
        self.assertEqual(last_modified_of({"made": 1_700_000_000.9, "dependencies": {"site": None}}), 1_700_000_000)

    @override_settings(ARTICLES_PAGE_CACHE_SECONDS=0)
    def test_without_the_cache_the_etag_still_spares_the_body(self):
        etag = self.client.get(self.url())["ETag"]
        response = self.client.get(self.url(), HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 304)
        self.assertNotIn("Last-Modified", response)


class QueryBoundTests(TestCase):
    """Queries per request stay the same however large the archive grows."""

    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        table = stamps_table()  # the embedded setup's read of the page stamps is not the endpoint's own
        return len([query for query in queries if not (table and f'"{table}"' in query["sql"])])

    def test_each_endpoint_costs_as_many_queries_with_3_or_30_articles(self):
        tag = make_tag("Energy")
        author = make_author()
        first = make_article("First", tags=(tag,))
        first.authors.add(author)
        urls = [
            "/api/v1/en/articles/", f"/api/v1/en/articles/{first.slug_en}/",
            f"/api/v1/en/articles/{first.slug_en}/similar/", "/api/v1/en/search/?q=first", "/api/v1/en/authors/",
            f"/api/v1/en/authors/{author.slug}/", "/api/v1/en/tags/", f"/api/v1/en/tags/{tag.slug_en}/",
            f"/api/v1/en/articles/?tag={tag.slug_en}",
        ]
        for n in range(2):
            make_article(tags=(tag,)).authors.add(author)
        self.client.get(urls[1])  # the Similar Posts list is made on its first reading
        small = {url: self.count(url) for url in urls}
        for n in range(27):
            make_article(tags=(tag,)).authors.add(author)
        self.client.get(urls[1])
        large = {url: self.count(url) for url in urls}
        self.assertEqual(large, small)
        self.assertLessEqual(small[urls[1]], 4)  # the article page's four queries, no more

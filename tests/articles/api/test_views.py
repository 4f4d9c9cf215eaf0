"""The read API as a client sees it: what each endpoint answers in each language, only what readers of that
language may see, pages by cursor, JSON errors in the language asked for, CORS and the rate limit."""
from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import TestCase, override_settings
from django.utils import timezone

from tests.factories import make_article, make_author, make_category, make_reference, make_tag
from tests.pagecache import page_made_with


class ApiFixture(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("North Korea", tr="Kuzey Kore", ru="Северная Корея")
        cls.author = make_author("Hatice", "Çiftçioğlu", bio_tr="<p>Türkçe biyografi.</p>")
        cls.article = make_article(
            "Rapprochement",
            category=cls.category,
            tags=(cls.tag,),
            body="<p>First paragraph.[1] Again[1]</p><p>Second with roman[iv] and unknown[9].</p>",
            highlights_en="A <em>key</em> sentence.\nAnother key sentence.",
            days_ago=2,
        )
        cls.article.authors.add(cls.author)
        make_reference(cls.article, "1", url="https://example.org/a", accessed_on="2023-09-14", position=1)
        make_reference(cls.article, "iv", position=2)
        cls.turkish_only = make_article("Turkish only", languages=("tr", "en"), published=("tr",), tags=(cls.tag,))
        cls.scheduled = make_article("Scheduled", published_at=timezone.now() + timedelta(days=3), tags=(cls.tag,))

    def get(self, path: str, **extra):
        return self.client.get(path, **extra)


class ArticleTests(ApiFixture):
    def test_the_list_holds_what_readers_of_the_language_may_see_newest_first(self):
        turkish = [item["id"] for item in self.get("/api/v1/tr/articles/").json()["results"]]
        english = [item["id"] for item in self.get("/api/v1/en/articles/").json()["results"]]
        self.assertEqual(turkish, [self.turkish_only.pk, self.article.pk])
        self.assertEqual(english, [self.article.pk])

    def test_a_list_item_names_its_addresses_category_and_authors_in_the_language(self):
        [item] = self.get("/api/v1/ru/articles/").json()["results"]
        self.assertEqual(item["title"], "Rapprochement ru")
        self.assertEqual(item["url"], f"http://testserver{self.article.url_in('ru')}")
        self.assertEqual(item["api_url"], f"http://testserver/api/v1/ru/articles/{self.article.slug_ru}/")
        self.assertEqual(item["category"]["name"], "Аналитика")
        self.assertEqual(item["authors"][0]["name"], "Hatice ÇİFTÇİOĞLU")

    def test_the_article_carries_its_text_references_and_languages(self):
        response = self.get(f"/api/v1/en/articles/{self.article.slug_en}/")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["title"], "Rapprochement en")
        self.assertEqual(data["highlights_html"], ["A <em>key</em> sentence.", "Another key sentence."])
        self.assertIn('<a href="#fn-1" role="doc-noteref">[1]</a>', data["body_html"])
        self.assertIn('href="#fn-iv"', data["body_html"])
        self.assertIn("unknown[9]", data["body_html"])  # a marker without a reference stays text
        self.assertEqual(
            [(r["marker"], r["note_id"], r["url"], r["accessed_on"]) for r in data["references"]],
            [("1", "fn-1", "https://example.org/a", "2023-09-14"), ("iv", "fn-iv", "", None)],
        )
        self.assertEqual(data["references"][0]["text_html"], "Source 1 (en)")
        self.assertEqual([t["language"] for t in data["translations"]], ["tr", "en", "ru"])
        self.assertEqual(data["tags"][0]["name"], "North Korea")
        [author] = data["authors"]
        self.assertEqual((author["bio_html"], author["bio_language"]), ("<p>Türkçe biyografi.</p>", "tr"))
        self.assertIsNone(data["image"])

    def test_a_language_it_is_not_published_in_answers_404_in_json(self):
        response = self.get(f"/api/v1/en/articles/{self.turkish_only.slug_en}/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json()["code"], "not_found")
        self.assertEqual(self.get(f"/api/v1/tr/articles/{self.scheduled.slug_tr}/").status_code, 404)

    def test_errors_are_translated_into_the_language_asked_for(self):
        messages = {
            code: self.get(f"/api/v1/{code}/articles/no-such-article/").json()["detail"] for code in ("tr", "en", "ru")
        }
        self.assertEqual(messages["en"], "Nothing is published at this address in this language.")
        self.assertEqual(len(set(messages.values())), 3, messages)

    def test_an_unknown_language_is_a_clear_404(self):
        response = self.get("/api/v1/xx/articles/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"detail": "This language is not one the site publishes in.",
                                           "code": "unknown_language"})

    def test_an_unknown_address_under_the_api_is_json_too(self):
        response = self.get("/api/v1/en/nothing-here/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")

    def test_similar_posts_are_the_stored_list(self):
        similar = make_article("Neighbour", tags=(self.tag,), days_ago=5)
        data = self.get(f"/api/v1/en/articles/{self.article.slug_en}/similar/").json()
        self.assertEqual([(item["id"], item["shared_tags"]) for item in data["results"]], [(similar.pk, 1)])
        detail = self.get(f"/api/v1/en/articles/{self.article.slug_en}/").json()
        self.assertEqual([item["id"] for item in detail["similar"]], [similar.pk])

    def test_filters_by_tag_category_and_author(self):
        other = make_article("Elsewhere")
        for query in (f"tag={self.tag.slug_en}", f"category={self.category.slug_en}", f"author={self.author.slug}"):
            with self.subTest(query):
                ids = [item["id"] for item in self.get(f"/api/v1/en/articles/?{query}").json()["results"]]
                self.assertEqual(ids, [self.article.pk])
        self.assertIn(other.pk, [item["id"] for item in self.get("/api/v1/en/articles/").json()["results"]])
        self.assertEqual(self.get("/api/v1/en/articles/?tag=no-such-tag").status_code, 404)


@override_settings(ARTICLES_API_PAGE_SIZE=2)
class CursorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        moment = timezone.now() - timedelta(days=1)
        # Two share a date: the id orders them.
        cls.articles = [make_article(published_at=moment - timedelta(hours=n // 2)) for n in range(5)]

    def test_following_next_walks_every_article_once_newest_first(self):
        seen, url = [], "/api/v1/en/articles/"
        while url:
            page = self.client.get(url).json()
            self.assertLessEqual(len(page["results"]), 2)
            seen += [item["id"] for item in page["results"]]
            url = page["next"]
        expected = sorted(self.articles, key=lambda a: (a.published_at, a.pk), reverse=True)
        self.assertEqual(seen, [article.pk for article in expected])

    def test_a_cursor_the_api_did_not_give_is_refused_with_a_clear_400(self):
        for cursor in ("garbage", "e30", "eyJkIjoieCIsImkiOjF9", "W10", "x" * 500):
            with self.subTest(cursor=cursor):
                response = self.client.get(f"/api/v1/en/articles/?cursor={cursor}")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["code"], "bad_cursor")

    def test_a_page_costs_the_same_queries_at_any_depth(self):
        first = self.client.get("/api/v1/en/articles/").json()
        with CaptureQueriesContext(connection) as queries, page_made_with(self, 3):
            self.client.get(first["next"])  # the articles with their categories, their authors, the next date
        sql = " ".join(query["sql"].upper() for query in queries.captured_queries)
        self.assertNotIn("OFFSET", sql)  # the next rows come from the key, never by skipping or counting
        self.assertNotIn("COUNT(", sql)
        make_article()
        make_article()
        with page_made_with(self, 3):
            self.client.get("/api/v1/en/articles/?page=unused")


class CollectionTests(ApiFixture):
    def test_authors_tags_and_categories_with_articles_in_the_language(self):
        authors = self.get("/api/v1/ru/authors/").json()["results"]
        self.assertEqual([a["slug"] for a in authors], [self.author.slug])
        author = self.get(f"/api/v1/en/authors/{self.author.slug}/").json()
        self.assertEqual(author["articles_url"], f"http://testserver/api/v1/en/articles/?author={self.author.slug}")
        tags = self.get("/api/v1/ru/tags/").json()
        self.assertEqual([t["name"] for t in tags["results"]], ["Северная Корея"])
        self.assertIsNone(tags["next"])
        self.assertEqual(self.get(f"/api/v1/ru/tags/{self.tag.slug_ru}/").json()["name"], "Северная Корея")
        self.assertEqual(self.get("/api/v1/tr/categories/").json()["results"][0]["name"], "Analiz")
        self.assertEqual(self.get(f"/api/v1/en/categories/{self.category.slug_en}/").status_code, 200)

    def test_a_tag_without_articles_in_the_language_is_not_there(self):
        lonely = make_tag("Lonely")
        make_article("Only Turkish", languages=("tr",), tags=(lonely,))
        self.assertEqual(self.get(f"/api/v1/tr/tags/{lonely.slug_tr}/").status_code, 200)
        self.assertEqual(self.get(f"/api/v1/en/tags/{lonely.slug_en}/").status_code, 404)
        self.assertNotIn(lonely.pk, [t["id"] for t in self.get("/api/v1/en/tags/").json()["results"]])


class SearchTests(ApiFixture):
    def test_search_finds_published_articles_of_the_language(self):
        results = self.get("/api/v1/en/search/?q=rapprochement").json()["results"]
        self.assertEqual([item["id"] for item in results], [self.article.pk])
        self.assertEqual(self.get("/api/v1/en/search/?q=scheduled").json()["results"], [])

    def test_no_query_is_a_clear_400_and_an_empty_one_finds_nothing(self):
        response = self.get("/api/v1/en/search/")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "missing_query")
        self.assertEqual(self.get("/api/v1/en/search/?q=%20").json(), {"results": [], "next": None})


    @override_settings(ARTICLES_API_PAGE_SIZE=2, ARTICLES_SEARCH_RANK_WINDOW=5)
    def test_search_pages_go_through_the_sites_results_in_its_order_ties_by_id(self):
        """The API pages through what the site's search page shows, in the same order (best first; equal rank and
        date by id), the same bounded window of the most recent matches, each page in the same queries."""
        from articles.models import Article
        from articles.search import SearchTerms
        from articles.search.backends import search_backend

        same_day = timezone.now() - timedelta(days=5)
        for n in range(7):
            make_article(f"Pipeline {n}", body="<p>Gas pipelines.</p>", published_at=same_day if n < 4 else None,
                         days_ago=None if n < 4 else n)
        site = [entry.article_id for entry in search_backend().results(SearchTerms.parse("pipeline", "en"))[0:50]]
        self.assertEqual(len(site), 5)  # the window
        listed, counts, url = [], [], "/api/v1/en/search/?q=pipeline"
        while url:
            with CaptureQueriesContext(connection) as queries:
                page = self.get(url).json()
            counts.append(len(queries))
            listed += [item["id"] for item in page["results"]]
            url = page["next"]
        self.assertEqual(listed, site)
        self.assertEqual(len(set(counts)), 1, counts)
        tied = [pk for pk in site if Article.objects.get(pk=pk).published_at == same_day]
        self.assertEqual(tied, sorted(tied, reverse=True))


class HeaderTests(ApiFixture):
    def test_every_origin_may_read_and_preflights_are_answered(self):
        response = self.get("/api/v1/en/articles/", HTTP_ORIGIN="https://partner.example")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("ETag", response["Access-Control-Expose-Headers"])
        preflight = self.client.options(
            "/api/v1/en/articles/", headers={"Origin": "https://partner.example",
                                             "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": "if-none-match"})
        self.assertEqual(preflight.status_code, 204)
        self.assertIn("If-None-Match", preflight["Access-Control-Allow-Headers"])
        self.assertIn("GET", preflight["Access-Control-Allow-Methods"])

    def test_json_whatever_the_client_accepts(self):
        response = self.get("/api/v1/en/articles/", HTTP_ACCEPT="text/html")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")

    @override_settings(ARTICLES_API_THROTTLE_RATE="3/minute")
    def test_a_client_address_past_the_rate_gets_429_with_retry_after(self):
        for _ in range(3):
            self.assertEqual(self.get("/api/v1/en/articles/").status_code, 200)
        response = self.get("/api/v1/ru/articles/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["code"], "throttled")
        self.assertIn("секунд", response.json()["detail"])
        self.assertGreater(int(response["Retry-After"]), 0)
        other = self.client.get("/api/v1/en/articles/", REMOTE_ADDR="192.0.2.7")
        self.assertEqual(other.status_code, 200)

    def test_writes_are_refused(self):
        response = self.client.post("/api/v1/en/articles/", {})
        self.assertEqual(response.status_code, 405)
        self.assertIn("detail", response.json())


class DocumentationTests(TestCase):
    def test_the_schema_is_openapi_3_and_describes_every_endpoint_and_only_them(self):
        schema = self.client.get("/api/v1/schema/?format=json").json()
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(
            sorted(schema["paths"]),
            sorted(["/api/v1/", "/api/v1/{language}/articles/", "/api/v1/{language}/articles/{slug}/",
                    "/api/v1/{language}/articles/{slug}/similar/", "/api/v1/{language}/search/",
                    "/api/v1/{language}/authors/", "/api/v1/{language}/authors/{slug}/", "/api/v1/{language}/tags/",
                    "/api/v1/{language}/tags/{slug}/", "/api/v1/{language}/categories/",
                    "/api/v1/{language}/categories/{slug}/"]),
        )
        article = schema["paths"]["/api/v1/{language}/articles/{slug}/"]["get"]
        self.assertEqual(sorted(article["responses"]), ["200", "304", "404", "429"])
        language = next(p for p in article["parameters"] if p["name"] == "language")
        self.assertEqual(sorted(language["schema"]["enum"]), ["en", "ru", "tr"])

    def test_the_documentation_page_runs_from_the_sites_own_files(self):
        page = self.client.get("/api/v1/docs/").content.decode()
        scripts = re.findall(r"<script([^>]*)>", page)
        self.assertTrue(scripts)
        for attributes in scripts:
            source = re.search(r'src="([^"]+)"', attributes)
            self.assertIsNotNone(source, "an inline script: the site's Content-Security-Policy would block it")
            self.assertTrue(source.group(1).startswith(("/static/", "/api/v1/docs/")), source.group(1))
        self.assertNotRegex(page, r'(src|href)="(https?:)?//')  # no CDN
        script = self.client.get("/api/v1/docs/?script=")
        self.assertEqual(script.status_code, 200)
        self.assertIn("/api/v1/schema/", script.content.decode())

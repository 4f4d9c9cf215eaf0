"""The search on each database's full-text engine (FTS5 on SQLite, a stored tsvector on PostgreSQL): case per
language on the seed articles, phrases, the word being typed, "did you mean", ranking and its bound, queries
constant in archive size, excerpts, the search box's suggestions.

Every test here runs on whichever database the suite uses (SQLite, or PostgreSQL with DATABASE_URL=postgres://…):
the same behaviour is promised on both.
"""
from __future__ import annotations

import json
import re
from unittest import skipUnless

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from articles.models import Article, SearchEntry, SearchEntryIndex
from articles.search import SearchTerms
from articles.search.backends import search_backend
from articles.search.index import search_index_rebuild
from tests.factories import make_article, make_tag
from tests.pagecache import only_the_stamps_read


def found(query: str, language: str) -> list[str]:
    """Titles of the results page's articles, best first, as the backend gives them."""
    results = search_backend().results(SearchTerms.parse(query, language))
    return [entry.article.title_en if language == "en" else getattr(entry.article, f"title_{language}")
            for entry in results[0:50]]


def url(name: str, language: str, **query) -> str:
    from django.utils.http import urlencode

    with translation.override(language):
        return reverse(f"articles:{name}") + ("?" + urlencode(query) if query else "")


class SeedCaseTests(TestCase):
    """The reader's bug: on the English site PUTIN, CHINA, SANCTIONS and RELATIONS found nothing while the
    lower-case words found four or five articles. Capitals now find what lower case finds, in every language,
    by that language's rules."""

    fixtures = ["01_taxonomy", "02_authors", "03_articles"]

    @classmethod
    def setUpTestData(cls):
        search_index_rebuild()  # fixtures are loaded raw, without the upkeep

    def assertSameResults(self, language, lower, *others):
        expected = found(lower, language)
        self.assertGreaterEqual(len(expected), 3, (language, lower))
        for query in others:
            with self.subTest(language=language, query=query):
                self.assertEqual(found(query, language), expected)

    def test_english_capitals_find_what_lower_case_finds(self):
        for word in ("putin", "china", "sanctions", "relations"):
            self.assertSameResults("en", word, word.upper(), word.capitalize())

    def test_russian_capitals_find_what_lower_case_finds(self):
        for word in ("путин", "китай", "санкции"):
            self.assertSameResults("ru", word, word.upper(), word.capitalize())

    def test_turkish_capitals_follow_turkish_rules(self):
        self.assertSameResults("tr", "çin", "ÇİN", "Çin")
        self.assertSameResults("tr", "yaptırım", "YAPTIRIM")
        self.assertEqual(found("YAPTİRİM", "tr"), [])  # dotted İ is i, not ı, in Turkish

    def test_excerpts_show_no_footnote_markers(self):
        make_article("Alliances", body="<p>Zanzibar turned to “Europe”.[2] South Korea[iv] signed in Brussels.[12]</p>")
        for code in ("tr", "en", "ru"):
            with self.subTest(code):
                response = self.client.get(url("search", code, q="zanzibar"))
                summary = BeautifulSoup(response.content, "html.parser").select_one(".search-result .card__summary")
                self.assertEqual(summary.get_text(), "Zanzibar turned to “Europe”. South Korea signed in Brussels.")


class PhrasePrefixAndRankingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sea = make_article("Black Sea security", languages=("en",), days_ago=30, body="<p>Naval patrols.</p>")
        cls.notes = make_article("Notes", languages=("en",), days_ago=1, body="<p>A remark on the Black Sea.</p>")
        cls.apart = make_article("Colours", languages=("en",), days_ago=2, body="<p>The sea was black at night.</p>")
        cls.tr = make_article("Karadeniz", languages=("tr",), body="<p>Karadeniz'de güvenlik yaptırımları.</p>")
        cls.ru = make_article("Чёрное море", languages=("ru",), body="<p>Безопасность на Чёрном море.</p>")

    def test_quoted_words_must_appear_together_in_that_order(self):
        self.assertEqual(set(found("black sea", "en")), {"Black Sea security en", "Notes en", "Colours en"})
        self.assertEqual(set(found('"black sea"', "en")), {"Black Sea security en", "Notes en"})
        self.assertEqual(found('"sea black"', "en"), [])
        self.assertEqual(found('"чёрном море"', "ru"), ["Чёрное море ru"])

    def test_the_last_word_matches_as_the_reader_types_it(self):
        for query in ("secu", "securi", "securit", "black sec"):
            with self.subTest(query=query):
                self.assertEqual(found(query, "en"), ["Black Sea security en"])
        self.assertEqual(found("yaptırı", "tr"), ["Karadeniz tr"])
        self.assertEqual(found("безопасн", "ru"), ["Чёрное море ru"])

    def test_a_title_match_ranks_first_and_ties_go_to_the_newest(self):
        self.assertEqual(found("black", "en"), ["Black Sea security en", "Notes en", "Colours en"])
        twin = make_article("Twin", languages=("en",), days_ago=5, body="<p>A remark on the Black Sea.</p>")
        self.assertEqual(found("remark", "en"), ["Notes en", "Twin en"])
        Article.objects.filter(pk=twin.pk).update(published_at=self.notes.published_at)
        self.assertEqual(found("remark", "en"), ["Twin en", "Notes en"])  # same rank, same date: higher id first

    def test_a_common_word_ranks_only_the_windows_most_recent_matches(self):
        make_article("Sea sea sea", languages=("en",), days_ago=90, body="<p>Sea, sea and sea.</p>")
        with override_settings(ARTICLES_SEARCH_RANK_WINDOW=2):
            results = search_backend().results(SearchTerms.parse("sea", "en"))
            # The two entries written last ("Colours", then "Sea sea sea"), ranked: the title match first.
            self.assertEqual([entry.article.title_en for entry in results[0:10]], ["Sea sea sea en", "Colours en"])
            self.assertEqual((results.count(), results.capped), (2, True))
        results = search_backend().results(SearchTerms.parse("sea", "en"))
        self.assertEqual((results.count(), results.capped), (4, False))

    def test_the_results_page_says_more_than_the_window_and_pages_through_it(self):
        for n in range(12):
            make_article(f"Arctic {n}", languages=("en",), days_ago=100 + n, body="<p>Arctic routes.</p>")
        with override_settings(ARTICLES_SEARCH_RANK_WINDOW=11, ARTICLES_PAGE_SIZE=10):
            first = BeautifulSoup(self.client.get(url("search", "en", q="arctic")).content, "html.parser")
            second = BeautifulSoup(self.client.get(url("search", "en", q="arctic", page=2)).content, "html.parser")
        titles = [h.get_text() for page in (first, second) for h in page.select(".search-result h3")]
        self.assertEqual(len(titles), 11)
        self.assertEqual(len(set(titles)), 11)
        self.assertIn("More than 11 results", first.select_one("#results-title").get_text())
        page = BeautifulSoup(self.client.get(url("search", "en", q="arctic")).content, "html.parser")
        self.assertIn("12 results", page.select_one("#results-title").get_text())  # the default window holds them


class DidYouMeanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tag = make_tag("Sanctions", tr="Yaptırımlar", ru="Санкции")
        make_article("Energy sanctions", tags=(tag,), body="<p>Text.</p>")
        make_article("Secret", published=(), body="<p>Text.</p>", title_en="Clandestine plans")

    def suggestion(self, query: str, language: str) -> str:
        page = BeautifulSoup(self.client.get(url("search", language, q=query)).content, "html.parser")
        link = page.select_one(".did-you-mean a")
        return link.get_text() if link else ""

    def test_a_misspelt_word_is_corrected_from_the_vocabulary_in_every_language(self):
        self.assertEqual(self.suggestion("sanctoins", "en"), "sanctions")
        self.assertEqual(self.suggestion("energy sanctoins", "en"), "energy sanctions")
        self.assertEqual(self.suggestion("yaptrımlar", "tr"), "yaptırımlar")
        self.assertEqual(self.suggestion("сакнции", "ru"), "санкции")

    def test_the_suggestion_links_to_its_search_and_finds_something(self):
        page = BeautifulSoup(self.client.get(url("search", "en", q="sanctoins")).content, "html.parser")
        self.assertEqual(page.select_one(".did-you-mean a")["href"], url("search", "en", q="sanctions"))
        self.assertEqual(found("sanctions", "en"), ["Energy sanctions en"])

    def test_the_check_that_a_correction_finds_something_reads_its_words_whole(self):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.suggestion("energy sanctoins", "en"), "energy sanctions")
        checks = [query["sql"] for query in queries if "sanction" in query["sql"]]
        self.assertTrue(checks)
        # A prefix makes the index merge the lists of every word it starts: a whole word is read as it is.
        prefixed = [sql for sql in checks if '"sanction"*' in sql or re.search(r"sanction'+:\*", sql)]
        self.assertFalse(prefixed, checks)

    def test_no_suggestion_when_results_exist_or_only_an_unpublished_text_has_the_word(self):
        self.assertEqual(self.suggestion("sanctions", "en"), "")
        self.assertEqual(self.suggestion("clandestime", "en"), "")  # "clandestine" is in a draft only
        self.assertEqual(self.suggestion("zzzzqq", "en"), "")


class QueryCountTests(TestCase):
    """A search costs the same number of queries whatever the archive's size."""

    def search_queries(self, query: str) -> int:
        from django.db import connection as conn
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(conn) as queries:
            self.assertEqual(self.client.get(url("search", "en", q=query)).status_code, 200)
        return len(queries)

    def test_results_page_queries_do_not_grow_with_the_archive(self):
        make_article("Gas one", languages=("en",), body="<p>Gas.</p>")
        small = self.search_queries("gas")
        small_miss = self.search_queries("gsa")
        for n in range(25):
            make_article(f"Gas {n}", languages=("en",), body="<p>Gas prices.</p>")
        self.assertEqual(self.search_queries("gas"), small)
        self.assertEqual(self.search_queries("gsa"), small_miss)
        self.assertLessEqual(small, 6)
        self.assertLessEqual(small_miss, 6)


    def test_the_full_text_index_is_asked_once_a_results_page(self):
        """The page's candidates and their ranks come from the index in one query, and the page's entries are read by
        id: asking the index again to rank the candidates read every match of the query on PostgreSQL (146 ms for
        three common words at 100,000 articles) and every match in the candidates' range of rows on SQLite."""
        from django.test.utils import CaptureQueriesContext

        for n in range(3):
            make_article(f"Energy border crisis {n}", languages=("en",), body="<p>Energy at the border in crisis.</p>")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url("search", "en", q="energy border crisis"))
        for n in range(3):
            self.assertContains(response, f"/energy-border-crisis-{n}-en/")
        asked = [query["sql"] for query in queries if "@@" in query["sql"] or " MATCH " in query["sql"]]
        self.assertEqual(len(asked), 1, asked)


class SuggestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Security of the Black Sea", body="<p>Text.</p>")
        make_article("Security draft", published=(), body="<p>Text.</p>")
        make_article("Unrelated", body="<p>Security everywhere.</p>")

    def suggestions(self, language: str, query: str) -> list[dict]:
        response = self.client.get(url("search_suggest", language, q=query))
        self.assertEqual(response["Content-Type"], "application/json")
        return json.loads(response.content)["suggestions"]

    def test_titles_of_the_language_that_start_with_what_is_typed(self):
        for code in ("tr", "en", "ru"):
            with self.subTest(code):
                with translation.override(code):
                    expected = [{"title": f"Security of the Black Sea {code}", "url": self.article.get_absolute_url()}]
                self.assertEqual(self.suggestions(code, "secu"), expected)
                self.assertEqual(self.suggestions(code, "Security BLA"), expected)
        self.assertEqual(self.suggestions("en", ""), [])
        self.assertEqual(self.suggestions("en", "x"), [])

    def test_the_titles_most_made_of_what_is_typed_come_first_and_equal_ones_newest_first(self):
        make_article("Security", days_ago=9, body="<p>Text.</p>")
        make_article("Maritime security", days_ago=5, body="<p>Text.</p>")
        make_article("Maritime security", days_ago=3, body="<p>Text.</p>")
        make_article("Securing maritime security studies", days_ago=1, body="<p>Text.</p>")
        titles = [suggestion["title"] for suggestion in self.suggestions("en", "maritime secu")]
        self.assertEqual(
            titles,
            ["Maritime security en", "Maritime security en", "Securing maritime security studies en"],
        )
        newer, older = Article.objects.filter(title_en="Maritime security en").order_by("-published_at")
        urls = [suggestion["url"] for suggestion in self.suggestions("en", "maritime secu")][:2]
        with translation.override("en"):
            self.assertEqual(urls, [newer.get_absolute_url(), older.get_absolute_url()])
        titles = [suggestion["title"] for suggestion in self.suggestions("en", "secu")]
        self.assertEqual(titles[0], "Security en")
        self.assertEqual(titles[-1], "Security of the Black Sea en")

    def test_a_word_being_typed_is_read_whole_once_the_vocabulary_knows_every_word_it_starts(self):
        from unittest import mock

        from django.test.utils import CaptureQueriesContext

        from articles.search.backends.base import SearchBackend

        def typed(query: str) -> tuple[list[str], list[str]]:
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                titles = [suggestion["title"] for suggestion in self.suggestions("en", query)]
            asked = [q["sql"] for q in queries if " MATCH " in q["sql"] or "@@" in q["sql"]]
            return titles, asked

        def prefixed(sql: str) -> bool:  # FTS5's "secu"*, PostgreSQL's 'secu':* (quoted again in the SQL)
            return '"secu"*' in sql or re.search(r"secu'+:\*", sql) is not None

        titles, asked = typed("secu")
        self.assertEqual(titles, ["Security of the Black Sea en"])
        self.assertTrue(asked)
        self.assertFalse([sql for sql in asked if prefixed(sql)], asked)
        # More words start so than the vocabulary lists at once: then it is read as a prefix.
        with mock.patch.object(SearchBackend, "completion_limit", 0):
            titles, asked = typed("secu")
        self.assertEqual(titles, ["Security of the Black Sea en"])
        self.assertTrue([sql for sql in asked if prefixed(sql)], asked)

    def test_suggestions_are_cached_and_forgotten_when_an_article_changes(self):
        self.suggestions("en", "secu")
        with only_the_stamps_read(self):
            self.suggestions("en", "secu")
        self.article.title_en = "Safety of the Black Sea en"
        self.article.save()
        self.assertEqual(self.suggestions("en", "secu"), [])
        self.assertEqual(self.suggestions("en", "safe")[0]["title"], "Safety of the Black Sea en")

    def test_suggestions_cost_the_same_queries_whatever_the_archive(self):
        with override_settings(ARTICLES_PAGE_CACHE_SECONDS=0), self.assertNumQueries(3):
            self.suggestions("en", "secu")
        for n in range(20):
            make_article(f"Security {n}", body="<p>Text.</p>")
        with override_settings(ARTICLES_PAGE_CACHE_SECONDS=0), self.assertNumQueries(3):
            self.assertEqual(len(self.suggestions("en", "secu")), 8)

    def test_the_search_boxes_name_the_endpoint_and_work_without_script(self):
        page = BeautifulSoup(self.client.get(url("search", "en")).content, "html.parser")
        boxes = page.select("input[data-suggest-url]")
        self.assertEqual({box["data-suggest-url"] for box in boxes}, {url("search_suggest", "en")})
        for box in boxes:
            self.assertEqual(box.find_parent("form")["action"], url("search", "en"))
            self.assertTrue(box["data-suggest-label"])
        self.assertTrue(page.select('script[src$="articles/search-suggest.js"]'))


@skipUnless(connection.vendor == "sqlite", "SQLite's FTS5 table (the PostgreSQL run tests its vector index)")
class SqliteIndexTests(TestCase):
    def test_the_fts_table_follows_every_write_of_the_entries(self):
        article = make_article("Pipelines", body="<p>Gas.</p>")
        self.assertEqual(SearchEntryIndex.objects.count(), SearchEntry.objects.count())
        article.delete()  # a cascade: the triggers, not the upkeep, remove its rows from the index
        self.assertEqual(SearchEntryIndex.objects.filter(query__match='"pipelin"*').count(), 0)
        self.assertEqual(found("pipelines", "en"), [])

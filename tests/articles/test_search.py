"""Search per language: stemming, Turkish case folding, what is public, ranking, paging, highlighting, indexes.

These run on whichever database the suite uses (SQLite by default, PostgreSQL with DATABASE_URL=postgres://…): the
same behaviour is promised on both. Tests marked ``postgres`` check what only PostgreSQL has (its GIN indexes).
"""
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, SearchEntry
from articles.search import SearchTerms, config_for, entry_values, stems_of
from articles.search.backends import search_backend
from articles.search.index import search_index_rebuild
from tests.factories import LANGUAGES, make_article, make_author, make_tag


def search(query: str, language: str) -> list[str]:
    """Titles of the articles found, best first."""
    entries = SearchEntry.objects.matching(SearchTerms.parse(query, language))
    return [getattr(entry.article, f"title_{language}") for entry in entries]


def search_url(language: str, query: str, page: int | None = None) -> str:
    with translation.override(language):
        url = reverse("articles:search")
    return f"{url}?q={query}" + (f"&page={page}" if page else "")


class StemmingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(
            "Sanctions", languages=("tr", "en", "ru"),
            body="<p>Placeholder.</p>",
        )
        cls.tr = make_article("Yaptırım", languages=("tr",), body="<p>Avrupa Birliği yeni bir yaptırım paketi açıkladı.</p>")
        cls.ru = make_article("Санкции", languages=("ru",), body="<p>Обсуждение новых санкций продолжается.</p>")
        cls.en = make_article("Measures", languages=("en",), body="<p>The council adopted one more sanction.</p>")

    def test_turkish_plural_finds_the_singular(self):
        self.assertEqual(search("yaptırımlar", "tr"), ["Yaptırım tr"])
        self.assertEqual(search("yaptırımların", "tr"), ["Yaptırım tr"])

    def test_russian_inflections_find_each_other(self):
        self.assertEqual(search("санкции", "ru"), ["Санкции ru"])
        self.assertEqual(search("санкциями", "ru"), ["Санкции ru"])

    def test_english_plural_finds_the_singular(self):
        self.assertEqual(search("sanctions", "en"), ["Sanctions en", "Measures en"])

    def test_every_word_must_match(self):
        self.assertEqual(search("yaptırım paketi", "tr"), ["Yaptırım tr"])
        self.assertEqual(search("yaptırım futbol", "tr"), [])

    def test_the_last_word_matches_as_it_is_being_typed_the_others_by_their_whole_stem(self):
        make_article("Pressure", languages=("en",), body="<p>Russian sanctions widen.</p>")
        self.assertEqual(search("sanctions russ", "en"), ["Pressure en"])
        self.assertEqual(search("russian sanctions", "en"), ["Pressure en"])
        self.assertEqual(search("russ sanctions", "en"), [])

    def test_a_search_that_finds_nothing_so_reads_its_earlier_words_as_unfinished_too(self):
        make_article("Pressure", languages=("en",), body="<p>Russian sanctions widen.</p>")
        page = BeautifulSoup(self.client.get(search_url("en", "russ sanctions")).content, "html.parser")
        self.assertEqual([a.get_text() for a in page.select(".card__title a")], ["Pressure en"])
        self.assertIn("Russian", [mark.get_text() for mark in page.select(".card__summary mark")])
        suggested = self.client.get(reverse_suggest("en"), {"q": "russ sanc"}).json()["suggestions"]
        self.assertEqual(suggested, [])  # the titles hold neither word
        make_article("Russian sanctions", languages=("en",), body="<p>Text.</p>")
        suggested = self.client.get(reverse_suggest("en"), {"q": "russ sanc"}).json()["suggestions"]
        self.assertEqual([s["title"] for s in suggested], ["Russian sanctions en"])

    def test_in_turkish_every_word_also_matches_the_start_of_a_stem(self):
        # "yaptırım" is stemmed "yaptır", the plural "yaptırımlar" "yaptırım": the singular reaches the plural only
        # as the start of its stem, wherever it stands in the query.
        make_article("Rusya", languages=("tr",), body="<p>Rusya'ya yönelik yaptırımlar sürüyor.</p>")
        self.assertEqual(search("yaptırım rusya", "tr"), ["Rusya tr"])
        with override_settings(ARTICLES_SEARCH_OPEN_STEMMERS=[]):
            self.assertEqual(search("yaptırım rusya", "tr"), [])
            self.assertEqual(search("rusya yaptırım", "tr"), ["Rusya tr"])

    def test_a_language_searches_only_its_own_variants(self):
        self.assertEqual(search("санкции", "en"), [])
        self.assertEqual(search("yaptırım", "ru"), [])


class TurkishCaseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("İstanbul Süreci", languages=("tr",), body="<p>Görüşmeler sürüyor.</p>")
        make_article("Kırmızı çizgiler", languages=("tr",), body="<p>IŞIK HIZINDA bir karar.</p>")
        make_article("Gölgeler", languages=("tr",), body="<p>Karanlıkta bir ışık yandı.</p>")
        make_article("Kızıl Elma", languages=("tr",), body="<p>Bir ülkü.</p>")

    def test_dotted_capital_i_finds_and_is_found_by_small_i(self):
        for query in ("İSTANBUL", "istanbul", "İstanbul", "İstanbul'da"):
            with self.subTest(query=query):
                self.assertEqual(search(query, "tr"), ["İstanbul Süreci tr"])

    def test_dotless_small_i_finds_and_is_found_by_capital_i(self):
        self.assertEqual(set(search("ışık", "tr")), {"Kırmızı çizgiler tr", "Gölgeler tr"})
        self.assertEqual(set(search("IŞIK", "tr")), {"Kırmızı çizgiler tr", "Gölgeler tr"})

    def test_other_languages_fold_i_by_unicode_and_turkish_names_too(self):
        make_article("Talks", languages=("en",), body="<p>Iran and Turkey met in İstanbul.</p>")
        for query in ("iran", "IRAN", "istanbul", "İstanbul"):
            with self.subTest(query=query):
                self.assertEqual(search(query, "en"), ["Talks en"])

    def test_an_author_shown_in_turkish_capitals_is_found_by_the_name_as_written_in_every_language(self):
        article = make_article("Profiles", body="<p>Body.</p>")
        article.authors.add(make_author("Berra", "Kızılyazı"))
        for code in LANGUAGES:
            with self.subTest(code):
                self.assertEqual(search("Kızılyazı", code), [f"Profiles {code}"])

    def test_dotted_and_dotless_i_stay_different_letters(self):
        self.assertEqual(search("kizil", "tr"), [])
        self.assertEqual(search("KIZIL", "tr"), ["Kızıl Elma tr"])


class WhatIsSearchedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Energy security", tr="Enerji güvenliği", ru="Энергетическая безопасность")
        cls.author = make_author("Hatice", "Çiftçioğlu")
        cls.tagged = make_article("Pipelines", tags=(cls.tag,), body="<p>Nothing about it here.</p>")
        cls.tagged.authors.add(cls.author)
        cls.highlighted = make_article("Quiet", body="<p>Body.</p>", highlights_en="Gas prices doubled in winter.")
        make_article("Draft gas", published=(), body="<p>gas</p>")
        make_article("Scheduled gas", published_at=timezone.now() + timedelta(days=3), body="<p>gas</p>")
        make_article("Turkish only gas", languages=("tr", "en"), published=("tr",), body="<p>gas</p>")

    def test_tags_and_authors_are_searched_in_the_pages_language(self):
        self.assertEqual(search("enerji", "tr"), ["Pipelines tr"])
        self.assertEqual(search("энергетическая", "ru"), ["Pipelines ru"])
        self.assertEqual(search("ÇİFTÇİOĞLU", "en"), ["Pipelines en"])
        self.assertEqual(search("çiftçioğlu", "ru"), ["Pipelines ru"])

    def test_highlights_are_searched(self):
        self.assertEqual(search("prices", "en"), ["Quiet en"])

    def test_drafts_scheduled_and_unpublished_variants_are_never_found(self):
        self.assertEqual(search("gas", "en"), ["Quiet en"])
        self.assertEqual(search("gas", "tr"), ["Turkish only gas tr"])

    def test_a_scheduled_article_is_found_once_its_date_has_come(self):
        later = make_article("Later gas", published_at=timezone.now() + timedelta(days=1), body="<p>gas</p>")
        type(later).objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
        self.assertIn("Later gas en", search("gas", "en"))

    def test_entries_follow_changes_to_text_tags_and_authors(self):
        self.tag.name_en = "Hydrogen"
        self.tag.save()
        self.assertEqual(search("hydrogen", "en"), ["Pipelines en"])
        self.assertEqual(search("energy", "en"), [])
        self.tagged.authors.remove(self.author)
        self.assertEqual(search("çiftçioğlu", "en"), [])
        self.tagged.body_en = "<p>Now about turbines.</p>"
        self.tagged.save()
        self.assertEqual(search("turbines", "en"), ["Pipelines en"])
        self.author.articles.add(self.tagged)
        self.assertEqual(search("hatice", "en"), ["Pipelines en"])

    def test_rebuild_writes_entries_for_every_language_with_text(self):
        SearchEntry.objects.all().delete()
        self.assertEqual(search("enerji", "tr"), [])
        search_index_rebuild()
        self.assertEqual(search("enerji", "tr"), ["Pipelines tr"])
        # One entry per language with a title and a body, drafts included (they are filtered when searching):
        # four articles written in three languages, one in two.
        self.assertEqual(SearchEntry.objects.count(), 4 * 3 + 2)


class RankingAndPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("Notes", languages=("en",), days_ago=1, body="<p>A remark on the Black Sea.</p>")
        make_article("Black Sea security", languages=("en",), days_ago=30, body="<p>Text.</p>")
        for n in range(11):
            make_article(f"Report {n}", languages=("en",), days_ago=100 + n, body="<p>Arctic shipping routes.</p>")

    def test_a_match_in_the_title_ranks_above_a_match_in_the_body(self):
        self.assertEqual(search("black sea", "en"), ["Black Sea security en", "Notes en"])

    def test_results_page_marks_matches_and_says_how_many(self):
        response = self.client.get(search_url("en", "black"))
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content, "html.parser")
        titles = page.select(".search-result h3")
        self.assertEqual([t.get_text() for t in titles], ["Black Sea security en", "Notes en"])
        self.assertEqual([m.get_text() for m in titles[0].select("mark")], ["Black"])
        self.assertIn("Black", [m.get_text() for m in page.select(".search-result .card__summary mark")])
        self.assertIn("2 results for “black”", page.select_one("#results-title").get_text())
        self.assertEqual(page.select_one('meta[name="robots"]')["content"], "noindex, follow")

    def test_results_are_paginated_and_page_links_keep_the_query(self):
        first = BeautifulSoup(self.client.get(search_url("en", "arctic")).content, "html.parser")
        self.assertEqual(len(first.select(".search-result")), 10)
        next_link = first.select_one('.pagination a[rel="next"]')["href"]
        self.assertIn("q=arctic", next_link)
        self.assertIn("page=2", next_link)
        second = BeautifulSoup(self.client.get(reverse_path("en") + next_link).content, "html.parser")
        self.assertEqual(len(second.select(".search-result")), 1)

    def test_search_page_speaks_the_readers_language(self):
        labels = {"tr": "Ara", "en": "Search", "ru": "Поиск"}
        for code, label in labels.items():
            page = BeautifulSoup(self.client.get(search_url(code, "")).content, "html.parser")
            self.assertEqual(page.h1.get_text(), label, code)
            self.assertEqual(page.html["lang"], code)
        empty = BeautifulSoup(self.client.get(search_url("ru", "арктика")).content, "html.parser")
        self.assertIn("0 результатов", empty.select_one("#results-title").get_text())

    def test_search_urls_are_translated(self):
        self.assertEqual(search_url("tr", "x"), "/tr/ara/?q=x")
        self.assertEqual(search_url("ru", "x"), "/ru/poisk/?q=x")

    def test_markup_in_titles_and_queries_is_escaped(self):
        make_article("<b>Black</b> & white", languages=("en",), body="<p>x</p>")
        response = self.client.get(search_url("en", "black"))
        self.assertIn(b"&lt;b&gt;<mark>Black</mark>&lt;/b&gt; &amp; white", response.content)
        response = self.client.get(search_url("en", "<script>alert(1)</script>"))
        self.assertNotIn(b"<script>alert", response.content)


def reverse_suggest(language: str) -> str:
    with translation.override(language):
        return reverse("articles:search_suggest")


def reverse_path(language: str) -> str:
    with translation.override(language):
        return reverse("articles:search")


class SearchTermsTests(TestCase):
    def test_query_words_are_folded_deduplicated_and_short_words_dropped(self):
        terms = SearchTerms.parse("İSTANBUL istanbul a IŞIK", "tr")
        self.assertEqual(terms.words, ("istanbul", "ışık"))
        self.assertFalse(SearchTerms.parse("a ! ?", "en"))

    def test_each_language_is_stemmed_with_its_configuration_and_an_unknown_one_not_at_all(self):
        self.assertEqual(config_for("de"), "german")
        self.assertEqual(stems_of("Sanktionen", "de"), " sanktion ")
        self.assertEqual(config_for("xx"), "simple")
        self.assertEqual(stems_of("Sanktionen", "xx"), " sanktionen ")
        with override_settings(ARTICLES_SEARCH_CONFIGS={"xx": "german"}):
            self.assertEqual(config_for("xx"), "german")

    def test_apostrophe_suffixes_are_dropped_in_the_language_searched_as_turkish_only(self):
        self.assertEqual(SearchTerms.parse("İstanbul'da", "tr").words, ("istanbul",))
        self.assertEqual(SearchTerms.parse("Rusya'nın", "de").words, ("rusya", "nın"))

    def test_each_engines_query_takes_the_words_stem_as_prefix_and_the_stems_stem_exactly(self):
        terms = SearchTerms.parse("yaptırımlar", "tr")
        self.assertEqual(terms.tsquery(), "('yaptırım':* | 'yaptır')")
        self.assertEqual(terms.fts5_query(), '("yaptırım"* OR "yaptır")')

    def test_only_the_last_word_is_a_prefix_except_where_the_languages_stems_stop_short(self):
        terms = SearchTerms.parse("energy border crisis", "en")
        self.assertEqual(terms.tsquery(), "'energi' & 'border' & 'crisi':*")
        self.assertEqual(terms.fts5_query(), '"energi" AND "border" AND "crisi"*')
        terms = SearchTerms.parse("yaptırım rusya", "tr")
        self.assertEqual(terms.tsquery(), "('yaptır':* | 'yap') & 'rusya':*")
        self.assertEqual(terms.fts5_query(), '("yaptır"* OR "yap") AND "rusya"*')
        terms = SearchTerms.parse("sanctions 2024", "en")
        self.assertEqual(terms.tsquery(), "'sanction' & '2024'")

    def test_quoted_words_are_a_phrase_in_each_engines_query(self):
        terms = SearchTerms.parse('“black sea” security', "en")
        self.assertEqual(terms.phrases, (("black", "sea"),))
        self.assertEqual(terms.tsquery(), "'secur':* & ('black' <-> 'sea')")
        self.assertEqual(terms.fts5_query(), '"secur"* AND "black sea"')

    def test_excerpt_is_taken_around_the_first_match(self):
        terms = SearchTerms.parse("needle", "en")
        body = "<p>" + " ".join(f"w{n}" for n in range(100)) + " needle " + " ".join(f"v{n}" for n in range(100)) + "</p>"
        excerpt = terms.excerpt("", body)
        self.assertIn("<mark>needle</mark>", excerpt)
        self.assertTrue(excerpt.startswith("… ") and excerpt.endswith(" …"))


@pytest.mark.postgres
class PostgresIndexTests(TestCase):
    """On PostgreSQL the search reads the stored vectors through one partial GIN index per language."""

    @classmethod
    def setUpTestData(cls):
        # An archive large enough for the planner to prefer the index to reading every entry.
        articles = Article.objects.bulk_create(
            Article(
                **{f"title_{code}": f"Title {n}" for code in LANGUAGES},
                **{f"body_{code}": f"<p>word{n} text</p>" for code in LANGUAGES},
                **{f"slug_{code}": f"title-{n}" for code in LANGUAGES},
                **{f"is_published_{code}": True for code in LANGUAGES},
            )
            for n in range(1500)
        )
        SearchEntry.objects.bulk_create(
            SearchEntry(
                article=article,
                **entry_values(language=code, title=article.title_en, highlights="", body=article.body_en, keywords=[]),
            )
            for article in articles
            for code in LANGUAGES
        )
        search_backend().articles_indexed(article.pk for article in articles)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_searchentry")
            cursor.execute("ANALYZE articles_article")

    def plan(self, query: str, language: str) -> str:
        # Whether the query can use the index, not whether this small table's statistics make it the cheaper way.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        return SearchEntry.objects.matching(SearchTerms.parse(query, language)).explain()

    def test_each_language_has_its_index_and_the_search_uses_it(self):
        for code in ("tr", "en", "ru"):
            with self.subTest(language=code):
                self.assertIn(f"Bitmap Index Scan on search_entry_{code}_document", self.plan("word777", code))

    def test_ranking_reads_the_stored_vector_and_parses_no_text(self):
        plan = self.plan("word777", "en")
        self.assertIn("ts_rank(articles_searchentry.document", plan)
        self.assertNotIn("to_tsvector", plan)

    def test_the_indexes_are_gin_indexes_of_the_stored_vector_one_per_language(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'search_entry_%%'")
            definitions = dict(cursor.fetchall())
        for code in ("tr", "en", "ru"):
            self.assertIn("USING gin (document)", definitions[f"search_entry_{code}_document"])
            self.assertIn(f"'{code}'", definitions[f"search_entry_{code}_document"])
        self.assertNotIn("search_entry_en_fts", definitions)


class RebuildCommandTests(TestCase):
    def test_command_rewrites_the_entries(self):
        from io import StringIO

        from django.core.management import call_command

        make_article("Rebuilt", languages=("tr", "en"))
        SearchEntry.objects.all().delete()
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        self.assertEqual(out.getvalue().strip(), "2 search entries written.")
        self.assertEqual(search("rebuilt", "en"), ["Rebuilt en"])

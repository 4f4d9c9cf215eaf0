"""What follows a write: one read of the stored article per save, and one run of the upkeep for a batch of writes."""
from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles import similar, upkeep
from articles.pages import caching
from articles.search import index as search
from articles.models import Article, SearchEntry
from articles.search import SearchTerms
from articles.services import article_publish, article_unpublish
from tests.articles.test_translation_state import outdated_languages
from tests.factories import make_article, make_author, make_category, make_reference, make_tag


def reads_of_row(queries: list[dict], pk: int, table: str = "articles_article") -> list[str]:
    """The SELECTs that fetch the row ``pk`` of ``table`` by its id (alone or among others)."""
    pattern = re.compile(rf'FROM "{table}" WHERE "{table}"\."id" (?:= |IN \(){pk}\b')
    return [query["sql"] for query in queries if query["sql"].startswith("SELECT") and pattern.search(query["sql"])]


def found(query: str, language: str) -> set[int]:
    return {entry.article_id for entry in SearchEntry.objects.matching(SearchTerms.parse(query, language))}


def similar_ids(article: Article, language: str) -> list[int]:
    return [row.similar_id for row in similar.similar_rows(article.pk, language)]


def rule(article: Article, language: str) -> list[int]:
    return [item.pk for item in Article.objects.similar_to(article, language)]


class OneReadPerSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Energy")
        cls.category = make_category()
        cls.article = make_article("Pipeline", tags=(cls.tag,), category=cls.category, days_ago=2)
        cls.article.authors.add(make_author())
        make_reference(cls.article, "1")
        cls.other = make_article("Grid", tags=(cls.tag,), category=cls.category, days_ago=3)

    def setUp(self):
        similar_ids(self.other, "en")  # a stored list the article is in

    def save_as_the_admin_does(self, **fields) -> list[dict]:
        article = Article.objects.get(pk=self.article.pk)
        for name, value in fields.items():
            setattr(article, name, value)
        with CaptureQueriesContext(connection) as queries:
            article.save()
        return queries.captured_queries

    def test_editing_the_source_text_reads_the_stored_row_once_and_everything_follows(self):
        queries = self.save_as_the_admin_does(body_tr="<p>Boru hattı güzergâhı değişti[1].</p>")
        self.assertEqual(len(reads_of_row(queries, self.article.pk)), 1, reads_of_row(queries, self.article.pk))
        self.assertIn(self.article.pk, found("güzergâhı", "tr"), "the search entries follow the new text")
        self.assertEqual(outdated_languages(self.article), {"en", "ru"}, "the translations fall behind the source")

    def test_editing_a_translation_reads_the_stored_row_once_and_outdates_nothing(self):
        queries = self.save_as_the_admin_does(title_en="Pipeline, revised")
        self.assertEqual(len(reads_of_row(queries, self.article.pk)), 1, reads_of_row(queries, self.article.pk))
        self.assertIn(self.article.pk, found("revised", "en"))
        self.assertEqual(outdated_languages(self.article), set())

    def test_saving_a_tag_category_author_or_reference_reads_its_row_once(self):
        author = self.article.authors.get()
        reference = self.article.references.get()
        # The bio has no translation yet, so nothing can fall behind it; the others are translated.
        cases = [(self.tag, "name_tr", {"en", "ru"}), (self.category, "name_tr", {"en", "ru"}),
                 (author, "bio_tr", set()), (reference, "text_tr", {"en", "ru"})]
        for obj, field, outdated in cases:
            with self.subTest(type(obj).__name__):
                obj = type(obj).objects.get(pk=obj.pk)
                setattr(obj, field, "Değişti")
                with CaptureQueriesContext(connection) as queries:
                    obj.save()
                reads = reads_of_row(queries.captured_queries, obj.pk, obj._meta.db_table)
                self.assertEqual(len(reads), 1, reads)
                self.assertEqual(outdated_languages(self.article if field == "text_tr" else obj), outdated)

    def test_a_save_that_changes_no_text_leaves_the_search_entries_and_the_fingerprints_alone(self):
        with mock.patch.object(search, "search_index_write") as write, mock.patch.object(
            upkeep.workflow_services, "translation_states_sync"
        ) as sync:
            self.save_as_the_admin_does(published_at=self.article.published_at - timedelta(days=1))
        write.assert_not_called()
        sync.assert_not_called()


class BulkPublishingTests(TestCase):
    """Publishing or withdrawing N articles in one action runs the upkeep once, after the last of the N saves."""

    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        tags = [make_tag(f"Tag {n}") for n in range(4)]
        cls.readers = [make_article(f"Read {n}", tags=tuple(tags[: n % 4 + 1]), days_ago=30 + n) for n in range(4)]
        cls.drafts = [
            make_article(f"Draft {n}", tags=tuple(tags[n % 4 : n % 4 + 2]), category=cls.category,
                         published=("tr", "ru"), days_ago=n + 1)
            for n in range(21)
        ]

    def setUp(self):
        for article in self.readers:
            similar_ids(article, "en")

    def publish(self, articles: list[Article]):
        """``article_publish`` as the admin action calls it, counting the upkeep's calls and the queries."""
        counted = {caching: "dependencies_changed", similar: "similar_lists_update"}
        with ExitStack() as stack:
            calls = {
                name: stack.enter_context(mock.patch.object(module, name, wraps=getattr(module, name)))
                for module, name in [*counted.items(), (search, "search_index_write"), (search, "search_index_update")]
            }
            queries = stack.enter_context(CaptureQueriesContext(connection))
            result = article_publish(articles=Article.objects.filter(pk__in=[a.pk for a in articles]), language="en")
        self.assertEqual(len(result.changed), len(articles))
        return calls, queries.captured_queries

    def test_one_or_twenty_articles_stamp_the_page_cache_once_and_need_no_search_update(self):
        for count in (1, 20):
            with self.subTest(count=count):
                drafts = self.drafts[:1] if count == 1 else self.drafts[1:]
                calls, queries = self.publish(drafts)
                self.assertEqual(calls["dependencies_changed"].call_count, 1)
                stamped = calls["dependencies_changed"].call_args.args[0]
                self.assertIn(caching.home_dependency("en"), stamped)
                self.assertTrue({caching.article_dependency(a.pk) for a in drafts} <= stamped)
                # Publishing changes no text: the search entries (kept for unpublished variants too) stay as they are.
                self.assertEqual(calls["search_index_write"].call_count + calls["search_index_update"].call_count, 0)
                self.assertEqual(calls["similar_lists_update"].call_count, len(drafts))
                updates = [i for i, q in enumerate(queries) if q["sql"].startswith('UPDATE "articles_article"')]
                upkeep_reads = [i for i, q in enumerate(queries) if "articles_similararticle" in q["sql"]]
                self.assertEqual(len(updates), len(drafts))
                self.assertLess(max(updates), min(upkeep_reads), "the Similar Posts follow after the last save")

    def test_the_batch_leaves_lists_pages_and_search_as_single_saves_would(self):
        url = self.readers[0].url_in("en")
        self.client.get("/en/"), self.client.get(url)
        article_publish(articles=Article.objects.filter(pk__in=[a.pk for a in self.drafts]), language="en")
        for article in self.readers:
            self.assertEqual(similar_ids(article, "en"), rule(article, "en"))
        home = self.client.get("/en/").content.decode()
        self.assertIn("Draft 0 en", home)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.assertIn(self.drafts[0].pk, found("Draft", "en"))
        article_unpublish(articles=Article.objects.filter(pk__in=[a.pk for a in self.drafts]), language="en")
        for article in self.readers:
            self.assertEqual(similar_ids(article, "en"), rule(article, "en"))
        self.assertNotIn("Draft 0 en", self.client.get("/en/").content.decode())

    def test_text_edits_in_a_batch_update_the_search_index_once(self):
        with mock.patch.object(search, "search_index_write", wraps=search.search_index_write) as write:
            with upkeep.batched():
                for article in Article.objects.filter(pk__in=[a.pk for a in self.drafts]):
                    article.title_tr = f"{article.title_tr} hidrojen"
                    article.save()
        self.assertEqual(write.call_count, 1)
        self.assertEqual(found("hidrojen", "tr"), {a.pk for a in self.drafts})

    def test_a_failed_batch_runs_no_upkeep_and_keeps_nothing(self):
        with mock.patch.object(caching, "dependencies_changed") as stamp, self.assertRaises(RuntimeError):
            with upkeep.batched():
                article = Article.objects.get(pk=self.drafts[0].pk)
                article.title_tr = "Yarım kalan"
                article.save()
                raise RuntimeError("the action failed half-way")
        stamp.assert_not_called()
        self.assertNotEqual(Article.objects.get(pk=self.drafts[0].pk).title_tr, "Yarım kalan")


class KeptRelationsTests(TestCase):
    """A saved article's tags and authors, read with it (as the change form reads them), serve the upkeep only while
    the batch leaves them as they were."""

    @classmethod
    def setUpTestData(cls):
        cls.tag, cls.author = make_tag("Energy"), make_author()
        cls.article = make_article("Pipeline", tags=(cls.tag,))
        cls.article.authors.add(cls.author)

    def loaded(self) -> Article:
        return Article.objects.prefetch_related("tags", "authors").get(pk=self.article.pk)

    def test_they_are_not_read_again_for_a_text_edit(self):
        article = self.loaded()
        article.title_en = "Pipeline, hydrogen"
        with CaptureQueriesContext(connection) as queries, upkeep.batched():
            article.save()
        self.assertFalse([q["sql"] for q in queries if '"articles_tag"' in q["sql"] or '"authors_author"' in q["sql"]])
        self.assertEqual(found("hydrogen energy çiftçioğlu", "en"), {self.article.pk})

    def test_a_tag_or_author_renamed_in_the_batch_is_read_again(self):
        for renamed, word in ((self.tag, "renewables"), (self.author, "kızılyazı")):
            with self.subTest(renamed):
                article = self.loaded()
                article.title_en = f"Pipeline {word}"
                with upkeep.batched():
                    article.save()
                    if renamed is self.tag:
                        renamed.name_en = "Renewables"
                    else:
                        renamed.family_name = "Kızılyazı"
                    renamed.save()
                self.assertEqual(found(word, "en"), {self.article.pk})
                entry = SearchEntry.objects.get(article=self.article, language="en")
                self.assertIn(word, entry.keywords)

    def test_tags_or_authors_changed_in_the_batch_are_read_again(self):
        article = self.loaded()
        article.title_en = "Pipeline, hydrogen"
        grid, berra = make_tag("Grid"), make_author("Berra", "Kızılyazı")
        with upkeep.batched():
            article.save()
            article.tags.add(grid)
            article.authors.set([berra])
        entry = SearchEntry.objects.get(article=self.article, language="en")
        self.assertIn("grid", entry.keywords)
        self.assertIn("kızılyazı", entry.keywords)
        self.assertNotIn("çiftçioğlu", entry.keywords)

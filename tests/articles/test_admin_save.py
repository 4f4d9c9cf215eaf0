"""An editor's save in the article change form does the work its change needs and skips the rest: a title edit
reaches the search and the page cache, a new tag or author the Similar Posts, lists and search keywords, an edited
reference its revision and translation states; what the editor left as it was (relations, slugs, category) is
neither written nor looked up again (the query budget: ``test_admin_scale.py``)."""
from __future__ import annotations

import re

from django.db import connection
from django.db.models.signals import m2m_changed
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, ListingCount, Reference
from publishing.models import MemoryEntry
from tests.articles.test_translation_state import outdated_languages
from tests.articles.test_upkeep import found, rule, similar_ids
from tests.factories import make_article, make_author, make_category, make_reference, make_tag
from tests.trust.helpers import form_data, make_editor


class ChangeFormSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor("ayse")
        cls.energy, cls.grid, cls.water = make_tag("Energy"), make_tag("Grid"), make_tag("Aquifer")
        cls.analysis, cls.reports = make_category(), make_category("Reports", tr="Raporlar", ru="Отчёты")
        cls.hatice, cls.berra = make_author(), make_author("Berra", "Kızılyazı")
        cls.article = make_article("Pipeline", tags=(cls.energy,), category=cls.analysis, days_ago=2)
        cls.article.authors.add(cls.hatice)
        make_reference(cls.article, "1")
        cls.others = [
            make_article("Corridor", tags=(cls.energy, cls.grid), category=cls.analysis, days_ago=3),
            make_article("Dam", tags=(cls.water,), category=cls.reports, days_ago=4),
            make_article("Basin", tags=(cls.water, cls.grid), category=cls.reports, days_ago=5),
        ]

    def setUp(self):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_change", args=[self.article.pk])
        for article in [self.article, *self.others]:
            similar_ids(article, "en")  # stored lists, which a change must keep equal to the rule

    def save(self, **changes):
        """Post the change form as loaded, with ``changes``; return the response and the queries of the save."""
        data = {**form_data(self.client.get(self.url).content), **changes}
        with CaptureQueriesContext(connection) as queries, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, data)
        return response, [query["sql"] for query in queries]

    def assert_saved(self, **changes) -> list[str]:
        response, queries = self.save(**changes)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        return queries

    def assert_refused(self, field: str, **changes) -> None:
        response, _queries = self.save(**changes)
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["adminform"].form.errors)

    def assert_similar_posts_follow_the_rule(self):
        for article in [self.article, *self.others]:
            self.assertEqual(similar_ids(article, "en"), rule(article, "en"), article)

    def test_a_title_edit_reaches_the_search_and_the_article_page(self):
        reader = Client()
        page = self.article.url_in("en")
        reader.get(page)
        self.assertEqual(reader.get(page)["X-Page-Cache"], "hit")
        self.assert_saved(title_en="Hydrogen corridor")
        shown = reader.get(page)
        self.assertEqual(shown["X-Page-Cache"], "miss")
        self.assertContains(shown, "Hydrogen corridor")
        self.assertEqual(found("hydrogen", "en"), {self.article.pk})
        self.assertEqual(found("energy", "en"), {self.article.pk, self.others[0].pk}, "its keywords stay")

    def test_a_new_tag_reaches_similar_posts_the_tags_list_and_the_search(self):
        self.assertEqual(ListingCount.objects.public_count(ListingCount.TAG, self.water.pk, "en"), 2)
        self.assert_saved(tags=[str(self.energy.pk), str(self.water.pk)])
        self.assertEqual(set(Article.objects.get(pk=self.article.pk).tags.all()), {self.energy, self.water})
        self.assertEqual(ListingCount.objects.public_count(ListingCount.TAG, self.water.pk, "en"), 3)
        self.assertEqual(found("aquifer", "en"), {self.article.pk, *(article.pk for article in self.others[1:])})
        self.assert_similar_posts_follow_the_rule()
        self.assertIn(self.article.pk, similar_ids(self.others[1], "en"))

    def test_another_author_reaches_the_authors_lists_and_the_search(self):
        self.assert_saved(authors=[str(self.berra.pk)])
        self.assertEqual(list(Article.objects.get(pk=self.article.pk).authors.all()), [self.berra])
        self.assertEqual(ListingCount.objects.public_count(ListingCount.AUTHOR, self.berra.pk, "en"), 1)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.AUTHOR, self.hatice.pk, "en"), 0)
        self.assertEqual(found("kızılyazı", "en"), {self.article.pk})

    def test_another_category_reaches_the_categorys_list_and_an_unknown_one_is_refused(self):
        self.assert_refused("category", category="999999")
        self.assert_saved(category=str(self.reports.pk))
        self.assertEqual(Article.objects.get(pk=self.article.pk).category, self.reports)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.CATEGORY, self.reports.pk, "en"), 3)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.CATEGORY, self.analysis.pk, "en"), 1)

    def test_a_slug_another_article_has_is_refused_and_kept_slugs_are_not_looked_up(self):
        self.assert_refused("slug_en", slug_en=self.others[0].slug_en)
        self.assert_refused("authors", authors=[str(self.hatice.pk), "999999"])
        queries = self.assert_saved(title_en="Pipeline, revised")
        looked_up = [sql for sql in queries if re.search(r'WHERE \(*"articles_article"\."slug_', sql)]
        self.assertEqual(looked_up, [])
        self.assertFalse([sql for sql in queries if re.search(r'FROM "articles_category" WHERE', sql)])

    def test_relations_left_as_they_were_are_not_written(self):
        sent = []

        def receiver(sender, action, **kwargs):
            sent.append((sender, action))

        m2m_changed.connect(receiver)
        self.addCleanup(m2m_changed.disconnect, receiver)
        self.assert_saved(title_en="Pipeline, revised")
        self.assertEqual(sent, [])
        self.assertEqual(list(Article.objects.get(pk=self.article.pk).tags.all()), [self.energy])
        self.assertEqual(list(Article.objects.get(pk=self.article.pk).authors.all()), [self.hatice])

    def test_a_reference_edited_with_its_translation_keeps_it_in_step_in_states_memory_and_revision(self):
        self.assert_saved()  # the translation states' rows, made from the source as it is
        self.assert_saved(**{"references-0-text_tr": "Kaynak, yeni", "references-0-text_en": "Source, new"})
        self.assertEqual(outdated_languages(self.article), {"ru"})
        memory = MemoryEntry.objects.get(object_id=self.article.pk, segment_id__startswith="reference:", language="en")
        self.assertEqual((memory.source_text, memory.target), ("Kaynak, yeni", "Source, new"))
        revision = Version.objects.get_for_object(self.article).first().revision
        kept = revision.version_set.get(content_type__model="reference")
        self.assertEqual(kept.field_dict["text_tr"], "Kaynak, yeni")
        self.assertEqual(Reference.objects.get(article=self.article).text_en, "Source, new")
        self.assert_saved(title_en="Pipeline, revised")  # the next save starts from the references as stored
        self.assertEqual(outdated_languages(self.article), {"ru"})

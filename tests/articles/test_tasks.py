"""The upkeep after a save as a task: a save or a bulk action enqueues one, the save itself does none of the work
that grows with the archive, and running the task (by a worker, later) leaves the same search entries, Similar
Posts and page-cache stamps as the immediate backend leaves within the save."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from unittest import mock

from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from django_tasks import task_backends

from articles import similar, tasks
from articles.models import Article, SearchEntry, SimilarArticle
from articles.pages import caching
from articles.search import index as search
from articles.services import article_publish
from tests.factories import make_article, make_category, make_tag

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued():
    return task_backends["default"].results


class UpkeepTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tags = [make_tag(f"Tag {n}") for n in range(3)]
        category = make_category()
        cls.others = [make_article(f"Other {n}", tags=tuple(cls.tags[: n % 3 + 1]), category=category, days_ago=10 + n)
                      for n in range(6)]
        cls.draft = make_article("Draft", tags=tuple(cls.tags), category=category, published=("tr",), days_ago=1)

    def setUp(self):
        for article in self.others:
            similar.similar_rows(article.pk, "en")  # stored lists the draft will enter

    def state(self) -> dict:
        """What the upkeep leaves: search entries, every stored Similar Posts row."""
        return {
            "search": sorted(SearchEntry.objects.values_list("article_id", "language", "title")),
            "similar": sorted(SimilarArticle.objects.values_list("article_id", "language", "similar_id")),
        }

    @contextmanager
    def counting(self):
        """The upkeep's archive-wide calls and every name stamped on the page cache."""
        with ExitStack() as stack:
            calls = {name: stack.enter_context(mock.patch.object(module, name, wraps=getattr(module, name)))
                     for module, name in ((similar, "similar_lists_update"), (search, "search_index_write"))}
            stamped: set[str] = set()
            stack.enter_context(mock.patch.object(caching, "_stamp", side_effect=stamped.update))
            yield calls, stamped

    def publish_draft(self):
        return article_publish(articles=Article.objects.filter(pk=self.draft.pk), language="en")

    def test_with_a_worker_the_save_enqueues_one_task_and_does_none_of_its_work(self):
        with override_settings(TASKS=DUMMY), self.counting() as (calls, stamped):
            with self.captureOnCommitCallbacks(execute=True):
                self.publish_draft()
            self.assertEqual(len(queued()), 1)
            self.assertEqual(queued()[0].task, tasks.upkeep_after_save)
            self.assertEqual(calls["similar_lists_update"].call_count, 0)
            self.assertEqual(calls["search_index_write"].call_count, 0)
            # Only the published article's own pages are forgotten before the worker runs.
            self.assertEqual(stamped, {caching.article_dependency(self.draft.pk)})

    def test_a_bulk_action_enqueues_one_task_for_all_its_articles(self):
        drafts = [make_article(f"Draft {n}", tags=(self.tags[n],), published=("tr",)) for n in range(3)]
        with override_settings(TASKS=DUMMY):
            with self.captureOnCommitCallbacks(execute=True):
                article_publish(articles=Article.objects.filter(pk__in=[a.pk for a in drafts]), language="en")
            self.assertEqual(len(queued()), 1)
            self.assertEqual(set(queued()[0].args[0]["articles"]), {str(a.pk) for a in drafts})

    def test_a_queue_that_fails_after_the_commit_leaves_the_save_done(self):
        broken_queue = mock.Mock(**{"enqueue.side_effect": ConnectionError("queue down")})
        with override_settings(TASKS=DUMMY), mock.patch.object(tasks, "upkeep_after_save", broken_queue), \
                self.assertLogs(level="ERROR") as logged:
            with self.captureOnCommitCallbacks(execute=True):
                self.publish_draft()
        self.assertTrue(Article.objects.get(pk=self.draft.pk).is_published_en)
        self.assertIn("queue down", "\n".join(logged.output))

    def test_nothing_is_enqueued_before_the_save_commits(self):
        with override_settings(TASKS=DUMMY):
            with self.captureOnCommitCallbacks(execute=False) as pending:
                self.publish_draft()
            self.assertEqual(len(queued()), 0)
            for callback in pending:  # the commit
                callback()
            self.assertEqual(len(queued()), 1)

    def test_running_the_task_later_gives_what_the_immediate_backend_gives_within_the_save(self):
        with transaction.atomic(), self.counting() as (_calls, immediate_stamps):
            self.publish_draft()  # the immediate backend: everything within the save
            immediate = self.state()
            transaction.set_rollback(True)
        self.assertNotEqual(self.state(), immediate)  # it did change something
        with override_settings(TASKS=DUMMY), self.counting() as (_calls, stamps):
            with self.captureOnCommitCallbacks(execute=True):
                self.publish_draft()
            result = queued()[0]
            result.task.call(*result.args, **result.kwargs)  # as the worker runs it
        self.assertEqual(self.state(), immediate)
        self.assertEqual(stamps, immediate_stamps)
        self.assertIn(caching.home_dependency("en"), stamps)

    def test_the_database_worker_runs_the_queued_task(self):
        with override_settings(TASKS=DATABASE):
            with self.captureOnCommitCallbacks(execute=True):
                self.publish_draft()
            self.assertFalse(SimilarArticle.objects.filter(similar_id=self.draft.pk, language="en").exists())
            # The worker drops connections it finds outside autocommit: here, the test's own transaction.
            with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
                call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        self.assertTrue(SearchEntry.objects.filter(article=self.draft, language="en").exists())
        self.assertTrue(SimilarArticle.objects.filter(similar_id=self.draft.pk, language="en").exists())

    def test_without_a_worker_the_embedded_setup_runs_the_upkeep_within_the_save(self):
        self.publish_draft()
        self.assertTrue(SearchEntry.objects.filter(article=self.draft, language="en").exists())
        self.assertTrue(SimilarArticle.objects.filter(similar_id=self.draft.pk, language="en").exists())

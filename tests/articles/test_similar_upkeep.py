"""The upkeep of stored Similar Posts lists: what a save writes, what a reading costs after it, scheduled articles in
each place a list keeps them, saves that change more lists than one statement deletes from, and the turn that list
upkeep takes on PostgreSQL. Two shown, four stored, as in ``test_similar_lists.py``."""
from __future__ import annotations

import math
from datetime import timedelta
from unittest import mock

import pytest
from django.core import serializers
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import similar
from articles.models import Article, ReleasedVariant, SimilarArticle
from articles.services import article_unpublish
from articles.similar import depth, similar_rows
from tests.clock import clock_moved
from tests.factories import LANGUAGES, make_article, make_tag
from tests.pagecache import only_the_stamps_read

DAY = 86_400


def shown(article: Article) -> list[int]:
    return [row.similar_id for row in similar_rows(article.pk, "en")]


def rule(article: Article) -> list[int]:
    return [item.pk for item in Article.objects.similar_to(article, "en", limit=2)]


def statements(queries, verb: str) -> list[str]:
    """The ``verb`` statements (INSERT, DELETE) on the stored rows' table."""
    table = f'"{SimilarArticle._meta.db_table}"'
    return [query["sql"] for query in queries if query["sql"].startswith(verb) and table in query["sql"]]


def withdraw(*articles: Article) -> None:
    for article in articles:
        article_unpublish(articles=[article], language="en")


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class ReadingAfterUpkeepTests(TestCase):
    """A list is read in one query whenever it can be, and made again once when it cannot."""

    def setUp(self):
        self.tag = make_tag("Shared")
        self.main = make_article("Main", tags=(self.tag,), days_ago=30)

    def candidates(self, count: int) -> list[Article]:
        return [make_article(f"Candidate {n}", tags=(self.tag,), days_ago=n + 1) for n in range(count)]

    def test_a_list_that_holds_every_candidate_shows_its_last_one_from_storage(self):
        candidates = self.candidates(depth())  # exactly as many as a list keeps: nothing more exists
        self.assertEqual(shown(self.main), [item.pk for item in candidates[:2]])
        withdraw(*candidates[:3])
        with self.assertNumQueries(1):
            self.assertEqual(shown(self.main), [candidates[3].pk])
        self.assertEqual(rule(self.main), [candidates[3].pk])

    def test_a_list_left_with_fewer_rows_than_a_page_shows_is_made_again_once(self):
        candidates = self.candidates(depth() + 2)  # more than a list keeps
        shown(self.main)
        withdraw(*candidates[:3])  # one stored row left, and others exist beyond it
        self.assertEqual(shown(self.main), rule(self.main))
        with self.assertNumQueries(1):  # made again by the reading before: no live computation each time
            self.assertEqual(shown(self.main), [candidates[3].pk, candidates[4].pk])

    def test_a_list_with_no_due_row_is_read_without_computing_it(self):
        soon = make_article("Soon", tags=(self.tag,), published_at=timezone.now() + timedelta(days=1))
        self.assertEqual(shown(self.main), [])
        with self.assertNumQueries(2):  # its due rows (none), then its header: nothing else exists
            self.assertEqual(shown(self.main), [])
        with clock_moved(2 * DAY), self.assertNumQueries(1):
            self.assertEqual(shown(self.main), [soon.pk])

    def test_making_a_list_reads_one_candidate_more_than_it_keeps(self):
        self.candidates(3 * depth())
        live, read = similar._live_candidates, []

        def counted(*args, **kwargs):
            rows = live(*args, **kwargs)
            read.append(len(rows))
            return rows

        with mock.patch.object(similar, "_live_candidates", counted):
            shown(self.main)
        self.assertEqual(read, [depth() + 1])  # of twelve: the four it keeps, one to know that more exist


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class WhatASaveWritesTests(TestCase):
    def setUp(self):
        self.tag = make_tag("Shared")
        self.main = make_article("Main", tags=(self.tag,), days_ago=30)
        self.candidates = [make_article(f"Candidate {n}", tags=(self.tag,), days_ago=n + 1) for n in range(6)]
        shown(self.main)  # stored: candidates 0 to 3, and that more exist

    def test_an_article_ranking_below_a_lists_last_row_is_not_written_into_it(self):
        with CaptureQueriesContext(connection) as queries:
            make_article("Older", tags=(self.tag,), days_ago=10)
        self.assertEqual(statements(queries, "INSERT"), [])
        newest = make_article("Newest", tags=(self.tag,), days_ago=0)  # enters; candidate 3 leaves the list
        self.assertEqual(shown(self.main), [newest.pk, self.candidates[0].pk])
        with CaptureQueriesContext(connection) as queries:  # below candidate 2, now the last row
            make_article("Between", tags=(self.tag,), published_at=timezone.now() - timedelta(days=3, hours=12))
        self.assertEqual(statements(queries, "INSERT"), [])
        kept = SimilarArticle.objects.filter(article=self.main, language="en").values_list("similar_id", flat=True)
        self.assertEqual(set(kept), {newest.pk, *(item.pk for item in self.candidates[:3])})

    def test_a_save_that_changes_no_shown_row_leaves_the_page_cached(self):
        url = self.main.url_in("en")
        self.client.get(url)
        fourth = self.candidates[3]
        fourth.published_at = timezone.now() - timedelta(days=3, hours=12)  # still fourth: stored, not shown
        fourth.save()
        with only_the_stamps_read(self):
            self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        fourth.published_at = timezone.now()
        fourth.save()
        self.assertContains(self.client.get(url), "Candidate 3 en")


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class ChunkedDeletesTests(TestCase):
    """One save can change many lists; their rows go in statements of ``DELETE_CHUNK`` conditions (200, two here)."""

    def test_a_save_that_changes_more_lists_than_one_statement_deletes_from(self):
        tag = make_tag("Everywhere")
        owners = [make_article(f"Owner {n}", tags=(tag,), days_ago=n + 1) for n in range(7)]
        latecomer = make_article("Latecomer", tags=(tag,), days_ago=30)
        for owner in owners:
            shown(owner)  # seven lists of four rows, more candidates beyond each
        latecomer.published_at = timezone.now()
        with mock.patch.object(similar, "DELETE_CHUNK", 2), CaptureQueriesContext(connection) as queries:
            latecomer.save()  # enters all seven: each drops its fourth row
        # Its own rows first (it had none), then the seven dropped rows, two a statement.
        self.assertEqual(len(statements(queries, "DELETE")), 1 + math.ceil(7 / 2))
        for owner in owners:
            kept = SimilarArticle.objects.filter(article=owner, language="en")
            self.assertEqual((kept.count(), shown(owner)), (depth(), rule(owner)))

        with mock.patch.object(similar, "DELETE_CHUNK", 2):
            withdraw(latecomer, owners[0], owners[1])  # five lists left with one due row: dropped
        for owner in owners[2:]:
            self.assertEqual(shown(owner), rule(owner))  # made again
            with self.assertNumQueries(1):
                shown(owner)


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class ScheduledRowsTests(TestCase):
    def test_scheduled_articles_are_kept_where_they_will_rank(self):
        """A list that may miss candidates keeps the scheduled ones sharing as many tags as its last due row (newer,
        they rank above it), not those sharing fewer: when due, those rank below candidates it does not hold."""
        a, b, c = make_tag("A"), make_tag("B"), make_tag("C")
        main = make_article("Main", tags=(a, b, c), days_ago=30)
        three = [make_article(f"Three {n}", tags=(a, b, c), days_ago=n + 1) for n in range(3)]
        two = [make_article(f"Two {n}", tags=(a, b), days_ago=n + 4) for n in range(2)]
        soon = timezone.now() + timedelta(days=1)
        scheduled_two = make_article("Scheduled two", tags=(a, b), published_at=soon)
        make_article("Scheduled one", tags=(a,), published_at=soon)
        self.assertEqual(shown(main), [three[0].pk, three[1].pk])  # made: five due candidates, four kept
        withdraw(three[0], three[1])
        self.assertEqual(shown(main), [three[2].pk, two[0].pk])
        with clock_moved(2 * DAY):
            self.assertEqual(shown(main), [three[2].pk, scheduled_two.pk])
            withdraw(three[2])
            self.assertEqual(shown(main), [scheduled_two.pk, two[0].pk])
            withdraw(two[0])
            self.assertEqual(shown(main), [scheduled_two.pk, two[1].pk])
            self.assertEqual(shown(main), rule(main))


class ReleasedVariantsTests(TestCase):
    def test_a_raw_save_rewrites_the_released_variants_only_when_they_change(self):
        """What loading a fixture or restoring a backup does to each article: an unchanged one costs no write."""
        # A whole second: JSON keeps a date to the millisecond.
        date = timezone.now().replace(microsecond=0) - timedelta(days=1)
        article = make_article("Restored", tags=(make_tag("Kept"),), published_at=date)
        variants = set(ReleasedVariant.objects.filter(article=article).values_list("pk", "language"))
        self.assertEqual({code for _pk, code in variants}, set(LANGUAGES))
        for restored in serializers.deserialize("json", serializers.serialize("json", [article])):
            restored.save()
        self.assertEqual(set(ReleasedVariant.objects.filter(article=article).values_list("pk", "language")), variants)
        article.is_published_ru = False
        for restored in serializers.deserialize("json", serializers.serialize("json", [article])):
            restored.save()
        self.assertEqual(set(ReleasedVariant.objects.filter(article=article).values_list("language", flat=True)),
                         {"tr", "en"})


@pytest.mark.postgres
@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class TakingTurnsTests(TransactionTestCase):
    """On PostgreSQL, list upkeep (a save's, a first reading's) holds a lock until its transaction ends, so that two
    saves never change the same lists in opposite orders (a deadlock under load, ``scripts/loadtest.py``)."""

    def another_may_start(self) -> bool:
        import psycopg

        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            return other.execute("SELECT pg_try_advisory_xact_lock(%s)", [similar.SIMILAR_LISTS_LOCK]).fetchone()[0]

    def test_a_second_upkeep_waits_until_the_first_ends(self):
        tag = make_tag("Turns")
        main = make_article("Main", tags=(tag,), days_ago=3)
        self.assertTrue(self.another_may_start())
        with transaction.atomic():
            self.assertEqual(shown(main), [])  # a first reading makes the list
            self.assertFalse(self.another_may_start())
        self.assertTrue(self.another_may_start())
        with transaction.atomic():
            newcomer = make_article("Newcomer", tags=(tag,), days_ago=1)  # enters it
            self.assertFalse(self.another_may_start())
        self.assertEqual(shown(main), [newcomer.pk])

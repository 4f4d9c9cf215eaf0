"""Stored Similar Posts lists equal the ranking rule (``similar_to``) after every kind of change, on random data."""
from __future__ import annotations

import random
from datetime import timedelta
from unittest import mock

from django.test import TestCase, override_settings
from django.utils import timezone

from articles.models import Article, SimilarArticle, SimilarList
from articles.pages.reading import article_page
from articles.similar import similar_rows
from tests.clock import clock_at
from tests.factories import LANGUAGES, make_article, make_tag
from tests.pagecache import page_made_with


def rule(article: Article, language: str, limit: int) -> list[tuple[int, int]]:
    return [(a.pk, a.shared_tags) for a in Article.objects.similar_to(article, language, limit=limit)]


def stored(article: Article, language: str) -> list[tuple[int, int]]:
    return [(row.similar_id, row.shared_tags) for row in similar_rows(article.pk, language)]


# Two shown, four stored: small lists, so that trimming, floors and rebuilding all happen on a few dozen articles.
@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class StoredListsFollowTheRuleTests(TestCase):
    LIMIT = 2

    def setUp(self):
        self.random = random.Random(20240501)
        # A long tail: tag n is drawn with weight 1/(n+1).
        self.tags = [make_tag(f"Tag {n}") for n in range(12)]
        self.weights = [1 / (n + 1) for n in range(12)]
        self.articles = [self.new_article(n) for n in range(32)]

    def draw_tags(self):
        chosen = set()
        while len(chosen) < self.random.randint(1, 4):
            chosen.add(self.random.choices(self.tags, self.weights)[0])
        return tuple(chosen)

    def new_article(self, n):
        published = tuple(code for code in LANGUAGES if self.random.random() < 0.8)
        # Few distinct dates, so that ties on the date are decided by the id.
        return make_article(f"Random {n}", published=published, tags=self.draw_tags(),
                            days_ago=self.random.choice([1, 2, 3, 5, 8]))

    def assert_every_list_follows_the_rule(self, step: str):
        """One assertion per step, listing every list that differs: the test stops at the first step that breaks
        the rule (``make mutants`` runs it for each mutant of ``articles/similar.py``)."""
        differing = {}
        for article in Article.objects.all():
            for code in LANGUAGES:
                expected, found = rule(article, code, self.LIMIT), stored(article, code)
                if found != expected:
                    differing[(article.pk, code)] = {"stored": found, "rule": expected}
        self.assertEqual(differing, {}, step)

    def test_lists_stay_equal_to_the_rule_through_random_edits(self):
        self.assert_every_list_follows_the_rule("first reading")
        self.assertGreater(SimilarList.objects.filter(has_more=True).count(), 10)
        for step in range(40):
            article = Article.objects.get(pk=self.random.choice(self.articles).pk)
            action = self.random.choice(["retag", "add tag", "remove tag", "unpublish", "publish", "date", "schedule",
                                         "clear tags", "new article", "delete"])
            if action == "retag":
                article.tags.set(self.draw_tags())
            elif action == "add tag":
                article.tags.add(self.random.choice(self.tags))
            elif action == "remove tag" and article.tags.exists():
                article.tags.remove(self.random.choice(list(article.tags.all())))
            elif action == "clear tags":
                article.tags.clear()
            elif action in ("publish", "unpublish"):
                setattr(article, f"is_published_{self.random.choice(LANGUAGES)}", action == "publish")
                article.save()
            elif action == "date":
                article.published_at = timezone.now() - timedelta(days=self.random.choice([0, 1, 4, 9]))
                article.save()
            elif action == "schedule":
                article.published_at = timezone.now() + timedelta(days=1)
                article.save()
            elif action == "new article":
                self.articles.append(self.new_article(100 + step))
            elif action == "delete" and len(self.articles) > 22:
                self.articles = [a for a in self.articles if a.pk != article.pk]
                article.delete()
            self.assert_every_list_follows_the_rule(f"{step}: {action} #{article.pk}")
        self.assert_pages_follow_the_rule()

    def assert_pages_follow_the_rule(self):
        """The article page reads the stored rows within its own query: it shows the same list."""
        differing = {}
        for article in Article.objects.all():
            for code in LANGUAGES:
                if not article.is_published_in(code):
                    continue
                page = article_page(slug=getattr(article, f"slug_{code}"), language=code)
                shown = [(item.pk, item.shared_tags) for item in page.similar_articles]
                if shown != (expected := rule(article, code, self.LIMIT)):
                    differing[(article.pk, code)] = {"page": shown, "rule": expected}
        self.assertEqual(differing, {})

    def test_a_changed_article_moves_into_the_stored_lists_of_others(self):
        first, second = self.articles[0], self.articles[1]
        self.assert_every_list_follows_the_rule("first reading")
        second.tags.set(first.tags.all())
        second.published_at = timezone.now()
        second.is_published_en = True
        second.save()
        self.assertEqual(stored(first, "en")[0], (second.pk, first.tags.count()))
        self.assertTrue(SimilarArticle.objects.filter(article=first, similar=second, language="en").exists())


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class ScheduledArticlesInStoredListsTests(TestCase):
    def test_scheduled_articles_never_crowd_out_the_due_ones_and_appear_when_due(self):
        tag = make_tag("Popular")
        main = make_article("Main", tags=(tag,), days_ago=30)
        due = [make_article(f"Due {n}", tags=(tag,), days_ago=n + 1) for n in range(6)]
        soon = timezone.now() + timedelta(days=1)
        scheduled = [make_article(f"Scheduled {n}", tags=(tag,), published_at=soon + timedelta(minutes=n))
                     for n in range(10)]
        self.assertEqual(stored(main, "en"), [(due[0].pk, 1), (due[1].pk, 1)])
        expected = rule(main, "en", 2)
        with self.assertNumQueries(1):  # the due rows with their list's header: no live computation
            self.assertEqual(stored(main, "en"), expected)
        later = soon + timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(stored(main, "en"), [(scheduled[9].pk, 1), (scheduled[8].pk, 1)])
            self.assertEqual(stored(main, "en"), rule(main, "en", 2))


class BuildSimilarListsCommandTests(TestCase):
    def test_makes_the_missing_lists_once_and_the_article_page_then_reads_them(self):
        from io import StringIO

        from django.core.cache import cache
        from django.core.management import CommandError, call_command

        shared = make_tag("Shared")
        articles = [make_article(f"Listed {n}", tags=(shared,), days_ago=n + 1, languages=("tr", "en")) for n in range(4)]
        SimilarList.objects.all().delete()
        SimilarArticle.objects.all().delete()
        out = StringIO()
        with self.settings(LANGUAGE_CODE="en"):
            call_command("build_similar_lists", "--language", "en", stdout=out)
        self.assertRegex(out.getvalue(), r"^4 Similar Posts lists made in \d+\.\d s\.")
        self.assertEqual(set(SimilarList.objects.values_list("language", flat=True)), {"en"})
        self.assertEqual(
            [row.similar_id for row in similar_rows(articles[0].pk, "en")], [item.pk for item in articles[1:]]
        )
        out = StringIO()
        with self.settings(LANGUAGE_CODE="en"):
            call_command("build_similar_lists", stdout=out)  # English lists exist: only the Turkish ones are made
        self.assertTrue(out.getvalue().startswith("4 "), out.getvalue())
        cache.clear()
        with page_made_with(self, 4):  # a stored list: no fifth query to make it
            self.client.get(articles[0].url_in("tr"))
        with self.assertRaises(CommandError):
            call_command("build_similar_lists", "--language", "de")

    def test_the_lists_of_some_articles_only(self):
        """What ``manage.py bench`` prepares: the lists of the articles it names, no others."""
        from articles.similar import similar_lists_build_all

        shared = make_tag("Shared")
        articles = [make_article(f"Listed {n}", tags=(shared,), days_ago=n + 1) for n in range(3)]
        SimilarList.objects.all().delete()
        self.assertEqual(similar_lists_build_all(article_ids=[articles[1].pk], languages=["en"]), 1)
        self.assertEqual(list(SimilarList.objects.values_list("article_id", "language")), [(articles[1].pk, "en")])


@override_settings(ARTICLES_SIMILAR_LIMIT=2)
class TiesTests(TestCase):
    """Candidates with as many shared tags and the same date rank by id, the higher first: in the rule
    (``similar_to``), in the stored lists (what is kept, what is shown, the floor a changed article is compared
    with) and on the page. Factory articles otherwise all get different dates, so nothing else tells the id
    tie-break from its reverse."""

    def setUp(self):
        self.tag, self.other = make_tag("Tied"), make_tag("Other")
        self.moment = timezone.now() - timedelta(days=3)
        self.main = make_article("Main", tags=(self.tag,), days_ago=10)
        # Two shown, four stored: the six tied candidates cross both cuts.
        self.tied = [make_article(f"Tied {n}", tags=(self.tag,), published_at=self.moment) for n in range(6)]
        self.highest_first = sorted((article.pk for article in self.tied), reverse=True)

    def shown(self, language: str = "en") -> list[int]:
        page = article_page(slug=getattr(self.main, f"slug_{language}"), language=language)
        return [item.pk for item in page.similar_articles]

    def test_the_rule_ranks_tied_candidates_by_id_the_higher_first(self):
        self.assertEqual([a.pk for a in Article.objects.similar_to(self.main, "en", limit=6)], self.highest_first)
        self.assertEqual([a.pk for a in Article.objects.similar_to(self.main, "en", limit=2)], self.highest_first[:2])

    def test_a_stored_list_keeps_and_shows_the_highest_ids(self):
        self.assertEqual(self.shown(), self.highest_first[:2])  # made by this first reading
        kept = SimilarArticle.objects.filter(article=self.main, language="en")
        self.assertEqual(sorted(kept.values_list("similar_id", flat=True), reverse=True), self.highest_first[:4])
        header = SimilarList.objects.get(article=self.main, language="en")
        self.assertEqual((header.has_more, header.floor_similar_id), (True, self.highest_first[3]))
        self.assertEqual(self.shown(), self.highest_first[:2])  # read back with the page
        self.assertEqual([pk for pk, _shared in stored(self.main, "en")], self.highest_first[:2])

    def test_a_tied_article_published_later_enters_above_the_floor_by_its_id(self):
        self.shown()
        newcomer = make_article("Newcomer", tags=(self.other,), published_at=self.moment, published=("tr",))
        newcomer.tags.add(self.tag)
        newcomer.is_published_en = True
        newcomer.save()
        expected = [newcomer.pk, *self.highest_first[:1]]
        self.assertEqual(self.shown(), expected)
        self.assertEqual([pk for pk, _shared in stored(self.main, "en")], expected)
        self.assertEqual([a.pk for a in Article.objects.similar_to(self.main, "en", limit=2)], expected)
        self.assertTrue(SimilarArticle.objects.filter(article=self.main, language="en", similar=newcomer).exists())

    def test_a_list_keeps_the_best_four_when_an_article_due_this_very_instant_enters(self):
        """A list that takes in a new candidate keeps ``depth()`` due rows, counting one published at this very
        instant as due."""
        with clock_at(self.moment):
            self.shown()
            newcomer = make_article("Newcomer", tags=(self.other,), published_at=self.moment, published=("tr",))
            newcomer.tags.add(self.tag)
            newcomer.is_published_en = True
            newcomer.save()
            kept = SimilarArticle.objects.filter(article=self.main, language="en").values_list("similar_id", flat=True)
            self.assertEqual(sorted(kept, reverse=True), [newcomer.pk, *self.highest_first[:3]])
            self.assertEqual(self.shown(), [newcomer.pk, self.highest_first[0]])

    def test_a_stored_list_left_short_shows_what_the_rule_gives(self):
        """A list that says more candidates exist but holds fewer due rows than a page shows (rows removed behind the
        upkeep's back: a raw delete, a partial restore) is answered from the tag links, ties by id as the rule."""
        self.shown()  # stored: the four highest ids, and "more exist"
        SimilarArticle.objects.filter(article=self.main, language="en", similar_id__in=self.highest_first[:3]).delete()
        self.assertEqual([row.similar_id for row in similar_rows(self.main.pk, "en")], self.highest_first[:2])
        self.assertEqual(self.shown(), self.highest_first[:2])
        SimilarArticle.objects.filter(article=self.main, language="en").delete()  # none left; the header remains
        self.assertEqual([row.similar_id for row in similar_rows(self.main.pk, "en")], self.highest_first[:2])
        self.assertEqual(self.shown(), self.highest_first[:2])

    def test_a_stored_list_left_short_never_shows_a_scheduled_article(self):
        self.shown()
        make_article("Scheduled", tags=(self.tag,), published_at=timezone.now() + timedelta(days=1))
        SimilarArticle.objects.filter(article=self.main, language="en", similar_published_at__lte=timezone.now()).delete()
        self.assertEqual([row.similar_id for row in similar_rows(self.main.pk, "en")], self.highest_first[:2])
        self.assertEqual(self.shown(), self.highest_first[:2])

    def test_articles_published_at_this_very_instant_are_read_from_the_stored_list(self):
        with clock_at(self.moment):
            self.shown()  # made at the instant the tied articles were published
            with self.assertNumQueries(1):  # the stored rows: no live computation
                self.assertEqual([row.similar_id for row in similar_rows(self.main.pk, "en")], self.highest_first[:2])

    def test_a_withdrawn_tied_article_leaves_its_place_to_the_next_id(self):
        self.shown()
        from articles.services import article_unpublish

        article_unpublish(articles=[Article.objects.get(pk=self.highest_first[0])], language="en")
        self.assertEqual(self.shown(), self.highest_first[1:3])
        self.assertEqual([pk for pk, _shared in stored(self.main, "en")], self.highest_first[1:3])

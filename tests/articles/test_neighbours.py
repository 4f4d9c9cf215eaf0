"""Previous and next links stored on the released variants: found on a first reading, forgotten by every save that
moves an article, right whatever the clock says."""
from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, ReleasedVariant
from articles.neighbours import nearest_ids, neighbours_link, neighbours_link_all
from articles.pages.reading import article_page
from articles.similar import similar_lists_build_all
from tests.factories import make_article, make_category


def links(article, language="en"):
    page = article_page(slug=getattr(article, f"slug_{language}"), language=language)
    return (
        page.previous_article.pk if page.previous_article else None,
        page.next_article.pk if page.next_article else None,
    )


class StoredLinksTests(TestCase):
    def setUp(self):
        cache.clear()
        self.category = make_category()
        self.first = make_article("Birinci", category=self.category, days_ago=30)
        self.second = make_article("İkinci", category=self.category, days_ago=20)
        self.third = make_article("Üçüncü", category=self.category, days_ago=10)

    def variant(self, article, language="en"):
        return ReleasedVariant.objects.get(article=article, language=language)

    def test_the_first_reading_stores_the_links_and_the_next_reads_them_with_the_page(self):
        self.assertFalse(self.variant(self.second).linked)
        self.assertEqual(links(self.second), (self.first.pk, self.third.pk))
        variant = self.variant(self.second)
        self.assertEqual((variant.linked, variant.previous_article_id, variant.next_article_id),
                         (True, self.first.pk, self.third.pk))
        links(self.first), links(self.third)
        with self.assertNumQueries(4):
            self.assertEqual(links(self.second), (self.first.pk, self.third.pk))

    def test_an_article_published_between_two_linked_ones_appears_on_both_pages(self):
        for article in (self.first, self.second, self.third):
            links(article)
        between = make_article("Arada", category=self.category, days_ago=15)
        self.assertEqual(links(self.second), (self.first.pk, between.pk))
        self.assertEqual(links(self.third), (between.pk, None))
        self.assertEqual(links(between), (self.second.pk, self.third.pk))

    def test_an_article_that_leaves_is_skipped_by_its_neighbours(self):
        for article in (self.first, self.second, self.third):
            links(article)
        self.second.is_published_en = False
        self.second.save()
        self.assertEqual(links(self.first), (None, self.third.pk))
        self.assertEqual(links(self.third), (self.first.pk, None))
        self.assertEqual(links(self.first, "ru"), (None, self.second.pk))  # still public in Russian

    def test_moving_to_another_category_or_date_relinks_both_places(self):
        for article in (self.first, self.second, self.third):
            links(article)
        elsewhere = make_category("Elsewhere", tr="Başka", ru="Другое")
        other = make_article("Öteki", category=elsewhere, days_ago=5)
        links(other)
        self.second.category = elsewhere
        self.second.save()
        self.assertEqual(links(self.first), (None, self.third.pk))
        self.assertEqual(links(other), (self.second.pk, None))
        self.first.published_at = timezone.now() - timedelta(days=1)
        self.first.save()
        self.assertEqual(links(self.third), (None, self.first.pk))

    def test_a_deleted_article_is_skipped(self):
        for article in (self.first, self.second, self.third):
            links(article)
        self.second.delete()
        self.assertEqual(links(self.first), (None, self.third.pk))
        self.assertEqual(links(self.third), (self.first.pk, None))

    def test_a_scheduled_neighbour_shows_when_its_date_comes_without_a_save(self):
        soon = make_article("Yakında", category=self.category, published_at=timezone.now() + timedelta(days=2))
        later = make_article("Sonra", category=self.category, published_at=timezone.now() + timedelta(days=4))
        self.assertEqual(links(self.third), (self.second.pk, None))  # stored: the next one is not due yet
        self.assertEqual(self.variant(self.third).next_article_id, soon.pk)
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=3)):
            self.assertEqual(links(self.third), (self.second.pk, soon.pk))
            self.assertEqual(links(soon), (self.third.pk, None))  # ``later`` is still to come
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=5)):
            self.assertEqual(links(soon), (self.third.pk, later.pk))

    def test_articles_of_one_date_link_by_id(self):
        same = [make_article(f"Aynı {n}", category=self.category, days_ago=40) for n in range(3)]
        Article.objects.filter(pk__in=[a.pk for a in same]).update(published_at=same[0].published_at)
        ReleasedVariant.objects.filter(article__in=same).update(published_at=same[0].published_at)
        self.assertEqual(links(same[1]), (same[0].pk, same[2].pk))
        self.assertEqual(links(same[2]), (same[1].pk, self.first.pk))
        self.assertEqual(links(same[0]), (None, same[1].pk))

    def test_links_found_while_a_save_forgot_them_are_not_stored(self):
        """A reader racing an editor's save: the save forgets the links (raising their version) after the reader
        read the version and before it stores what it found; the stale links are not stored."""
        real = nearest_ids
        raced = []

        def racing(article, language, *, scheduled=False):
            found = real(article, language, scheduled=scheduled)
            if not raced:
                raced.append(True)
                make_article("Yarışan", category=self.category, days_ago=15)  # lands between first and second
            return found

        with mock.patch("articles.neighbours.nearest_ids", side_effect=racing):
            self.assertEqual(neighbours_link(self.second, "en"), (self.first.pk, self.third.pk))
        self.assertFalse(self.variant(self.second).linked)

    def test_linking_in_advance_matches_the_readings(self):
        between = make_article("Arada", category=self.category, days_ago=15)
        similar_lists_build_all(languages=["en"])
        made = neighbours_link_all(languages=["en"])
        self.assertEqual(made, 4)
        for article, expected in ((self.first, (None, self.second.pk)), (self.second, (self.first.pk, between.pk)),
                                  (between, (self.second.pk, self.third.pk)), (self.third, (between.pk, None))):
            variant = self.variant(article)
            self.assertTrue(variant.linked)
            self.assertEqual((variant.previous_article_id, variant.next_article_id), expected)
        with self.assertNumQueries(4):
            self.assertEqual(links(between), (self.second.pk, self.third.pk))
        self.assertEqual(neighbours_link_all(languages=["en"]), 0)

    def test_fixtures_loaded_raw_forget_every_link(self):
        from django.core import serializers

        links(self.second)
        data = serializers.serialize("json", [self.first])
        for obj in serializers.deserialize("json", data):
            obj.save()
        self.assertFalse(ReleasedVariant.objects.filter(linked=True).exists())

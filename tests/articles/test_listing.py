"""Stored list counts (``articles.listing``) and what they buy: every list, feed and sitemap costs the same number of
queries on a small and on a larger archive, and the counts readers see are the articles they can open."""
from datetime import timedelta
from unittest import mock, skipUnless

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ListingCount
from articles.pages.sitemaps import TranslatedSitemap
from tests.factories import make_article, make_author, make_category, make_tag

LANGUAGES = ("tr", "en", "ru")


class ListingCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Energy")
        cls.other_tag = make_tag("Trade")
        cls.category = make_category()
        cls.author = make_author()

    def assert_counts_match_the_rule(self):
        """Every stored count equals counting the articles by the publication rule."""
        lists = [
            (ListingCount.ALL, 0, Article.objects.all()),
            (ListingCount.TAG, self.tag.pk, Article.objects.filter(tags=self.tag)),
            (ListingCount.TAG, self.other_tag.pk, Article.objects.filter(tags=self.other_tag)),
            (ListingCount.CATEGORY, self.category.pk, Article.objects.filter(category=self.category)),
            (ListingCount.AUTHOR, self.author.pk, Article.objects.filter(authors=self.author)),
        ]
        for kind, pk, articles in lists:
            together = ListingCount.objects.public_counts(kind, pk, [*LANGUAGES, ListingCount.ANY_LANGUAGE])
            public_anywhere = set()
            for code in LANGUAGES:
                with self.subTest(kind=kind, language=code):
                    expected = articles.published(code).count()
                    public_anywhere |= set(articles.published(code).values_list("pk", flat=True))
                    self.assertEqual(ListingCount.objects.public_count(kind, pk, code), expected)
                    self.assertEqual(together[code], expected)
                    self.assertEqual(code in ListingCount.objects.public_languages(kind, pk), expected > 0)
            if kind == ListingCount.ALL:
                self.assertEqual(together[ListingCount.ANY_LANGUAGE], len(public_anywhere))

    def test_counts_follow_every_change_of_what_a_list_holds(self):
        first = make_article("First", category=self.category, tags=(self.tag,))
        first.authors.add(self.author)
        second = make_article("Second", languages=("tr", "en"), published=("tr",), tags=(self.tag, self.other_tag))
        self.assert_counts_match_the_rule()
        second.is_published_en = True  # released in one more language
        second.save()
        self.assert_counts_match_the_rule()
        first.tags.remove(self.tag)  # retagged
        second.category = self.category  # moved
        second.save()
        second.authors.add(self.author)
        self.assert_counts_match_the_rule()
        first.is_published_ru = False
        first.save()
        self.assert_counts_match_the_rule()
        first.delete()
        self.assert_counts_match_the_rule()

    def test_a_scheduled_article_counts_only_once_its_date_has_come(self):
        make_article("Now", tags=(self.tag,))
        later = make_article("Later", tags=(self.tag, self.other_tag), published_at=timezone.now() + timedelta(days=2))
        elsewhere = make_article("Elsewhere later", tags=(self.other_tag,), published_at=timezone.now() + timedelta(days=3))
        self.assertEqual(ListingCount.objects.public_count(ListingCount.TAG, self.tag.pk, "en"), 1)
        # Only the list's own scheduled articles are left out, for every kind of list.
        category, author = make_category(), make_author()
        for article in (later, elsewhere):
            article.category = category if article is later else None
            article.save()
        later.authors.add(author)
        make_article("Now too", category=category).authors.add(author)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.CATEGORY, category.pk, "en"), 1)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.AUTHOR, author.pk, "en"), 1)
        self.assertEqual(ListingCount.objects.public_count(ListingCount.ALL, 0, "en"), 2)
        # Scheduled in one language only: every language's count at once leaves it out of that language's alone.
        make_article("Later in Turkish", languages=("tr",), tags=(self.tag,), published_at=timezone.now() + timedelta(days=1))
        make_article("Now in Russian", languages=("ru",), tags=(self.tag,))
        self.assert_counts_match_the_rule()
        self.assertEqual(ListingCount.objects.public_languages(ListingCount.TAG, self.other_tag.pk), [])
        Article.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
        ListingCount.objects.filter(kind=ListingCount.TAG).update(first_published_at=timezone.now() - timedelta(minutes=1))
        self.assertEqual(ListingCount.objects.public_languages(ListingCount.TAG, self.other_tag.pk), list(LANGUAGES))

    def test_the_tag_page_shows_the_stored_count(self):
        for n in range(3):
            make_article(f"Tagged {n}", tags=(self.tag,), days_ago=n + 1)
        make_article("Tagged later", tags=(self.tag,), published_at=timezone.now() + timedelta(days=1))
        response = self.client.get(self.tag.url_in("en"))
        self.assertContains(response, "3 articles")

    def test_rebuilding_every_count_gives_the_counts_kept_on_save(self):
        from articles.listing import listing_counts_rebuild_all

        article = make_article("Kept", category=self.category, tags=(self.tag,))
        article.authors.add(self.author)
        kept = set(ListingCount.objects.filter(released__gt=0).values_list("kind", "object_id", "language", "released"))
        listing_counts_rebuild_all()
        rebuilt = set(ListingCount.objects.values_list("kind", "object_id", "language", "released"))
        self.assertEqual(rebuilt, kept)


@override_settings(ARTICLES_PAGE_CACHE_SECONDS=0)
class ConstantQueriesTests(TestCase):
    """Each public list answers with as many queries on an archive five times larger (the page cache off)."""

    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Energy")
        cls.category = make_category()
        cls.author = make_author()
        cls.grow(8)

    @classmethod
    def grow(cls, count: int) -> None:
        for n in range(count):
            article = make_article(
                f"Piece {Article.objects.count()}", category=cls.category, tags=(cls.tag,), days_ago=n + 1
            )
            article.authors.add(cls.author)

    def urls(self) -> dict[str, str]:
        from django.urls import reverse
        from django.utils import translation

        newest_first = list(Article.objects.published("en").values_list("pk", flat=True))
        with translation.override("en"):
            return {
                "home": "/en/",
                "older page": f"/en/?before={newest_first[2]}",
                "deepest page": f"/en/?before={newest_first[-2]}",
                "tag": self.tag.url_in("en"),
                "category": self.category.url_in("en"),
                "author": self.author.get_absolute_url(),
                "authors": reverse("articles:authors"),
                "feed": reverse("articles:feed"),
                "tag feed": reverse("articles:tag_feed", kwargs={"slug": self.tag.slug_en}),
                "sitemap": "/sitemap.xml",
                "sitemap section": "/sitemap-articles.xml",
            }

    def queries(self) -> dict[str, int]:
        counted = {}
        for name, url in self.urls().items():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            counted[name] = len(queries)
        return counted

    def test_every_list_costs_the_same_queries_on_a_larger_archive(self):
        # Sitemap files of 5 URLs: both archives are served as an index of several files, as a real archive is.
        with self.settings(ARTICLES_PAGE_SIZE=3), mock.patch.object(TranslatedSitemap, "limit", 5):
            small = self.queries()
            self.grow(32)
            large = self.queries()
        self.assertEqual(large, small)


class KeysetPageCacheTests(TestCase):
    def test_older_pages_are_cached_and_follow_a_change(self):
        for n in range(12):
            make_article(f"Filler {n}", days_ago=n + 1)
        newest_first = list(Article.objects.published("en").values_list("pk", flat=True))
        url = f"/en/?before={newest_first[9]}"
        cache.clear()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        make_article("Fresh", days_ago=0)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")


class EmptyArchiveTests(TestCase):
    def test_an_empty_home_page_answers_and_an_empty_later_page_is_missing(self):
        self.assertEqual(self.client.get("/en/").status_code, 200)
        self.assertEqual(self.client.get("/en/?before=1").status_code, 404)


@override_settings(ARTICLES_PAGE_SIZE=3)
class TagListWaysTests(TestCase):
    """A tag's or an author's page reads a long list by date and a short one through the tag or author: readers see
    the same list either way."""

    @classmethod
    def setUpTestData(cls):
        cls.common = make_tag("Energy")
        cls.rare = make_tag("Trade")
        same_day = timezone.now() - timedelta(days=3)
        cls.articles = []
        for n in range(12):
            # Three share one date (a tie broken by id), one is Turkish-only, one is scheduled.
            published_at = same_day if n in (4, 5, 6) else timezone.now() - timedelta(days=n + 1, hours=n)
            if n == 11:
                published_at = timezone.now() + timedelta(days=1)
            tags = (cls.common, cls.rare) if n in (2, 5) else (cls.common,)
            languages = ("tr",) if n == 8 else LANGUAGES
            cls.articles.append(make_article(f"Piece {n}", tags=tags, published_at=published_at, languages=languages))
        cls.prolific, cls.occasional = make_author("Ayşe", "Yılmaz"), make_author("Олег", "Петров")
        for article in cls.articles:
            article.authors.add(cls.prolific, *([cls.occasional] if article in cls.articles[2:6:3] else []))
        make_article("Untagged")
        make_article("Elsewhere", tags=(make_tag("Defence"),))  # tagged, but not with these
        make_article("Someone else's").authors.add(make_author("Mehmet", "Demir"))  # written, but not by these

    def read_list(self, tag) -> list[int]:
        """Every article of the tag's English page, following the "older" links to the end."""
        from django.utils import translation

        with translation.override("en"):
            url = tag.url_in("en") if hasattr(tag, "url_in") else tag.get_absolute_url()
        seen = []
        while url:
            cache.clear()  # the page's own reading, not the page cache's copy
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            seen += [article.pk for article in response.context["articles"]]
            url = response.context["page_obj"].older_url
        return seen

    def expected(self, listed) -> list[int]:
        articles = Article.objects.filter(**{"tags" if hasattr(listed, "url_in") else "authors": listed})
        return list(articles.published("en").order_by("-published_at", "-pk").values_list("pk", flat=True))

    def test_a_common_tag_is_walked_by_date_and_a_rare_one_read_through_the_tag(self):
        rows = 4  # a page of three and one more
        self.assertTrue(ListingCount.objects.is_common(ListingCount.TAG, self.common.pk, "en", rows=rows))
        self.assertFalse(ListingCount.objects.is_common(ListingCount.TAG, self.rare.pk, "en", rows=rows))
        self.assertFalse(ListingCount.objects.is_common(ListingCount.TAG, make_tag("Unused").pk, "en", rows=rows))
        self.assertTrue(ListingCount.objects.is_common(ListingCount.AUTHOR, self.prolific.pk, "en", rows=rows))
        self.assertFalse(ListingCount.objects.is_common(ListingCount.AUTHOR, self.occasional.pk, "en", rows=rows))

    def test_both_ways_list_the_same_articles_newest_first_ties_by_id(self):
        for listed_by in (self.common, self.rare, self.prolific, self.occasional):
            with self.subTest(listed_by=str(listed_by)):
                expected = self.expected(listed_by)
                self.assertEqual(self.read_list(listed_by), expected)
        tied = [a.pk for a in self.articles[4:7]]
        for listed_by in (self.common, self.prolific):
            listed = self.read_list(listed_by)
            self.assertEqual([pk for pk in listed if pk in tied], sorted(tied, reverse=True))
            self.assertNotIn(self.articles[8].pk, listed)  # not in English
            self.assertNotIn(self.articles[11].pk, listed)  # its date is to come

    def test_newer_links_walk_back_to_the_first_page_and_numbered_links_still_land(self):
        """A tag's and an author's pages, read on the released variants, go back with "newer" links exactly as they
        went forward, and an old ``?page=2`` link lands on the second page's keyset address."""
        from django.utils import translation

        for listed_by in (self.common, self.rare, self.prolific, self.occasional):
            with self.subTest(listed_by=str(listed_by)), translation.override("en"):
                first = listed_by.url_in("en") if hasattr(listed_by, "url_in") else listed_by.get_absolute_url()
                pages, urls, url = [], [], first
                while url:
                    cache.clear()
                    response = self.client.get(url)
                    pages.append([article.pk for article in response.context["articles"]])
                    urls.append(url)
                    url = response.context["page_obj"].older_url
                if len(pages) < 3:
                    continue
                back, url = [], response.context["page_obj"].newer_url  # from the last page
                while True:
                    cache.clear()
                    response = self.client.get(url)
                    if response.status_code != 200:
                        break
                    back.append([article.pk for article in response.context["articles"]])
                    url = response.context["page_obj"].newer_url
                self.assertRedirects(response, first, fetch_redirect_response=False)  # the newest: the first page
                self.assertEqual(back, pages[1:-1][::-1])
                second = self.client.get(f"{first}?page=2")
                self.assertEqual(second.status_code, 301)
                self.assertEqual(self.client.get(second["Location"]).context["articles"][0].pk, pages[1][0])

    @override_settings(ARTICLES_API_PAGE_SIZE=2)
    def test_the_apis_lists_follow_their_cursors_to_the_end_as_the_pages_do(self):
        """The read API's ``?tag=`` and ``?author=`` lists (walked on the released variants), alone and combined with
        each other and a category, page by cursor through exactly the articles the rule gives, ties by id."""
        def api_list(query: str) -> list[int]:
            url, seen = f"/api/v1/en/articles/?{query}", []
            while url:
                data = self.client.get(url).json()
                seen += [item["id"] for item in data["results"]]
                url = data["next"]
            return seen

        for listed_by in (self.common, self.rare, self.prolific, self.occasional):
            with self.subTest(listed_by=str(listed_by)):
                query = f"tag={listed_by.slug_en}" if hasattr(listed_by, "url_in") else f"author={listed_by.slug}"
                self.assertEqual(api_list(query), self.expected(listed_by))
        category = make_category("Narrow")
        Article.objects.filter(pk__in=[self.articles[n].pk for n in (2, 4, 5, 9)]).update(category=category)
        both = [pk for pk in self.expected(self.common) if pk in set(self.expected(self.prolific))]
        in_category = [pk for pk in both if pk in {self.articles[n].pk for n in (2, 4, 5, 9)}]
        combined = f"tag={self.common.slug_en}&author={self.prolific.slug}"
        self.assertEqual(api_list(combined), both)
        self.assertEqual(api_list(f"{combined}&category={category.slug_en}"), in_category)

    def test_the_tag_feed_and_the_api_agree_with_the_page(self):
        from django.urls import reverse
        from django.utils import translation

        expected = self.expected(self.common)
        with translation.override("en"):
            feed = self.client.get(reverse("articles:tag_feed", kwargs={"slug": self.common.slug_en}))
        titles = [Article.objects.get(pk=pk).title_en for pk in expected]
        body = feed.content.decode()
        positions = [body.index(f"<title>{title}</title>") for title in titles]
        self.assertEqual(positions, sorted(positions))
        api = self.client.get(f"/api/v1/en/articles/?tag={self.common.slug_en}").json()
        self.assertEqual([item["id"] for item in api["results"]], expected[: len(api["results"])])


@skipUnless(connection.vendor == "sqlite", "SQLite's planner; PostgreSQL takes the tighter of two bounds itself")
class DeepPageWorkTests(TestCase):
    """An older page starts reading at its cursor: the work of the deepest page does not grow with the newer
    articles above it (SQLite walked the date index down from "now", the publication rule's bound)."""

    def steps(self, url: str) -> int:
        """SQLite virtual-machine steps of one request for ``url``, the page cache emptied."""
        counted = [0]

        def count() -> int:
            counted[0] += 1
            return 0

        cache.clear()
        connection.ensure_connection()
        connection.connection.set_progress_handler(count, 1)
        try:
            self.assertEqual(self.client.get(url).status_code, 200)
        finally:
            connection.connection.set_progress_handler(None, 1)
        return counted[0]

    def test_the_deepest_page_costs_the_same_with_many_more_newer_articles(self):
        oldest = [make_article(f"Old {n}", languages=("en",), days_ago=1000 + n) for n in range(3)]
        for n in range(20):
            make_article(f"New {n}", languages=("en",), days_ago=n + 1)
        deepest = f"/en/?before={oldest[1].pk}"
        small = self.steps(deepest)
        for n in range(300):
            make_article(f"Newer {n}", languages=("en",), days_ago=1 + n % 500)
        larger = self.steps(deepest)
        self.assertLess(larger, small * 1.1, "the page walked the newer articles' dates")

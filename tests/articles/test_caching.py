"""Readers' pages come from the cache until a save changes what they show, and never stale after it."""
from __future__ import annotations

from datetime import timedelta
from unittest import mock

from bs4 import BeautifulSoup
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from articles.pages import caching
from articles.pages.caching import PAGE_PREFIX, PageCacheMiddleware, page_cache
from articles.services import article_publish, article_unpublish
from publishing.breaker import service_recovered
from tests.clock import LOCAL_MEMORY_CACHES, clock_at, clock_moved
from tests.factories import make_article, make_author, make_category, make_tag
from tests.pagecache import only_the_stamps_read
from tests.security.helpers import make_editor


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.korea, cls.russia, cls.other = make_tag("Korea"), make_tag("Russia"), make_tag("Other")
        cls.author = make_author("Hatice", "Çiftçioğlu")
        cls.article = make_article("Main", category=cls.category, tags=(cls.korea, cls.russia), days_ago=3)
        cls.article.authors.add(cls.author)
        cls.neighbour = make_article("Neighbour", category=cls.category, tags=(cls.korea,), days_ago=5)
        cls.unrelated = make_article("Unrelated", tags=(cls.other,), days_ago=4)

    def get(self, url):
        return self.client.get(url)

    def similar_titles(self, url) -> list[str]:
        return [a.get_text() for a in soup(self.get(url)).select("#similar-posts a")]

    def clock_caches_emptied(self):
        """The local-memory caches of ``LOCAL_MEMORY_CACHES`` outlive a test (no rollback empties them): another
        test's page of the same URL must not answer this one."""
        page_cache().clear()
        caching.stamp_cache().clear()

    def assert_cached(self, url):
        with only_the_stamps_read(self):
            response = self.get(url)
        self.assertEqual(response["X-Page-Cache"], "hit")
        return response

    def test_a_second_reading_is_served_from_the_cache_without_queries(self):
        for url in ("/en/", self.article.url_in("en"), self.korea.url_in("en"), self.category.url_in("en"),
                    self.author.get_absolute_url().replace("/tr/", "/en/"), "/en/authors/"):
            with self.subTest(url):
                first = self.get(url)
                self.assertEqual(first.status_code, 200)
                self.assertEqual(self.assert_cached(url).content, first.content)

    def test_editing_a_title_shows_at_once_everywhere_it_appears(self):
        urls = ["/en/", self.article.url_in("en"), self.neighbour.url_in("en"), self.korea.url_in("en"),
                self.category.url_in("en")]
        for url in urls:
            self.get(url)
        self.article.title_en = "Main, corrected"
        self.article.save()
        for url in urls:
            with self.subTest(url):
                self.assertIn("Main, corrected", self.get(url).content.decode())

    def test_a_new_article_in_the_category_becomes_the_neighbours_next_link(self):
        older_url = self.neighbour.url_in("en")
        self.assertEqual(soup(self.get(older_url)).select_one(".post__next").get_text(" ", strip=True),
                         "Next in this category Main en")
        make_article("Between", category=self.category, days_ago=4)
        self.assertEqual(soup(self.get(older_url)).select_one(".post__next").get_text(" ", strip=True),
                         "Next in this category Between en")

    def test_an_edit_leaves_the_pages_it_does_not_touch_cached(self):
        self.get(self.unrelated.url_in("en"))
        self.get(self.other.url_in("en"))
        self.article.title_en = "Main, corrected"
        self.article.save()
        self.assert_cached(self.unrelated.url_in("en"))
        self.assert_cached(self.other.url_in("en"))

    def test_publishing_adds_the_article_to_lists_and_to_the_similar_posts_of_others(self):
        draft = make_article("Fresh", tags=(self.korea, self.russia), published=("tr",), days_ago=0)
        self.get("/en/"), self.get(self.korea.url_in("en"))
        self.assertNotIn("Fresh en", self.similar_titles(self.article.url_in("en")))
        article_publish(articles=[draft], language="en")
        self.assertIn("Fresh en", self.get("/en/").content.decode())
        self.assertIn("Fresh en", self.get(self.korea.url_in("en")).content.decode())
        self.assertEqual(self.similar_titles(self.article.url_in("en"))[0], "Fresh en")
        self.assertEqual(self.get(draft.url_in("en")).status_code, 200)

    def test_unpublishing_removes_it_from_every_cached_page(self):
        urls = ["/en/", self.korea.url_in("en"), self.article.url_in("en")]
        self.assertIn("Neighbour en", self.similar_titles(self.article.url_in("en")))
        for url in urls:
            self.get(url)
        article_unpublish(articles=[self.neighbour], language="en")
        for url in urls:
            with self.subTest(url):
                self.assertNotIn("Neighbour en", self.get(url).content.decode())
        self.assertEqual(self.get(self.neighbour.url_in("en")).status_code, 404)

    def test_translating_adds_the_language_to_the_other_languages_pages(self):
        article = make_article("Translated later", tags=(self.korea,), languages=("tr", "en"))
        self.assertNotIn('hreflang="ru"', str(soup(self.get(article.url_in("en"))).select_one(".post-translations")))
        article.title_ru = "Переведено"
        article.body_ru = "<p>Текст.</p>"
        article.is_published_ru = True
        article.save()
        links = soup(self.get(article.url_in("en"))).select(".post-translations a")
        self.assertIn("ru", [a["hreflang"] for a in links])
        self.assertIn("Переведено", self.get("/ru/").content.decode())

    def test_retagging_updates_tag_pages_and_similar_posts(self):
        self.assertIn("Neighbour en", self.similar_titles(self.article.url_in("en")))
        self.get(self.korea.url_in("en")), self.get(self.other.url_in("en"))
        self.neighbour.tags.set([self.other])
        self.assertNotIn("Neighbour en", self.similar_titles(self.article.url_in("en")))
        self.assertNotIn("Neighbour en", self.get(self.korea.url_in("en")).content.decode())
        self.assertIn("Neighbour en", self.get(self.other.url_in("en")).content.decode())
        self.assertIn("Neighbour en", self.similar_titles(self.unrelated.url_in("en")))

    def test_renaming_a_tag_category_or_author_shows_on_the_article_page(self):
        url = self.article.url_in("en")
        self.get(url)
        self.korea.name_en = "Korean Peninsula"
        self.korea.save()
        self.assertIn("Korean Peninsula", self.get(url).content.decode())
        self.category.name_en = "Commentary"
        self.category.save()
        self.assertIn("Commentary", self.get(url).content.decode())
        self.author.family_name = "Yılmaz"
        self.author.save()
        self.assertIn("YILMAZ", self.get(url).content.decode())

    def test_deleting_a_tag_or_an_article_shows_at_once(self):
        url = self.article.url_in("en")
        self.assertEqual(self.similar_titles(url), ["Neighbour en"])
        tag_url = self.korea.url_in("en")
        self.get(tag_url)
        self.korea.delete()
        self.assertEqual(self.similar_titles(url), [])
        self.assertNotIn("Korea", str(soup(self.get(url)).select_one(".post__tags")))
        self.assertEqual(self.get(tag_url).status_code, 404)
        self.article.tags.add(self.other)
        self.assertEqual(self.similar_titles(url), ["Unrelated en"])
        self.unrelated.delete()
        self.assertEqual(self.similar_titles(url), [])

    @override_settings(CACHES=LOCAL_MEMORY_CACHES)
    def test_a_scheduled_article_appears_when_its_date_comes(self):
        self.clock_caches_emptied()
        make_article("Soon", tags=(self.korea,), published_at=timezone.now() + timedelta(seconds=60))
        self.assertNotIn("Soon en", self.get("/en/").content.decode())
        self.assertNotIn("Soon en", self.get(self.article.url_in("en")).content.decode())
        self.assert_cached("/en/")
        with clock_moved(61):
            self.assertIn("Soon en", self.get("/en/").content.decode())
            self.assertIn("Soon en", self.similar_titles(self.article.url_in("en")))

    def page_writes(self, url: str) -> list[int]:
        """The lifetimes (s) with which reading ``url`` stored pages in the page cache."""
        cache = page_cache()
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            self.get(url)
        return [call.kwargs["timeout"] for call in stored.call_args_list if call.args[0].startswith(PAGE_PREFIX)]

    def test_a_page_lives_no_longer_than_until_the_next_scheduled_article(self):
        make_article("Soon", tags=(self.korea,), published_at=timezone.now() + timedelta(seconds=120))
        lifetimes = self.page_writes("/en/")
        self.assertEqual(len(lifetimes), 1)
        self.assertTrue(60 <= lifetimes[0] <= 120, lifetimes)

    def test_a_page_about_to_expire_is_not_stored(self):
        """Less than a second before the next article is due a page is made for this reader only: its lifetime
        would round to 0 s, a cache write (after the dependency reads) of a page the backend must drop at once."""
        due = timezone.now() + timedelta(seconds=60)
        make_article("Soon", tags=(self.korea,), published_at=due)
        with clock_at(due - timedelta(seconds=0.5)):
            self.assertEqual(self.page_writes("/en/"), [])
            self.assertEqual(self.get("/en/")["X-Page-Cache"], "miss")

    def test_editors_and_readers_with_messages_get_fresh_pages_and_never_fill_the_cache(self):
        url = self.article.url_in("en")
        self.client.force_login(make_editor())
        self.assertEqual(self.get(url)["X-Page-Cache"] if "X-Page-Cache" in self.get(url) else "none", "none")
        self.client.logout()
        self.client.cookies.clear()
        self.assertEqual(self.get(url)["X-Page-Cache"], "miss")
        storage = CookieStorage(HttpRequest())
        storage.add(constants.INFO, "Hello")
        self.client.cookies["messages"] = storage._encode(storage._queued_messages)
        self.assertNotIn("X-Page-Cache", self.get(url))

    def test_a_cached_page_is_refused_to_a_host_the_site_does_not_serve(self):
        url = self.article.url_in("en")
        self.get(url)
        self.assert_cached(url)
        for host in ("evil.example", "testserver.evil.example", "127.0.0.1:8000@evil.example"):
            with self.subTest(host), self.assertLogs("django.security.DisallowedHost", "ERROR"):
                response = self.client.get(url, headers={"host": host})
                self.assertEqual(response.status_code, 400)
                self.assertNotIn("X-Page-Cache", response)
                self.assertNotContains(response, "Main en", status_code=400)

    def test_a_cache_back_after_an_outage_forgets_the_pages_it_kept_from_before(self):
        """Saves made while the cache was unreachable could not stamp it: its pages from before must go."""
        urls = ["/en/", self.article.url_in("en"), self.korea.url_in("en")]
        for url in urls:
            self.get(url)
            self.assert_cached(url)
        service_recovered.send(sender="Redis cache 127.0.0.1:6379/0")
        for url in urls:
            with self.subTest(url):
                self.assertEqual(self.get(url)["X-Page-Cache"], "miss")
                self.assert_cached(url)

    def test_a_cached_page_keeps_its_language_and_answers_a_matching_etag_with_304(self):
        url = self.article.url_in("ru")
        made = self.get(url)
        cached = self.assert_cached(url)
        self.assertEqual((made["Content-Language"], cached["Content-Language"]), ("ru", "ru"))
        unchanged = self.client.get(url, headers={"if-none-match": made["ETag"]})
        self.assertEqual((unchanged.status_code, unchanged["X-Page-Cache"]), (304, "hit"))

    def test_a_page_is_not_kept_when_what_it_shows_changed_while_it_was_made(self):
        """A save stamped at the nanosecond the page was started, or later, may not be in it: it is not kept."""
        name = caching.article_dependency(self.article.pk)
        with mock.patch.object(caching.time, "time_ns", return_value=10**18):
            caching.dependencies_changed([name])
        for started, kept in ((10**18, False), (10**18 + 1, True)):
            with self.subTest(started=started):
                entry = caching.store_entry("race", names={name}, started=started, expires_at=None, values={})
                self.assertEqual(entry is not None, kept)

    def test_a_page_kept_before_etags_and_expiry_were_stored_is_served_with_its_contents_etag(self):
        """Pages kept by the version before: no ETag (made from the content) and no expiry (the whole lifetime)."""
        url = self.article.url_in("en")
        made = self.get(url)
        key = caching._page_key(RequestFactory().get(url))
        entry = page_cache().get(key)
        del entry["etag"], entry["expires"]
        page_cache().set(key, entry)
        cached = self.assert_cached(url)
        self.assertEqual((cached.content, cached["ETag"]), (made.content, made["ETag"]))
        self.assertIn("s-maxage=600", cached["Cache-Control"])

    @override_settings(CACHES=LOCAL_MEMORY_CACHES)
    def test_a_proxy_keeps_a_cached_page_only_for_what_remains_of_its_lifetime(self):
        self.clock_caches_emptied()
        url, moment = self.article.url_in("en"), timezone.now()
        with clock_at(moment):
            self.get(url)
        with clock_at(moment + timedelta(seconds=100)):
            self.assertIn("s-maxage=500", self.assert_cached(url)["Cache-Control"])

    def test_renaming_a_category_or_an_author_shows_on_the_lists_cards(self):
        urls = ["/en/", self.korea.url_in("en")]
        for url in urls:
            self.get(url)
        self.category.name_en = "Commentary"
        self.category.save()
        for url in urls:
            with self.subTest(url):
                card = soup(self.get(url)).find("a", string="Main en").find_parent("article")
                self.assertEqual(card.select_one(".card__category").get_text(), "Commentary")
        self.author.family_name = "Yılmaz"
        self.author.save()
        for url in urls:
            with self.subTest(url):
                card = soup(self.get(url)).find("a", string="Main en").find_parent("article")
                self.assertIn("YILMAZ", card.select_one(".card__meta").get_text())

    def test_a_page_naming_no_dependencies_or_setting_a_cookie_is_never_kept(self):
        """Nothing would forget a page that names no dependencies, and a cookie is one reader's: such pages are
        made for each request and marked private (no view of the site is either, today)."""
        def bare(request):
            return TemplateResponse(request, engines["django"].from_string("made"), {})

        def with_cookie(request):
            response = TemplateResponse(request, engines["django"].from_string("made"), {"page_dependencies": {"x"}})
            response.set_cookie("reader", "1")
            return response

        for view in (bare, with_cookie):
            with self.subTest(view.__name__):
                for _reading in range(2):
                    response = caching.cached_page(view)(RequestFactory().get(f"/en/{view.__name__}/"))
                    response.render()
                    self.assertEqual(response["X-Page-Cache"], "miss")
                    self.assertIn("private", response["Cache-Control"])

    @override_settings(CACHES=LOCAL_MEMORY_CACHES)
    def test_a_one_second_lifetime_keeps_the_search_suggestions_too(self):
        self.clock_caches_emptied()
        made = []
        with clock_at(timezone.now()), override_settings(ARTICLES_PAGE_CACHE_SECONDS=1):
            for _reading in range(2):
                self.assertEqual(caching.cached_value("suggest:en:main", {"home:en"}, lambda: made.append(1) or "x"), "x")
        self.assertEqual(made, [1])

    def test_a_head_request_is_answered_from_the_cache_and_a_post_never(self):
        url = self.article.url_in("en")
        self.get(url)
        with only_the_stamps_read(self):
            self.assertEqual(self.client.head(url)["X-Page-Cache"], "hit")
        posted = self.client.post(url)
        self.assertNotIn("X-Page-Cache", posted)
        self.assertNotContains(posted, "Main en", status_code=posted.status_code)

    @override_settings(CACHES=LOCAL_MEMORY_CACHES)
    def test_a_lifetime_of_zero_turns_the_cache_off_and_one_second_keeps_pages(self):
        self.clock_caches_emptied()
        url = self.article.url_in("en")
        with clock_at(timezone.now()):  # a still clock: a one-second page does not expire between two readings
            with override_settings(ARTICLES_PAGE_CACHE_SECONDS=0):
                self.get(url)
                self.assertNotIn("X-Page-Cache", self.get(url))
            with override_settings(ARTICLES_PAGE_CACHE_SECONDS=1):
                self.assertEqual(self.get(url)["X-Page-Cache"], "miss")
                self.assert_cached(url)

    def test_a_request_without_a_query_string_is_cacheable(self):
        """WSGI lets a server leave ``QUERY_STRING`` out when there is none."""
        url = self.article.url_in("en")
        self.get(url)
        request = RequestFactory().get(url)
        del request.META["QUERY_STRING"]
        response = PageCacheMiddleware(lambda request: HttpResponse("made"))(request)
        self.assertEqual(response["X-Page-Cache"], "hit")

    @override_settings(CACHES=LOCAL_MEMORY_CACHES)
    def test_a_page_made_after_a_save_stays_cached_its_whole_lifetime(self):
        """The versions a save stamps never expire (the cache's default lifetime is 300 s, a page's 600 s): an
        expired version would make every page that recorded it again."""
        self.clock_caches_emptied()
        self.article.title_en = "Main, corrected"
        self.article.save()
        url = self.article.url_in("en")
        self.get(url)
        with clock_moved(590):
            self.assert_cached(url)

    def test_a_cache_or_proxy_failing_after_the_commit_does_not_undo_or_fail_the_save(self):
        """The second stamp and the proxy's purge run once the save is committed: when either fails the save
        stands and nothing is raised to the editor's request (the failures are logged)."""
        with override_settings(ARTICLES_FRONTEND_CACHE={"BACKEND": "unknown"}), self.assertLogs(level="ERROR") as logs:
            with self.captureOnCommitCallbacks(execute=True):
                self.article.title_en = "Main, saved anyway"
                self.article.save()
                failing = mock.patch.object(caching, "stamp_cache", side_effect=ConnectionError("cache gone"))
                failing.start()
                self.addCleanup(failing.stop)
        messages = "\n".join(logs.output)
        self.assertIn("cache gone", messages)
        self.assertIn("unknown BACKEND", messages)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title_en, "Main, saved anyway")

    def test_unknown_query_strings_are_not_cached(self):
        self.get("/en/?utm_source=x")
        self.assertNotIn("X-Page-Cache", self.get("/en/?utm_source=x"))
        self.get("/en/?page=1")
        self.assert_cached("/en/?page=1")


REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        # Nothing listens on port 1: every cache call fails at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@override_settings(CACHES=REDIS_DOWN, ARTICLES_PAGE_STAMPS_ALIAS="", DJANGO_REDIS_IGNORE_EXCEPTIONS=True,
                   DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=False)
class RedisDownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Korea")
        cls.article = make_article("Main", tags=(cls.tag,))
        cls.other = make_article("Other", tags=(cls.tag,))

    def test_the_site_serves_uncached_pages_and_saves_work(self):
        for url in ("/en/", self.article.url_in("en"), self.tag.url_in("en")):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 200)
        self.other.title_en = "Other, renamed"
        self.other.save()
        self.assertIn("Other, renamed", self.client.get(self.article.url_in("en")).content.decode())

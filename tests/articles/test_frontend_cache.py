"""The caching proxy in front: readers' pages carry Cache-Control, an ETag and a Surrogate-Key per dependency, an
editor's never; a save purges exactly the pages it changed. Then for real: Varnish with deploy/varnish/ankasam.vcl
in front of a live test server (skipped, saying why, where varnishd is not installed; .ci/run installs it)."""
from __future__ import annotations

import http.client
import os
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import LiveServerTestCase, TestCase, override_settings

from ankasam_site.loadgen import free_port
from ankasam_site.proxies import Varnish as VarnishProcess
from ankasam_site.proxies import program
from articles.pages import caching, frontend
from tests.factories import make_article, make_tag

VARNISHD = program("varnishd")


def keys(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


class ProxyHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tag = make_tag("Energy")
        cls.article = make_article("Pipeline", tags=(tag,))
        cls.other = make_article("Grid", tags=(tag,))

    def test_a_readers_page_is_public_for_the_page_caches_lifetime_with_its_dependencies_as_keys(self):
        url = self.article.url_in("en")
        made, cached = self.client.get(url), self.client.get(url)
        self.assertEqual((made["X-Page-Cache"], cached["X-Page-Cache"]), ("miss", "hit"))
        for response in (made, cached):
            self.assertRegex(response["Cache-Control"], r"^public, max-age=0, s-maxage=(600|599|598)$")
            self.assertLessEqual({caching.article_dependency(self.article.pk),
                                  caching.similar_dependency(self.article.pk, "en"), caching.EVERYTHING}, keys(response))
        self.assertEqual(keys(made), keys(cached))
        self.assertEqual(made["ETag"], cached["ETag"])
        unchanged = self.client.get(url, headers={"if-none-match": made["ETag"]})
        self.assertEqual((unchanged.status_code, unchanged.content), (304, b""))

    def test_an_editors_page_is_private_and_carries_no_keys(self):
        self.client.force_login(get_user_model().objects.create_superuser("editor", "e@example.org", "pw-long-enough"))
        response = self.client.get(self.article.url_in("en"))
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("Surrogate-Key", response)

    @override_settings(ARTICLES_FRONTEND_CACHE={"BACKEND": "varnish", "LOCATIONS": ["http://127.0.0.1:9"]})
    def test_a_save_purges_exactly_what_it_stamps_once_it_commits(self):
        self.client.get(self.other.url_in("en"))
        with mock.patch.object(frontend, "_ban") as ban, mock.patch.object(caching, "_stamp") as stamp:
            with self.captureOnCommitCallbacks(execute=False) as commit:
                self.article.title_en = "Pipeline, revised"
                self.article.save()
            ban.assert_not_called()  # not before the save is there to be read
            for callback in commit:
                callback()
        stamped = set().union(*(call.args[0] for call in stamp.call_args_list))
        purged = set().union(*(call.args[1] for call in ban.call_args_list))
        self.assertEqual(purged, stamped)
        self.assertIn(caching.article_dependency(self.article.pk), purged)
        self.assertNotIn(caching.article_dependency(self.other.pk), purged)
        self.assertEqual({call.args[0] for call in ban.call_args_list}, {"http://127.0.0.1:9"})

    def test_the_ban_expression_matches_whole_names_only(self):
        import re

        expression = re.compile(frontend.ban_expression(["article:1", "home:en"]))
        self.assertTrue(expression.search("site article:1 tag:3"))
        self.assertTrue(expression.search("home:en"))
        self.assertFalse(expression.search("article:12 article:10 home:eng"))

    @override_settings(ARTICLES_FRONTEND_CACHE={"BACKEND": "varnish", "LOCATIONS": [f"http://127.0.0.1:{free_port()}"]})
    def test_an_unreachable_proxy_does_not_undo_the_save(self):
        with self.assertLogs("articles.pages.frontend", "WARNING"), self.captureOnCommitCallbacks(execute=True):
            self.article.title_en = "Pipeline, saved anyway"
            self.article.save()
        self.article.refresh_from_db()
        self.assertEqual(self.article.title_en, "Pipeline, saved anyway")


class Varnish(VarnishProcess):
    """varnishd with the repository's VCL in front of the test server, and a reader's (or an editor's) request."""

    def get(self, path: str, **headers: str):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.body = response.read().decode()
        connection.close()
        return response


class VarnishTests(LiveServerTestCase):
    host = "127.0.0.1"

    def setUp(self):
        if VARNISHD is None:
            if os.environ.get("REQUIRE_VARNISH"):
                self.fail("varnishd is not installed, and REQUIRE_VARNISH is set")
            self.skipTest("varnishd is not installed (apt-get install varnish; .ci/run does)")
        self.varnish = self.enterContext(Varnish(self.server_thread.port))
        purge = override_settings(
            ARTICLES_FRONTEND_CACHE={"BACKEND": "varnish", "LOCATIONS": [f"http://127.0.0.1:{self.varnish.port}"]}
        )
        purge.enable()
        self.addCleanup(purge.disable)

    def test_a_save_on_the_app_server_is_on_the_next_page_through_the_proxy_and_nothing_else_is_purged(self):
        tag = make_tag("Energy")
        article, other = make_article("Pipeline", tags=(tag,)), make_article("Unrelated")
        page, unrelated = article.url_in("en"), other.url_in("en")
        for path in (page, unrelated):
            self.assertEqual(self.varnish.get(path).getheader("X-Cache"), "MISS")
            kept = self.varnish.get(path)
            self.assertEqual((kept.status, kept.getheader("X-Cache")), (200, "HIT"))
            self.assertIsNone(kept.getheader("Surrogate-Key"))  # the keys stay between the site and its proxy
        article.title_en = "Pipeline, revised"
        article.save()  # autocommit: the purge goes out as the save commits
        after = self.varnish.get(page)
        self.assertEqual(after.getheader("X-Cache"), "MISS")
        self.assertIn("Pipeline, revised", after.body)
        self.assertEqual(self.varnish.get(page).getheader("X-Cache"), "HIT")
        self.assertEqual(self.varnish.get(unrelated).getheader("X-Cache"), "HIT")

    def test_an_editors_or_translators_page_is_never_kept_by_the_proxy(self):
        article = make_article("Pipeline")
        user = get_user_model().objects.create_user("translator", "t@example.org", "a-long-password", is_staff=True)
        self.client.force_login(user)
        session = f"sessionid={self.client.cookies['sessionid'].value}"
        for path in (article.url_in("en"), "/admin/"):
            for _time in range(2):
                response = self.varnish.get(path, Cookie=session)
                self.assertEqual(response.getheader("X-Cache"), "MISS", path)
        self.assertEqual(self.varnish.get(article.url_in("en")).getheader("X-Cache"), "MISS")  # a reader's first

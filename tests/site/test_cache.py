"""The production cache (ankasam_site/cache.py) against a Redis that accepts connections and never answers: the first
call waits its bounded timeout, every later one during the pause is answered empty at once without reaching the
port, pages are served uncached, and the outage is logged once."""
from __future__ import annotations

from django.core.cache import caches
from django.test import TestCase, override_settings

from ankasam_site import cache as guarded_cache
from tests.factories import make_article, make_tag
from tests.faults.services import BlackHole


def redis_caches(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "ankasam_site.cache.GuardedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                # Longer than the test: every call after the first falls in the pause, whatever the machine's speed.
                "BREAKER_PAUSE": 600,
            },
        }
    }


class BlackHoledRedisTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Held up", tags=(make_tag("Korea"),))

    def setUp(self):
        self.hole = BlackHole().__enter__()
        self.addCleanup(self.hole.__exit__)
        guarded_cache._breakers.clear()
        self.addCleanup(guarded_cache._breakers.clear)
        settings = override_settings(CACHES=redis_caches(self.hole.port), ARTICLES_PAGE_STAMPS_ALIAS="")
        settings.enable()
        self.addCleanup(settings.disable)

    def test_one_call_reaches_the_silent_port_and_the_rest_are_answered_empty(self):
        cache = caches["default"]
        with self.assertLogs("publishing.breaker", "ERROR") as logs:
            for number in range(30):
                self.assertIsNone(cache.get(f"key{number}"))
                self.assertEqual(cache.get_many(["a", "b"]), {})
                cache.set("a", number)
                self.assertEqual(cache.get("a", "fallback"), "fallback")
        self.assertEqual(self.hole.connections, 1, "only the first call went to Redis")
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertTrue(cache.breaker.is_open)
        self.assertEqual(cache.breaker.skipped, 30 * 4 - 1)

    def test_pages_are_served_uncached_while_redis_is_silent(self):
        with self.assertLogs("publishing.breaker", "ERROR") as logs:
            for _ in range(3):
                for url in ("/en/", self.article.url_in("en")):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, "Held up")
                    self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertEqual(self.hole.connections, 1)
        self.assertEqual(len(logs.records), 1)

    def test_a_password_in_the_url_is_not_in_the_log(self):
        cache = guarded_cache.GuardedRedisCache(
            f"redis://:secret-password@127.0.0.1:{self.hole.port}/3", {"OPTIONS": redis_caches(0)["default"]["OPTIONS"]}
        )
        with self.assertLogs("publishing.breaker", "ERROR") as logs:
            cache.get("anything")
        self.assertNotIn("secret-password", logs.output[0])
        self.assertIn(f"127.0.0.1:{self.hole.port}/3", logs.output[0])

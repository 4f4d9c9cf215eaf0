"""Production mode from the environment: gunicorn serves the site, WhiteNoise its hashed and compressed static
files, Redis is the cache when REDIS_URL is set, media storage is a setting."""
from __future__ import annotations

import gzip
import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from ankasam_site.loadgen import Gunicorn

PROJECT = Path(__file__).resolve().parents[2]


def production_environment(scratch: str, **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("DJANGO_") and key not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="ankasam_site.settings",
        DATABASE_URL=f"sqlite:///{scratch}/site.sqlite3",
        STATIC_ROOT=f"{scratch}/static",
        MEDIA_ROOT=f"{scratch}/media",
    )
    environment.update(extra)
    return environment


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


class GunicornProductionTests(SimpleTestCase):
    def test_gunicorn_serves_pages_and_compressed_hashed_static_files_in_production_mode(self):
        with tempfile.TemporaryDirectory() as scratch:
            environment = production_environment(scratch)
            manage = [sys.executable, "manage.py"]
            for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
                done = subprocess.run(manage + step, cwd=PROJECT, env=environment, capture_output=True, text=True,
                                      timeout=300)
                self.assertEqual(done.returncode, 0, done.stderr)
            with Gunicorn(env=environment) as server:
                self.assertEqual(get(server.port, "/healthz").status, 200)
                plain = get(server.port, "/en/")
                self.assertEqual(plain.status, 301)
                self.assertTrue(plain.getheader("Location").startswith("https://127.0.0.1/"))
                page = get(server.port, "/en/", **{"X-Forwarded-Proto": "https"})
                self.assertEqual(page.status, 200)
                self.assertIn("max-age=", page.getheader("Strict-Transport-Security"))
                stylesheet = re.search(rb'href="(/static/ankasam/site\.[0-9a-f]{12}\.css)"', page.body)
                self.assertIsNotNone(stylesheet, "the stylesheet has a hashed name")
                css = get(server.port, stylesheet.group(1).decode(), **{"X-Forwarded-Proto": "https",
                                                                        "Accept-Encoding": "gzip"})
                self.assertEqual(css.status, 200)
                self.assertEqual(css.getheader("Content-Encoding"), "gzip")
                self.assertIn("immutable", css.getheader("Cache-Control"))
                self.assertIn(b"body", gzip.decompress(css.body))

    def test_settings_follow_the_environment(self):
        script = ("import django; django.setup(); from django.conf import settings; "
                  "print(settings.CACHES['default']['BACKEND']); print(settings.STORAGES['default']['BACKEND']); "
                  "print(settings.DATABASES['default']['ENGINE']); print(settings.ARTICLES_PAGE_CACHE_SECONDS)")
        with tempfile.TemporaryDirectory() as scratch:
            environment = production_environment(
                scratch, REDIS_URL="redis://127.0.0.1:6379/9", DATABASE_URL="postgres://someone@db.example:5432/site",
                DJANGO_MEDIA_STORAGE="django.core.files.storage.InMemoryStorage",
            )
            result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env=environment, capture_output=True,
                                    text=True, timeout=120)
            without_redis = subprocess.run([sys.executable, "-c", script], cwd=PROJECT,
                                           env=production_environment(scratch), capture_output=True, text=True,
                                           timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["ankasam_site.cache.GuardedRedisCache",
                                                 "django.core.files.storage.InMemoryStorage",
                                                 "django.db.backends.postgresql", "600"])
        # Without Redis each worker keeps its own pages, and every process shares their dependencies' versions (in
        # the database), so a save seen by one reaches the others' pages: they are cached too
        # (tests/site/test_page_stamps.py).
        self.assertEqual(without_redis.stdout.split()[0], "django.core.cache.backends.locmem.LocMemCache")
        self.assertEqual(without_redis.stdout.split()[-1], "600")

    def test_kept_connections_follow_the_environment(self):
        script = ("import django; django.setup(); from django.conf import settings; "
                  "options = settings.DATABASES['default'].get('OPTIONS', {}); "
                  "print(options.get('server_side_binding'), settings.DATABASES['default']['CONN_MAX_AGE'])")
        runs = {}
        with tempfile.TemporaryDirectory() as scratch:
            for name, extra in {
                "postgres": {"DATABASE_URL": "postgres://someone@db.example:5432/site"},
                "sqlite": {"DATABASE_URL": f"sqlite:///{scratch}/site.sqlite3"},
            }.items():
                done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT,
                                      env=production_environment(scratch, **extra), capture_output=True, text=True,
                                      timeout=120)
                self.assertEqual(done.returncode, 0, done.stderr)
                runs[name] = done.stdout.split()
        # Django's cursors bind on the client: server-side binding fails past 65,535 parameters.
        self.assertEqual(runs["postgres"], ["None", "60"])
        # SQLite keeps its connections too: opening one per request cost about 1 ms of an uncached article page.
        self.assertEqual(runs["sqlite"][-1], "60")

    def test_gunicorn_workers_leave_what_the_master_loaded_to_the_collector_less_often(self):
        import gc
        import runpy

        config = runpy.run_path(str(PROJECT / "ankasam_site" / "gunicorn_conf.py"))
        before = gc.get_threshold()
        try:
            config["post_fork"](None, None)
            self.assertEqual(gc.get_threshold(), (10000, 20, 20))
        finally:
            gc.set_threshold(*before)
        self.assertIn("pre_fork", config)

"""The read API checked from outside: Schemathesis, run as its own command against the OpenAPI schema the API serves,
on a live server (Django's ``LiveServerTestCase``, bound to a free port) with the seed fixtures loaded, finds no
failure under every check it has (no server error, answers as the schema says: statuses, types, headers, bodies;
invalid input refused, valid input accepted). Random slugs find nothing, so the articles, authors, tags and
categories the fixtures hold are read too and their answers checked against the same schema.

Part of ``make test`` on both databases (``.ci/run``). The generation is deterministic and its number of cases per
operation bounded (``--max-examples``), so a run costs the same every time.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
import schemathesis
from django.test import LiveServerTestCase, override_settings

from articles.models import Article, Category, Tag
from authors.models import Author
from publishing.languages import language_codes, translated_value

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = 25
CONFIG = Path(__file__).with_name("schemathesis.toml")


@override_settings(ARTICLES_API_THROTTLE_RATE=None, ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"])
class SchemathesisTests(LiveServerTestCase):
    fixtures = ["01_taxonomy", "02_authors", "03_articles"]

    def schema_url(self) -> str:
        return f"{self.live_server_url}/api/v1/schema/"

    def test_schemathesis_finds_no_failure_in_any_operation(self):
        environment = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
        scratch = tempfile.TemporaryDirectory(prefix="schemathesis-")  # it keeps a cache in its working folder
        self.addCleanup(scratch.cleanup)
        result = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", self.schema_url(), "--checks", "all", "--max-examples", str(MAX_EXAMPLES),
             "--generation-deterministic", "--workers", "1",
             "--request-timeout", "30", "--no-color", "--suppress-health-check", "too_slow"],
            capture_output=True, text=True, timeout=900, env=environment, cwd=scratch.name,
        )
        self.assertEqual(result.returncode, 0, result.stdout[-8000:] + result.stderr[-3000:])
        self.assertRegex(result.stdout, r"Test cases:\s+(\d+) generated, \1 passed", result.stdout[-4000:])

    def test_what_the_fixtures_hold_is_answered_as_the_schema_says(self):
        schema = schemathesis.openapi.from_url(self.schema_url())
        paths = []
        for code in language_codes():
            paths += [f"/api/v1/{code}/articles/", f"/api/v1/{code}/authors/", f"/api/v1/{code}/tags/",
                      f"/api/v1/{code}/categories/", f"/api/v1/{code}/search/?q=a"]
            for article in Article.objects.published(code):
                slug = translated_value(article, "slug", code)
                paths += [f"/api/v1/{code}/articles/{slug}/", f"/api/v1/{code}/articles/{slug}/similar/"]
            for author in Author.objects.with_articles_in(code):
                paths.append(f"/api/v1/{code}/authors/{author.slug}/")
            for tag in Tag.objects.filter(articles__in=Article.objects.published(code)).distinct():
                paths.append(f"/api/v1/{code}/tags/{translated_value(tag, 'slug', code)}/")
            for category in Category.objects.filter(articles__in=Article.objects.published(code)).distinct():
                paths.append(f"/api/v1/{code}/categories/{translated_value(category, 'slug', code)}/")
        self.assertGreater(len(paths), 40)
        session = requests.Session()
        for path in paths:
            with self.subTest(path):
                response = session.get(self.live_server_url + path, timeout=30)
                self.assertEqual(response.status_code, 200)
                operation = schema.find_operation_by_path("GET", path.split("?")[0].replace(self.live_server_url, ""))
                self.assertIsNotNone(operation, path)
                operation.validate_response(response)

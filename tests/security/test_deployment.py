"""Deployment hardening: security headers on every response, a Content-Security-Policy the pages really keep, HSTS and
a clean ``check --deploy`` in production mode, and a 400 for a forged Host header.

Production mode is a fresh process with the production environment, because the settings read it at import.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from tests.factories import make_article, make_author, make_tag
from tests.security.helpers import make_editor

PROJECT = Path(__file__).resolve().parents[2]


def production_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="ankasam_site.settings",
    )
    return environment


def run_in_production(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments], cwd=PROJECT, env=production_environment(), capture_output=True, text=True,
        timeout=120,
    )


PRODUCTION_REQUESTS = """
import json, django
django.setup()
from django.test import Client
client = Client()
secure = client.get("/i18n/setlang/", secure=True, headers={"host": "example.org"})
plain = client.get("/", headers={"host": "example.org"})
forged = client.get("/i18n/setlang/", secure=True, headers={"host": "evil.example"})
print(json.dumps({
    "secure": {"status": secure.status_code, "headers": dict(secure.headers)},
    "plain": {"status": plain.status_code, "location": plain.headers.get("Location", "")},
    "forged": forged.status_code,
}))
"""


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.tag = make_tag("Headers")
        cls.author = make_author()
        cls.article = make_article("Headers", tags=(cls.tag,))
        cls.article.authors.add(cls.author)
        cls.draft = make_article("Draft", published=())

    def public_urls(self) -> list[str]:
        with translation.override("en"):
            return ["/", reverse("articles:index"), self.article.get_absolute_url(), self.tag.get_absolute_url(),
                    reverse("articles:authors"), self.author.get_absolute_url(), "/en/no-such-page/",
                    reverse("articles:preview", kwargs={"pk": self.draft.pk}), reverse("admin:login")]

    def editor_urls(self) -> list[str]:
        with translation.override("en"):
            return [reverse("admin:index"), reverse("admin:articles_article_changelist"),
                    reverse("admin:articles_article_add"),
                    reverse("admin:articles_article_change", args=[self.article.pk]),
                    reverse("admin:articles_article_import_text"), reverse("admin:authors_author_add"),
                    reverse("articles:preview", kwargs={"pk": self.draft.pk})]

    def assert_security_headers(self, response, url: str) -> None:
        self.assertEqual(response["X-Frame-Options"], "DENY", url)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff", url)
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin", url)
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin", url)
        policy = csp_directives(response["Content-Security-Policy"])
        self.assertEqual(policy["script-src"], ["'self'"], url)
        self.assertEqual(policy["default-src"], ["'self'"], url)
        self.assertEqual(policy["object-src"], ["'none'"], url)
        self.assertEqual(policy["frame-ancestors"], ["'none'"], url)
        self.assertEqual(policy["base-uri"], ["'self'"], url)
        self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"].split("style-src")[0], url)
        self.assertNotIn("'unsafe-eval'", response["Content-Security-Policy"], url)

    def test_every_response_carries_the_security_headers(self):
        for url in self.public_urls():
            with self.subTest(url):
                self.assert_security_headers(self.client.get(url, HTTP_ACCEPT_LANGUAGE="en"), url)
        self.client.force_login(self.editor)
        for url in self.editor_urls():
            with self.subTest(url):
                response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(response.status_code, 200, url)
                self.assert_security_headers(response, url)

    def test_pages_need_no_inline_script_so_the_policy_breaks_nothing(self):
        """With ``script-src 'self'`` an inline script or ``on…=`` handler would silently stop working."""
        responses = [(url, self.client.get(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)) for url in self.public_urls()]
        self.client.force_login(self.editor)
        responses += [(url, self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")) for url in self.editor_urls()]
        for url, response in responses:
            with self.subTest(url):
                page = BeautifulSoup(response.content, "html.parser")
                for script in page.find_all("script"):
                    executable = script.get("type", "text/javascript") in ("text/javascript", "module", "")
                    self.assertFalse(executable and not script.get("src"), f"inline script on {url}: {script}")
                for element in page.find_all(True):
                    handlers = [name for name in element.attrs if name.lower().startswith("on")]
                    self.assertEqual(handlers, [], f"event handler attribute on {url}: {element.name}")
                    self.assertFalse(str(element.get("href", "")).lower().startswith("javascript:"), url)

    def test_a_forged_host_header_gets_400(self):
        for host in ("evil.example", "testserver.evil.example", "evil.example:80@testserver", "[::1", "a" * 300):
            with self.subTest(host):
                self.assertEqual(self.client.get("/en/", HTTP_HOST=host).status_code, 400)


class ProductionModeTests(TestCase):
    """DJANGO_DEBUG=0, a random 50+ character DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS=example.org."""

    def test_check_deploy_reports_no_warning_in_production_mode(self):
        result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_production_sends_hsts_redirects_to_https_and_refuses_other_hosts(self):
        result = run_in_production("-c", PRODUCTION_REQUESTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        headers = outcome["secure"]["headers"]
        self.assertIn("max-age=31536000", headers["Strict-Transport-Security"])
        self.assertIn("includeSubDomains", headers["Strict-Transport-Security"])
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("script-src 'self'", headers["Content-Security-Policy"])
        self.assertEqual(outcome["plain"]["status"], 301)
        self.assertTrue(outcome["plain"]["location"].startswith("https://example.org/"))
        self.assertEqual(outcome["forged"], 400)

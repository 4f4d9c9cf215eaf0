"""Two app servers sharing PostgreSQL, Redis and S3-compatible object storage (moto's server on loopback), as
docs/deploy.md deploys them: an editor uploads a featured image through server A's admin; server B's article
page shows it with every rendition answering 200; a save on A is on B's next page; a restart of B changes nothing.

Needs the production services: runs with DATABASE_URL=postgres://… and REDIS_URL set (.ci/run's second pass), and
is skipped, saying so, without them. The servers get a database of their own, made and dropped here.
"""
from __future__ import annotations

import http.client
import io
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg
import pytest
from bs4 import BeautifulSoup
from django.test import SimpleTestCase
from PIL import Image
from urllib3 import encode_multipart_formdata

from ankasam_site.loadgen import Gunicorn
from tests.object_storage import new_bucket, object_names, s3_server, storage_url
from tests.trust.helpers import PASSWORD, form_data

pytestmark = pytest.mark.services
PROJECT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (20, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


class Browser:
    """One person's HTTP client of one server: its cookies, behind a TLS-terminating proxy (X-Forwarded-Proto)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, SimpleCookie()

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Referer": f"https://{HOST}{path}", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            self.cookies.load(header)
        connection.close()
        return response

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, fields: list[tuple]):
        body, content_type = encode_multipart_formdata(fields)
        return self.request("POST", path, body, **{"Content-Type": content_type})


def fields_of(data: dict) -> list[tuple]:
    return [(name, item) for name, value in data.items() for item in (value if isinstance(value, list) else [value])]


@pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and os.environ.get("REDIS_URL")),
    reason="needs PostgreSQL and Redis: run with DATABASE_URL=postgres://… and REDIS_URL=redis://… (.ci/run does)",
)
class TwoServersTests(SimpleTestCase):
    databases = set()

    def setUp(self):
        self.database = self.scratch_database()
        self.s3 = self.enterContext(s3_server())
        self.bucket = new_bucket(self.s3)
        self.environment = self.production_environment()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.article_id = int(self.manage("shell", "-c", SETUP).strip().splitlines()[-1])

    def scratch_database(self) -> str:
        settings = dj_database_url.parse(os.environ["DATABASE_URL"])
        name = f"{settings['NAME']}_servers_{uuid.uuid4().hex[:8]}"
        admin = {"host": settings["HOST"] or HOST, "port": settings["PORT"] or 5432, "user": settings["USER"],
                 "password": settings["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
        with psycopg.connect(**admin) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(**admin) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        self.addCleanup(drop)
        url = urlsplit(os.environ["DATABASE_URL"])
        return url._replace(path=f"/{name}").geturl()

    def production_environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_"))}
        environment.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS=HOST,
            DJANGO_SETTINGS_MODULE="ankasam_site.settings",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_CACHE_PREFIX=f"servers-{uuid.uuid4().hex[:8]}",
            DJANGO_TASKS_BACKEND="database",
            DATABASE_URL=self.database,
            MEDIA_STORAGE_URL=storage_url(self.s3, self.bucket),
            STATIC_ROOT=self.enterContext(tempfile.TemporaryDirectory()),
        )
        return environment

    def manage(self, *arguments: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=self.environment,
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        return done.stdout

    def server(self) -> Gunicorn:
        server = Gunicorn(env=self.environment, workers=1).start()
        self.addCleanup(server.stop)
        return server

    def test_an_upload_on_one_server_is_served_by_the_other_and_a_save_on_one_is_seen_on_the_other(self):
        server_a, server_b = self.server(), self.server()
        editor = Browser(server_a.port)
        login = editor.get("/admin/login/")
        self.assertEqual(login.status, 200, login.body[-2000:])
        token = BeautifulSoup(login.body, "html.parser").select_one("input[name=csrfmiddlewaretoken]")["value"]
        logged_in = editor.post("/admin/login/", [("username", "editor"), ("password", PASSWORD),
                                                  ("csrfmiddlewaretoken", token), ("next", "/admin/")])
        self.assertEqual(logged_in.status, 302, logged_in.body[:500])
        change = f"/admin/articles/article/{self.article_id}/change/"

        def save(**changes):
            data = form_data(editor.get(change).body)
            data.update(changes)
            fields = fields_of(data)
            if "featured_image" not in changes:
                fields = [field for field in fields if field[0] != "featured_image"]
            saved = editor.post(change, fields)
            self.assertEqual(saved.status, 302, BeautifulSoup(saved.body, "html.parser").select(".errorlist"))

        save(featured_image=("bridge.jpg", jpeg(), "image/jpeg"), featured_image_alt_en="A bridge")
        self.manage("db_worker", "--batch", "--no-startup-delay")  # the worker after the save: renditions, lists

        reader = Browser(server_b.port)
        home = reader.get("/en/")
        self.assertEqual(home.status, 200)
        path = BeautifulSoup(home.body, "html.parser").select_one('a[href*="/en/articles/"]')["href"]
        page = reader.get(path)
        self.assertEqual((page.status, page.getheader("X-Page-Cache")), (200, "miss"))
        picture = BeautifulSoup(page.body, "html.parser").select_one("picture")
        urls = {part.split()[0] for tag in picture.select("source, img") for part in tag["srcset"].split(", ")}
        self.assertEqual(len(urls), 2 * 4)  # WebP and JPEG at 320, 480, 640 and the upload's own 900 px
        for url in urls:
            parts = urlsplit(url)
            self.assertEqual(f"{parts.scheme}://{parts.netloc}", self.s3, url)
            answer = Browser(parts.port).request("GET", parts.path)
            self.assertEqual(answer.status, 200, url)
        objects = object_names(self.s3, self.bucket)
        self.assertEqual(len([name for name in objects if "/renditions/" in name]), len(urls))
        self.assertEqual(reader.get(path).getheader("X-Page-Cache"), "hit")

        save(title_en="Bridges, revised on server A")
        again = reader.get(path)
        self.assertEqual(again.getheader("X-Page-Cache"), "miss")
        self.assertIn("Bridges, revised on server A", again.body.decode())
        self.manage("db_worker", "--batch", "--no-startup-delay")
        self.assertIn("Bridges, revised on server A", reader.get("/en/").body.decode())
        self.assertEqual(reader.get(path).getheader("X-Page-Cache"), "miss")  # the worker stamped it once more

        server_b.stop()
        server_b.start()
        restarted = reader.get(path)
        self.assertEqual((restarted.status, restarted.getheader("X-Page-Cache")), (200, "hit"))
        self.assertEqual(restarted.body, reader.get(path).body)
        self.assertIn("Bridges, revised on server A", restarted.body.decode())
        self.assertEqual(object_names(self.s3, self.bucket), objects)  # nothing made again, nothing lost


SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles.models import Article
get_user_model().objects.create_superuser("editor", "editor@example.org", "%s")
article = Article.objects.create(
    published_at=timezone.now() - timedelta(days=1), title_tr="Köprüler", body_tr="<p>Metin.</p>",
    title_en="Bridges", body_en="<p>Text.</p>", is_published_tr=True, is_published_en=True)
print(article.pk)
""" % PASSWORD

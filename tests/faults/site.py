"""A scratch site in production mode (DEBUG off, collected static files, the seed articles, an editor), served by
gunicorn with the project's own settings (ankasam_site/gunicorn_conf.py) on a free loopback port, its log in a
file: the ground the fault suite breaks services under."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ankasam_site.loadgen import fetch
from tests.faults.services import LOOPBACK, free_port

PROJECT = Path(__file__).resolve().parents[2]
EDITOR = "fault-editor"
PASSWORD = "fault-editor-password-1"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=2):
            return True
    except Exception:
        return False


def fresh_postgres_database(name: str) -> str:
    """An empty PostgreSQL database ``name`` on this machine; its URL."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{name}"))


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ScratchSite:
    def __init__(self, scratch: Path, *, database_url: str = "", **env: str) -> None:
        self.scratch = scratch
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("DJANGO_", "GUNICORN_", "PAGE_STAMPS", "REDIS_"))
                    and key not in ("DATABASE_URL", "WEB_CONCURRENCY")}
        self.env.update(
            DJANGO_SETTINGS_MODULE="ankasam_site.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS=LOOPBACK,
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_LOGIN_FAILURE_LIMIT="1000",
            DJANGO_CACHE_PREFIX=f"faults-{secrets.token_hex(4)}",
            DATABASE_URL=database_url or f"sqlite:///{scratch / 'site.sqlite3'}",
            STATIC_ROOT=str(scratch / "static"),
            MEDIA_ROOT=str(scratch / "media"),
        )
        self.env.update(env)

    def manage(self, *arguments: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=timeout)

    def python(self, code: str, env: dict | None = None):
        """Run ``code`` with Django set up; what it printed last, read as JSON."""
        done = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=PROJECT,
                              env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        return json.loads(done.stdout.strip().splitlines()[-1])

    def build(self, *, seed: bool = True) -> None:
        """Migrate, collect the static files and, with ``seed``, load the seed articles and make the editor."""
        steps = [["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]]
        for step in steps + ([["load_site_fixtures"]] if seed else []):
            done = self.manage(*step)
            if done.returncode:
                raise RuntimeError(f"{step}: {done.stderr[-3000:]}")
        if not seed:
            return
        self.python(
            "from django.contrib.auth import get_user_model\n"
            f"get_user_model().objects.create_superuser({EDITOR!r}, 'editor@example.org', {PASSWORD!r})\n"
            "print('true')"
        )

    def facts(self) -> dict:
        """The readers' addresses and the article the editor saves."""
        return self.python(
            "import json\n"
            "from django.utils import translation\n"
            "from articles.models import Article\n"
            "from publishing.languages import language_codes\n"
            "urls = ['/robots.txt', '/sitemap.xml']\n"
            "for code in language_codes():\n"
            "    with translation.override(code):\n"
            "        urls += [f'/{code}/'] + [a.url_in(code) for a in Article.objects.published(code)[:6]]\n"
            "article, second = Article.objects.order_by('pk')[:2]\n"
            "print(json.dumps({'urls': urls, 'article': article.pk, 'article_url': article.url_in('en'),\n"
            "                  'second_article': second.pk}))"
        )

    def saved_highlights(self, pk: int) -> dict:
        """The article's English highlights now, and those of each of its revisions."""
        return self.python(
            "import json\n"
            "from reversion.models import Version\n"
            "from articles.models import Article\n"
            f"article = Article.objects.get(pk={pk})\n"
            "kept = [json.loads(v.serialized_data)[0]['fields'].get('highlights_en') or ''\n"
            "        for v in Version.objects.get_for_object(article)]\n"
            "print(json.dumps({'current': article.highlights_en, 'revisions': kept}))"
        )

    def gunicorn(self, *, workers: int = 2, **env: str) -> Gunicorn:
        return Gunicorn(self, workers=workers, env=env)


class Gunicorn:
    """gunicorn with the project's configuration, its log (stdout and stderr) in the scratch folder."""

    def __init__(self, site: ScratchSite, *, workers: int, env: dict) -> None:
        self.site, self.workers, self.extra = site, workers, env
        self.port = free_port()
        self.log_path = site.scratch / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ankasam_site.wsgi:application",
             "--config", str(PROJECT / "ankasam_site" / "gunicorn_conf.py"),
             "--bind", f"{LOOPBACK}:{self.port}", "--workers", str(self.workers)],
            cwd=PROJECT, env={**self.site.env, **self.extra}, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_text()[-3000:]}")
            try:
                if fetch(self.port, "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer in time")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

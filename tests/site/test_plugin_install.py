"""The plugin installed from its wheel into a site that is not ANKASAM: another base.html, English and German instead
of Turkish, English and Russian, its pages under /<language>/publications/, migrations of its own.

The wheel is built from a copy of the checkout, installed with ``pip install --no-deps`` into a fresh virtual
environment that sees the suite's installed dependencies through a ``.pth`` file (nothing is downloaded), and
``tests/plugin_host/`` is copied outside the repository and run there with that environment's Python: so the apps
are imported from the wheel, never from the checkout. The host's own command (``exercise_plugin``) writes content
through the plugin's models and services and reads the pages back with Django's test client; this test judges
what they answered.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
from django.test import SimpleTestCase

PROJECT = Path(__file__).resolve().parents[2]
HOST = PROJECT / "tests" / "plugin_host"
# What the wheel is not built from: version control, environments, build output, the suite and its data.
NOT_COPIED = {".git", ".venv", "venv", "build", "dist", "media", "staticfiles", "test-artifacts", "node_modules",
              ".pytest_cache", ".bench", "tests", "fixtures", "docs", "__pycache__"}
TITLES = {"en": "Gas through the Baltic", "de": "Gas durch die Ostsee"}


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120) -> str:
    """Run ``command``; its output is the failure message when it does not succeed."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited with {done.returncode}\n"
        f"--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-6000:]}"
    )
    return done.stdout


def build_wheel(scratch: Path) -> Path:
    def ignore(directory, names):
        at_root = Path(directory) == PROJECT
        return [name for name in names
                if name == "__pycache__" or name.endswith(".egg-info") or (at_root and name in NOT_COPIED)
                or (at_root and (name.endswith((".sqlite3", ".sqlite3-wal", ".sqlite3-shm")) or name.startswith("bench-")))]

    source = scratch / "source"
    shutil.copytree(PROJECT, source, ignore=ignore)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
         "-q", "-w", str(scratch / "dist"), str(source)], cwd=scratch)
    [wheel] = (scratch / "dist").glob("*.whl")
    return wheel


def fresh_environment(scratch: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; this interpreter's packages (the dependencies, pip)
    visible after its own through a .pth file."""
    venv = scratch / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=scratch)
    python = venv / "bin" / "python"
    own = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=scratch).strip())
    shared = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (own / "suite-dependencies.pth").write_text("".join(f"{path}\n" for path in shared))
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q",
         str(wheel)], cwd=scratch)
    return python


@pytest.mark.plugin
class PluginInstallTests(SimpleTestCase):
    """One long scenario: building and installing take most of its time, and each step needs the one before."""

    def test_a_second_site_installs_the_wheel_and_serves_the_plugin_in_its_own_languages(self):
        with tempfile.TemporaryDirectory(prefix="plugin-install-") as folder:
            scratch = Path(folder)
            python = fresh_environment(scratch, build_wheel(scratch))
            site = scratch / "site"
            shutil.copytree(HOST, site, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3", "media"))
            environment = {key: value for key, value in os.environ.items()
                           if key not in ("PYTHONPATH", "DATABASE_URL", "REDIS_URL") and not key.startswith("DJANGO_")}
            environment["DJANGO_SETTINGS_MODULE"] = "publications_host.settings"

            def manage(*arguments: str) -> str:
                return run([str(python), "manage.py", *arguments], cwd=site, env=environment)

            imported = run([str(python), "-c", "import articles, authors; print(articles.__file__); print(authors.__file__)"],
                           cwd=site, env=environment).split()
            for path in imported:
                self.assertTrue(Path(path).is_relative_to(scratch / "venv"), f"{path} is not the installed wheel's")
            manage("check", "--fail-level", "WARNING")
            manage("makemigrations", "publishing", "articles", "authors")
            self.assertTrue(list((site / "host_migrations" / "articles").glob("0001_*.py")), "no migration was made")
            self.assertIn("title_de", (site / "host_migrations" / "articles" / "0001_initial.py").read_text())
            manage("migrate", "--noinput", "-v0")
            report = json.loads(manage("exercise_plugin").strip().splitlines()[-1])

        self.assertTrue(Path(report["articles_module"]).is_relative_to(scratch / "venv"))
        self.assertEqual(report["published"], {"en": 1, "de": 1})
        self.assertEqual(report["author_name"], "Erika SCHMIDT")  # capitals by English rules, not Turkish ones
        pages = report["pages"]
        for code, title in TITLES.items():
            other_title = next(other for language, other in TITLES.items() if language != code)
            for name in ("article", "home", "tag", "category", "author", "authors", "search", "feed"):
                with self.subTest(code=code, page=name):
                    page = pages[f"{code}:{name}"]
                    self.assertEqual(page["status"], 200, f"{page['path']}\n{page['content'][:3000]}")
                    self.assertTrue(page["path"].startswith(f"/{code}/publications/"), page["path"])
                    if name != "authors":
                        self.assertIn(title, page["content"], page["path"])
                    self.assertNotIn(other_title, page["content"], f"{page['path']} shows the other language")
            self.assertEqual(pages[f"{code}:article"]["h1"], [title])
            self.assertTrue(pages[f"{code}:article"]["title"].startswith(title))
            self.assertIn("Erika SCHMIDT", pages[f"{code}:author"]["h1"])
            self.assertIn("1 result", pages[f"{code}:search"]["content"])
            self.assertEqual(pages[f"{code}:home"]["x_default"], "http://publications.example/publications/")
        self.assertIn("Tag: Rohrleitungen", pages["de:tag"]["title"])
        self.assertEqual(pages["de:category"]["h1"], ["Energie"])
        self.assertEqual(pages["neutral:home"]["status"], 302)
        self.assertEqual(pages["neutral:home"]["location"], "/de/publications/")
        self.assertIn("/de/publications/articles/gas-durch-die-ostsee/", pages["sitemap"]["content"])
        for name in ("changelist", "changelist_search", "change", "tags", "authors", "dashboard"):
            with self.subTest(admin=name):
                page = pages[f"admin:{name}"]
                self.assertEqual(page["status"], 200, f"{page['path']}\n{page['content'][:3000]}")
        self.assertIn(TITLES["en"], pages["admin:changelist_search"]["content"])  # found by its German title
        self.assertIn('name="title_de"', pages["admin:change"]["content"])
        self.assertNotIn('name="title_tr"', pages["admin:change"]["content"])
        self.assertIn("Pipelines", pages["admin:tags"]["content"])
        for code, title in TITLES.items():
            with self.subTest(api=code):
                listing, article = (json.loads(pages[f"api:{code}:{name}"]["content"]) for name in ("list", "article"))
                self.assertEqual([item["title"] for item in listing["results"]], [title])
                self.assertEqual(article["title"], title)
                self.assertEqual([t["language"] for t in article["translations"]], ["en", "de"])
                self.assertTrue(article["url"].startswith(f"http://publications.example/{code}/publications/"))
        self.assertEqual(pages["api:unknown"]["status"], 404)  # Turkish is not this host's language
        self.assertEqual(json.loads(pages["api:unknown"]["content"])["code"], "unknown_language")
        schema = json.loads(pages["api:schema"]["content"])
        parameters = schema["paths"]["/api/v1/{language}/articles/"]["get"]["parameters"]
        language = next(parameter for parameter in parameters if parameter["name"] == "language")
        self.assertEqual(sorted(language["schema"]["enum"]), ["de", "en"])
        self.assertIn("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", pages["api:docs"]["content"])

"""What the real-browser journeys share: Debian's Chromium driven by Playwright against Django's live server.

The test client never runs the admin's JavaScript (language tabs, select2 autocomplete, inline rows), never follows
a fragment link and never sends a browser's Accept-Language; these journeys do, as editors, translators and readers
do. The browser is the system's Chromium (``apt-get install chromium``): nothing is downloaded at test time. Without
it the journeys are skipped, saying why, except under ``REQUIRE_BROWSER=1`` (CI), where a missing browser is an
error. Each journey leaves a screenshot of its final page in ``test-artifacts/`` (and of every open page when a step
fails), which CI lists in its log.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from PIL import Image, ImageDraw

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "a-long-browser-password"
# The network is closed here and in CI: Chromium must not spend time calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold page with image renditions on a slow CI machine, short enough to fail fast.
STEP_TIMEOUT_MS = 15_000
SCREEN = {"width": 1280, "height": 900}


def chromium_executable() -> str | None:
    """The system's Chromium: ``$CHROMIUM_PATH`` if set, else ``chromium`` (Debian) or ``chromium-browser`` on PATH."""
    configured = os.environ.get("CHROMIUM_PATH", "")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable() -> str:
    """Why the journeys cannot run here, or "" when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements-dev.txt"
    if chromium_executable() is None:
        return "Chromium not found: apt-get install chromium (or set CHROMIUM_PATH)"
    return ""


def expect(target):
    """Playwright's retrying assertions, imported late so that this module loads (and skips) without Playwright."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def make_user(username: str, *, groups: tuple[str, ...]):
    """A staff member in ``groups`` (the roles the migrations create) who logs in with ``PASSWORD``."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    user.groups.set([Group.objects.get(name=name) for name in groups])
    return user


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations on ``page`` (the engine ships inside the package: no download).
    Every violation found, of any impact, is kept in ``test-artifacts/axe-violations.json`` to read."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    log = ARTIFACTS_DIR / "axe-violations.json"
    found = json.loads(log.read_text()) if log.exists() else {}
    found[page.url] = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:300] for n in v["nodes"][:5]]}
        for v in results.response["violations"]
    ]
    log.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def write_jpeg(path: Path, *, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    """A small, valid JPEG with some shapes on it, so that a screenshot shows whether it was rendered."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 250, 250))
    draw.rectangle((0, height * 5 // 6, width, height), fill=(20, 20, 20))
    image.save(path, "JPEG", quality=85)
    return path


class BrowserJourneyTestCase(StaticLiveServerTestCase):
    """A live server with the seed articles, a temporary media folder and a fresh Chromium for each journey."""

    fixtures = ["01_taxonomy", "02_authors", "03_articles"]
    host = "127.0.0.1"
    # The live server needs committed rows, so each journey empties the database after it; this brings back what
    # the migrations put there (the "Editor" and "Translator (…)" groups) before the next one.
    serialized_rollback = True

    @classmethod
    def _fixture_setup(cls):
        """Start from the database exactly as the migrations left it, whatever test ran before: a transactional test
        without serialized rollback leaves content types and permissions recreated under other ids, which the
        restored rows would collide with."""
        for alias in cls._databases_names(include_mirrors=False):
            call_command("flush", verbosity=0, interactive=False, database=alias, inhibit_post_migrate=True)
        super()._fixture_setup()
        ContentType.objects.clear_cache()

    def _fixture_teardown(self):
        """Empty the database, then leave it as the migrations made it, as the tests after this one expect."""
        super()._fixture_teardown()
        for alias in self._databases_names(include_mirrors=False):
            connection = connections[alias]
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        ContentType.objects.clear_cache()

    @classmethod
    def setUpClass(cls):
        reason = browser_unavailable()
        if reason:
            if os.environ.get("REQUIRE_BROWSER") == "1":
                raise RuntimeError(f"REQUIRE_BROWSER=1 but the browser journeys cannot run: {reason}")
            raise unittest.SkipTest(reason)
        # Playwright's sync API keeps an event loop in this thread; the ORM calls of the tests are still synchronous.
        cls.enterClassContext(mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}))
        media = tempfile.mkdtemp(prefix="ankasam-browser-media-")
        cls.addClassCleanup(shutil.rmtree, media, True)
        # A fast hasher: the journeys test the login form, not the cost of PBKDF2 (a second per login).
        cls.enterClassContext(
            override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
        )
        super().setUpClass()

    def setUp(self):
        from playwright.sync_api import sync_playwright

        super().setUp()
        # Started per test, not per class: while Playwright's event loop runs, Django's ``connections`` (context
        # local) hand out other connection objects, and the database set-up and flush between tests must see the
        # usual ones. The connections opened meanwhile are closed before Playwright stops.
        playwright = sync_playwright().start()
        self.addCleanup(playwright.stop)
        self.addCleanup(connections.close_all)
        self.browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        self.addCleanup(self.browser.close)
        # Rendered pages and image renditions of an earlier test name rows that no longer exist.
        cache.clear()
        self.work_dir = Path(tempfile.mkdtemp(prefix="ankasam-browser-"))
        self.addCleanup(shutil.rmtree, self.work_dir, True)
        self.open_pages: list = []
        self.problems: dict[int, list[str]] = {}

    # --- Browsers ---------------------------------------------------------------------------------------------

    def open_browser(self, *, locale: str = "tr-TR"):
        """A new browser (its own cookies, as a second person's) whose preferred language is ``locale``."""
        context = self.browser.new_context(
            locale=locale, timezone_id=settings.TIME_ZONE, viewport=SCREEN, base_url=self.live_server_url
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        self.addCleanup(context.close)
        page = context.new_page()
        self.watch(page)
        self.open_pages.append(page)
        return page

    def watch(self, page) -> None:
        """Collect what a person would see go wrong: script errors, blocked scripts, missing styles and images."""
        problems = self.problems.setdefault(id(page), [])

        def is_asset(url: str) -> bool:
            return urlsplit(url).path.startswith((settings.STATIC_URL, settings.MEDIA_URL))

        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                problems.append(f"blocked by the Content-Security-Policy: {message.text}")

        def on_response(response) -> None:
            if response.status >= 400 and is_asset(response.url):
                problems.append(f"{response.status} for {response.url}")

        def on_request_failed(request) -> None:
            # ERR_ABORTED is the browser dropping a request because the page moved on (the icon of a page that a
            # click has already left); a file that really fails to load answers with an error status above.
            if is_asset(request.url) and "ERR_ABORTED" not in (request.failure or ""):
                problems.append(f"failed to load {request.url}: {request.failure}")

        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)

    def log_in(self, page, user) -> None:
        """The admin's login form, as a person fills it."""
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("#login-form [type=submit]")
        page.wait_for_selector("#user-tools")

    # --- Admin widgets ----------------------------------------------------------------------------------------

    def pick_autocomplete(self, page, field: str, search: str, option: str) -> None:
        """Choose ``option`` in the admin's select2 autocomplete of ``field`` by typing ``search`` into its box."""
        page.click(f".field-{field} .select2-selection")
        box = page.locator(".select2-container--open .select2-search__field")
        box.fill(search)
        page.locator(".select2-results__option", has_text=option).first.click()
        page.locator(f".field-{field} .select2-selection__choice", has_text=option).wait_for()

    def type_rich_text(self, page, field_id: str, paragraphs: list[str]) -> None:
        """Type into the admin's rich-text editor that stands in for the textarea ``field_id``, Enter between
        paragraphs, as a person types (the editor writes the HTML back into the hidden textarea)."""
        editor = page.locator(f".prose-editor:has(#{field_id}) [contenteditable=true]")
        editor.click()
        expect(editor).to_be_focused()  # keys sent before the editor has the caret would be lost
        for number, paragraph in enumerate(paragraphs):
            if number:
                page.keyboard.press("Enter")
            page.keyboard.type(paragraph)
        expect(editor.locator("p")).to_have_text(paragraphs)

    def show_language_tab(self, page, field: str, language: str) -> None:
        """Show the ``language`` fields of a change form with its one language switch (``publishing/admin/form.js``
        hides the per-field tab rows), and wait for ``field`` in that language."""
        page.locator("#modeltranslation-main-switch").select_option(label=language)
        page.locator(f"#id_{field}_{language}").wait_for(state="visible")

    # --- What a person sees -----------------------------------------------------------------------------------

    def assert_rendered(self, page) -> None:
        """No script error or blocked script so far on ``page``, every stylesheet and image asset loaded."""
        self.assertEqual(self.problems.get(id(page), []), [], f"on {page.url}")
        unstyled = page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')]
                .filter(link => link.media !== 'print' && !(link.sheet && link.sheet.cssRules.length))
                .map(link => link.href)"""
        )
        self.assertEqual(unstyled, [], f"stylesheets not applied on {page.url}")
        broken = page.evaluate(
            """() => [...document.images]
                .filter(img => img.complete && img.naturalWidth === 0)
                .map(img => img.currentSrc || img.src)"""
        )
        self.assertEqual(broken, [], f"images that did not load on {page.url}")

    def loaded_image_width(self, image) -> int:
        """The natural width of the picture ``image`` (a locator) shows once it has loaded; 0 if it is broken."""
        return image.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)")

    def save_screenshot(self, page, name: str) -> Path:
        """The journey's final page, full length, as ``test-artifacts/<name>.png``."""
        self.assert_rendered(page)
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # sticky headers and sidebars drawn where they belong
        page.screenshot(path=str(path), full_page=True)
        for stale in ARTIFACTS_DIR.glob(f"{name}-failed-*.png"):
            stale.unlink()
        return path

    @contextmanager
    def journey(self, name: str):
        """Around a journey: when a step fails, every page still open is kept as ``<name>-failed-<n>.png``."""
        try:
            yield
        except BaseException:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            for number, page in enumerate(self.open_pages, start=1):
                for problem in self.problems.get(id(page), []):
                    print(f"page {number} ({name}-failed-{number}.png): {problem}")
                try:
                    page.screenshot(path=str(ARTIFACTS_DIR / f"{name}-failed-{number}.png"), full_page=True)
                except Exception:  # a closed or crashed page: the failure itself is what matters
                    pass
            raise

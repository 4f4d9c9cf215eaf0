"""The interface catalogues: the project's in locale/ and each plugin app's own in <app>/locale/ (the wheel carries
those to other sites). Each is complete in tr, en and ru, compiled, and holds every string that its code and
templates mark for translation (what ``makemessages`` would add is missing)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# The plugin's apps (articles, authors …): every installed app kept in this repository except the host project.
PLUGIN_APPS = sorted(
    config.name for config in apps.get_app_configs()
    if Path(config.path).parent == Path(settings.BASE_DIR) and config.name != "ankasam_site"
)
CATALOGUES = {"project": LOCALE, **{app: Path(settings.BASE_DIR) / app / "locale" for app in PLUGIN_APPS}}
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What `make messages` leaves out (--ignore): the virtualenv, the tests and the fixtures' texts.
NOT_SCANNED = {".venv", ".git", "tests", "fixtures", "locale", "media", "staticfiles", "node_modules", "__pycache__",
               ".pytest_cache"}
SCANNED_SUFFIXES = {".py", ".html", ".txt"}


def catalogue(code: str, locale: Path = LOCALE) -> polib.POFile:
    return polib.pofile(str(locale / code / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry) -> tuple[str, str]:
    return entry.msgctxt or "", entry.msgid


def strings_marked_in(folder: Path) -> polib.POFile:
    """What ``makemessages`` finds in ``folder`` (its catalogues, tests, fixtures … left out, as ``make messages``
    leaves them out), as a fresh English catalogue."""
    with tempfile.TemporaryDirectory(prefix="ankasam-messages-") as scratch:
        work = Path(scratch)

        def ignore(directory, names):
            return [name for name in names
                    if name in NOT_SCANNED or name.startswith(".")
                    or (Path(directory, name).is_file() and Path(name).suffix not in SCANNED_SUFFIXES)]

        shutil.copytree(folder, work / "project", ignore=ignore)
        fresh_locale = work / "fresh-locale"
        fresh_locale.mkdir()
        here = os.getcwd()
        try:
            os.chdir(work / "project")
            with override_settings(LOCALE_PATHS=[str(fresh_locale)]):
                call_command("makemessages", locale=["en"], verbosity=0)
        finally:
            os.chdir(here)
        return polib.pofile(str(fresh_locale / "en" / "LC_MESSAGES" / "django.po"))


class CatalogueTests(SimpleTestCase):
    def test_every_plugin_app_has_its_own_catalogues(self):
        self.assertIn("articles", PLUGIN_APPS)
        self.assertIn("authors", PLUGIN_APPS)
        for name, locale in CATALOGUES.items():
            for code in LANGUAGES:
                with self.subTest(name, code=code):
                    self.assertTrue((locale / code / "LC_MESSAGES" / "django.po").is_file(), f"{name}: no {code} catalogue")

    def test_every_entry_is_translated_and_none_is_fuzzy(self):
        for name, locale in CATALOGUES.items():
            for code in LANGUAGES:
                with self.subTest(name, code=code):
                    entries = catalogue(code, locale)
                    self.assertEqual([e.msgid for e in entries.untranslated_entries()], [], f"untranslated in {code}")
                    self.assertEqual([e.msgid for e in entries.fuzzy_entries()], [], f"fuzzy in {code}")

    def test_the_compiled_catalogues_match_their_sources(self):
        for name, locale in CATALOGUES.items():
            for code in LANGUAGES:
                with self.subTest(name, code=code):
                    source = {key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                              for e in catalogue(code, locale).translated_entries()}
                    compiled = {key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                                for e in polib.mofile(str(locale / code / "LC_MESSAGES" / "django.mo")) if e.msgid}
                    self.assertEqual(compiled, source, f"run `make messages` (compilemessages) for {name}, {code}")

    def test_no_string_of_the_code_or_templates_is_missing_from_the_catalogues(self):
        """The project's catalogues hold every string of the project (host and apps); each app's catalogues hold
        every string of the app, so that a site installing the wheel shows them translated."""
        if not shutil.which("xgettext"):
            self.skipTest("needs GNU gettext's xgettext (apt-get install gettext), as makemessages does")
        for name, locale in CATALOGUES.items():
            folder = Path(settings.BASE_DIR) if name == "project" else locale.parent
            found = strings_marked_in(folder)
            for code in LANGUAGES:
                with self.subTest(name, code=code):
                    known = {key(entry) for entry in catalogue(code, locale) if not entry.obsolete}
                    missing = [f"{entry.msgid!r} ({', '.join(f'{path}:{line}' for path, line in entry.occurrences)})"
                               for entry in found if key(entry) not in known]
                    self.assertEqual(missing, [], f"run `make messages` and translate these in {name}, {code}")

"""The interface catalogues in locale/: complete in tr, en and ru, compiled, and holding every string that the code
and the templates mark for translation (what ``makemessages`` would add is missing)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What `make messages` leaves out (--ignore): the virtualenv, the tests and the fixtures' texts.
NOT_SCANNED = {".venv", ".git", "tests", "fixtures", "locale", "media", "staticfiles", "node_modules", "__pycache__",
               ".pytest_cache"}
SCANNED_SUFFIXES = {".py", ".html", ".txt"}


def catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry) -> tuple[str, str]:
    return entry.msgctxt or "", entry.msgid


class CatalogueTests(SimpleTestCase):
    def test_every_entry_is_translated_and_none_is_fuzzy(self):
        for code in LANGUAGES:
            with self.subTest(code):
                entries = catalogue(code)
                self.assertEqual([e.msgid for e in entries.untranslated_entries()], [], f"untranslated in {code}")
                self.assertEqual([e.msgid for e in entries.fuzzy_entries()], [], f"fuzzy in {code}")

    def test_the_compiled_catalogues_match_their_sources(self):
        for code in LANGUAGES:
            with self.subTest(code):
                source = {key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                          for e in catalogue(code).translated_entries()}
                compiled = {key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                            for e in polib.mofile(str(LOCALE / code / "LC_MESSAGES" / "django.mo")) if e.msgid}
                self.assertEqual(compiled, source, f"run compilemessages for {code}")

    def test_no_string_of_the_code_or_templates_is_missing_from_the_catalogues(self):
        if not shutil.which("xgettext"):
            self.skipTest("needs GNU gettext's xgettext (apt-get install gettext), as makemessages does")
        with tempfile.TemporaryDirectory(prefix="ankasam-messages-") as folder:
            work = Path(folder)

            def ignore(directory, names):
                return [name for name in names
                        if name in NOT_SCANNED or name.startswith(".")
                        or (Path(directory, name).is_file() and Path(name).suffix not in SCANNED_SUFFIXES)]

            shutil.copytree(settings.BASE_DIR, work / "project", ignore=ignore)
            fresh_locale = work / "project" / "locale"
            fresh_locale.mkdir()
            here = os.getcwd()
            try:
                os.chdir(work / "project")
                with override_settings(LOCALE_PATHS=[str(fresh_locale)]):
                    call_command("makemessages", locale=["en"], verbosity=0)
            finally:
                os.chdir(here)
            found = polib.pofile(str(fresh_locale / "en" / "LC_MESSAGES" / "django.po"))
        for code in LANGUAGES:
            with self.subTest(code):
                known = {key(entry) for entry in catalogue(code) if not entry.obsolete}
                missing = [f"{entry.msgid!r} ({', '.join(f'{path}:{line}' for path, line in entry.occurrences)})"
                           for entry in found if key(entry) not in known]
                self.assertEqual(missing, [], f"run makemessages for {code} and translate these")

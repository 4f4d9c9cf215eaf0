"""Dependency versions at or above their security fixes: every pin in requirements*.txt is compared with the known
minimum in security-minimums.toml, and the environment the suite runs in really has the pinned versions."""
from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from django.test import SimpleTestCase
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = Path(__file__).resolve().parents[2]
REQUIREMENT_FILES = ("requirements.txt", "requirements-dev.txt")


def pins() -> dict[str, tuple[str, Version]]:
    """``{canonical name: (file, pinned version)}`` of every ``name==version`` line."""
    found = {}
    for file_name in REQUIREMENT_FILES:
        for line in (PROJECT / file_name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            requirement = Requirement(line)
            specifiers = list(requirement.specifier)
            assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{file_name}: {line} is not pinned with =="
            found[canonicalize_name(requirement.name)] = (file_name, Version(specifiers[0].version))
    return found


def minimums() -> dict[str, dict]:
    with open(PROJECT / "security-minimums.toml", "rb") as handle:
        return {canonicalize_name(name): entry for name, entry in tomllib.load(handle).items()}


class DependencySecurityTests(SimpleTestCase):
    def test_no_pinned_dependency_is_below_its_security_fix(self):
        known = minimums()
        for name, (file_name, pinned) in pins().items():
            with self.subTest(name):
                minimum = Version(known[name]["minimum"])
                self.assertGreaterEqual(
                    pinned, minimum, f"{file_name} pins {name}=={pinned}, below {minimum} ({known[name].get('advisories')})"
                )

    def test_a_new_dependency_cannot_be_pinned_without_a_security_review_entry(self):
        missing = sorted(set(pins()) - set(minimums()))
        self.assertEqual(missing, [], "add these to security-minimums.toml after looking up their advisories")
        stale = sorted(set(minimums()) - set(pins()))
        self.assertEqual(stale, [], "entries for packages no longer pinned")

    def test_django_is_at_the_latest_known_security_release_of_its_lts_series(self):
        _file, pinned = pins()["django"]
        self.assertEqual((pinned.major, pinned.minor), (5, 2), "the project runs on the 5.2 LTS")
        self.assertGreaterEqual(pinned, Version("5.2.19"))

    def test_the_running_environment_has_the_pinned_versions(self):
        for name, (_file, pinned) in pins().items():
            with self.subTest(name):
                try:
                    installed = Version(metadata.version(name))
                except metadata.PackageNotFoundError:
                    self.fail(f"{name} is pinned but not installed: pip install -r requirements-dev.txt")
                self.assertEqual(installed, pinned, f"{name}: installed {installed}, pinned {pinned}")

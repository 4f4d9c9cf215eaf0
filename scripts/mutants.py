#!/usr/bin/env python
"""Mutation testing of the rule modules: each rule's code mutated by mutmut, each mutant run against that rule's
own tests only (minutes, not the whole suite per mutant), and the share of mutants killed printed per rule and in
total.

    .venv/bin/python scripts/mutants.py [RULE ...]      (make mutants; RULE: one of the names in RULES)

Each rule runs in a scratch copy of the project (the work tree is never touched), with its own mutmut
configuration: the rule's module mutated, only the functions named in RULES (a module also holds code of other
rules), and its tests selected. Surviving mutants are listed with their diff, for docs/testing.md.

On SQLite (the default) the test database is migrated once, into a template file; each mutant's test run starts
from a copy of it instead of migrating its own (two thirds of a mutant's time on the shared machine).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
COPIED = ("ankasam_site", "articles", "authors", "publishing", "fixtures", "locale", "tests", "manage.py",
          "pytest.ini", "pyproject.toml")


@dataclass(frozen=True)
class Rule:
    module: str  # a path inside the project
    functions: tuple[str, ...]  # mutmut's names of the functions to mutate: ``x_name`` or ``xǁClassǁmethod``
    tests: tuple[str, ...]


RULES = {
    "publication": Rule(
        "articles/models/article.py",
        ("xǁArticleQuerySetǁpublished_q", "xǁArticleQuerySetǁpublished", "xǁArticleǁis_published_in"),
        ("tests/articles/test_publication_rule.py", "tests/articles/test_models.py"),
    ),
    "similar": Rule(
        "articles/similar.py", ("x_",),
        ("tests/articles/test_similar.py", "tests/articles/test_similar_lists.py",
         "tests/articles/test_similar_upkeep.py"),
    ),
    "footnotes": Rule(
        "articles/footnotes.py", ("x_",),
        ("tests/articles/test_views.py",
         "tests/articles/test_fixtures.py::FixtureCrawlTests::test_every_footnote_link_resolves_and_links_back"),
    ),
    "permissions": Rule(
        "publishing/workflow/roles.py", ("x_",),
        ("tests/articles/test_translation_roles.py", "tests/security/test_permissions.py"),
    ),
    "sanitising": Rule(
        "publishing/text.py", ("x_validate_html_size", "x_sanitize_html"),
        ("tests/security/test_content.py", "tests/publishing/test_text.py"),
    ),
    "stale edits": Rule("publishing/editing.py", ("x_", "xǁ"), ("tests/trust/test_stale_edits.py",)),
    "page cache": Rule(
        "articles/pages/caching.py", ("x_", "xǁ"),
        ("tests/articles/test_caching.py", "tests/articles/test_frontend_cache.py::ProxyHeadersTests",
         "tests/articles/test_search_engine.py::SuggestTests"),
    ),
}


def scratch_copy(rule: Rule) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="ankasam-mutants-"))
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__", "media"))
        else:
            shutil.copy2(source, scratch / name)
    if not os.environ.get("DATABASE_URL"):
        migrated_template(scratch)
    package = rule.module.split("/")[0]
    others = [name for name in (*COPIED, "conftest.py") if name != package and (scratch / name).exists()]
    (scratch / "setup.cfg").write_text(
        "[mutmut]\n"
        f"source_paths = {package}\n"
        f"only_mutate = {rule.module}\n"
        "also_copy =\n" + "".join(f"    {name}\n" for name in others)
        + "pytest_add_cli_args_test_selection =\n" + "".join(f"    {test}\n" for test in rule.tests)
        + "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n    -q\n    -x\n"
    )
    return scratch


# Each mutant's tests run in a child process of mutmut: a session fixture of pytest-django (``django_db_setup``,
# documented for using an existing database) gives that child a private copy of the migrated template.
TEMPLATE_CONFTEST = '''"""Written by scripts/mutants.py: each test session starts from a copy of the migrated template database."""
import os
import sqlite3

import pytest

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "template.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    from django.db import connections

    copy = f"{TEMPLATE}.{os.getpid()}"
    with sqlite3.connect(TEMPLATE) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with django_db_blocker.unblock():
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = copy
    yield
    with django_db_blocker.unblock():
        connections["default"].close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
'''


def migrated_template(scratch: Path) -> None:
    """``template.sqlite3`` beside the copy mutmut runs in (``mutants/``), made as the test runner would make a test
    database: migrated, with the cache table."""
    template = scratch / "template.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "PYTHONDONTWRITEBYTECODE": "1"}
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=scratch, env=environment, check=True)
    with sqlite3.connect(template) as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (scratch / "conftest.py").write_text(TEMPLATE_CONFTEST)


def mutmut(scratch: Path, *args: str, check: bool = True) -> str:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # pytest.ini names it
    result = subprocess.run([str(Path(sys.executable).with_name("mutmut")), *args], cwd=scratch, env=environment,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed in {scratch}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def run_rule(name: str, rule: Rule) -> tuple[int, int, list[str]]:
    scratch = scratch_copy(rule)
    module = rule.module.removesuffix(".py").replace("/", ".")
    # MUTANTS_FUNCTIONS (mutmut's names, comma-separated) narrows a rule to some functions: those whose code or tests
    # changed since its last full run.
    functions = [name for name in os.environ.get("MUTANTS_FUNCTIONS", "").split(",") if name] or rule.functions
    patterns = [f"{module}.{function}*" for function in functions]
    print(f"== {name}: {rule.module} against {', '.join(rule.tests)}", flush=True)
    mutmut(scratch, "run", "--max-children", os.environ.get("MUTANTS_CHILDREN", "2"), *patterns)
    results = mutmut(scratch, "results", "--all", "true")
    statuses = {}
    for line in results.splitlines():
        match = re.match(r"\s*(\S+): (\w[\w ]*)$", line)
        if match and any(re.fullmatch(re.escape(p).replace(r"\*", ".*"), match.group(1)) for p in patterns):
            statuses[match.group(1)] = match.group(2)
    killed = sum(status == "killed" for status in statuses.values())
    survivors = [mutant for mutant, status in statuses.items() if status != "killed"]
    for mutant in survivors:
        print(f"   survived ({statuses[mutant]}): {mutant}")
        print("      " + mutmut(scratch, "show", mutant, check=False).strip().replace("\n", "\n      "))
    print(f"   {killed} of {len(statuses)} mutants killed", flush=True)
    if os.environ.get("MUTANTS_KEEP"):
        # To run the survivors again after new tests: copy the tests into <scratch>/tests (mutmut copies them
        # into mutants/ on each run), then ``mutmut run NAME ...`` there.
        print(f"   kept: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return killed, len(statuses), survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rules", nargs="*", choices=[[], *RULES], metavar="RULE", help=", ".join(RULES))
    chosen = parser.parse_args().rules or list(RULES)
    total_killed = total = 0
    for name in chosen:
        killed, count, _survivors = run_rule(name, RULES[name])
        total_killed, total = total_killed + killed, total + count
    share = 100 * total_killed / total if total else 0.0
    print(f"MUTANTS KILLED: {total_killed} of {total} ({share:.1f} %) over {', '.join(chosen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""No lost work: editors saving at the same moment on SQLite wait for each other instead of one of them getting
"database is locked" (settings: a busy timeout and ``BEGIN IMMEDIATE`` transactions, WAL journal).

Each thread opens its own connection to a database file, with the project's own connection options.
"""
from __future__ import annotations

import copy
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import TestCase

ALIAS = "concurrency_probe"


def file_database(path: Path, **options) -> dict:
    """The project's database settings pointed at the file ``path``, with ``options`` overriding its OPTIONS."""
    database = copy.deepcopy(settings.DATABASES["default"])
    database.update(NAME=str(path), TEST={})
    database["OPTIONS"] = {**database.get("OPTIONS", {}), **options}
    return database


class ThreadConnection:
    """A connection of this thread to the probe database, usable with ``transaction.atomic(using=ALIAS)``."""

    def __init__(self, database: dict) -> None:
        self.database = database

    def __enter__(self):
        connections[ALIAS] = DatabaseWrapper(self.database, ALIAS)
        return connections[ALIAS]

    def __exit__(self, *exc_info) -> None:
        connections[ALIAS].close()
        del connections[ALIAS]


def increment(pause: float = 0.0) -> None:
    """Read, think, write: the read-then-write shape of every admin save, the one that deadlocks under DEFERRED."""
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (value,) = cursor.fetchone()
        time.sleep(pause)
        cursor.execute("UPDATE counter SET n = %s", [value + 1])


def counter_value(database: dict) -> int:
    with ThreadConnection(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        return cursor.fetchone()[0]


class SqliteConcurrencyTests(TestCase):
    def setUp(self):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            self.skipTest("the project runs on another database here; these settings are SQLite's")
        directory = tempfile.TemporaryDirectory(prefix="ankasam-sqlite-")
        self.addCleanup(directory.cleanup)
        self.path = Path(directory.name) / "concurrency.sqlite3"
        with ThreadConnection(file_database(self.path)) as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n integer NOT NULL)")
            cursor.execute("INSERT INTO counter (n) VALUES (0)")

    def run_writers(self, database: dict, threads: int, rounds: int, pause: float) -> list[Exception]:
        errors: list[Exception] = []
        start = threading.Barrier(threads)

        def writer() -> None:
            with ThreadConnection(database):
                start.wait()
                for _round in range(rounds):
                    try:
                        increment(pause)
                    except Exception as error:  # noqa: BLE001 - every failure is the finding
                        errors.append(error)

        workers = [threading.Thread(target=writer) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        return errors

    def test_project_settings_use_a_busy_timeout_and_immediate_transactions(self):
        options = settings.DATABASES["default"]["OPTIONS"]
        self.assertGreaterEqual(options["timeout"], 5)
        self.assertEqual(options["transaction_mode"], "IMMEDIATE")

    def test_concurrent_writers_wait_instead_of_failing_with_database_is_locked(self):
        database = file_database(self.path)
        errors = self.run_writers(database, threads=8, rounds=15, pause=0.002)
        self.assertEqual(errors, [])
        self.assertEqual(counter_value(database), 8 * 15, "no write lost")

    def test_a_second_writer_waits_for_the_first_to_commit(self):
        """Told by what the second writer read, not by the clock: it starts while the first holds the lock (and
        keeps it a while), and reads the first's committed write."""
        database = file_database(self.path)
        first_has_lock, second_read = threading.Event(), []

        def first() -> None:
            with ThreadConnection(database), transaction.atomic(using=ALIAS):
                connections[ALIAS].cursor().execute("SELECT n FROM counter")
                first_has_lock.set()
                time.sleep(0.3)  # room for the second writer to try; nothing measures it
                connections[ALIAS].cursor().execute("UPDATE counter SET n = n + 1")

        def second() -> None:
            first_has_lock.wait(5)
            with ThreadConnection(database), transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                second_read.append(cursor.fetchone()[0])
                cursor.execute("UPDATE counter SET n = n + 1")

        workers = [threading.Thread(target=first), threading.Thread(target=second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        self.assertEqual(counter_value(database), 2)
        self.assertEqual(second_read, [1], "the second writer waited for the first's commit before reading")

    def test_without_immediate_transactions_the_same_race_fails(self):
        """The fault the settings prevent, shown deterministically: a read-then-write transaction whose snapshot
        another writer has moved on fails at once with "database is locked", whatever the timeout."""
        database = file_database(self.path, transaction_mode="DEFERRED", timeout=1)
        first_has_read, second_committed, failures = threading.Event(), threading.Event(), []

        def first() -> None:
            with ThreadConnection(database):
                try:
                    with transaction.atomic(using=ALIAS):
                        connections[ALIAS].cursor().execute("SELECT n FROM counter")
                        first_has_read.set()
                        second_committed.wait(5)
                        connections[ALIAS].cursor().execute("UPDATE counter SET n = n + 1")
                except OperationalError as error:
                    failures.append(error)

        def second() -> None:
            first_has_read.wait(5)
            with ThreadConnection(database):
                increment()
            second_committed.set()

        workers = [threading.Thread(target=first), threading.Thread(target=second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        self.assertEqual(len(failures), 1)
        self.assertIn("database is locked", str(failures[0]))

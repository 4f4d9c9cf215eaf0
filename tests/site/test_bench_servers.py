"""``manage.py bench --servers``: what it needs is named when it is missing, and the static copies of the pages sit
where nginx answers their addresses (the timing itself is the benchmark's, never a test's)."""
from __future__ import annotations

import tempfile
import unittest
from pathlib import Path
from unittest import mock

from ankasam_site import bench_servers


class ServersSkippedTests(unittest.TestCase):
    def test_it_runs_on_postgresql_with_redis_and_the_three_programs(self):
        with mock.patch.object(bench_servers, "program", return_value="/usr/sbin/x"):
            self.assertIsNone(bench_servers.servers_skipped(database="postgres", redis=True))

    def test_it_names_everything_missing(self):
        with mock.patch.object(bench_servers, "program", side_effect=lambda name: None if name == "varnishd" else name):
            reason = bench_servers.servers_skipped(database="sqlite", redis=False)
        self.assertIn("Redis", reason)
        self.assertIn("PostgreSQL", reason)
        self.assertIn("varnishd", reason)
        self.assertNotIn("nginx", reason)


class PairedRatioTests(unittest.TestCase):
    def test_a_slow_round_slows_both_loads_and_leaves_the_ratio(self):
        self.assertEqual(bench_servers.paired_ratio([200.0, 100.0, 210.0], [100.0, 50.0, 100.0]), 2.0)


class StaticCopyTests(unittest.TestCase):
    def test_a_page_address_becomes_its_index_file(self):
        with tempfile.TemporaryDirectory() as root:
            written = bench_servers.static_copy(Path(root), "/en/articles/%C3%A7ay/", b"<html>")
            self.assertEqual(written, (Path(root) / "en" / "articles" / "çay" / "index.html").resolve())
            self.assertEqual(written.read_bytes(), b"<html>")

    def test_an_address_outside_the_root_is_refused(self):
        with tempfile.TemporaryDirectory() as root, self.assertRaises(ValueError):
            bench_servers.static_copy(Path(root), "/../escape/", b"x")

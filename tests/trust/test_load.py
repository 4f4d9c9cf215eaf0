"""Under mixed reads and admin saves against gunicorn, with a graceful worker restart (SIGHUP) in the middle: no 5xx,
no dropped request, no lost save. Runs ``scripts/loadtest.py`` small (loopback only), bounded by its request budget,
not by the clock: the restart comes after half the budget however busy the machine is (the time limit is only a
safety cap)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

PROJECT = Path(__file__).resolve().parents[2]


class GracefulRestartUnderLoadTests(SimpleTestCase):
    def test_a_worker_restart_during_reads_and_admin_saves_loses_no_request_and_no_save(self):
        result = subprocess.run(
            [sys.executable, "scripts/loadtest.py", "--max-requests", "200", "--seconds", "300", "--readers", "3",
             "--editors", "2", "--workers", "2"],
            cwd=PROJECT, capture_output=True, text=True, timeout=900,
        )
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("RESULT: PASS", output)
        self.assertRegex(output, r"graceful restart: SIGHUP .* \(all replaced\)")
        saves = re.search(r"admin saves: (\d+) acknowledged, (\d+) refused as stale .*, (\d+) lost", output)
        self.assertGreater(int(saves.group(1)), 0, output)
        self.assertRegex(output, r"SIGHUP at [\d.]+ s after 1\d\d requests", "after half the budget, not half the time")
        self.assertRegex(output, r"[\d.]+ s, 200 requests", "the whole budget spent")
        self.assertEqual(int(saves.group(3)), 0)
        self.assertRegex(output, r"5xx responses: 0; connection errors: 0")

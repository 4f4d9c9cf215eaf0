"""Under mixed reads and admin saves against gunicorn, with a graceful worker restart (SIGHUP) in the middle: no 5xx,
no dropped request, no lost save. Runs ``scripts/loadtest.py`` small (a few seconds, loopback only)."""
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
            [sys.executable, "scripts/loadtest.py", "--seconds", "8", "--readers", "3", "--editors", "2",
             "--workers", "2", "--max-requests", "2000"],
            cwd=PROJECT, capture_output=True, text=True, timeout=300,
        )
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("RESULT: PASS", output)
        self.assertRegex(output, r"graceful restart: SIGHUP .* \(all replaced\)")
        saves = re.search(r"admin saves: (\d+) acknowledged, (\d+) refused as stale .*, (\d+) lost", output)
        self.assertGreater(int(saves.group(1)), 0, output)
        self.assertEqual(int(saves.group(3)), 0)
        self.assertRegex(output, r"5xx responses: 0; connection errors: 0")

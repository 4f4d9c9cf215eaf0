"""``manage.py bench`` runs end to end from one command, prints the table and writes every figure as JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from ankasam_site.bench_inputs import HOSTILE_CASES

PROJECT = Path(__file__).resolve().parents[2]


class BenchCommandTests(SimpleTestCase):
    def test_a_small_archive_runs_end_to_end_and_reports_every_figure(self):
        with tempfile.TemporaryDirectory() as scratch:
            figures_path = Path(scratch) / "figures.json"
            environment = {**os.environ, "BENCH_DIR": scratch}
            result = subprocess.run(
                [sys.executable, "manage.py", "bench", "--articles", "300", "--database", "sqlite", "--redis", "none",
                 "--seconds", "1", "--samples", "20", "--servers", "--json", str(figures_path)],
                cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=600,
            )
            self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
            report = json.loads(figures_path.read_text())
        self.assertIn("Similar Posts stored p50 / p95 / p99 (ms)", result.stdout)
        self.assertEqual(report["archive"]["articles"], 300)
        figures = report["results"]["sqlite"]
        self.assertEqual(figures["database"], "sqlite")
        similar = figures["similar"]
        for key in ("p50_ms", "p95_ms", "p99_ms", "ratio_vs_taggit_p50", "ratio_vs_taggit_p95"):
            self.assertGreater(similar[key], 0, key)
        self.assertGreater(similar["taggit"]["p50_ms"], 0)
        self.assertEqual(similar["equal_to_rule"], similar["checked"])
        self.assertEqual(similar["taggit_counts_agree"], similar["taggit_checked"])
        self.assertGreater(figures["save"]["upkeep"]["p50_ms"], 0)
        self.assertGreater(figures["save"]["retag_vs_uncached_similar_p50"], 0)
        self.assertGreater(figures["save"]["retag_queued"]["p50_ms"], 0)  # the save with the upkeep queued
        self.assertIn("retag, upkeep queued: save p50 / p95 (ms)", result.stdout)
        for page in ("article", "home", "tag", "search", "api_article", "api_list"):
            for key in ("queries_uncached", "queries_cached", "uncached_p50_ms", "uncached_p95_ms", "cached_p50_ms",
                        "cached_p95_ms"):
                self.assertIn(key, figures["pages"][page], f"{page}: {key}")
        # Without Redis (as here) the page stamps are read from the database: one query more on each side.
        self.assertLessEqual(figures["pages"]["article"]["queries_uncached"], 4 + 1)
        self.assertEqual(figures["pages"]["article"]["queries_cached"], 1)
        self.assertLessEqual(figures["pages"]["api_article"]["queries_uncached"], 4 + 1)  # the article page's reads
        self.assertEqual(figures["pages"]["api_article"]["queries_cached"], 1)
        self.assertEqual(figures["pages"]["api_list"]["queries_cached"], 1)
        self.assertGreater(figures["pages"]["api_list"]["urls"], 1)  # pages deep in the archive too
        for name in ("changelist", "change_form"):
            self.assertGreater(figures["admin"][name]["queries"], 0)
            self.assertGreater(figures["admin"][name]["p50_ms"], 0)
        throughput = figures["throughput"]
        for key in ("trivial_rps", "cached_rps", "uncached_rps", "first_10s_after_restart_rps"):
            self.assertGreater(throughput[key], 0, key)
        for key in ("cached_vs_trivial", "uncached_vs_cached", "restart_vs_warm"):
            self.assertIn(key, throughput)
        self.assertGreater(figures["import"]["articles_per_second"], 0)
        self.assertEqual(list(figures["hostile_inputs"]["cases_ms"]), list(HOSTILE_CASES))
        self.assertIn("hostile inputs: slowest case (ms)", result.stdout)
        self.assertGreater(figures["memory"]["bench_peak_mb"], 0)
        self.assertGreater(figures["memory"]["worker_peak_mb"], 0)
        # --servers needs PostgreSQL and Redis: on SQLite without Redis it says so instead of measuring.
        self.assertIn("Redis", figures["servers"]["skipped"])
        self.assertIn("PostgreSQL", figures["servers"]["skipped"])
        self.assertIn("leaving out the several servers' figures", result.stdout)
        self.assertIn("editor's retag, save p50: immediate / tasks (ms)", result.stdout)

    def test_too_small_an_archive_is_refused_with_a_clear_message(self):
        result = subprocess.run([sys.executable, "manage.py", "bench", "--articles", "10"], cwd=PROJECT,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 1)
        self.assertIn("--articles must be at least 50", result.stderr)
        self.assertNotIn("Traceback", result.stderr)


class GrowthTests(SimpleTestCase):
    def test_pages_only_measures_both_archives_and_prints_every_pages_growth(self):
        with tempfile.TemporaryDirectory() as scratch:
            figures_path = Path(scratch) / "figures.json"
            result = subprocess.run(
                [sys.executable, "manage.py", "bench", "--articles", "120", "--growth-articles", "60", "--database",
                 "sqlite", "--redis", "none", "--pages-only", "--json", str(figures_path)],
                cwd=PROJECT, env={**os.environ, "BENCH_DIR": scratch}, capture_output=True, text=True, timeout=600,
            )
            self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
            figures = json.loads(figures_path.read_text())["results"]["sqlite"]
        self.assertEqual(figures["growth"]["articles"], 60)
        self.assertEqual(set(figures["growth"]["ratios"]), set(figures["all_pages"]))
        self.assertTrue(all(ratio > 0 for ratio in figures["growth"]["ratios"].values()))
        self.assertIn("both archives taking turns", result.stdout)
        self.assertIn("p95 ÷ p95 at 60 articles", result.stdout)
        self.assertNotIn("Similar Posts", result.stdout)  # pages only: no line of what was not measured

    def test_the_archives_take_turns_round_by_round(self):
        """Each archive's process times a round only when asked, and the order of the two alternates, so that both
        meet the same moments of the machine."""
        from ankasam_site import bench_pages

        with tempfile.TemporaryDirectory() as scratch:
            log = Path(scratch) / "rounds.log"
            script = (
                "import os, sys, json\n"
                "name = os.environ['ARCHIVE']\n"
                "print('noise'); print('@bench-rounds:ready', flush=True)\n"
                "for line in sys.stdin:\n"
                "    if line.strip() == '@bench-rounds:round':\n"
                "        open(os.environ['LOG'], 'a').write(name + '\\n'); print('@bench-rounds:round', flush=True)\n"
                "    elif line.strip() == '@bench-rounds:done':\n"
                "        print('@bench-rounds:figures ' + json.dumps({'home': name}), flush=True); break\n"
            )
            environments = {name: {**os.environ, "ARCHIVE": name, "LOG": str(log)} for name in ("full", "small")}
            figures = bench_pages.measure_interleaved(environments, rounds=4, command=[sys.executable, "-c", script])
            order = log.read_text().split()
        self.assertEqual(figures, {"full": {"home": "full"}, "small": {"home": "small"}})
        self.assertEqual(order, ["full", "small", "small", "full", "full", "small", "small", "full"])


class MeasuringProcessFailureTests(SimpleTestCase):
    def test_a_measuring_process_that_stops_ends_the_measurement_with_a_clear_error_and_no_process_left(self):
        from ankasam_site import bench_pages

        with tempfile.TemporaryDirectory() as scratch:
            pids = Path(scratch) / "pids"
            script = (
                "import os, sys\n"
                "open(os.environ['PIDS'], 'a').write(f'{os.getpid()}\\n')\n"
                "print('@bench-rounds:ready', flush=True)\n"
                "if os.environ['ARCHIVE'] == 'small': sys.exit(3)\n"
                "for line in sys.stdin: print('@bench-rounds:round', flush=True)\n"
            )
            environments = {name: {**os.environ, "ARCHIVE": name, "PIDS": str(pids)} for name in ("full", "small")}
            with self.assertRaisesRegex(RuntimeError, r"small archive: the process stopped \(exit status 3\)"):
                bench_pages.measure_interleaved(environments, rounds=2, command=[sys.executable, "-c", script])
            started = [int(pid) for pid in pids.read_text().split()]
        self.assertEqual(len(started), 2)
        for pid in started:  # each ended and waited for: none left running, none left a zombie
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)

    def test_a_measuring_process_that_does_not_answer_is_given_up_on(self):
        from unittest import mock

        from ankasam_site import bench_pages

        script = "import sys, time\nprint('@bench-rounds:ready', flush=True)\ntime.sleep(60)\n"
        with mock.patch.object(bench_pages, "ANSWER_SECONDS", 1), \
                self.assertRaisesRegex(RuntimeError, "full archive: no answer in 1 s"):
            bench_pages.measure_interleaved({"full": dict(os.environ)}, rounds=1, command=[sys.executable, "-c", script])

    def test_internal_flags_alone_are_refused_with_a_clear_message(self):
        for flags in (["--serve-rounds"], ["--build-only"], ["--inside", "--pages-only"]):
            with self.subTest(flags=flags):
                result = subprocess.run([sys.executable, "manage.py", "bench", *flags], cwd=PROJECT,
                                        capture_output=True, text=True, timeout=120)
                self.assertEqual(result.returncode, 1)
                self.assertNotIn("Traceback", result.stderr)


class CollectorTests(SimpleTestCase):
    def test_pages_are_timed_with_the_collector_set_as_a_production_worker_sets_it(self):
        import gc

        from ankasam_site import bench_pages

        before, environment = gc.get_threshold(), dict(os.environ)
        try:
            bench_pages.collect_as_a_worker()
            thresholds = gc.get_threshold()
            self.assertGreater(gc.get_freeze_count(), 0)
            self.assertEqual(dict(os.environ), environment)  # the workers' statement timeout stays theirs
            import runpy

            config = runpy.run_path(str(PROJECT / "ankasam_site" / "gunicorn_conf.py"))
            self.assertEqual(thresholds, config["GC_THRESHOLD"])
        finally:
            os.environ.clear()
            os.environ.update(environment)
            gc.unfreeze()
            gc.set_threshold(*before)

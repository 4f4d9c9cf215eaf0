"""``manage.py bench``: build a synthetic archive in a scratch database and print what the site costs on it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ankasam_site import bench_pages, bench_table, benchmark


class Command(BaseCommand):
    help = (
        "Build a synthetic archive (default 100,000 articles in tr/en/ru, 5,000 Zipf-distributed tags) in a scratch "
        "database (.bench/bench.sqlite3, PostgreSQL ankasam_bench) and print Similar Posts, page, admin, import, "
        "gunicorn throughput and memory figures for SQLite and, when it answers, PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--tags", type=int, default=None, help="default: 5,000 at 100,000 articles, in proportion")
        parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both",
                            help="both (the default) skips PostgreSQL when it does not answer")
        parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
                            help="Redis for the page cache (its database is emptied); 'none' for the local memory cache")
        parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
        parser.add_argument("--samples", type=int, default=200, help="articles timed for Similar Posts")
        parser.add_argument("--json", dest="json_path", default=None)
        parser.add_argument("--reuse-archive", action="store_true",
                            help="measure again on the archive a previous run left in the scratch database")
        parser.add_argument("--growth-articles", type=int, default=10_000,
                            help="also measure every page on an archive of this size and print each page's p95 "
                                 "ratio (full ÷ this); 0 leaves it out")
        parser.add_argument("--servers", action="store_true",
                            help="also one app server against two behind nginx, and cached pages through Varnish "
                                 "against nginx serving the same bytes (PostgreSQL, Redis, varnishd, nginx and wrk)")
        parser.add_argument("--pages-only", action="store_true",
                            help="build (or reuse) the archives and measure every page only: the pages' table and "
                                 "growth ratios in minutes, without Similar Posts, saves, the importer or gunicorn")
        parser.add_argument("--inside", action="store_true", help="(internal) measure in the current environment")
        parser.add_argument("--build-only", action="store_true", help="(internal) with --inside: build, measure nothing")
        parser.add_argument("--serve-rounds", action="store_true",
                            help="(internal) with --inside: time every page a round at a time, on request")

    def handle(self, *args, articles, tags, database, redis, seconds, samples, json_path, inside, reuse_archive,
               growth_articles, pages_only, servers, build_only, serve_rounds, **options):
        if articles < 50:
            raise CommandError("--articles must be at least 50")
        if (serve_rounds or build_only) and not inside:
            raise CommandError("--serve-rounds and --build-only are internal: they go with --inside")
        if inside and pages_only:
            raise CommandError("--pages-only is the command's own: with --inside, use --build-only")
        if inside and serve_rounds:
            bench_pages.collect_as_a_worker()  # as ``measure`` times its figures: as a worker would serve them
            bench_pages.serve_rounds(sys.stdin, sys.stdout)
            return
        if inside:
            figures = benchmark.measure(articles=articles, tags=tags or benchmark.default_tags(articles),
                                        seconds=seconds, samples=samples, reuse_archive=reuse_archive,
                                        build_only=build_only, servers=servers)
            Path(json_path).write_text(json.dumps(figures, indent=2))
            return
        databases = ["sqlite", "postgres"] if database == "both" else [database]
        if "postgres" in databases and not benchmark.postgres_available():
            if database == "postgres":
                raise CommandError("PostgreSQL does not answer at BENCH_POSTGRES_URL (postgres://…/ankasam_bench)")
            self.stderr.write("PostgreSQL does not answer: measuring SQLite only.")
            databases.remove("postgres")
        redis_url = None if redis in ("", "none") else redis
        if redis_url and not _redis_answers(redis_url):
            self.stderr.write(f"Redis does not answer at {redis_url}: the page cache is per process.")
            redis_url = None
        try:
            report = benchmark.run(articles=articles, tags=tags, databases=databases, redis_url=redis_url,
                                   seconds=seconds, samples=samples, out=self.stdout, reuse_archive=reuse_archive,
                                   growth_articles=growth_articles, servers=servers, pages_only=pages_only)
        except subprocess.CalledProcessError as error:
            raise CommandError(f"a benchmark step failed (exit status {error.returncode}): {' '.join(error.cmd[2:])}")
        except RuntimeError as error:  # the pages' measuring processes (``bench_pages.measure_interleaved``)
            raise CommandError(str(error))
        self.stdout.write(bench_table.table(report))
        if json_path:
            Path(json_path).write_text(json.dumps(report, indent=2))
            self.stdout.write(f"Figures written to {json_path}")


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False

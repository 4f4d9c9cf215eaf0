"""``manage.py bench``: a synthetic archive in a scratch database, and what the site costs on it.

The command (``run``) prepares a scratch database per database kind (an SQLite file under ``.bench/``; the
PostgreSQL database ``ankasam_bench``), migrates it, and runs itself again inside that environment
(``measure``), so that the default database is never touched. ``measure`` builds the archive
(``bench_archive``), then times Similar Posts against the rule and against
django-taggit's ``similar_objects()``, an editor's save, the readers' pages and the admin in process
(``bench_pages``), the text importer, and the article page under gunicorn with a load generator from the outside
(``bench_servers``; with ``--servers`` also two app servers and the proxies). ``bench_table`` prints the figures
as a table; the same figures go to ``--json``.
"""
from __future__ import annotations

import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ankasam_site import bench_pages, bench_servers
from .bench_archive import LANGUAGES, build_archive, default_tags
from .bench_inputs import measure_hostile_inputs

PROJECT = Path(__file__).resolve().parent.parent
# Scratch files (the SQLite archive, collected static files, figures); BENCH_DIR moves them (the tests do).
SCRATCH = Path(os.environ.get("BENCH_DIR") or PROJECT / ".bench")


# --- Orchestration (the command's own process) ----------------------------------------------------------------


def scratch_database_url(kind: str, *, fresh: bool = True, suffix: str = "") -> str:
    """The scratch database of ``kind``, emptied unless ``fresh`` is False (``--reuse-archive``); ``suffix`` names
    another one (``_growth``: the smaller archive the growth ratios divide by)."""
    if kind == "sqlite":
        SCRATCH.mkdir(parents=True, exist_ok=True)
        path = SCRATCH / f"bench{suffix}.sqlite3"
        for suffix in ("", "-wal", "-shm") if fresh else ():
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ankasam_bench")
    import psycopg
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    parts = parts._replace(path=parts.path + suffix)
    url = parts.geturl()
    name = parts.path.lstrip("/")
    if not name.startswith("ankasam_bench"):
        raise ValueError("the benchmark's PostgreSQL database must be named ankasam_bench…, never a real one")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def postgres_available() -> bool:
    try:
        import psycopg

        url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ankasam_bench")
        from urllib.parse import urlsplit

        admin_url = urlsplit(url)._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, connect_timeout=2):
            return True
    except Exception:
        return False


def bench_environment(database_url: str, redis_url: str | None) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.pop("REDIS_URL", None)
    environment.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="ankasam_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_CACHE_PREFIX="ankasam-bench",
        STATIC_ROOT=str(SCRATCH / "static"),
        MEDIA_ROOT=str(SCRATCH / "media"),
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
        # Without Redis production settings would not cache pages (one cache per process); measure it anyway.
        ARTICLES_PAGE_CACHE_SECONDS="600",
        # The read API's rate limit would refuse the benchmark's own requests.
        ARTICLES_API_THROTTLE_RATE="",
    )
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def run(*, articles: int, tags: int | None, databases: list[str], redis_url: str | None, seconds: float,
        samples: int, out, reuse_archive: bool = False, growth_articles: int = 10_000, servers: bool = False,
        pages_only: bool = False) -> dict:
    """Measure on each database in turn; returns ``{"archive": …, "results": {database: figures}}``.

    With ``servers``, the deployment's figures too (``bench_servers.measure_servers``) where it can run: on
    PostgreSQL with Redis, varnishd, nginx and wrk; elsewhere ``figures["servers"]`` says what it lacked.

    Every page is measured last, uncached, in a process of its own (``bench_pages.measure_interleaved``). With
    ``growth_articles`` below ``articles``, a second archive of that size is built the same way in a second scratch
    database, both archives' pages are measured in alternating rounds, and each page's p95 ratio goes into
    ``figures["growth"]``. ``pages_only`` builds (or reuses) the archives and measures their pages only."""
    report: dict = {"archive": {"articles": articles, "tags": tags or default_tags(articles),
                                "languages": list(LANGUAGES)}, "results": {}}
    manage = [sys.executable, str(PROJECT / "manage.py")]

    def inside(environment: dict, size: int, figures_path: Path, *options: str) -> dict:
        figures_path.unlink(missing_ok=True)
        size_tags = (tags if size == articles else None) or default_tags(size)
        command = manage + ["bench", "--inside", "--articles", str(size), "--tags", str(size_tags),
                            "--json", str(figures_path), *options]
        if reuse_archive:
            command.append("--reuse-archive")
        subprocess.run(command, cwd=PROJECT, env=environment, check=True)
        return json.loads(figures_path.read_text())

    for kind in databases:
        doing = "measuring on the archive already built" if reuse_archive else f"building {articles} articles and measuring"
        out.write(f"== {kind}: {doing} (this takes a while at 100,000)\n")
        out.flush()
        environment = bench_environment(scratch_database_url(kind, fresh=not reuse_archive), redis_url)
        for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(manage + step, cwd=PROJECT, env=environment, check=True)
        options = ["--build-only"] if pages_only else ["--seconds", str(seconds), "--samples", str(samples)]
        skipped = bench_servers.servers_skipped(database=kind, redis=bool(redis_url)) if servers else None
        if skipped and not pages_only:
            out.write(f"== {kind}: leaving out the several servers' figures: this run {skipped}\n")
        elif servers and not pages_only:
            options.append("--servers")
        figures = inside(environment, articles, SCRATCH / f"figures-{kind}.json", *options)
        if skipped and not pages_only:
            figures["servers"] = {"skipped": skipped}
        figures["database"] = kind
        figures["redis"] = bool(redis_url)
        environments = {"full": environment}
        if 50 <= growth_articles < articles:
            out.write(f"== {kind}: building {growth_articles} articles for the growth ratios\n")
            out.flush()
            small_environment = bench_environment(
                scratch_database_url(kind, fresh=not reuse_archive, suffix="_growth"), redis_url
            )
            subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=PROJECT, env=small_environment, check=True)
            small = inside(small_environment, growth_articles, SCRATCH / f"figures-{kind}-growth.json", "--build-only")
            environments["small"] = small_environment
        out.write(f"== {kind}: every page, uncached{', both archives taking turns' if len(environments) > 1 else ''}\n")
        out.flush()
        pages = bench_pages.measure_interleaved(environments)
        figures["all_pages"] = pages["full"]
        if "small" in pages:
            figures["growth"] = {"articles": growth_articles, "build_seconds": small["archive"]["build_seconds"],
                                 "pages": pages["small"], "ratios": bench_pages.growth(pages["full"], pages["small"])}
        report["results"][kind] = figures
    return report


# --- Measuring (inside the scratch environment) ---------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict:
    return {"p50_ms": round(percentile(seconds, 0.5) * 1000, 3), "p95_ms": round(percentile(seconds, 0.95) * 1000, 3),
            "p99_ms": round(percentile(seconds, 0.99) * 1000, 3)}


@contextmanager
def timer(into: list[float]):
    start = time.perf_counter()
    yield
    into.append(time.perf_counter() - start)


def measure(*, articles: int, tags: int, seconds: float, samples: int, reuse_archive: bool = False,
            build_only: bool = False, servers: bool = False) -> dict:
    """Build the archive (or reuse it) and measure all but every page uncached, which ``run`` measures afterwards in
    processes of their own (``bench_pages.measure_interleaved``); ``build_only`` stops after the build."""
    from django.core.cache import cache

    def step(name: str) -> None:
        print(f"   {time.strftime('%H:%M:%S')} {name}", flush=True)

    figures: dict = {"archive": {"articles": articles, "tags": tags}}
    from articles.models import Article

    existing = Article.objects.count()
    if reuse_archive and existing >= articles:
        step(f"reusing the archive of {existing} articles")
        from articles.similar import similar_lists_forget_all

        similar_lists_forget_all()  # made again below, by this version of the code
        figures["archive"].update(build_seconds=None, reused=True)
    else:
        if existing:
            raise RuntimeError("the scratch database is not empty: run without --reuse-archive")
        step("building the archive")
        figures["archive"].update(build_archive(articles=articles, tags=tags))
    _refresh_statistics()
    cache.clear()
    bench_pages.collect_as_a_worker()  # every figure below in process, as a worker would serve it
    if build_only:
        return figures
    step("Similar Posts")
    figures["similar"], sample = measure_similar(samples=samples)
    _refresh_statistics()  # the lists were made after the first ANALYZE: without it PostgreSQL plans for empty tables
    step("saves")
    figures["save"] = measure_saves(sample[:20], figures["similar"])
    step("pages")
    figures["pages"] = bench_pages.measure_pages(sample)
    step("admin")
    figures["admin"] = bench_pages.measure_admin(sample)
    step("importer")
    figures["import"] = measure_import(count=10 if articles < 10_000 else 40)
    step("hostile inputs")
    figures["hostile_inputs"] = measure_hostile_inputs()
    step("gunicorn")
    figures["throughput"], worker_memory = bench_servers.measure_throughput(sample, seconds=seconds)
    figures["memory"] = {"bench_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                         "worker_peak_mb": worker_memory}
    if servers:
        step("several servers and the proxy")
        figures["servers"] = bench_servers.measure_servers(sample, seconds=seconds)
    return figures


def _refresh_statistics() -> None:
    """The planner's statistics, as autovacuum would have them after a load (this machine's PostgreSQL runs without
    autovacuum: a table filled after the last ANALYZE is planned as empty, a full scan where an index step would do)."""
    from django.db import connection

    # VACUUM too on PostgreSQL: it marks the freshly written pages all-visible, as autovacuum would, so index-only
    # scans stay in the index (a sitemap file's slice read 63,000 heap rows without it: 135 ms instead of a few).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure_similar(*, samples: int) -> tuple[dict, list]:
    from articles.models import Article, SimilarList
    from articles.similar import _live_candidates, shown_limit, similar_list_build, similar_lists_build_all, similar_rows

    rng = random.Random(7)
    candidates = list(Article.objects.published("en").filter(tagged_items__isnull=False).distinct()
                      .values_list("pk", flat=True)[:50_000])
    sample = [Article.objects.get(pk=pk) for pk in rng.sample(candidates, min(samples, len(candidates)))]

    uncached, rule_query, stored, taggit = [], [], [], []
    for article in sample:  # computed live from the tag links: what a list costs when it is first read
        with timer(uncached):
            _live_candidates(article.pk, "en", shown_limit(), due_only=True)
        with timer(rule_query):  # the same rule as one ORM query over the articles (``similar_to``)
            list(Article.objects.similar_to(article, "en"))
    for article in sample:
        similar_list_build(article_id=article.pk, language="en")
    # More stored lists, as a site that has been read for a while has: the cost of keeping them current grows.
    extra = rng.sample(candidates, min(len(candidates), max(len(sample), min(1000, len(candidates) // 20))))
    similar_lists_build_all(article_ids=extra, languages=["en"])
    for _round in range(3):
        for article in sample:
            with timer(stored):
                similar_rows(article.pk, "en")
    equal = sum(
        [(r.similar_id, r.shared_tags) for r in similar_rows(a.pk, "en")]
        == [(s.pk, s.shared_tags) for s in Article.objects.similar_to(a, "en")]
        for a in sample
    )
    taggit_sample = sample[: max(5, min(len(sample), 30))]
    agree = 0
    public = set()
    for article in taggit_sample:
        with timer(taggit):
            found = article.tags.similar_objects()
        ours = [row.shared_tags for row in similar_rows(article.pk, "en")]
        public = public or set(Article.objects.published("en").values_list("pk", flat=True))
        best = sorted((item.similar_tags for item in found if item.pk in public), reverse=True)[: len(ours) or 6]
        agree += ours == best
    result = {
        **summary_ms(stored),
        "uncached": summary_ms(uncached),
        "rule_query": summary_ms(rule_query),
        "taggit": summary_ms(taggit),
        "ratio_vs_taggit_p50": round(percentile(taggit, 0.5) / max(percentile(stored, 0.5), 1e-9), 1),
        "ratio_vs_taggit_p95": round(percentile(taggit, 0.95) / max(percentile(stored, 0.95), 1e-9), 1),
        "checked": len(sample),
        "equal_to_rule": equal,
        "taggit_checked": len(taggit_sample),
        "taggit_counts_agree": agree,
        "stored_lists": SimilarList.objects.count(),
    }
    return result, sample


def measure_saves(sample, similar: dict) -> dict:
    """Retagging an article: the Similar Posts upkeep alone, the whole save (search entries, page cache too) with
    the upkeep done in the save (the immediate task backend), and the save with the upkeep queued for the worker
    (the database task backend, as DJANGO_TASKS_BACKEND=database deploys it), then the worker's run of the queue."""
    from django.core.management import call_command
    from django.test import override_settings

    from articles.models import Tag
    from articles.similar import similar_lists_update

    upkeep, whole, queued, worker = [], [], [], []
    tags = list(Tag.objects.order_by("pk")[:200])
    rng = random.Random(11)

    def retag(article, into: list[float]) -> None:
        current = list(article.tags.all())
        replacement = rng.choice([tag for tag in tags if tag not in current])
        with timer(into):
            article.tags.remove(current[-1])
            article.tags.add(replacement)

    for article in sample:
        retag(article, whole)
        with timer(upkeep):
            similar_lists_update(article_id=article.pk, tags_changed=True)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        for article in sample:
            retag(article, queued)
        with timer(worker):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    uncached_p50 = similar["uncached"]["p50_ms"]
    upkeep_ms, whole_ms, queued_ms = summary_ms(upkeep), summary_ms(whole), summary_ms(queued)
    return {
        "upkeep": upkeep_ms,
        "retag": whole_ms,
        "retag_queued": queued_ms,
        "worker_seconds": round(sum(worker), 2),
        "queued_vs_whole_p50": round(queued_ms["p50_ms"] / max(whole_ms["p50_ms"], 1e-9), 2),
        "upkeep_vs_uncached_similar_p50": round(upkeep_ms["p50_ms"] / max(uncached_p50, 1e-9), 2),
        "retag_vs_uncached_similar_p50": round(whole_ms["p50_ms"] / max(uncached_p50, 1e-9), 2),
    }


def measure_import(*, count: int) -> dict:
    from articles.exchange.importing import article_import_text

    texts = sorted((PROJECT / "fixtures" / "texts" / "tr").glob("*.txt"))
    sources = [path.read_text(encoding="utf-8").splitlines() for path in texts]
    started = time.perf_counter()
    for n in range(count):
        lines = list(sources[n % len(sources)])
        lines[1] = f"{lines[1]} — benchmark {n}"
        article_import_text(data="\n".join(lines).encode(), language="tr", source=f"bench-{n}.txt", publish=True)
    elapsed = time.perf_counter() - started
    return {"articles": count, "seconds": round(elapsed, 2), "articles_per_second": round(count / elapsed, 1)}

"""``manage.py bench``: a synthetic archive in a scratch database, and what the site costs on it.

The command (``run``) prepares a scratch database per database kind (an SQLite file under ``.bench/``; the
PostgreSQL database ``ankasam_bench``), migrates it, and runs itself again inside that environment
(``measure``), so that the default database is never touched. ``measure`` builds the archive with bulk inserts
(no signals: nothing is cached or stored while building), then times Similar Posts against the rule and against
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
from datetime import timedelta
from pathlib import Path

from ankasam_site import bench_pages, bench_servers
from .bench_inputs import measure_hostile_inputs

PROJECT = Path(__file__).resolve().parent.parent
# Scratch files (the SQLite archive, collected static files, figures); BENCH_DIR moves them (the tests do).
SCRATCH = Path(os.environ.get("BENCH_DIR") or PROJECT / ".bench")
LANGUAGES = ("tr", "en", "ru")
WORDS = (
    "strateji güvenlik enerji diplomasi ticaret savunma bölge işbirliği kriz politika ekonomi sınır yaptırım "
    "security energy diplomacy trade defence region cooperation crisis policy economy border sanctions alliance "
    "безопасность энергия дипломатия торговля оборона регион сотрудничество кризис политика экономика граница"
).split()


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
        samples: int, out, reuse_archive: bool = False, growth_articles: int = 10_000, servers: bool = False) -> dict:
    """Measure on each database in turn; returns ``{"archive": …, "results": {database: figures}}``.

    With ``servers``, the deployment's figures too (``bench_servers.measure_servers``) where it can run: on
    PostgreSQL with Redis, varnishd, nginx and wrk; elsewhere ``figures["servers"]`` says what it lacked.

    With ``growth_articles`` below ``articles``, every page is measured again on an archive of that size, built
    the same way in a second scratch database, and each page's p95 ratio goes into ``figures["growth"]``."""
    report: dict = {"archive": {"articles": articles, "tags": tags or default_tags(articles),
                                "languages": list(LANGUAGES)}, "results": {}}
    for kind in databases:
        doing = "measuring on the archive already built" if reuse_archive else f"building {articles} articles and measuring"
        out.write(f"== {kind}: {doing} (this takes a while at 100,000)\n")
        out.flush()
        environment = bench_environment(scratch_database_url(kind, fresh=not reuse_archive), redis_url)
        manage = [sys.executable, str(PROJECT / "manage.py")]
        for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(manage + step, cwd=PROJECT, env=environment, check=True)
        figures_path = SCRATCH / f"figures-{kind}.json"
        figures_path.unlink(missing_ok=True)
        command = manage + ["bench", "--inside", "--articles", str(articles), "--tags", str(tags or default_tags(articles)),
                            "--seconds", str(seconds), "--samples", str(samples), "--json", str(figures_path)]
        if reuse_archive:
            command.append("--reuse-archive")
        skipped = bench_servers.servers_skipped(database=kind, redis=bool(redis_url)) if servers else None
        if skipped:
            out.write(f"== {kind}: leaving out the several servers' figures: this run {skipped}\n")
        elif servers:
            command.append("--servers")
        subprocess.run(command, cwd=PROJECT, env=environment, check=True)
        figures = json.loads(figures_path.read_text())
        if skipped:
            figures["servers"] = {"skipped": skipped}
        figures["database"] = kind
        figures["redis"] = bool(redis_url)
        if 50 <= growth_articles < articles:
            out.write(f"== {kind}: building {growth_articles} articles for the growth ratios\n")
            out.flush()
            small_environment = bench_environment(scratch_database_url(kind, suffix="_growth"), redis_url)
            subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=PROJECT, env=small_environment, check=True)
            small_path = SCRATCH / f"figures-{kind}-growth.json"
            small_path.unlink(missing_ok=True)
            subprocess.run(manage + ["bench", "--inside", "--pages-only", "--articles", str(growth_articles),
                                     "--tags", str(default_tags(growth_articles)), "--json", str(small_path)],
                           cwd=PROJECT, env=small_environment, check=True)
            small = json.loads(small_path.read_text())
            figures["growth"] = {"articles": growth_articles, "build_seconds": small["archive"]["build_seconds"],
                                 "pages": small["all_pages"],
                                 "ratios": bench_pages.growth(figures["all_pages"], small["all_pages"])}
        report["results"][kind] = figures
    return report


def default_tags(articles: int) -> int:
    """5,000 tags at 100,000 articles, in proportion below that (at least 50)."""
    return max(50, round(5000 * articles / 100_000))


# --- The synthetic archive ------------------------------------------------------------------------------------


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(count)]


def build_archive(*, articles: int, tags: int, seed: int = 2024) -> dict:
    """Bulk-insert ``articles`` articles in tr/en/ru with 3 to 8 tags each from ``tags`` Zipf-distributed tags."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Category, Reference, ReleasedVariant, Tag, TaggedArticle
    from articles.search.index import search_index_update
    from authors.models import Author

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        categories = Category.objects.bulk_create(
            Category(**{f"name_{c}": f"Category {n} {c}" for c in LANGUAGES},
                     **{f"slug_{c}": f"category-{n}-{c}" for c in LANGUAGES})
            for n in range(12)
        )
        authors = Author.objects.bulk_create(
            Author(given_name=f"Given{n}", family_name=f"Family{n}", slug=f"given{n}-family{n}",
                   name_key=f"given{n} family{n}", bio_tr=f"Biyografi {n}.")
            for n in range(150)
        )
        tag_objects = Tag.objects.bulk_create(
            Tag(**{f"name_{c}": f"Tag {n} {c}" for c in LANGUAGES}, name=f"Tag {n} tr",
                **{f"slug_{c}": f"tag-{n}-{c}" for c in LANGUAGES}, slug=f"tag-{n}-tr")
            for n in range(tags)
        )
    weights = zipf_weights(tags)
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    now = timezone.now()
    batch = 2000
    for start in range(0, articles, batch):
        with transaction.atomic():
            rows = []
            for n in range(start, min(start + batch, articles)):
                values = {"published_at": now - timedelta(minutes=rng.randint(60, 10 * 365 * 24 * 60)),
                          "category": rng.choice(categories), "original_language": "tr"}
                if n % 500 == 499:
                    values["published_at"] = now + timedelta(days=rng.randint(1, 30))  # a few scheduled
                for code in LANGUAGES:
                    words = " ".join(rng.choice(WORDS) for _ in range(60))
                    values[f"title_{code}"] = f"Analysis {n} {code} {rng.choice(WORDS)}"
                    values[f"slug_{code}"] = f"analysis-{n}-{code}"
                    values[f"body_{code}"] = f"<p>{words}[1].</p><p>{words[:200]}</p>"
                    values[f"highlights_{code}"] = f"Key point {n} {code}."
                    values[f"is_published_{code}"] = rng.random() < {"tr": 0.97, "en": 0.9, "ru": 0.8}[code]
                rows.append(Article(**values))
            created = Article.objects.bulk_create(rows)
            links, authorships, references = [], [], []
            for article in created:
                chosen: set[int] = set()
                wanted = rng.randint(3, 8)
                while len(chosen) < wanted:
                    chosen.add(_bisect(cumulative, rng.random() * total))
                links += [TaggedArticle(content_object_id=article.pk, tag_id=tag_objects[i].pk) for i in chosen]
                for author in rng.sample(authors, rng.randint(1, 2)):
                    authorships.append(Article.authors.through(article_id=article.pk, author_id=author.pk))
                references.append(Reference(article_id=article.pk, marker="1", position=1,
                                            url="https://example.org/source", **{f"text_{c}": f"Source {c}" for c in LANGUAGES}))
            ReleasedVariant.objects.bulk_create(
                ReleasedVariant(article_id=article.pk, language=code, published_at=article.published_at)
                for article in created
                for code in LANGUAGES
                if getattr(article, f"is_published_{code}")
            )
            TaggedArticle.objects.bulk_create(links)
            Article.authors.through.objects.bulk_create(authorships)
            Reference.objects.bulk_create(references)
            search_index_update(article_ids=[article.pk for article in created])
    from articles.listing import listing_counts_rebuild_all

    listing_counts_rebuild_all()  # bulk inserts send no signals: the stored list counts are made once, at the end
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def _bisect(cumulative: list[float], value: float) -> int:
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


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
            pages_only: bool = False, servers: bool = False) -> dict:
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
    if pages_only:
        step("every page, uncached")
        figures["all_pages"] = bench_pages.measure_all_pages()
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
    step("every page, uncached")
    figures["all_pages"] = bench_pages.measure_all_pages()
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

"""``manage.py bench_search``: what each kind of search costs on the archive ``manage.py bench`` left behind.

Run it on the bench's scratch database after a bench run (``DATABASE_URL=sqlite:///.bench/bench.sqlite3``, or the
PostgreSQL ``ankasam_bench``): it times the English search page, uncached, for the kinds of query readers type
(the most common word, a rare word, a three-word phrase, a misspelt word that finds nothing and gets "did you
mean"), the search box's suggestions, and an article page for scale, and prints p50/p95 and the queries each made.
"""
from __future__ import annotations

import json

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.utils import translation

from ankasam_site.bench_pages import timed_get
from ankasam_site.benchmark import percentile


class Command(BaseCommand):
    help = "Time each kind of search on the current database (run it on the archive manage.py bench built)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=20, help="requests per kind of query")
        parser.add_argument("--json", dest="json_path", help="also write the figures to this file")

    def handle(self, *args, rounds: int, json_path: str | None, **options):
        from articles.models import Article, SearchEntry

        article = Article.objects.published("en").order_by("-published_at").first()
        if article is None or not SearchEntry.objects.exists():
            raise CommandError("No published, indexed article: run manage.py bench first and point DATABASE_URL at it.")
        with translation.override("en"):
            article_url = article.url_in("en")
        number = article.title_en.split()[1]  # the bench's titles are "Analysis <n> en <word>": a rare word
        kinds = {
            "article page (scale)": article_url,
            "search: common word": "/en/search/?q=security",
            "search: common word, page 2": "/en/search/?q=security&page=2",
            "search: rare word": f"/en/search/?q={number}",
            "search: three-word phrase": "/en/search/?q=%22energy+policy+trade%22",
            "search: misspelt word": "/en/search/?q=secruity",
            "suggest: two letters": "/en/search/suggest/?q=se",
            "suggest: a word": "/en/search/suggest/?q=securi",
        }
        client = Client()
        figures = {"entries": SearchEntry.objects.count()}
        times = {name: [] for name in kinds}
        queries = {name: [] for name in kinds}
        for url in kinds.values():
            client.get(url)  # warm Python's caches (stems), not the page cache
        # Rounds interleave the kinds, so that a shared machine's drift weighs on all of them alike.
        for _round in range(rounds):
            for name, url in kinds.items():
                cache.clear()
                queries[name].append(timed_get(client, url, times[name]))
        scale = percentile(times["article page (scale)"], 0.5)
        self.stdout.write(
            f"{figures['entries']:,} search entries\n"
            f"{'kind':<32}{'queries':>8}{'p50 ms':>10}{'p95 ms':>10}{'p50 ÷ article':>15}"
        )
        for name, url in kinds.items():
            figures[name] = row = {
                "url": url,
                "queries": max(queries[name]),
                "p50_ms": round(percentile(times[name], 0.5) * 1000, 2),
                "p95_ms": round(percentile(times[name], 0.95) * 1000, 2),
                "p50_per_article_page": round(percentile(times[name], 0.5) / scale, 2),
            }
            self.stdout.write(
                f"{name:<32}{row['queries']:>8}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['p50_per_article_page']:>15}"
            )
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(figures, handle, indent=2)

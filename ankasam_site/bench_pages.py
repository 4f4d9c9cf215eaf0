"""``manage.py bench``: the pages in process with Django's test client — the article, home, tag and search pages and
the read API uncached and cached (``measure_pages``), the admin (``measure_admin``), and every kind of public page
and the admin uncached, p50 and p95, and how they grow.

``page_urls`` names one or a few URLs per kind of page, found in the archive itself (the most popular tag, the
deepest page of the home list …); ``PageRounds`` times each kind with the page cache emptied before every
request, in process with Django's test client, and ``measure_interleaved`` runs it on several archives in turn. ``growth`` divides the p95 of each kind at the full size by its p95
on a smaller archive built the same way (``--growth-articles``): a page whose cost does not grow stays near 1.
"""
from __future__ import annotations

# Twenty requests of each kind of page: with five, the p95 was the slowest of the five, one pause of the machine's
# (a collection, another process) made a page's figure, and the growth ratios divided one such pause by another.
ROUNDS = 20


def collect_as_a_worker() -> None:
    """Python's garbage collector from here on as a production worker runs it (``ankasam_site/gunicorn_conf.py``):
    what is loaded so far frozen, the young generations collected less often.

    With Python's defaults the benchmark's process (some 190,000 objects by the admin's pages) walked every one of
    them in a full collection every few dozen requests: 145 ms at a time on a two-core machine, against 120 ms for
    the admin's search itself, so the p95 of a page was the collector's. A worker never walks what its master
    loaded. The configuration is read from its file, the one gunicorn runs (the variable it sets for the workers'
    statements is left out of this process).
    """
    import os
    import runpy
    from pathlib import Path

    before = set(os.environ)
    config = runpy.run_path(str(Path(__file__).with_name("gunicorn_conf.py")))
    for name in set(os.environ) - before:
        del os.environ[name]
    config["pre_fork"](None, None)
    config["post_fork"](None, None)


def page_urls() -> dict[str, list[str]]:
    """The URLs of each kind of public page, in English."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from articles.models import Article, Category, ListingCount, Tag
    from articles.pages.sitemaps import ArticleSitemap
    from authors.models import Author

    tenth_newest = list(Article.objects.published("en").values_list("pk", flat=True)[9:10])
    oldest_two = list(Article.objects.published("en").order_by("published_at", "pk").values_list("pk", flat=True)[:2])
    popular_tag = (
        ListingCount.objects.filter(kind=ListingCount.TAG, language="en").order_by("-released").values_list("object_id", flat=True).first()
    )
    tag = Tag.objects.get(pk=popular_tag)
    category = Category.objects.filter(articles__isnull=False).order_by("pk").first()
    author = Author.objects.with_articles_in("en").order_by("pk").first()
    with translation.override("en"):
        urls = {
            "home": ["/en/"],
            "page 2": [f"/en/?before={tenth_newest[0]}"],
            "deepest page": [f"/en/?before={oldest_two[-1]}"],
            "popular tag": [tag.url_in("en")],
            "category": [category.url_in("en")],
            "author": [author.get_absolute_url()],
            "author index": [reverse("articles:authors")],
            "search: common word": [reverse("articles:search") + "?q=security"],
            "search: rare word": [reverse("articles:search") + "?q=alliance"],
            "search: phrase": [reverse("articles:search") + "?q=energy+border+crisis"],
            "search: typo": [reverse("articles:search") + "?q=securty"],
            "sitemap index": ["/sitemap.xml"],
            "sitemap section": [f"/sitemap-articles.xml?p={ArticleSitemap().paginator.num_pages}"],  # the last file
            "language feed": [reverse("articles:feed")],
            "tag feed": [reverse("articles:tag_feed", kwargs={"slug": tag.slug_en})],
        }
        try:
            urls["suggest"] = [reverse("articles:search_suggest") + "?q=secu"]
        except NoReverseMatch:
            pass  # the suggest endpoint is another branch's; measured once it is there
    return urls


def admin_urls() -> dict[str, list[str]]:
    from articles.models import Article, ListingCount

    popular_tag = (
        ListingCount.objects.filter(kind=ListingCount.TAG, language="en").order_by("-released").values_list("object_id", flat=True).first()
    )
    base = "/admin/articles/article/"
    some = list(Article.objects.order_by("pk").values_list("pk", flat=True)[:5])
    return {
        "admin changelist": [base],
        "admin search": [f"{base}?q=Analysis+12"],
        "admin tag filter": [f"{base}?tags__id__exact={popular_tag}"],
        "admin change form": [f"{base}{pk}/change/" for pk in some],
    }


def _time(client, url: str) -> tuple[float, int]:
    """One uncached request: its time and its queries."""
    from django.core.cache import cache

    cache.clear()
    times: list[float] = []
    queries = timed_get(client, url, times)
    return times[0], queries


def _bench_editor():
    """The superuser the benchmark reads the admin as, made on first use."""
    import secrets

    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(username="bench").first() or users.create_superuser(
        "bench", "bench@example.org", secrets.token_urlsafe(16))


class PageRounds:
    """Every kind of page uncached (``page_urls``, ``admin_urls``), timed a round at a time: each round asks for
    every URL once, with the page cache emptied before each request. The first round only warms (templates
    compiled, stored Similar Posts made). ``figures`` gives each kind's p50 and p95 (ms) and its queries."""

    def __init__(self) -> None:
        from django.test import Client

        reader, editor = Client(), Client()
        editor.force_login(_bench_editor())
        self.kinds = [
            (client, name, addresses)
            for client, urls in ((reader, page_urls()), (editor, admin_urls()))
            for name, addresses in urls.items()
        ]
        self.times: dict[str, list[float]] = {name: [] for _client, name, _addresses in self.kinds}
        self.queries: dict[str, list[int]] = {name: [] for _client, name, _addresses in self.kinds}
        for client, _name, addresses in self.kinds:
            for address in addresses:
                _time(client, address)

    def round(self) -> None:
        for client, name, addresses in self.kinds:
            for address in addresses:
                elapsed, count = _time(client, address)
                self.times[name].append(elapsed)
                self.queries[name].append(count)

    def figures(self) -> dict:
        from ankasam_site.benchmark import percentile

        return {
            name: {
                "p50_ms": round(percentile(self.times[name], 0.5) * 1000, 2),
                "p95_ms": round(percentile(self.times[name], 0.95) * 1000, 2),
                "queries": max(self.queries[name]),
                "url": addresses[0],
            }
            for _client, name, addresses in self.kinds
        }


# How long a measuring process may take to answer (a round of every page, or its start): far more than a round
# takes at 100,000 articles (about two seconds), so that only a process that hangs is given up on.
ANSWER_SECONDS = 600
# The lines of ``serve_rounds``' conversation with ``measure_interleaved``; anything else a process prints is not one.
READY, ROUND, DONE, FIGURES = "@bench-rounds:ready", "@bench-rounds:round", "@bench-rounds:done", "@bench-rounds:figures "


def serve_rounds(commands, out) -> None:
    """``bench --inside --serve-rounds``: :class:`PageRounds` on this process's archive, a round each time
    ``commands`` (standard input) says so, then its figures as one JSON line (``measure_interleaved``)."""
    import json

    rounds = PageRounds()
    out.write(READY + "\n")
    out.flush()
    for line in commands:
        if line.strip() == ROUND:
            rounds.round()
            out.write(ROUND + "\n")
        elif line.strip() == DONE:
            out.write(FIGURES + json.dumps(rounds.figures()) + "\n")
            out.flush()
            return
        out.flush()


def measure_interleaved(environments: dict[str, dict], *, rounds: int = ROUNDS, command: list[str] | None = None
                        ) -> dict[str, dict]:
    """Every page of several archives in alternating rounds (``serve_rounds``, a process per archive, taking turns):
    each archive's figures by name of its environment.

    The growth ratios divide one archive's p95 by another's. Measured one archive after the other, minutes apart,
    they divided the machine's speed then by its speed later: on a shared two-core machine that moved up to twofold,
    and a page that reads the same four rows at both sizes showed ratios from 0.48 to 1.47. Taking turns round by
    round, in an order that alternates too, both archives meet the same moments of the machine. (``command``
    replaces the measuring process, in tests.) A process that stops, says something unexpected or does not answer
    within ``ANSWER_SECONDS`` ends the measurement with a ``RuntimeError`` naming its archive, and every process is
    ended with it.
    """
    import contextlib
    import json
    import queue
    import subprocess
    import sys
    import threading

    from ankasam_site.benchmark import PROJECT

    command = command or [sys.executable, str(PROJECT / "manage.py"), "bench", "--inside", "--serve-rounds"]
    processes: dict[str, subprocess.Popen] = {}
    finished = False

    def failed(name: str, what: str) -> RuntimeError:
        process = processes[name]
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        return RuntimeError(f"measuring the pages of the {name} archive: {what} (exit status {process.poll()})")

    answers: dict[str, queue.Queue] = {}

    def listen(name: str) -> None:
        for line in processes[name].stdout:
            if line.startswith("@bench-rounds:"):
                answers[name].put(line.rstrip("\n"))
        answers[name].put(None)  # the process closed its output: it stopped

    def answer(name: str, expected: str) -> str:
        try:
            line = answers[name].get(timeout=ANSWER_SECONDS)
        except queue.Empty:
            raise failed(name, f"no answer in {ANSWER_SECONDS} s") from None
        if line is None:
            raise failed(name, "the process stopped")
        if not line.startswith(expected):
            raise failed(name, f"answered {line!r} instead of {expected.strip()!r}")
        return line

    def ask(name: str, request: str, expected: str) -> str:
        try:
            processes[name].stdin.write(request + "\n")
            processes[name].stdin.flush()
        except OSError:
            raise failed(name, "the process stopped") from None
        return answer(name, expected)

    try:
        for name, environment in environments.items():
            processes[name] = subprocess.Popen(
                command, cwd=PROJECT, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            answers[name] = queue.Queue()
            threading.Thread(target=listen, args=(name,), daemon=True).start()
        for name in processes:
            answer(name, READY)
        names = list(processes)
        for number in range(rounds):
            for name in names if number % 2 == 0 else names[::-1]:
                ask(name, ROUND, ROUND)
        figures = {name: json.loads(ask(name, DONE, FIGURES).removeprefix(FIGURES)) for name in names}
        finished = True
        return figures
    finally:
        for process in processes.values():
            with contextlib.suppress(OSError):
                process.stdin.close()
        for process in processes.values():
            try:  # a process that gave its figures is ending; after a failure the others are not waited for long
                process.wait(timeout=60 if finished else 1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):
                process.stdout.close()


def growth(full: dict, small: dict) -> dict:
    """p95 at the full size ÷ p95 on the smaller archive, per kind of page (None where either is missing)."""
    ratios = {}
    for name, figures in full.items():
        other = small.get(name)
        ratios[name] = round(figures["p95_ms"] / other["p95_ms"], 2) if other and other["p95_ms"] else None
    return ratios


def goal(name: str) -> float:
    """The issue's goal for a page's growth ratio: 3 for search, 1.5 for every other page."""
    return 3.0 if name.startswith("search") else 1.5


def timed_get(client, url: str, times: list[float]) -> int:
    """A GET that must answer 200: its time is appended to ``times``, its number of queries returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ankasam_site.benchmark import timer

    with CaptureQueriesContext(connection) as queries, timer(times):
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries)


def measure_pages(sample) -> dict:
    """The article, home, tag and search pages and the read API, uncached and cached, in process."""
    from django.core.cache import cache
    from django.test import Client
    from django.utils import translation

    from ankasam_site.benchmark import percentile
    from articles.models import Article, Tag

    client = Client()
    pages = {}
    with translation.override("en"):
        article_urls = [article.url_in("en") for article in sample[:40]]
        popular = list(Tag.objects.order_by("pk")[:5]) + list(Tag.objects.order_by("-pk")[:5])
        tag_urls = [tag.url_in("en") for tag in popular if Article.objects.published("en").filter(tags=tag).exists()]
    newest_first = Article.objects.published("en").values_list("pk", flat=True)
    home_urls = ["/en/", f"/en/?before={newest_first[9]}", f"/en/?before={newest_first[newest_first.count() // 2]}"]
    search_urls = [f"/en/search/?q={word}" for word in ("security", "energy policy", "border crisis", "trade")]
    # The read API beside the pages: the same articles, and its list's first page and pages deep in the archive
    # (reached by following the cursors: each costs what the first does).
    api_article_urls = [f"/api/v1/en/articles/{article.slug_en}/" for article in sample[:40]]
    api_list_urls = ["/api/v1/en/articles/", *_api_pages_deep("/api/v1/en/articles/", client)]
    for url in article_urls:
        client.get(url)  # the first reading stores lists never read before; this measures the steady state
    for name, urls in (("article", article_urls), ("home", home_urls), ("tag", tag_urls), ("search", search_urls),
                       ("api_article", api_article_urls), ("api_list", api_list_urls)):
        uncached_times, cached_times, uncached_queries, cached_queries = [], [], [], []
        for _round in range(3 if name == "article" else 5):
            for url in urls:
                cache.clear()
                uncached_queries.append(timed_get(client, url, uncached_times))
                cached_queries.append(timed_get(client, url, cached_times))
        pages[name] = {
            "queries_uncached": max(uncached_queries),
            "queries_cached": max(cached_queries),
            "uncached_p50_ms": round(percentile(uncached_times, 0.5) * 1000, 2),
            "uncached_p95_ms": round(percentile(uncached_times, 0.95) * 1000, 2),
            "cached_p50_ms": round(percentile(cached_times, 0.5) * 1000, 2),
            "cached_p95_ms": round(percentile(cached_times, 0.95) * 1000, 2),
            "urls": len(urls),
        }
    return pages


def _api_pages_deep(url: str, client, *, depths: tuple[int, ...] = (5, 50)) -> list[str]:
    """Addresses of the pages of an API list reached by following its cursors ``depths`` times (those it has)."""
    found = []
    for step in range(1, max(depths) + 1):
        url = client.get(url).json()["next"]
        if url is None:
            break
        if step in depths:
            found.append(url)
    return found


def measure_admin(sample) -> dict:
    """The article changelist (first page, a middle page, a search) and change forms, as a superuser."""
    from django.test import Client

    from ankasam_site.benchmark import percentile
    from articles.admin.paging import CappedPaginator
    from articles.models import Article

    ADMIN_COUNT_CAP = CappedPaginator.cap  # the changelist pages through the first articles only

    len_articles = Article.objects.count()
    client = Client()
    client.force_login(_bench_editor())
    figures = {}
    for name, urls in (
        ("changelist", ["/admin/articles/article/", f"/admin/articles/article/?p={max(1, min(len_articles, ADMIN_COUNT_CAP) // 200)}",
                        "/admin/articles/article/?q=Analysis"]),
        ("change_form", [f"/admin/articles/article/{article.pk}/change/" for article in sample[:5]]),
    ):
        times, queries = [], []
        for url in urls * 2:
            queries.append(timed_get(client, url, times))
        figures[name] = {"queries": max(queries), "p50_ms": round(percentile(times, 0.5) * 1000, 1),
                         "p95_ms": round(percentile(times, 0.95) * 1000, 1)}
    return figures

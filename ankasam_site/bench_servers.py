"""``manage.py bench``: the site under gunicorn, measured from the outside — one server with two workers
(``measure_throughput``), and with ``--servers`` the deployment of docs/deploy.md on the loopback
(``measure_servers``): one app server against two behind nginx, the same article pages through Varnish against
nginx serving the same bytes from files (the ceiling of any proxy on this machine), all in the same run.

Every load is ``wrk`` (or ``loadgen``'s own client) for a bounded time on 127.0.0.1 only. The loads take turns for a
few rounds and each figure is the median of its rounds: on a shared machine whose speed drifts, figures measured one
after the other moved their ratios by a fifth.
"""
from __future__ import annotations

import http.client
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from .loadgen import LOOPBACK, Gunicorn, fetch, free_port, load
from .proxies import Nginx, Varnish, program

THROUGHPUT_ROUNDS = 3
# Seven loads take turns in the servers' section, with varnishd, nginx and wrk on the same two cores: more rounds
# of each for a steadier median.
SERVERS_ROUNDS = 5
SERVERS_TOOLS = ("varnishd", "nginx", "wrk")
PROXY_GOAL = 0.5  # issue 18: cached pages through the proxy at half the rate of nginx serving a static file at least


def _urls(sample) -> list[str]:
    from django.utils import translation

    with translation.override("en"):
        return [article.url_in("en") for article in sample]


def _rounds(loads: dict[str, tuple[int, list[str]]], *, seconds: float,
            count: int = THROUGHPUT_ROUNDS) -> tuple[dict[str, float], dict, str]:
    """Each load (a port and its paths) in turn for ``count`` rounds, ``seconds`` in all: the median req/s of each,
    its rounds, and the load generator's name."""
    per_round = max(1.0, seconds / count)
    rounds: dict[str, list[float]] = {name: [] for name in loads}
    tool = ""
    for _round in range(count):
        for name, (port, paths) in loads.items():
            result = load(port, paths, seconds=per_round)
            rounds[name].append(result.per_second)
            tool = result.tool
    return {name: statistics.median(values) for name, values in rounds.items()}, rounds, tool


def _ratio(part: float, whole: float) -> float:
    return round(part / max(whole, 1e-9), 2)


def paired_ratio(parts: list[float], wholes: list[float]) -> float:
    """The median of the rounds' ratios: two loads run seconds apart in each round, so a round's ratio keeps
    little of the machine's drift, which moved single rounds by half on a machine shared with other work."""
    return round(statistics.median(part / max(whole, 1e-9) for part, whole in zip(parts, wholes, strict=True)), 2)


def measure_throughput(sample, *, seconds: float) -> tuple[dict, float]:
    """Requests per second under gunicorn with 2 workers: trivial view, cached and uncached article pages, restart.

    Two servers run side by side, one with the page cache and one without, and the three loads take turns."""
    from django.core.cache import cache

    urls = _urls(sample)
    cache.clear()
    environment = dict(os.environ)
    figures: dict = {"workers": 2, "urls": len(urls), "seconds_per_run": seconds, "rounds": THROUGHPUT_ROUNDS}
    uncached_server = Gunicorn(env={**environment, "ARTICLES_PAGE_CACHE_SECONDS": "0"})
    server = Gunicorn(env=environment)
    try:
        uncached_server.start()
        server.start()
        for url in urls:
            fetch(uncached_server.port, url)  # lists read once
            fetch(server.port, url)  # pages cached
        medians, rounds, figures["tool"] = _rounds({"uncached": (uncached_server.port, urls),
                                                    "trivial": (server.port, ["/healthz"]),
                                                    "cached": (server.port, urls)}, seconds=seconds)
        for name, value in medians.items():
            figures[f"{name}_rps"] = value
            figures[f"{name}_rps_rounds"] = rounds[name]
        uncached_server.stop()
        worker_memory = server.worker_peak_memory_mb()
        server.stop()
        # The first 10 seconds after a restart: no request is answered while the workers boot, then the load runs
        # for the rest of the window. With a shared cache (Redis) the pages are still there.
        restart_window = 10.0
        restarted = time.monotonic()
        server = Gunicorn(env=environment).start()
        booting = time.monotonic() - restarted
        after_restart = load(server.port, urls, seconds=max(1.0, restart_window - booting))
        figures["restart_boot_seconds"] = round(booting, 2)
        figures["first_10s_after_restart_rps"] = round(after_restart.requests / restart_window, 1)
    finally:
        uncached_server.stop()
        server.stop()
    figures["cached_vs_trivial"] = _ratio(figures["cached_rps"], figures["trivial_rps"])
    figures["uncached_vs_cached"] = _ratio(figures["uncached_rps"], figures["cached_rps"])
    figures["restart_vs_warm"] = _ratio(figures["first_10s_after_restart_rps"], figures["cached_rps"])
    return figures, worker_memory


def servers_skipped(*, database: str, redis: bool) -> str | None:
    """Why ``--servers`` cannot run here (None when it can): the servers share PostgreSQL and Redis, the proxies
    and the load generator are Debian's programs."""
    missing = [name for name in SERVERS_TOOLS if program(name) is None]
    if database != "postgres":
        missing.insert(0, "PostgreSQL (the servers share one database)")
    if not redis:
        missing.insert(0, "Redis (the servers share the page cache)")
    return f"needs {', '.join(missing)}" if missing else None


def static_copy(root: Path, path: str, body: bytes) -> Path:
    """Write ``body`` where a static file server rooted at ``root`` answers ``path`` with it."""
    relative = unquote(path.split("?", 1)[0]).lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"{path} is outside the static root")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return target


def _kept_by_proxy(port: int, path: str) -> tuple[bool, bytes]:
    """Whether the proxy on ``port`` answered ``path`` from what it keeps (the VCL's ``X-Cache``), and the page."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": LOOPBACK})
        response = connection.getresponse()
        return response.status == 200 and response.getheader("X-Cache") == "HIT", response.read()
    finally:
        connection.close()


def measure_servers(sample, *, seconds: float) -> dict:
    """One app server against two (one worker each, behind nginx), cached and uncached article pages; the same
    cached pages through Varnish with the repository's VCL, against nginx serving their bytes from files."""
    from django.core.cache import cache

    urls = _urls(sample)
    cache.clear()
    environment = dict(os.environ)
    uncached_environment = {**environment, "ARTICLES_PAGE_CACHE_SECONDS": "0"}
    servers = [Gunicorn(env=environment, workers=1) for _ in range(2)]
    uncached_servers = [Gunicorn(env=uncached_environment, workers=1) for _ in range(2)]
    ports = {name: free_port() for name in ("one", "two", "one_uncached", "two_uncached", "static")}
    figures: dict = {"cores": os.cpu_count(), "workers_per_server": 1, "urls": len(urls), "seconds_per_run": seconds,
                     "rounds": SERVERS_ROUNDS}
    static_root = Path(tempfile.mkdtemp(prefix="ankasam-static-"))
    started: list = []
    try:
        for server in (*servers, *uncached_servers):
            started.append(server.start())
        for url in urls:
            fetch(uncached_servers[0].port, url)  # the lists read once, as in measure_throughput
        varnish = Varnish(servers[0].port)
        started.append(varnish.start())
        sizes, hits = [], 0
        for url in urls:
            fetch(varnish.port, url)  # made by the app server, kept by Varnish
            hit, body = _kept_by_proxy(varnish.port, url)
            hits += hit
            sizes.append(len(body))
            static_copy(static_root, url, body)
        figures["page_bytes_mean"] = round(statistics.mean(sizes))
        figures["varnish_hits_when_warm"] = hits
        nginx = Nginx(balancers={ports["one"]: [servers[0].port],
                                 ports["two"]: [server.port for server in servers],
                                 ports["one_uncached"]: [uncached_servers[0].port],
                                 ports["two_uncached"]: [server.port for server in uncached_servers]},
                      static={ports["static"]: static_root})
        started.append(nginx.start())
        loads = {
            "one_server_direct": (servers[0].port, urls),
            "one_server": (ports["one"], urls),
            "two_servers": (ports["two"], urls),
            "one_server_uncached": (ports["one_uncached"], urls),
            "two_servers_uncached": (ports["two_uncached"], urls),
            "varnish": (varnish.port, urls),
            "static": (ports["static"], urls),
        }
        medians, rounds, figures["tool"] = _rounds(loads, seconds=seconds, count=SERVERS_ROUNDS)
    finally:
        for process in reversed(started):
            process.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    for name, value in medians.items():
        figures[f"{name}_rps"] = value
        figures[f"{name}_rps_rounds"] = rounds[name]
    for name, part, whole in (("two_vs_one", "two_servers", "one_server"),
                              ("two_vs_one_uncached", "two_servers_uncached", "one_server_uncached"),
                              ("varnish_vs_static", "varnish", "static"),
                              ("django_vs_static", "two_servers", "static")):
        figures[name] = paired_ratio(rounds[part], rounds[whole])
    return figures


def table_rows(row, results: dict) -> None:
    """The deployment's lines of ``bench_table.table``: ``row(label, getter)`` once per line; a getter's KeyError
    prints "—" (a database the section did not run on). The servers' lines only when ``--servers`` was asked."""
    def measured(text):
        def getter(r):
            figures = r["servers"]
            if "skipped" in figures:
                raise KeyError("skipped")
            return text(figures)
        return getter

    row("editor's retag, save p50: immediate / tasks (ms)",
        lambda r: f'{r["save"]["retag"]["p50_ms"]} / {r["save"]["retag_queued"]["p50_ms"]} ({r["save"]["queued_vs_whole_p50"]}×)')
    if not any("servers" in figures for figures in results.values()):
        return
    row("several servers (--servers)", lambda r: r["servers"].get("skipped") or
        f'{r["servers"]["cores"]} cores, {r["servers"]["workers_per_server"]} worker a server, {r["servers"]["tool"]}')
    row("  one server / two behind nginx, cached (req/s)",
        measured(lambda s: f'{s["one_server_rps"]} / {s["two_servers_rps"]} ({s["two_vs_one"]}×)'))
    row("  one server / two behind nginx, uncached (req/s)",
        measured(lambda s: f'{s["one_server_uncached_rps"]} / {s["two_servers_uncached_rps"]} ({s["two_vs_one_uncached"]}×)'))
    row("  one server without nginx, cached (req/s)", measured(lambda s: s["one_server_direct_rps"]))
    row("  Varnish, cached pages (req/s)",
        measured(lambda s: f'{s["varnish_rps"]} ({s["varnish_vs_static"]} of static'
                           f'{" ✓" if s["varnish_vs_static"] >= PROXY_GOAL else " ✗"}; '
                           f'{s["varnish_hits_when_warm"]}/{s["urls"]} kept)'))
    row("  nginx, the same bytes from files (req/s)",
        measured(lambda s: f'{s["static_rps"]} ({s["page_bytes_mean"]:,} B a page)'))
    row("  Django's cached page, two servers ÷ static", measured(lambda s: s["django_vs_static"]))

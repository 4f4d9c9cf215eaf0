"""``manage.py bench``: the figures of every database side by side, one line per figure (``table``); the same
figures go to ``--json``. A figure a database did not measure prints as "—"."""
from __future__ import annotations

from ankasam_site import bench_pages, bench_servers
from ankasam_site.bench_inputs import HOSTILE_CASES


def table(report: dict) -> str:
    results = report["results"]
    kinds = list(results)
    rows: list[tuple[str, ...]] = []

    def row(label: str, getter) -> None:
        values = []
        for kind in kinds:
            try:
                values.append(str(getter(results[kind])))
            except (KeyError, TypeError):
                values.append("—")
        rows.append((label, *values))

    archive = report["archive"]
    row("archive build (s)", lambda r: "reused" if r["archive"]["build_seconds"] is None else r["archive"]["build_seconds"])
    row("Similar Posts stored p50 / p95 / p99 (ms)", lambda r: f'{r["similar"]["p50_ms"]} / {r["similar"]["p95_ms"]} / {r["similar"]["p99_ms"]}')
    row("Similar Posts computed live p50 / p95 (ms)", lambda r: f'{r["similar"]["uncached"]["p50_ms"]} / {r["similar"]["uncached"]["p95_ms"]}')
    row("  the rule as one ORM query p50 / p95 (ms)", lambda r: f'{r["similar"]["rule_query"]["p50_ms"]} / {r["similar"]["rule_query"]["p95_ms"]}')
    row("taggit similar_objects() p50 / p95 (ms)", lambda r: f'{r["similar"]["taggit"]["p50_ms"]} / {r["similar"]["taggit"]["p95_ms"]}')
    row("  ratio taggit / stored, p50 | p95", lambda r: f'{r["similar"]["ratio_vs_taggit_p50"]}× | {r["similar"]["ratio_vs_taggit_p95"]}×')
    row("  equal to the rule", lambda r: f'{r["similar"]["equal_to_rule"]}/{r["similar"]["checked"]}')
    row("  shared-tag counts = taggit's best", lambda r: f'{r["similar"]["taggit_counts_agree"]}/{r["similar"]["taggit_checked"]}')
    row("  stored lists", lambda r: r["similar"]["stored_lists"])
    row("retag: list upkeep p50 / p95 (ms)", lambda r: f'{r["save"]["upkeep"]["p50_ms"]} / {r["save"]["upkeep"]["p95_ms"]}')
    row("  upkeep / one live computation", lambda r: r["save"]["upkeep_vs_uncached_similar_p50"])
    row("retag: whole save p50 (ms)", lambda r: r["save"]["retag"]["p50_ms"])
    row("  whole save / one live computation", lambda r: r["save"].get("retag_vs_uncached_similar_p50", "–"))
    row("retag, upkeep queued: save p50 / p95 (ms)",
        lambda r: f'{r["save"]["retag_queued"]["p50_ms"]} / {r["save"]["retag_queued"]["p95_ms"]}' if "retag_queued" in r["save"] else "–")
    row("  queued save / whole save, p50", lambda r: r["save"].get("queued_vs_whole_p50", "–"))
    for page in ("article", "home", "tag", "search", "api_article", "api_list"):
        row(f"{page} page queries uncached / cached", lambda r, p=page: f'{r["pages"][p]["queries_uncached"]} / {r["pages"][p]["queries_cached"]}')
        row("  uncached p50 / p95 (ms)", lambda r, p=page: f'{r["pages"][p]["uncached_p50_ms"]} / {r["pages"][p]["uncached_p95_ms"]}')
        row("  cached p50 / p95 (ms)", lambda r, p=page: f'{r["pages"][p]["cached_p50_ms"]} / {r["pages"][p]["cached_p95_ms"]}')
    for name in ("changelist", "change_form"):
        row(f"admin {name}: queries, p50 (ms)", lambda r, n=name: f'{r["admin"][n]["queries"]}, {r["admin"][n]["p50_ms"]}')
    page_names = list(next(iter(results.values()), {}).get("all_pages", {}))
    growth_size = next((r["growth"]["articles"] for r in results.values() if "growth" in r), None)
    if page_names:
        heading = "every page uncached: p50 / p95 (ms), queries"
        row(heading + (f", p95 ÷ p95 at {growth_size:,} articles" if growth_size else ""), lambda r: "")
    for name in page_names:
        def cell(r, n=name):
            figures = r["all_pages"][n]
            text = f'{figures["p50_ms"]} / {figures["p95_ms"]}, {figures["queries"]}q'
            ratio = r.get("growth", {}).get("ratios", {}).get(n)
            if ratio is not None:
                text += f', {ratio}×{" ✓" if ratio <= bench_pages.goal(n) else " ✗"}'
            return text
        row(f"  {name}", cell)
    if growth_size:
        row(f"growth archive ({growth_size:,} articles) build (s)", lambda r: "reused" if r["growth"]["build_seconds"] is None else r["growth"]["build_seconds"])
    row("gunicorn ×2, load generator", lambda r: r["throughput"]["tool"])
    row("  trivial view (req/s)", lambda r: r["throughput"]["trivial_rps"])
    row("  article page cached (req/s)", lambda r: f'{r["throughput"]["cached_rps"]} ({r["throughput"]["cached_vs_trivial"]} of trivial)')
    row("  article page uncached (req/s)", lambda r: f'{r["throughput"]["uncached_rps"]} ({r["throughput"]["uncached_vs_cached"]} of cached)')
    row("  first 10 s after restart (req/s)", lambda r: f'{r["throughput"]["first_10s_after_restart_rps"]} ({r["throughput"]["restart_vs_warm"]} of warm)')
    bench_servers.table_rows(row, results)
    row("import (articles/s)", lambda r: r["import"]["articles_per_second"])
    row("hostile inputs: slowest case (ms)", lambda r: r["hostile_inputs"]["slowest_ms"])
    for case in HOSTILE_CASES:
        row(f"  {case} (ms)", lambda r, c=case: r["hostile_inputs"]["cases_ms"][c])
    row("peak memory: bench / gunicorn worker (MB)", lambda r: f'{r["memory"]["bench_peak_mb"]} / {r["memory"]["worker_peak_mb"]}')

    rows = [line for line in rows if any(value != "—" for value in line[1:])]  # what no database measured
    header = (f"{archive['articles']:,} articles, {archive['tags']:,} tags, {len(archive['languages'])} languages", *kinds)
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) for line in rows]
    return "\n".join(lines)

"""Hostile inputs, timed: what the tests bound by work (``tests/work.py``: the markup the HTML parser is handed,
the lines the seed-text rules read) measured in milliseconds here, where a clock belongs.

Each case is an input built to be slow (deep nesting, a megabyte of "<", a ten-megabyte line, reference lines that
a backtracking pattern would take forever on); a case that grew from milliseconds to seconds means a bound broke.
"""
from __future__ import annotations

import time

HOSTILE_CASES = (
    "form check, a megabyte of <", "form check, 20,000 nested <div>", "sanitise 100,000 nested <div>",
    "sanitise a megabyte of <", "sanitise split <script> ×20,000", "sanitise nesting at the tag limit",
    "seed text, a 10 MB line", "seed text, a 10 MB file", "seed text, hostile reference lines",
)


def _ms(action) -> float:
    started = time.perf_counter()
    try:
        action()
    except Exception:  # the refusals are the expected outcome: only their cost is measured
        pass
    return round((time.perf_counter() - started) * 1000, 1)


def measure_hostile_inputs() -> dict:
    """Milliseconds per case, and the slowest."""
    from articles.exchange.seedtext import decode_export, parse_article_text
    from publishing.text import MAX_HTML_TAGS, sanitize_html, validate_html_size

    hostile_references = ["a." * 49_000, "(" * 98_000, "[i" * 49_000, "www." * 24_000, ", " * 49_000, "-a." * 32_000]
    reference_text = "A Title\n\nBody.[1]\n\n" + "".join(f"[{n}] {h}\n" for n, h in enumerate(hostile_references, 1))
    long_line = "x" * (10 * 1024 * 1024)
    cases = {
        "form check, a megabyte of <": lambda: validate_html_size("<" * 1_000_000),
        "form check, 20,000 nested <div>": lambda: validate_html_size("<div>" * 20_000 + "deep"),
        "sanitise 100,000 nested <div>": lambda: sanitize_html("<div>" * 100_000 + "<script>alert(1)</script>"),
        "sanitise a megabyte of <": lambda: sanitize_html("<" * 1_000_000),
        "sanitise split <script> ×20,000": lambda: sanitize_html("<scr<script>ipt>alert(2)</scr</script>ipt>" * 20_000),
        "sanitise nesting at the tag limit": lambda: sanitize_html("<blockquote>" * (MAX_HTML_TAGS - 10) + "deep"),
        "seed text, a 10 MB line": lambda: parse_article_text(long_line),
        "seed text, a 10 MB file": lambda: decode_export(long_line.encode()),
        "seed text, hostile reference lines": lambda: parse_article_text(reference_text),
    }
    assert tuple(cases) == HOSTILE_CASES
    figures = {name: _ms(action) for name, action in cases.items()}
    return {"cases_ms": figures, "slowest_ms": max(figures.values())}

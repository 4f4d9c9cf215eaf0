"""``manage.py bench``: every kind of public page and the admin, uncached, p50 and p95, and how they grow.

``page_urls`` names one or a few URLs per kind of page, found in the archive itself (the most popular tag, the
deepest page of the home list …); ``measure_all_pages`` times each kind with the page cache emptied before every
request, in process with Django's test client. ``growth`` divides the p95 of each kind at the full size by its p95
on a smaller archive built the same way (``--growth-articles``): a page whose cost does not grow stays near 1.
"""
from __future__ import annotations

import time

ROUNDS = 5


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
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed, len(queries)


def measure_all_pages() -> dict:
    """Each kind of page uncached: p50 and p95 (ms) over ``ROUNDS`` rounds of its URLs, and its queries."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.test import Client

    from ankasam_site.benchmark import percentile

    reader = Client()
    editor = Client()
    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
        "bench", "bench@example.org", secrets.token_urlsafe(16)
    )
    editor.force_login(user)
    figures = {}
    kinds = [(reader, page_urls()), (editor, admin_urls())]
    for client, urls in kinds:
        for name, addresses in urls.items():
            for address in addresses:
                _time(client, address)  # warm: templates compiled, stored Similar Posts made
            times, queries = [], []
            for _round in range(ROUNDS):
                for address in addresses:
                    elapsed, count = _time(client, address)
                    times.append(elapsed)
                    queries.append(count)
            figures[name] = {
                "p50_ms": round(percentile(times, 0.5) * 1000, 2),
                "p95_ms": round(percentile(times, 0.95) * 1000, 2),
                "queries": max(queries),
                "url": addresses[0],
            }
    return figures


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

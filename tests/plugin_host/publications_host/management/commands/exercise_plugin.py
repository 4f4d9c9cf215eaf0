"""Use the installed plugin as a site would: content in English and German, published, read back page by page."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import articles
from articles.models import Article, Category, Tag
from articles.services import article_publish
from authors.models import Author

HOST = "publications.example"
TITLES = {"en": "Gas through the Baltic", "de": "Gas durch die Ostsee"}
BODIES = {
    "en": "<p>Europe's new pipelines change who depends on whom [1].</p>",
    "de": "<p>Europas neue Pipelines verändern, wer von wem abhängt [1]. Die Internationale Energieagentur warnt.</p>",
}
CATEGORY = {"en": "Energy", "de": "Energie"}
TAG = {"en": "Pipelines", "de": "Rohrleitungen"}
_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)
_H1_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_X_DEFAULT_RE = re.compile(r'<link rel="alternate" hreflang="x-default" href="([^"]*)"')
_TAG_RE = re.compile(r"<[^>]+>")


def text(markup: str) -> str:
    return " ".join(unescape(_TAG_RE.sub("", markup)).split())


def answer(response) -> dict:
    """What a reader (or a test) notices about a response: status, <title>, <h1>s, x-default, redirect."""
    content = response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) else ""
    title = _TITLE_RE.search(content)
    x_default = _X_DEFAULT_RE.search(content)
    return {
        "status": response.status_code,
        "title": text(title.group(1)) if title else None,
        "h1": [text(h1) for h1 in _H1_RE.findall(content)],
        "x_default": x_default.group(1) if x_default else None,
        "location": response.get("Location"),
        "content": content,
    }


class Command(BaseCommand):
    help = (
        "Create a category, a tag, an author and an article in English and German, publish both languages with "
        "articles.services.article_publish, read the plugin's pages and the admin with Django's test client, and "
        "print what each answered as JSON."
    )

    def handle(self, *args, **options):
        editor = get_user_model().objects.create_superuser("editor", "editor@publications.example", "unused-password")
        category = Category(**{f"name_{code}": name for code, name in CATEGORY.items()})
        category.save()
        tag = Tag(**{f"name_{code}": name for code, name in TAG.items()})
        tag.save()
        author = Author(
            given_name="Erika", family_name="Schmidt",
            bio_en="<p>Writes about energy.</p>", bio_de="<p>Schreibt über Energie.</p>",
        )
        author.save()
        article = Article(
            category=category,
            original_language="en",
            published_at=timezone.now() - timedelta(hours=1),
            **{f"title_{code}": title for code, title in TITLES.items()},
            **{f"body_{code}": body for code, body in BODIES.items()},
        )
        article.save()
        article.authors.add(author)
        article.tags.add(tag)
        published = {code: len(article_publish(articles=[article], language=code).changed) for code in TITLES}

        reader = Client(HTTP_HOST=HOST)
        pages = {}
        for code in TITLES:
            article.refresh_from_db()
            with translation.override(code):
                addresses = {
                    "article": article.url_in(code),
                    "home": reverse("articles:index"),
                    "tag": tag.url_in(code),
                    "category": category.url_in(code),
                    "author": author.get_absolute_url(),
                    "authors": reverse("articles:authors"),
                    "search": reverse("articles:search") + "?q=" + ("internationale" if code == "de" else "pipelines"),
                    "feed": reverse("articles:feed"),
                }
            for name, path in addresses.items():
                pages[f"{code}:{name}"] = {"path": path, **answer(reader.get(path))}
        pages["neutral:home"] = {"path": "/publications/", **answer(reader.get("/publications/", HTTP_ACCEPT_LANGUAGE="de"))}
        pages["sitemap"] = {"path": "/sitemap.xml", **answer(reader.get("/sitemap.xml"))}
        # The read API, mounted by this host under /api/v1/ in its own languages.
        for code in TITLES:
            slug = getattr(article, f"slug_{code}")
            for name, path in {"list": f"/api/v1/{code}/articles/", "article": f"/api/v1/{code}/articles/{slug}/"}.items():
                pages[f"api:{code}:{name}"] = {"path": path, **answer(reader.get(path))}
        for name, path in {"schema": "/api/v1/schema/?format=json", "docs": "/api/v1/docs/", "unknown": "/api/v1/tr/articles/"}.items():
            pages[f"api:{name}"] = {"path": path, **answer(reader.get(path))}

        admin = Client(HTTP_HOST=HOST)
        admin.force_login(editor)
        for name, path in {
            "changelist": reverse("admin:articles_article_changelist"),
            "changelist_search": reverse("admin:articles_article_changelist") + "?q=Ostsee",
            "change": reverse("admin:articles_article_change", args=[article.pk]),
            "tags": reverse("admin:articles_tag_changelist") + "?q=Rohrleitungen",
            "authors": reverse("admin:authors_author_changelist"),
            "dashboard": reverse("admin:articles_article_translations"),
        }.items():
            pages[f"admin:{name}"] = {"path": path, **answer(admin.get(path))}

        self.stdout.write(json.dumps({
            "articles_module": articles.__file__,
            "published": published,
            "author_name": author.name,
            "titles": TITLES,
            "pages": pages,
        }))

"""Small builders for test data: an article in the languages a test names, published or not."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from articles.models import Article, Category, Reference, Tag
from authors.models import Author

LANGUAGES = ("tr", "en", "ru")
_counter = itertools.count(1)


def make_tag(en: str, *, tr: str | None = None, ru: str | None = None) -> Tag:
    return Tag.objects.create(name_en=en, name_tr=tr or f"{en} tr", name_ru=ru or f"{en} ru")


def make_category(en: str = "Analysis", *, tr: str = "Analiz", ru: str = "Аналитика") -> Category:
    return Category.objects.create(name_en=en, name_tr=tr, name_ru=ru)


def make_author(given: str = "Hatice", family: str = "Çiftçioğlu", *, bio_tr: str = "Türkçe biyografi.") -> Author:
    return Author.objects.create(given_name=given, family_name=family, bio_tr=bio_tr)


def make_article(
    title: str | None = None,
    *,
    languages: tuple[str, ...] = LANGUAGES,
    published: tuple[str, ...] | None = None,
    tags: tuple[Tag, ...] = (),
    published_at: datetime | None = None,
    days_ago: int | None = None,
    body: str = "<p>Body text[1].</p>",
    **fields,
) -> Article:
    """An article with a title and a body in ``languages``, released in ``published`` (default: all of them)."""
    title = title or f"Article {next(_counter)}"
    published = languages if published is None else published
    if published_at is None:
        published_at = timezone.now() - timedelta(days=days_ago if days_ago is not None else 1)
    values = {"published_at": published_at, **fields}
    for code in languages:
        values[f"title_{code}"] = f"{title} {code}"
        values[f"body_{code}"] = body
    for code in published:
        values[f"is_published_{code}"] = True
    article = Article.objects.create(**values)
    if tags:
        article.tags.add(*tags)
    return article


def make_reference(article: Article, marker: str, **fields) -> Reference:
    values = {f"text_{code}": f"Source {marker} ({code})" for code in LANGUAGES}
    values.update(fields)
    return Reference.objects.create(article=article, marker=marker, **values)


def make_staff(username: str, *groups: str):
    """A staff member in the role groups named (``"Editor"``, ``"Translator (ru)"`` …) of the data migration."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "a-long-staff-password",
                                                is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    assert user.groups.count() == len(groups), f"unknown role group among {groups}"
    return user

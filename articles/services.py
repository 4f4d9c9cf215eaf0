"""Writes of the articles app that touch several rows or need a rule enforced: the admin and commands call these."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from .models import Article, language_codes


@dataclass
class PublishResult:
    changed: list[Article] = field(default_factory=list)
    incomplete: list[Article] = field(default_factory=list)


@transaction.atomic
def article_publish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Release ``language`` of each article that has a title and a body there; report the ones that do not."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    for article in articles:
        if not article.has_content_in(language):
            result.incomplete.append(article)
            continue
        if not getattr(article, f"is_published_{language}"):
            setattr(article, f"is_published_{language}", True)
            article.save()
            result.changed.append(article)
    return result


@transaction.atomic
def article_unpublish(*, articles: Iterable[Article], language: str) -> PublishResult:
    """Withdraw ``language`` of each article from readers; its text stays for editors."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    result = PublishResult()
    for article in articles:
        if getattr(article, f"is_published_{language}"):
            setattr(article, f"is_published_{language}", False)
            article.save()
            result.changed.append(article)
    return result

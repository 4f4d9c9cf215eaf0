"""``manage.py bench``'s synthetic archive: articles in tr/en/ru with Zipf-distributed tags, written with bulk inserts
(no signals: nothing is cached or stored while building), then the stored list counts made once."""
from __future__ import annotations

import random
import time
from datetime import timedelta

LANGUAGES = ("tr", "en", "ru")
WORDS = (
    "strateji güvenlik enerji diplomasi ticaret savunma bölge işbirliği kriz politika ekonomi sınır yaptırım "
    "security energy diplomacy trade defence region cooperation crisis policy economy border sanctions alliance "
    "безопасность энергия дипломатия торговля оборона регион сотрудничество кризис политика экономика граница"
).split()


def default_tags(articles: int) -> int:
    """5,000 tags at 100,000 articles, in proportion below that (at least 50)."""
    return max(50, round(5000 * articles / 100_000))


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

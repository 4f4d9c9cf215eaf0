"""The article page's data in four queries, whatever the size of the archive.

Query 1 finds the public article by its slug together with every article its page links to: its stored Similar
Posts (``articles.similar``) and its previous and next articles in the category, as its released variant links
them (``articles.neighbours``). Queries 2 to 4 read its authors, tags and references. Only a list or links never
read before (or a list too short to be sure of) cost more, once.

Everything goes through querysets: the publication rule is ``Article.objects.published`` and nothing here spells
it again. Most of an uncached page's time is Django building and compiling query 1, so what it asks is kept to
stored rows read by their indexes (``docs/performance.md``); every reading after the first is answered by the page
cache (``articles.pages.caching``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from modeltranslation.settings import DEFAULT_LANGUAGE

from publishing.languages import language_codes, localized, translated_value

from ..models import Article, Reference, ReleasedVariant, SimilarArticle, SimilarList, Tag
from ..neighbours import neighbours_link
from ..similar import RANK_ORDER, Row, shown_limit, similar_ids_for
from . import caching


@dataclass
class ArticlePage:
    article: Article
    similar_articles: list[Article] = field(default_factory=list)
    """Each with ``shared_tags``, the number of tags it shares with ``article``."""
    previous_article: Article | None = None
    next_article: Article | None = None
    next_publication: datetime | None = None
    """When the next scheduled article of the language is due: the page may change then."""
    authors: list = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def dependencies(self, language: str) -> set[str]:
        """The page-cache dependencies of what this page shows in ``language`` (``articles.pages.caching``): the
        article, its Similar Posts list, the articles it links to, its tags, authors and category. The HTML page and
        the read API's article (``articles.api``) are cached and revalidated by the same names."""
        article = self.article
        shown = [*self.similar_articles, self.previous_article, self.next_article]
        return (
            {
                caching.article_dependency(article.pk),
                caching.similar_dependency(article.pk, language),
                caching.schedule_dependency(language),
            }
            | {caching.article_dependency(item.pk) for item in shown if item is not None}
            | {caching.tag_dependency(tag.pk) for tag in self.tags}
            | {caching.author_dependency(author.pk) for author in self.authors}
            | ({caching.category_dependency(article.category_id)} if article.category_id else set())
        )


def _link_fields(language: str) -> tuple[str, ...]:
    """What a page shows of an article it only links to: its address, title and day in ``language``."""
    return ("id", "category_id", "published_at", localized("slug", language), localized("title", language))


def _page_queryset(slug: str, language: str):
    """Query 1: the article published at ``slug`` in ``language`` and the published articles its page links to.

    The ids come from one ``UNION ALL`` of index reads: the target by its slug, the due rows of its stored Similar
    Posts in ranking order, and its previous and next article in the category as its released variant links them
    (``articles.neighbours``). An ``IN`` over the union rather than an ``OR`` of conditions: PostgreSQL answers the
    ``OR`` by reading every article. Each row carries the tags it shares with the target (from the stored list;
    None for a neighbour outside it), whether the row's own list is stored and how (``SimilarList.has_more``; None
    when it is not), whether its neighbours are linked, and when the language's next scheduled article is due.
    """
    slug_field = localized("slug", language)
    target = Article.objects.filter(**{slug_field: slug}).order_by()
    stored = SimilarArticle.objects.filter(**{f"article__{slug_field}": slug}, language=language).order_by()
    shown = stored.filter(similar_published_at__lte=timezone.now()).order_by(*RANK_ORDER)[: shown_limit()]
    links = ReleasedVariant.objects.filter(**{f"article__{slug_field}": slug}, language=language, linked=True)
    linked = target.values("pk").union(
        # Each part unsliced (SQLite refuses LIMIT inside a compound statement): the sliced read is a subquery.
        SimilarArticle.objects.filter(pk__in=shown.values("pk")).order_by().values("similar_id"),
        links.order_by().values("previous_article_id"),
        links.order_by().values("next_article_id"),
        all=True,
    )
    return (
        Article.objects.filter(Article.objects.published_q(language), pk__in=linked)
        .select_related("category")
        .order_by()
        .annotate(
            shared_tags=Subquery(stored.filter(similar_id=OuterRef("pk")).values("shared_tags")),
            similar_stored=Subquery(
                SimilarList.objects.filter(article_id=OuterRef("pk"), language=language).order_by().values("has_more")
            ),
            neighbours_linked=Subquery(
                ReleasedVariant.objects.filter(article_id=OuterRef("pk"), language=language).values("linked")
            ),
            next_publication=Subquery(ReleasedVariant.objects.upcoming(language).values("published_at")[:1]),
        )
    )


def _related(article: Article, language: str) -> tuple[list, list[Tag], list[Reference]]:
    """Queries 2 to 4: what the page shows of the article's authors, tags and references, each in its model's
    order (tags in the order they were made, references in their position), only the columns it shows."""
    author_model = Article._meta.get_field("authors").related_model
    authors = author_model.objects.filter(articles=article.pk).only(
        "given_name", "family_name", "slug", "photo", "photo_alt", localized("bio", language), localized("bio", DEFAULT_LANGUAGE)
    )
    tags = Tag.objects.filter(tagged_articles__content_object=article.pk).only(localized("name", language), localized("slug", language))
    references = Reference.objects.filter(article=article.pk).only(
        "position", "marker", localized("text", language), "url", "accessed_on"
    )
    return list(authors), list(tags.order_by("pk")), list(references.order_by("position", "pk"))


def article_page(*, slug: str, language: str) -> ArticlePage:
    """The public article ``slug`` in ``language`` and what its page links to; ``Http404`` if it is not public."""
    if language not in language_codes():
        raise Http404("Unknown language.")
    found = list(_page_queryset(slug, language))
    article = next((item for item in found if translated_value(item, "slug", language) == slug), None)
    if article is None:
        raise Http404("No article is published at this address in this language.")
    others = [item for item in found if item is not article]
    page = ArticlePage(article=article, next_publication=article.next_publication)

    if article.category_id is not None:
        if not article.neighbours_linked:
            # The first reading since a save moved an article beside it: link them, read what is public.
            known = {item.pk for item in others}
            extra = [pk for pk in neighbours_link(article, language) if pk is not None and pk not in known]
            for item in Article.objects.published(language).only(*_link_fields(language)).filter(pk__in=extra):
                item.shared_tags = None  # a neighbour outside the stored Similar Posts list
                others.append(item)
        key = (article.published_at, article.pk)
        siblings = [item for item in others if item.category_id == article.category_id]
        page.previous_article = max(
            (item for item in siblings if (item.published_at, item.pk) < key),
            key=lambda item: (item.published_at, item.pk),
            default=None,
        )
        page.next_article = min(
            (item for item in siblings if (item.published_at, item.pk) > key),
            key=lambda item: (item.published_at, item.pk),
            default=None,
        )

    if article.similar_stored is None:
        rows = similar_ids_for(article.pk, language, stored=None)
    else:
        stored = [Row(item.pk, item.shared_tags, item.published_at) for item in others if item.shared_tags is not None]
        rows = similar_ids_for(article.pk, language, stored=(stored, article.similar_stored))
    by_pk = {item.pk: item for item in others}
    missing = [row.similar_id for row in rows if row.similar_id not in by_pk]
    if missing:
        by_pk.update(Article.objects.only(*_link_fields(language)).in_bulk(missing))
    for row in rows:
        item = by_pk[row.similar_id]
        item.shared_tags = row.shared_tags
        page.similar_articles.append(item)

    page.authors, page.tags, page.references = _related(article, language)
    return page

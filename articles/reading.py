"""The article page's data in two queries, whatever the size of the archive.

One query finds the article by its slug together with every article the page links to: its stored Similar Posts
(``articles.similar``) and its previous and next articles in the category. A second one fetches its authors, tags
and references. Only a list never read before (or one too short to be sure of) costs more, once.

The queries are fixed SQL read through ``articles.rows`` rather than querysets: the ORM spent about fifteen times
longer building and hydrating them than the database spent answering them, and this page is the one every
uncached reader costs (``docs/performance.md``).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, models
from django.http import Http404
from django.utils import timezone

from .models import Article, Category, Reference, Tag, TaggedArticle, language_codes, slug_url
from .rows import Columns, columns, convert, fixed_sql_cursor
from .similar import Row, shown_limit, similar_ids_for


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """What the article page shows of an article it links to (its Similar Posts, previous and next): the address,
    title and day in the page's language.

    Not model instances: a page links to eight articles, and building eight partial ``Article`` instances (with
    their categories) through ``Model.from_db`` cost more than the query that found them.
    """

    pk: int
    title: str
    url: str
    published_at: datetime
    category_id: int | None = None
    shared_tags: int | None = None

    def get_absolute_url(self) -> str:
        return self.url

    @classmethod
    def of(cls, article: Article, language: str, *, shared_tags: int | None = None) -> ArticleLink:
        return cls(
            pk=article.pk,
            title=getattr(article, f"title_{language}"),
            url=article.url_in(language),
            published_at=article.published_at,
            category_id=article.category_id,
            shared_tags=shared_tags,
        )


@dataclass
class ArticlePage:
    article: Article
    similar_articles: list[ArticleLink] = field(default_factory=list)
    previous_article: ArticleLink | None = None
    next_article: ArticleLink | None = None
    next_publication: datetime | None = None
    """When the next scheduled article of the language is due: the page may change then."""
    authors: list[models.Model] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


def _public(alias: str, language: str) -> str:
    """``published_q`` in SQL for table ``alias``; one ``%s``: now."""
    return (
        f"{alias}.is_published_{language} AND {alias}.title_{language} > '' AND {alias}.body_{language} > '' "
        f"AND {alias}.published_at <= %s"
    )


@functools.cache
def _page_sql(language: str) -> str:
    """Query 1: the article found by its slug and every article its page links to (its stored Similar Posts, its
    previous and next articles in the category); for the page's own article, its category, whether its Similar
    Posts list is stored and when the language's next scheduled article is due; for the others, the tags they
    share with it (NULL for a neighbour outside the list). The links' rows carry only what a link shows: their
    categories' columns, a dozen values each with two timestamps to parse, stay NULL.

    Parameters: slug, now (target); now, limit (Similar Posts); now, now (neighbours); now (next publication);
    now (public).
    """
    # Scalar subqueries on ``target`` rather than joins with it: so both databases walk the indexes in order and
    # stop at the first row (a join made SQLite sort every article of the category). The shared-tag counts come
    # with the list's ids (``linked``) rather than from a lookup per row, and the page's own extras are asked for
    # on its row only: PostgreSQL spent a quarter less on the statement.
    is_target = "a.id = tg.id"
    sql = f"""
        WITH target AS (
            SELECT t.id, t.category_id, t.published_at FROM articles_article t
            WHERE t.slug_{language} = %s AND {_public('t', language)}
        ),
        linked AS (
            SELECT id, CAST(NULL AS integer) AS shared FROM target
            UNION ALL SELECT similar_id, shared_tags FROM (
                SELECT s.similar_id, s.shared_tags FROM articles_similararticle s
                WHERE s.article_id = (SELECT id FROM target) AND s.language = '{language}'
                  AND s.similar_published_at <= %s
                ORDER BY s.shared_tags DESC, s.similar_published_at DESC, s.similar_id DESC LIMIT %s
            ) similar_ids
            UNION ALL SELECT id, NULL FROM (
                SELECT o.id FROM articles_article o
                WHERE o.category_id = (SELECT category_id FROM target) AND {_public('o', language)}
                  AND (o.published_at, o.id) < ((SELECT published_at FROM target), (SELECT id FROM target))
                ORDER BY o.category_id DESC, o.published_at DESC, o.id DESC LIMIT 1
            ) older
            UNION ALL SELECT id, NULL FROM (
                SELECT o.id FROM articles_article o
                WHERE o.category_id = (SELECT category_id FROM target) AND {_public('o', language)}
                  AND (o.published_at, o.id) > ((SELECT published_at FROM target), (SELECT id FROM target))
                ORDER BY o.category_id, o.published_at, o.id LIMIT 1
            ) newer
        ),
        picked AS (SELECT id, MAX(shared) AS shared FROM linked GROUP BY id)
        SELECT {columns(Article).select("a", only_when=is_target, always=_linked_fields(language))},
            {columns(Category).select("c", only_when=is_target)},
            CASE WHEN {is_target} THEN
                (SELECT h.has_more FROM articles_similarlist h WHERE h.article_id = a.id AND h.language = '{language}')
            END,
            p.shared,
            CASE WHEN {is_target} THEN
                (SELECT n.published_at FROM articles_article n
                 WHERE n.is_published_{language} AND n.title_{language} > '' AND n.body_{language} > ''
                   AND n.published_at > %s ORDER BY n.published_at LIMIT 1)
            END
        FROM picked p JOIN articles_article a ON a.id = p.id LEFT OUTER JOIN articles_category c ON c.id = a.category_id
            CROSS JOIN target tg
        WHERE {_public('a', language)}
    """
    # One space for each run of blanks: psycopg converts a statement's placeholders once and keeps the result only
    # for statements of at most 4 kB (``MAX_CACHED_STATEMENT_LENGTH``); at 4.9 kB this one was converted again on
    # every page.
    return " ".join(sql.split())


def _linked_fields(language: str) -> tuple[str, ...]:
    """What the page shows of an article it links to (Similar Posts, previous and next): its address, title and
    date in the page's language. Only these are loaded (the rest, bodies above all, are deferred)."""
    return ("id", "category_id", "published_at", f"is_published_{language}", f"slug_{language}", f"title_{language}")


@functools.cache
def _link_positions(language: str) -> tuple[int, int, int, int, int]:
    """Where a linked article's id, category, date, slug and title stand in query 1's rows (worked out once)."""
    attnames = columns(Article).attnames
    names = ("id", "category_id", "published_at", f"slug_{language}", f"title_{language}")
    return tuple(attnames.index(name) for name in names)


@functools.cache
def _related_blocks() -> tuple[tuple[Columns, int], ...]:
    """Each model's column reader in query 2 with the place its block starts (after kind and place)."""
    blocks = [columns(model) for model in _related_models()]
    return tuple((block, 2 + sum(other.count for other in blocks[:kind])) for kind, block in enumerate(blocks))


def _related_models() -> tuple[type[models.Model], ...]:
    """What query 2 reads, in the order of its column blocks: authors, tags, references."""
    return (Article._meta.get_field("authors").related_model, Tag, Reference)


@functools.cache
def _related_sql() -> str:
    """Query 2: the authors, tags and references of one article (parameter: its id, three times), one row each.

    A row starts with its kind (0 author, 1 tag, 2 reference) and its place in the order the ORM gives (each
    model's ``Meta.ordering``), then a block of columns per model, NULL but for its own. One statement rather than
    three: each statement cost PostgreSQL and the driver a round of their own, more than these few index reads.
    """
    authors = Article._meta.get_field("authors")
    author, _tag, _reference = _related_models()
    tagged = TaggedArticle._meta
    blocks = [columns(model) for model in _related_models()]

    def select(kind: int, alias: str, order: str) -> str:
        parts = [block.select(alias) if index == kind else block.nulls() for index, block in enumerate(blocks)]
        return f"SELECT {kind} AS kind, ROW_NUMBER() OVER (ORDER BY {order}) AS place, {', '.join(parts)}"

    return f"""
        SELECT * FROM (
            {select(0, "au", "au.family_name, au.given_name, au.id")}
            FROM {author._meta.db_table} au
            JOIN {authors.m2m_db_table()} aa ON aa.{authors.m2m_reverse_name()} = au.id
            WHERE aa.{authors.m2m_column_name()} = %s
            UNION ALL
            {select(1, "tg", "tg.id")}
            FROM {Tag._meta.db_table} tg
            WHERE tg.id IN (
                SELECT ti.{tagged.get_field("tag").column} FROM {tagged.db_table} ti
                WHERE ti.{tagged.get_field("content_object").column} = %s
            )
            UNION ALL
            {select(2, "r", "r.position, r.id")}
            FROM {Reference._meta.db_table} r
            WHERE r.article_id = %s
        ) related
        ORDER BY kind, place
    """


def article_page(*, slug: str, language: str) -> ArticlePage:
    """The public article ``slug`` in ``language`` and what its page links to; ``Http404`` if it is not public."""
    if language not in language_codes():
        raise Http404("Unknown language.")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    article_columns, category_columns = columns(Article), columns(Category)
    id_index, category_index, date_index, slug_index, title_index = _link_positions(language)
    published_at = Article._meta.get_field("published_at")
    url_name = Article.url_name
    extras = article_columns.count + category_columns.count
    article: Article | None = None
    links: list[ArticleLink] = []
    with fixed_sql_cursor() as cursor:
        cursor.execute(_page_sql(language), [slug, now, now, shown_limit(), now, now, now, now])
        for row in cursor.fetchall():
            if row[slug_index] != slug:  # an article the page links to: only its link's columns came
                links.append(ArticleLink(
                    pk=row[id_index],
                    title=row[title_index],
                    url=slug_url(url_name, row[slug_index], language),
                    published_at=convert(published_at, row[date_index]),
                    category_id=row[category_index],
                    shared_tags=row[extras + 1],
                ))
                continue
            article = article_columns.instance(row)
            category_row = row[article_columns.count : extras]
            category = category_columns.instance(category_row) if category_row[0] is not None else None
            Article.category.field.set_cached_value(article, category)
            similar_stored = None if row[extras] is None else bool(row[extras])
            next_publication = convert(published_at, row[extras + 2])
    if article is None:
        raise Http404("No article is published at this address in this language.")
    page = ArticlePage(article=article, next_publication=next_publication)

    key = (article.published_at, article.pk)
    if article.category_id is not None:
        siblings_found = [link for link in links if link.category_id == article.category_id]
        page.previous_article = max(
            (link for link in siblings_found if (link.published_at, link.pk) < key),
            key=lambda link: (link.published_at, link.pk),
            default=None,
        )
        page.next_article = min(
            (link for link in siblings_found if (link.published_at, link.pk) > key),
            key=lambda link: (link.published_at, link.pk),
            default=None,
        )

    stored = [Row(link.pk, link.shared_tags, link.published_at) for link in links if link.shared_tags is not None]
    if similar_stored is None:
        rows = similar_ids_for(article.pk, language, stored=None, has_more=False)
    else:
        rows = similar_ids_for(article.pk, language, stored=stored, has_more=similar_stored)
    by_pk = {link.pk: link for link in links}
    missing = [row.similar_id for row in rows if row.similar_id not in by_pk]
    if missing:
        by_pk.update(
            (pk, ArticleLink.of(item, language))
            for pk, item in Article.objects.only(*_linked_fields(language)).in_bulk(missing).items()
        )
    page.similar_articles = [dataclasses.replace(by_pk[row.similar_id], shared_tags=row.shared_tags) for row in rows]

    blocks = _related_blocks()
    lists = (page.authors, page.tags, page.references)
    with fixed_sql_cursor() as cursor:
        cursor.execute(_related_sql(), [article.pk] * 3)
        for row in cursor.fetchall():
            block, start = blocks[row[0]]
            lists[row[0]].append(block.instance(row[start:]))
    return page


def neighbour_ids(article: Article, language: str) -> list[int]:
    """The ids of the articles just before and just after ``article`` in its category, public in ``language``: the
    pages whose previous/next links show it. Index steps from its date (``ArticleQuerySet.neighbours_in_category``
    builds an OR the PostgreSQL planner answers by reading the whole category)."""
    if article.category_id is None or language not in language_codes():
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    date = connection.ops.adapt_datetimefield_value(article.published_at)
    sql = f"""
        SELECT id FROM (
            SELECT o.id FROM articles_article o
            WHERE o.category_id = %s AND {_public('o', language)} AND (o.published_at, o.id) < (%s, %s)
            ORDER BY o.category_id DESC, o.published_at DESC, o.id DESC LIMIT 1
        ) older
        UNION ALL SELECT id FROM (
            SELECT o.id FROM articles_article o
            WHERE o.category_id = %s AND {_public('o', language)} AND (o.published_at, o.id) > (%s, %s)
            ORDER BY o.category_id, o.published_at, o.id LIMIT 1
        ) newer
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [article.category_id, now, date, article.pk, article.category_id, now, date, article.pk])
        return [pk for (pk,) in cursor.fetchall()]

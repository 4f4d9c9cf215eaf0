"""The upkeep after a save that may wait for a worker: the Similar Posts of other articles, the search entries, the
image renditions and the page-cache stamps of the lists, home and neighbouring pages the save touched.

Its cost grows with the archive (a popular tag's articles, every list an article enters), so an editor's save only
records what changed (``articles.upkeep``) and hands this over as one task per save or batch, through Django's tasks
framework (the ``django-tasks`` backport on Django 5.2). The backend is the host's ``TASKS`` setting:

- the immediate backend (the embedded default, and the tests'): no worker; the task runs at once, inside the save's
  transaction, exactly as the upkeep did before tasks: a failure rolls the save back;
- any other backend (the database backend of ``django-tasks-db`` in production, worked by ``manage.py db_worker``):
  the task is enqueued when the save commits, so the worker reads what the save wrote.

What the save keeps for itself, because a reader of the saved article's own page must never see a mix of old and
new: its released variants, its own Similar Posts lists (dropped when its tags change) and the stamps of its own
pages. The pages this task touches keep serving their cached copies, consistent with the content before the save,
until the task stamps them at its end (and again when it commits), as the upkeep stamped after commit before.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from authors.models import Author
from publishing.languages import language_codes
from publishing.renditions import renditions_of

from . import listing, neighbours, similar
from .models import Article, ListingCount
from .pages import caching
from .search import index as search_index


@dataclass
class ArticleChange:
    """What the writes of a batch changed about one article."""

    languages: set[str] = field(default_factory=set)  # where it was listed before the batch
    categories: set = field(default_factory=set)
    repositioned: set[str] = field(default_factory=set)  # languages where it may now stand beside other articles
    tags: set[int] = field(default_factory=set)  # added or removed
    authors: set[int] = field(default_factory=set)
    ranking_changed: bool = False  # its release or date (or tags): other articles' Similar Posts follow
    tags_changed: bool = False  # its own Similar Posts are made again
    authors_changed: bool = False  # its authors or its release: the author index follows
    moved: bool = False  # its release, date or category: the previous/next links around it are found again
    lists_changed: bool = False  # its release, date, category, tags or authors: the stored list counts follow
    released_changed: bool = False  # its release or date: the home list's counts too (a count of every variant)


@dataclass
class Upkeep:
    """The deferred work of one batch, as it travels to the worker (JSON: ids, names and flags, never instances)."""

    articles: dict[int, ArticleChange] = field(default_factory=dict)
    search_ids: set[int] = field(default_factory=set)
    dependencies: set[str] = field(default_factory=set)
    images: set[int] = field(default_factory=set)  # articles with a new featured image: its renditions
    photos: set[int] = field(default_factory=set)  # authors whose photo may be new: its renditions
    recount: dict[str, set] = field(default_factory=dict)  # lists of deleted articles to count again, by kind

    def as_json(self) -> dict:
        return {
            "articles": {str(pk): {key: sorted(value, key=str) if isinstance(value, set) else value
                                   for key, value in asdict(change).items()}
                         for pk, change in self.articles.items()},
            "search_ids": sorted(self.search_ids),
            "dependencies": sorted(self.dependencies),
            "images": sorted(self.images),
            "photos": sorted(self.photos),
            "recount": {kind: sorted(ids, key=str) for kind, ids in self.recount.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Upkeep:
        return cls(
            articles={int(pk): ArticleChange(**{key: set(value) if isinstance(value, list) else value
                                                 for key, value in change.items()})
                      for pk, change in data["articles"].items()},
            search_ids=set(data["search_ids"]),
            dependencies=set(data["dependencies"]),
            images=set(data["images"]),
            photos=set(data["photos"]),
            recount={kind: set(ids) for kind, ids in data.get("recount", {}).items()},
        )


def upkeep_enqueue(work: Upkeep, *, saved: dict[int, Article] | None = None, own_pages: Iterable[str] = ()) -> None:
    """Run ``work`` now, in the save's transaction, with the immediate backend; else stamp the saved articles' own
    pages (``own_pages``) now and enqueue the rest when the save commits.

    The immediate backend would run the task too, but catch its errors and take only JSON: run in-line, a failure
    still undoes the save, the instances just saved (``saved``) are used as they are instead of read again, and the
    page cache is stamped once for everything.
    """
    if isinstance(upkeep_after_save.get_backend(), ImmediateBackend):
        work.dependencies |= set(own_pages)
        if work.articles or work.search_ids or work.dependencies or work.images or work.photos or work.recount:
            upkeep_run(work, saved=saved)
        return
    caching.dependencies_changed(own_pages)
    if work.articles or work.search_ids or work.dependencies or work.images or work.photos or work.recount:
        payload = work.as_json()

        def enqueue_upkeep() -> None:
            # A named function, not a ``functools.partial``: when a robust callback fails, Django logs its
            # ``__qualname__``, which a partial lacks, and the logging itself raised into the committed save.
            upkeep_after_save.enqueue(payload)

        transaction.on_commit(enqueue_upkeep, robust=True)


@task()
def upkeep_after_save(payload: dict) -> None:
    """The task: the deferred upkeep of one save or batch (``Upkeep.as_json``)."""
    upkeep_run(Upkeep.from_json(payload))


@transaction.atomic(savepoint=False)  # part of the save that calls it: a failure undoes the save, no savepoint
def upkeep_run(work: Upkeep, *, saved: dict[int, Article] | None = None) -> None:
    """Similar Posts per changed article, one search update, the renditions of new images, the stored counts of the
    lists the batch changed, then one stamp of every page the batch touched."""
    changes = work.articles
    articles = dict(saved or {})
    missing = (set(changes) | work.search_ids) - set(articles)
    if missing:
        articles.update(Article.objects.in_bulk(missing))
    models.prefetch_related_objects(list(articles.values()), "tags", "authors")
    shown: set[tuple[int, str]] = set()
    for pk in sorted(changes):
        if changes[pk].ranking_changed and pk in articles:
            shown |= similar.similar_lists_update(article_id=pk, tags_changed=changes[pk].tags_changed)
    indexed = [articles[pk] for pk in sorted(work.search_ids) if pk in articles]
    if indexed:
        search_index.search_index_write(articles=indexed)
    for pk in work.images:
        article = articles.get(pk) or Article.objects.filter(pk=pk).first()
        if article is not None and article.featured_image:
            renditions_of(article.featured_image)
    _author_photos(work.photos)
    names = set(work.dependencies)
    names |= {caching.similar_dependency(owner, language) for owner, language in shown}
    recount = {kind: set(ids) for kind, ids in work.recount.items()}
    for pk, change in changes.items():
        if pk in articles:
            article = articles[pk]
            tag_ids = {tag.pk for tag in article.tags.all()}
            author_ids = {author.pk for author in article.authors.all()}
            names |= page_dependencies(article, change, tag_ids=tag_ids, author_ids=author_ids)
            _lists_follow(article, change, tag_ids=tag_ids, author_ids=author_ids, recount=recount)
    if recount:
        listing.listing_counts_update(
            everything=bool(recount.get(ListingCount.ALL)),
            tag_ids=recount.get(ListingCount.TAG, ()),
            category_ids=recount.get(ListingCount.CATEGORY, ()),
            author_ids=recount.get(ListingCount.AUTHOR, ()),
        )
    caching.dependencies_changed(names)


def _lists_follow(article: Article, change: ArticleChange, *, tag_ids: set, author_ids: set, recount: dict) -> None:
    """The stored counts of the lists ``article`` is or was in: counted again when what they hold changed
    (``recount``, done once for the batch), else only their last change moved.

    A new release or date changes every list it is in; a retag, new authors or a move to another category change
    only the lists it joined or left (a popular tag's count is not read again because an article gained another)."""
    tag_ids, author_ids = tag_ids | change.tags, author_ids | change.authors
    category_ids = change.categories | {article.category_id}
    if change.released_changed:
        counted = {ListingCount.ALL: {0}, ListingCount.TAG: tag_ids, ListingCount.CATEGORY: category_ids,
                   ListingCount.AUTHOR: author_ids}
    elif change.lists_changed:
        moved_between = category_ids if len(category_ids) > 1 else set()
        counted = {ListingCount.TAG: change.tags, ListingCount.CATEGORY: moved_between,
                   ListingCount.AUTHOR: change.authors}
    else:
        counted = {}
    for kind, ids in counted.items():
        if ids:
            recount.setdefault(kind, set()).update(ids)
    listing.listing_counts_touch(
        changed_at=article.updated_at, languages=change.languages | listed_languages(article),
        tag_ids=tag_ids, category_ids=category_ids, author_ids=author_ids,
    )


def _author_photos(author_ids: set[int]) -> None:
    for author in Author.objects.filter(pk__in=author_ids).exclude(photo="") if author_ids else ():
        renditions_of(author.photo)


def listed_languages(article: Article) -> set[str]:
    """The languages ``article`` is released in (scheduled ones too): where lists and Similar Posts show it."""
    return {code for code in language_codes() if article.is_published_in(code, scheduled=True)}


def page_dependencies(article: Article, change: ArticleChange, *, tag_ids: set, author_ids: set) -> set[str]:
    """The pages that show ``article`` (where it was or is published), as ``change`` leaves them."""
    names = {caching.article_dependency(article.pk)}
    tag_ids = change.tags | tag_ids
    author_ids = change.authors | author_ids
    category_ids = {pk for pk in change.categories | {article.category_id} if pk}
    now = timezone.now()
    for language in change.languages | listed_languages(article):
        names.add(caching.home_dependency(language))
        names.update(caching.tagged_dependency(pk, language) for pk in tag_ids)
        names.update(caching.in_category_dependency(pk, language) for pk in category_ids)
        names.update(caching.by_author_dependency(pk, language) for pk in author_ids)
        if change.authors_changed:
            names.add(caching.author_index_dependency(language))
        if now < article.published_at <= now + timedelta(seconds=caching.page_seconds()):
            names.add(caching.schedule_dependency(language))
    for language in change.repositioned:
        # Pages that show it already depend on it; these are the ones whose previous/next link it now becomes.
        if article.category_id and article.is_published_in(language):
            names.update(caching.article_dependency(pk) for pk in neighbours.nearest_ids(article, language) if pk)
    return names

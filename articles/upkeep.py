"""After every write to the content, what readers see follows: search entries, stored Similar Posts lists, released
variants and the page cache, and the translators' fingerprints (``publishing.workflow.services``).

``articles.receivers`` forwards every model signal here, so the admin, the services, the importer and scripts keep
pages and lists current without calling anything. What each change touches:

- an article (its text, date, release, category, references): its search entries when its texts changed; its own
  pages; the lists it was listed on (home, its tags', its category's and its authors' pages, the author index) in
  every language it was or is published in; the pages whose previous/next link it becomes where it enters or moves
  in its category (the pages that already show it depend on it); and, through ``articles.similar``, the Similar
  Posts of every article whose shown list it enters or leaves;
- its tags or authors: the same, for the tags and authors added and removed, and its search entries;
- a tag, category or author renamed: the pages that show the name, and the entries of a tag's or author's articles;
- a tag deleted, or rows loaded raw (fixtures, restores): every stored list and every page (links change
  without a signal per article).

A save reads the stored article once (:func:`article_before_save`, only the columns that decide what changed), and
that one read decides the search entries, the Similar Posts, the pages to forget and the fingerprints.

**Batches.** Inside ``with batched():`` writes only record what they changed; at the end of the block the upkeep
runs once for all of it: one search update, the Similar Posts of each changed article, one stamp on the page cache.
Bulk publishing, the article change form and the importers write in batches; any other write is a batch of its own,
run as soon as it is made.

**Tasks.** A batch does in the save only what the saved articles' own pages need (their Similar Posts lists dropped
when their tags changed, the previous/next links around them forgotten when they moved, their pages stamped) and
hands the rest, whose cost grows with the archive, to one task (``articles.tasks``): run at once in the same
transaction with the immediate backend (the embedded default), by a worker after the commit otherwise.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models, transaction

from publishing.editing import checked_row
from publishing.languages import language_codes
from publishing.workflow import services as workflow_services

from . import neighbours, similar
from .models import Article, Category, ListingCount, Reference, ReleasedVariant, SimilarList, Tag, TaggedArticle
from .pages import caching
from .tasks import ArticleChange, Upkeep, listed_languages, page_dependencies, upkeep_enqueue

# Set on an article between its pre_save and its post_save: its stored row before the save (None: there was none).
_STORED = "_upkeep_stored"
# Set on the instance of a many-to-many relation between its pre_clear and its post_clear: the ids it lost.
_CLEARED = "_upkeep_cleared"
# Set on an article between its pre_delete and its post_delete: the lists (tags, categories, authors) it was in.
_LISTS = "_upkeep_lists"


@dataclass
class _Batch:
    immediate: bool  # run as soon as the one write that opened it is made, not at the end of a block
    articles: dict[int, ArticleChange] = field(default_factory=dict)
    # Each article as last saved in the batch (a later save replaces it; a delete drops it): its columns are what the
    # deferred upkeep works from, not read back. Writes that bypass save() send no signal the upkeep could follow.
    saved: dict[int, Article] = field(default_factory=dict)
    search_ids: set[int] = field(default_factory=set)
    dependencies: set[str] = field(default_factory=set)
    images: set[int] = field(default_factory=set)
    photos: set[int] = field(default_factory=set)
    recount: dict[str, set] = field(default_factory=dict)  # lists of deleted articles, by kind of list
    renamed: bool = False  # a tag or author saved: the names an article's cached tags and authors hold may be old

    def article(self, pk: int) -> ArticleChange:
        return self.articles.setdefault(pk, ArticleChange())


_current: ContextVar[_Batch | None] = ContextVar("articles_upkeep_batch", default=None)


@contextmanager
def batched(*, savepoint: bool = True) -> Iterator[None]:
    """Run the upkeep of every write inside the block once, at its end, inside the same transaction.

    Publishing twenty articles then updates the search index once, brings the Similar Posts in step with the twenty
    in one pass and stamps the page cache once, instead of twenty times everything; the translation memory of each
    object written follows once too (``publishing.workflow.services.translation_batched``). A block inside another
    joins it.

    ``savepoint=False`` for a caller whose enclosing transaction fails as a whole when the block fails (the change
    form's save, inside its revision's): the block's own savepoint would cost two statements and undo nothing more.
    """
    if _current.get() is not None:
        yield
        return
    batch = _Batch(immediate=False)
    with transaction.atomic(savepoint=savepoint):
        token = _current.set(batch)
        try:
            with workflow_services.translation_batched():
                yield
        finally:
            _current.reset(token)
        if not transaction.get_rollback():  # a dry run: nothing it wrote will stay
            _run(batch)


@contextmanager
def _collecting() -> Iterator[_Batch]:
    """The batch a write's upkeep joins: the open one, or one of its own, run at once."""
    batch = _current.get()
    if batch is not None:
        yield batch
        return
    batch = _Batch(immediate=True)
    yield batch
    _run(batch)


# --- Articles ---------------------------------------------------------------------------------------------------

_SEARCHED_TEXTS = ("title", "highlights", "body")  # what an article's search entries are made of, per language


def _stored_fields() -> list[str]:
    """The columns of a stored article that decide what a save changed: its release in each language (the flag,
    the title and the body ``is_published_in`` reads), the searched texts, date and category, and whatever the
    translation fingerprints read."""
    per_language = {f"{name}_{code}" for name in ("is_published", *_SEARCHED_TEXTS) for code in language_codes()}
    return sorted(
        per_language | {"published_at", "category", "featured_image"} | set(workflow_services.stored_fields(Article))
    )


def article_before_save(*, article: Article) -> None:
    """Read the stored row of ``article`` once, before it is overwritten: it decides both what readers' pages and
    lists must follow (:func:`article_saved`) and what the translation fingerprints must."""
    if article._state.adding or article.pk is None:
        return
    stored = checked_row(article)  # the change form's edit check read it under a lock, just before
    if stored is None:
        stored = Article.objects.filter(pk=article.pk).only(*_stored_fields()).order_by().first()
    setattr(article, _STORED, stored)
    workflow_services.translation_note_changes(obj=article, stored=stored)


def article_saved(*, article: Article, created: bool, raw: bool) -> None:
    """After a save: the released variants now if its release or date changed, and, with the batch, the search
    entries if its texts changed, the Similar Posts if its release or date changed, and the pages that show it."""
    if raw:
        similar.released_variants_sync(article=article)
        _article_loaded(article)
        return
    stored = article.__dict__.pop(_STORED, None)
    before, after = (listed_languages(stored) if stored is not None else set()), listed_languages(article)
    if stored is None or before != after or stored.published_at != article.published_at:
        similar.released_variants_sync(article=article)
    workflow_services.translation_after_save(obj=article, created=created)
    moved = stored is None or (stored.published_at, stored.category_id) != (article.published_at, article.category_id)
    ranking_changed = stored is None or before != after or stored.published_at != article.published_at
    with _collecting() as batch:
        change = batch.article(article.pk)
        batch.saved[article.pk] = _as_saved(article)
        change.languages |= before
        change.categories |= {stored.category_id if stored is not None else None, article.category_id}
        change.repositioned |= after if moved else after - before
        change.moved |= moved or before != after
        change.ranking_changed |= ranking_changed and not created
        change.authors_changed |= ranking_changed  # the author index lists the authors with a published article
        change.lists_changed |= ranking_changed or moved
        change.released_changed |= ranking_changed
        if stored is None or _texts_changed(stored, article):
            batch.search_ids.add(article.pk)
        if article.featured_image and (stored is None or stored.featured_image.name != article.featured_image.name):
            batch.images.add(article.pk)  # a new upload: its renditions


def _as_saved(article: Article) -> Article:
    """A copy of the instance as just saved. Of the related rows it may have cached, only its tags and authors are
    kept (the change form reads them with the article, in the save's transaction), for the upkeep's search entries,
    pages and lists instead of a second read; the batch forgets them if it changes them (:func:`_run`)."""
    saved = copy.copy(article)
    cached = saved.__dict__.pop("_prefetched_objects_cache", None) or {}
    if kept := {name: rows for name, rows in cached.items() if name in ("tags", "authors")}:
        saved._prefetched_objects_cache = kept
    return saved


def _texts_changed(stored: Article, article: Article) -> bool:
    """Whether the save changed what the search entries are made of."""
    return any(
        (getattr(stored, name) or "") != (getattr(article, name) or "")
        for name in (f"{text}_{code}" for text in _SEARCHED_TEXTS for code in language_codes())
    )


def _article_loaded(article: Article) -> None:
    """A row written raw (fixtures, a restore): its entries and its pages follow, and the stored lists go."""
    _loaded_raw()
    with _collecting() as batch:
        change = batch.article(article.pk)
        change.lists_changed = change.released_changed = True
        batch.dependencies.add(caching.article_dependency(article.pk))
        batch.search_ids.add(article.pk)


def _loaded_raw() -> None:
    """Fixtures and restores write rows without the usual signals, tag links included: drop the stored lists once
    (each is made again when next read) rather than follow every row."""
    if SimilarList.objects.exists() or ReleasedVariant.objects.filter(linked=True).exists():
        similar.similar_lists_forget_all()
        neighbours.neighbours_forget_all()
        _stamp({caching.EVERYTHING})


def article_before_delete(*, article: Article) -> None:
    """Before its rows go: the Similar Posts it is in lose it, and every page that shows it is forgotten."""
    with _collecting() as batch:
        change = batch.articles.pop(article.pk, None) or ArticleChange()
        batch.saved.pop(article.pk, None)
        batch.images.discard(article.pk)
        batch.search_ids.discard(article.pk)
        shown = similar.similar_lists_update(article_id=article.pk, removed=True)
        neighbours.neighbours_forget(moved={article.pk: ()})
        change.authors_changed = True
        tag_ids = set(article.tags.values_list("pk", flat=True))
        author_ids = set(article.authors.values_list("pk", flat=True))
        batch.dependencies |= page_dependencies(article, change, tag_ids=tag_ids, author_ids=author_ids)
        batch.dependencies |= {caching.similar_dependency(owner, language) for owner, language in shown}
        # Counted again after its rows are gone (:func:`article_deleted`).
        setattr(article, _LISTS, (tag_ids | change.tags, change.categories | {article.category_id}, author_ids | change.authors))


def article_deleted(*, article: Article) -> None:
    """Its rows are gone: the lists it was in are counted again."""
    tag_ids, category_ids, author_ids = article.__dict__.pop(_LISTS, (set(), {article.category_id}, set()))
    with _collecting() as batch:
        batch.recount.setdefault(ListingCount.ALL, set()).add(0)
        batch.recount.setdefault(ListingCount.TAG, set()).update(tag_ids)
        batch.recount.setdefault(ListingCount.CATEGORY, set()).update(category_ids)
        batch.recount.setdefault(ListingCount.AUTHOR, set()).update(author_ids)


def article_relations_changed(
    *, instance: models.Model, relation: str, action: str, reverse: bool, pk_set: Iterable[int] | None
) -> None:
    """Tags (``relation="tags"``) or authors of articles added or removed, from either side of the relation
    (``article.tags.add``, ``author.articles.add``): their entries, Similar Posts and pages follow."""
    if action == "pre_clear":
        if reverse:
            related = Article.objects.filter(**{relation: instance}).values_list("pk", flat=True)
        else:
            related = getattr(instance, relation).values_list("pk", flat=True)
        setattr(instance, _CLEARED, set(related))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    ids = instance.__dict__.pop(_CLEARED, set()) if action == "post_clear" else set(pk_set or ())
    pairs = [(pk, {instance.pk}) for pk in ids] if reverse else [(instance.pk, ids)]
    with _collecting() as batch:
        for article_id, related_ids in pairs:
            change = batch.article(article_id)
            change.lists_changed = True
            batch.search_ids.add(article_id)
            if relation == "tags":
                change.tags |= related_ids
                change.ranking_changed = change.tags_changed = True
            else:
                change.authors |= related_ids
                change.authors_changed = True


def tagging_saved(*, tagging: TaggedArticle, raw: bool) -> None:
    """Fixtures store tag links as rows of their own, without the m2m signal that ``article.tags.add`` sends."""
    if raw:
        _loaded_raw()
        with _collecting() as batch:
            change = batch.article(tagging.content_object_id)
            change.tags.add(tagging.tag_id)
            change.lists_changed = True
            batch.search_ids.add(tagging.content_object_id)


def reference_changed(*, reference: Reference) -> None:
    """A reference saved or deleted: the article's pages show the list."""
    _stamp({caching.article_dependency(reference.article_id)})


# --- Tags, categories, authors ----------------------------------------------------------------------------------


def tag_saved(*, tag: Tag, created: bool, raw: bool) -> None:
    """A renamed tag: the pages that show its name, and the entries of its articles (its names are keywords)."""
    if created:
        return
    with _collecting() as batch:
        batch.renamed = True
        batch.dependencies.add(caching.tag_dependency(tag.pk))
        if not raw:
            batch.search_ids |= set(Article.objects.filter(tags=tag).values_list("pk", flat=True))


def tag_deleted(*, tag: Tag) -> None:
    """Its links went with it, without a signal per article: every stored list and every page go."""
    ListingCount.objects.of(ListingCount.TAG, tag.pk).delete()
    similar.similar_lists_forget_all()
    _stamp({caching.EVERYTHING})


def category_saved(*, category: Category, created: bool) -> None:
    """A renamed category: the pages that show its name."""
    if not created:
        _stamp({caching.category_dependency(category.pk)})


def author_saved(*, author: models.Model, created: bool, raw: bool) -> None:
    """A renamed author: the pages that show the name, the author index, and the entries of the author's articles;
    an author with a photo: its renditions."""
    if created and (raw or not author.photo):
        return
    with _collecting() as batch:
        if author.photo and not raw:  # rows loaded raw (fixtures, restores) get their renditions when first shown
            batch.photos.add(author.pk)
        if created:
            return
        batch.renamed = True
        batch.dependencies.add(caching.author_dependency(author.pk))
        batch.dependencies.update(caching.author_index_dependency(code) for code in language_codes())
        if not raw:
            batch.search_ids |= set(Article.objects.filter(authors=author).values_list("pk", flat=True))


def author_deleted(*, author: models.Model) -> None:
    """Its articles lose a byline: their cards, the author index and the home pages change."""
    ListingCount.objects.of(ListingCount.AUTHOR, author.pk).delete()
    _stamp(
        {caching.author_dependency(author.pk)}
        | {caching.author_index_dependency(code) for code in language_codes()}
        | {caching.home_dependency(code) for code in language_codes()}
    )


def cache_recovered() -> None:
    """A cache that was unreachable answers again: the saves made during the outage could not stamp their changes
    on it, so every page it kept from before is forgotten."""
    _stamp({caching.EVERYTHING})


# --- Running a batch --------------------------------------------------------------------------------------------


def _stamp(names: set[str]) -> None:
    """Forget the pages that depend on ``names``, with the batch."""
    with _collecting() as batch:
        batch.dependencies |= names


def _run(batch: _Batch) -> None:
    """What the save keeps for itself (the changed articles' own Similar Posts lists, previous/next links and pages),
    then the rest as a task (``articles.tasks``): now with the immediate backend, else by a worker after commit."""
    for pk, change in sorted(batch.articles.items()):
        if change.tags_changed:
            similar.similar_lists_forget(article_id=pk)
        if pk in batch.saved and (change.tags or change.authors or batch.renamed):
            batch.saved[pk].__dict__.pop("_prefetched_objects_cache", None)  # changed since: the upkeep reads them
    # The stored previous/next links its own page and its neighbours' pages show: one update, within the save.
    moved = {pk: change.repositioned for pk, change in batch.articles.items() if change.moved}
    neighbours.neighbours_forget(moved=moved)
    upkeep_enqueue(
        Upkeep(articles=batch.articles, search_ids=batch.search_ids, dependencies=batch.dependencies,
               images=batch.images, photos=batch.photos, recount=batch.recount),
        saved=batch.saved,
        own_pages={caching.article_dependency(pk) for pk in batch.articles},
    )


def search_database_prepare(*, using: str) -> None:
    """After ``migrate``: what the search backend's index needs beyond the models' tables (SQLite's FTS5 table,
    PostgreSQL's GIN indexes), created where missing. Here rather than only in a migration so that a host whose
    migrations are its own (other languages, README "Use it in your own site") gets them too."""
    from django.db import connections, router

    from .models import SearchEntry
    from .search import index as search_index

    if router.allow_migrate_model(using, SearchEntry):
        search_index.search_backend().prepare_database(connections[using])

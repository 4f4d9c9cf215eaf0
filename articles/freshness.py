"""After every write that changes what readers see: stored Similar Posts lists follow, cached pages are forgotten.

Connected in ``ArticlesConfig.ready`` to the model signals, so that the admin, the services, the importer and
scripts all keep pages and lists current without calling anything. What each change touches:

- an article (its text, date, release, category, references): its own pages; the lists it was listed on (home,
  its tags', its category's and its authors' pages, the author index) in every language it was or is published
  in; the pages whose previous/next links or Similar Posts show it; and, through ``articles.similar``, the Similar
  Posts of every article whose shown list it enters or leaves;
- its tags or authors: the same, for the tags and authors added and removed;
- a tag, category or author renamed: the pages that show the name;
- a tag deleted, or rows loaded raw (fixtures, restores): every stored list and every page (links change
  without a signal per article).
"""
from __future__ import annotations

from datetime import timedelta

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from . import caching
from .models import Article, Category, Reference, SimilarList, Tag, TaggedArticle, language_codes
from .reading import neighbour_ids
from .similar import released_variants_sync, similar_lists_forget_all, similar_lists_update

_BEFORE = "_freshness_before"
_CLEARED = "_freshness_cleared"


def _state(article: Article) -> dict:
    return {
        "listed": {code for code in language_codes() if article.is_published_in(code, scheduled=True)},
        "published_at": article.published_at,
        "category_id": article.category_id,
    }


def article_before_save(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    stored = Article.objects.filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, _state(stored) if stored is not None else None)


def _loaded_raw() -> None:
    """Fixtures and restores write rows without the usual signals, tag links included: drop the stored lists once
    (each is made again when next read) rather than follow every row."""
    if SimilarList.objects.exists():
        similar_lists_forget_all()
        caching.dependencies_changed({caching.EVERYTHING})


def article_saved(sender, instance: Article, created: bool, raw: bool = False, **kwargs) -> None:
    released_variants_sync(article=instance)
    if raw:
        _loaded_raw()
        caching.dependencies_changed({caching.article_dependency(instance.pk)})
        return
    before = getattr(instance, _BEFORE, None)
    after = _state(instance)
    if before is not None:
        delattr(instance, _BEFORE)
    ranking_changed = before is None or before["listed"] != after["listed"] or before["published_at"] != after["published_at"]
    changed_lists = similar_lists_update(article_id=instance.pk) if ranking_changed and not created else set()
    article_changed(
        instance,
        languages=after["listed"] | (before["listed"] if before else set()),
        categories={after["category_id"], before["category_id"] if before else None},
        similar_lists=changed_lists,
        publication_changed=ranking_changed,
    )


def article_changed(
    article: Article,
    *,
    languages: set[str],
    categories: set | None = None,
    tags: set | None = None,
    authors: set | None = None,
    similar_lists: set[tuple[int, str]] = frozenset(),
    publication_changed: bool = False,
) -> None:
    """Forget the pages that show ``article`` (in ``languages``, where it was or is published)."""
    names = {caching.article_dependency(article.pk)}
    names.update(caching.similar_dependency(owner, language) for owner, language in similar_lists)
    tag_ids = set(tags) if tags is not None else set(article.tags.values_list("pk", flat=True))
    author_ids = set(authors) if authors is not None else set(article.authors.values_list("pk", flat=True))
    category_ids = {pk for pk in (categories if categories is not None else {article.category_id}) if pk}
    now = timezone.now()
    for language in languages:
        names.add(caching.home_dependency(language))
        names.update(caching.tagged_dependency(pk, language) for pk in tag_ids)
        names.update(caching.in_category_dependency(pk, language) for pk in category_ids)
        names.update(caching.by_author_dependency(pk, language) for pk in author_ids)
        if publication_changed or authors is not None:
            names.add(caching.author_index_dependency(language))
        if now < article.published_at <= now + timedelta(seconds=caching.page_seconds()):
            names.add(caching.schedule_dependency(language))
        if article.category_id and article.is_published_in(language):
            names.update(caching.article_dependency(pk) for pk in neighbour_ids(article, language))
    caching.dependencies_changed(names)


def article_before_delete(sender, instance: Article, **kwargs) -> None:
    changed_lists = similar_lists_update(article_id=instance.pk, removed=True)
    article_changed(
        instance, languages=_state(instance)["listed"], similar_lists=changed_lists, publication_changed=True
    )


def relation_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Tags or authors of articles added or removed, from either side (``article.tags.add``, ``author.articles``)."""
    is_tags = sender is TaggedArticle
    if action == "pre_clear":
        if reverse:
            related = Article.objects.filter(**{"tags" if is_tags else "authors": instance})
            setattr(instance, _CLEARED, list(related.values_list("pk", flat=True)))
        else:
            manager = instance.tags if is_tags else instance.authors
            setattr(instance, _CLEARED, list(manager.values_list("pk", flat=True)))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action == "post_clear":
        pk_set = set(getattr(instance, _CLEARED, []))
    pk_set = set(pk_set or ())
    if reverse:
        pairs = [(article, {instance.pk}) for article in Article.objects.filter(pk__in=pk_set)]
    else:
        pairs = [(instance, pk_set)]
    for article, related_ids in pairs:
        state = _state(article)
        changed_lists = similar_lists_update(article_id=article.pk, tags_changed=True) if is_tags else set()
        article_changed(
            article,
            languages=state["listed"],
            tags=(related_ids | set(article.tags.values_list("pk", flat=True))) if is_tags else None,
            authors=None if is_tags else (related_ids | set(article.authors.values_list("pk", flat=True))),
            similar_lists=changed_lists,
        )


def tagging_loaded(sender, instance: TaggedArticle, raw: bool = False, **kwargs) -> None:
    if raw:
        _loaded_raw()


def reference_changed(sender, instance: Reference, raw: bool = False, **kwargs) -> None:
    if not raw:
        caching.dependencies_changed({caching.article_dependency(instance.article_id)})


def tag_saved(sender, instance: Tag, created: bool, raw: bool = False, **kwargs) -> None:
    if not created:
        caching.dependencies_changed({caching.tag_dependency(instance.pk)})


def tag_deleted(sender, instance: Tag, **kwargs) -> None:
    similar_lists_forget_all()
    caching.dependencies_changed({caching.EVERYTHING})


def category_saved(sender, instance: Category, created: bool, raw: bool = False, **kwargs) -> None:
    if not created:
        caching.dependencies_changed({caching.category_dependency(instance.pk)})


def author_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created:
        caching.dependencies_changed(
            {caching.author_dependency(instance.pk)}
            | {caching.author_index_dependency(code) for code in language_codes()}
        )


def author_deleted(sender, instance, **kwargs) -> None:
    caching.dependencies_changed(
        {caching.author_dependency(instance.pk)}
        | {caching.author_index_dependency(code) for code in language_codes()}
        | {caching.home_dependency(code) for code in language_codes()}
    )


def connect() -> None:
    uid = "articles.freshness."
    pre_save.connect(article_before_save, sender=Article, dispatch_uid=uid + "article_before_save")
    post_save.connect(article_saved, sender=Article, dispatch_uid=uid + "article_saved")
    pre_delete.connect(article_before_delete, sender=Article, dispatch_uid=uid + "article_before_delete")
    m2m_changed.connect(relation_changed, sender=TaggedArticle, dispatch_uid=uid + "tags_changed")
    m2m_changed.connect(relation_changed, sender=Article.authors.through, dispatch_uid=uid + "authors_changed")
    post_save.connect(tagging_loaded, sender=TaggedArticle, dispatch_uid=uid + "tagging_loaded")
    post_save.connect(reference_changed, sender=Reference, dispatch_uid=uid + "reference_saved")
    post_delete.connect(reference_changed, sender=Reference, dispatch_uid=uid + "reference_deleted")
    post_save.connect(tag_saved, sender=Tag, dispatch_uid=uid + "tag_saved")
    post_delete.connect(tag_deleted, sender=Tag, dispatch_uid=uid + "tag_deleted")
    post_save.connect(category_saved, sender=Category, dispatch_uid=uid + "category_saved")
    post_save.connect(author_saved, sender="authors.Author", dispatch_uid=uid + "author_saved")
    post_delete.connect(author_deleted, sender="authors.Author", dispatch_uid=uid + "author_deleted")

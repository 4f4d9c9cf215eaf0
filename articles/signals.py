"""Keep each article's search entries in step with every write that changes what the search reads.

The text of an article, its tags (and their translated names) and its authors' names all end up in the entries, so
a change to any of them rewrites the entries of the articles concerned. Connected in ``ArticlesConfig.ready``.
"""
from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save

from .models import Article, Tag, TaggedArticle
from .search import search_index_update

_CLEARED_IDS = "_search_cleared_article_ids"


def article_saved(sender, instance: Article, **kwargs) -> None:
    search_index_update(article_ids=[instance.pk])


def tag_saved(sender, instance: Tag, created: bool, raw: bool = False, **kwargs) -> None:
    if created or raw:
        return
    search_index_update(article_ids=Article.objects.filter(tags=instance).values_list("pk", flat=True))


def author_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created or raw:
        return
    search_index_update(article_ids=Article.objects.filter(authors=instance).values_list("pk", flat=True))


def tagging_loaded(sender, instance: TaggedArticle, raw: bool = False, **kwargs) -> None:
    """Fixtures store tag links as rows of their own, without the m2m signal that ``article.tags.add`` sends."""
    if raw:
        search_index_update(article_ids=[instance.content_object_id])


def relation_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """An article's tags or authors changed, from either side of the relation (``author.articles.add``)."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            search_index_update(article_ids=[instance.pk])
        return
    if action == "pre_clear":
        related = Article.objects.filter(**{"tags" if isinstance(instance, Tag) else "authors": instance})
        setattr(instance, _CLEARED_IDS, list(related.values_list("pk", flat=True)))
    elif action == "post_clear":
        search_index_update(article_ids=getattr(instance, _CLEARED_IDS, []))
    elif action in {"post_add", "post_remove"}:
        search_index_update(article_ids=pk_set or [])


def connect() -> None:
    post_save.connect(article_saved, sender=Article, dispatch_uid="articles.search.article_saved")
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="articles.search.tag_saved")
    post_save.connect(author_saved, sender="authors.Author", dispatch_uid="articles.search.author_saved")
    post_save.connect(tagging_loaded, sender=TaggedArticle, dispatch_uid="articles.search.tagging_loaded")
    m2m_changed.connect(relation_changed, sender=TaggedArticle, dispatch_uid="articles.search.tags_changed")
    m2m_changed.connect(
        relation_changed, sender=Article.authors.through, dispatch_uid="articles.search.authors_changed"
    )

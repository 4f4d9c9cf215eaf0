"""Every model signal the articles app listens to, each forwarded to the service that decides what follows.

Imported by ``ArticlesConfig.ready``. ``articles.upkeep`` keeps search entries, Similar Posts, released variants and
the page cache current; ``publishing.workflow.services`` keeps the translators' fingerprints current. Authors are
the authors app's, which knows nothing of articles: the articles app follows their writes here.
"""
from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from authors.models import Author
from publishing.breaker import service_recovered
from publishing.workflow import services as workflow_services

from . import upkeep
from .models import Article, Category, Reference, Tag, TaggedArticle

# --- Articles ---------------------------------------------------------------------------------------------------


@receiver(pre_save, sender=Article, dispatch_uid="articles.article_before_save")
def article_before_save(sender, instance, raw=False, **kwargs):
    if not raw:
        upkeep.article_before_save(article=instance)


@receiver(post_save, sender=Article, dispatch_uid="articles.article_saved")
def article_saved(sender, instance, created, raw=False, **kwargs):
    upkeep.article_saved(article=instance, created=created, raw=raw)


@receiver(pre_delete, sender=Article, dispatch_uid="articles.article_before_delete")
def article_before_delete(sender, instance, **kwargs):
    upkeep.article_before_delete(article=instance)


@receiver(post_delete, sender=Article, dispatch_uid="articles.article_deleted")
def article_deleted(sender, instance, **kwargs):
    upkeep.article_deleted(article=instance)


@receiver(m2m_changed, sender=TaggedArticle, dispatch_uid="articles.article_tags_changed")
def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    upkeep.article_relations_changed(instance=instance, relation="tags", action=action, reverse=reverse, pk_set=pk_set)


@receiver(m2m_changed, sender=Article.authors.through, dispatch_uid="articles.article_authors_changed")
def article_authors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    upkeep.article_relations_changed(
        instance=instance, relation="authors", action=action, reverse=reverse, pk_set=pk_set
    )


@receiver(post_save, sender=TaggedArticle, dispatch_uid="articles.tagging_saved")
def tagging_saved(sender, instance, raw=False, **kwargs):
    upkeep.tagging_saved(tagging=instance, raw=raw)


@receiver(post_save, sender=Reference, dispatch_uid="articles.reference_saved")
def reference_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        upkeep.reference_changed(reference=instance)
        workflow_services.translation_after_save(obj=instance, created=created)


@receiver(pre_delete, sender=Reference, dispatch_uid="articles.reference_before_delete")
def reference_before_delete(sender, instance, **kwargs):
    workflow_services.translation_before_child_delete(obj=instance)


@receiver(post_delete, sender=Reference, dispatch_uid="articles.reference_deleted")
def reference_deleted(sender, instance, **kwargs):
    upkeep.reference_changed(reference=instance)
    workflow_services.translation_after_child_delete(obj=instance)


# --- Tags, categories, authors ----------------------------------------------------------------------------------


@receiver(pre_save, sender=Tag, dispatch_uid="articles.translated_before_save")
@receiver(pre_save, sender=Category, dispatch_uid="articles.translated_before_save")
@receiver(pre_save, sender=Author, dispatch_uid="articles.translated_before_save")
@receiver(pre_save, sender=Reference, dispatch_uid="articles.translated_before_save")
def translated_before_save(sender, instance, raw=False, **kwargs):
    if not raw:
        workflow_services.translation_before_save(obj=instance)


@receiver(post_save, sender=Tag, dispatch_uid="articles.translated_saved")
@receiver(post_save, sender=Category, dispatch_uid="articles.translated_saved")
@receiver(post_save, sender=Author, dispatch_uid="articles.translated_saved")
def translated_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        workflow_services.translation_after_save(obj=instance, created=created)


@receiver(post_delete, sender=Article, dispatch_uid="articles.translated_deleted")
@receiver(post_delete, sender=Tag, dispatch_uid="articles.translated_deleted")
@receiver(post_delete, sender=Category, dispatch_uid="articles.translated_deleted")
@receiver(post_delete, sender=Author, dispatch_uid="articles.translated_deleted")
def translated_deleted(sender, instance, **kwargs):
    workflow_services.translation_after_delete(obj=instance)


@receiver(post_save, sender=Tag, dispatch_uid="articles.tag_saved")
def tag_saved(sender, instance, created, raw=False, **kwargs):
    upkeep.tag_saved(tag=instance, created=created, raw=raw)


@receiver(post_delete, sender=Tag, dispatch_uid="articles.tag_deleted")
def tag_deleted(sender, instance, **kwargs):
    upkeep.tag_deleted(tag=instance)


@receiver(post_save, sender=Category, dispatch_uid="articles.category_saved")
def category_saved(sender, instance, created, raw=False, **kwargs):
    upkeep.category_saved(category=instance, created=created)


@receiver(post_save, sender=Author, dispatch_uid="articles.author_saved")
def author_saved(sender, instance, created, raw=False, **kwargs):
    upkeep.author_saved(author=instance, created=created, raw=raw)


@receiver(post_delete, sender=Author, dispatch_uid="articles.author_deleted")
def author_deleted(sender, instance, **kwargs):
    upkeep.author_deleted(author=instance)


# --- The database ----------------------------------------------------------------------------------------------


@receiver(post_migrate, sender=apps.get_app_config("articles"))
def articles_migrated(sender, using, **kwargs):
    upkeep.search_database_prepare(using=using)


# --- Shared services ----------------------------------------------------------------------------------------------


@receiver(service_recovered, dispatch_uid="articles.service_recovered")
def service_answers_again(sender, **kwargs):
    upkeep.cache_recovered()

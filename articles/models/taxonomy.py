"""How articles are grouped: categories and tags, each with a name and a slug per language (tags are taggit tags of
this project, so their names translate and their migrations live here)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from publishing.translated import (
    NamedTranslatedMixin,
    SourceSlugManager,
    source_slug_field,
    unique_per_language,
)


class Category(NamedTranslatedMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = SourceSlugManager()

    url_name = "articles:category"

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["pk"]
        constraints = unique_per_language("slug", "category")

    def natural_key(self) -> tuple[str]:
        return (getattr(self, source_slug_field()),)


class Tag(NamedTranslatedMixin, TagBase):
    """A taggit tag of this project, so that its name and slug are translated and its migrations live here."""

    # Uniqueness is per language (constraints below), not across languages as taggit's TagBase has it.
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    url_name = "articles:tag"
    # taggit names tags by their name, which is not unique here; the source-language slug is.
    natural_key_fields = [source_slug_field()]

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["pk"]
        constraints = unique_per_language("slug", "tag")

    def slugify(self, tag: str, i: int | None = None) -> str:
        from publishing.text import slugify

        return slugify(tag) + (f"-{i}" if i is not None else "")


class TaggedArticleManager(models.Manager):
    def get_by_natural_key(self, article_slug: str, tag_slug: str) -> TaggedArticle:
        field = source_slug_field()
        return self.get(**{f"content_object__{field}": article_slug, f"tag__{field}": tag_slug})


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    objects = TaggedArticleManager()

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_idx")]

    def natural_key(self) -> tuple[str, str]:
        return (*self.content_object.natural_key(), *self.tag.natural_key())

    natural_key.dependencies = ["articles.article", "articles.tag"]

"""Translated fields of the articles app, one options class per model (django-modeltranslation)."""
from modeltranslation.translator import TranslationOptions, register

from .models import Article, Category, Reference, Tag


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "slug")


@register(Tag)
class TagTranslationOptions(TranslationOptions):
    fields = ("name", "slug")


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = ("title", "slug", "highlights", "body", "featured_image_alt", "is_published")


@register(Reference)
class ReferenceTranslationOptions(TranslationOptions):
    fields = ("text",)

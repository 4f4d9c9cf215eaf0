"""Admin of categories and tags: their names per language, and how many articles each tag has."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from publishing.editing import EditConflictAdminMixin
from publishing.languages import language_codes
from publishing.revisions import RevisionAdminMixin
from publishing.text import case_variants
from publishing.workflow.admin import TranslationRolesAdminMixin, TranslationStateFilter

from ..models import Category, Tag
from .filters import per_language


class NameSearchMixin:
    """The admin's search of names (its changelist and the autocomplete of the article form) that ignores case in
    every language: "кор" finds "Корея" as "Кор" does, on SQLite too, whose ``LIKE`` folds ASCII only. Each term
    is looked for in the forms a name is written in (``publishing.text.case_variants``); the names are shown in
    the editor's language (``__str__``)."""

    def get_search_results(self, request, queryset, search_term):
        terms = search_term.split()
        if not terms:
            return super().get_search_results(request, queryset, search_term)
        codes = language_codes()
        for term in terms:
            condition = Q()
            for variant in case_variants(term, codes):
                for field in self.search_fields:
                    condition |= Q(**{f"{field}__contains": variant})
            queryset = queryset.filter(condition)
        return queryset, False


@admin.register(Category)
class CategoryAdmin(NameSearchMixin, TranslationRolesAdminMixin, EditConflictAdminMixin, RevisionAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "slug", "translation_progress")
    list_filter = (TranslationStateFilter,)
    search_fields = per_language("name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(NameSearchMixin, TranslationRolesAdminMixin, EditConflictAdminMixin, RevisionAdminMixin, TabbedTranslationAdmin):
    list_display = (*per_language("name"), "article_count", "translation_progress")
    list_filter = (TranslationStateFilter,)
    search_fields = per_language("name")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        """The number of articles, linking to the article changelist filtered by the tag."""
        url = reverse("admin:articles_article_changelist")
        return format_html('<a href="{}?tags__id__exact={}">{}</a>', url, tag.pk, tag.article_count)

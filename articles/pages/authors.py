"""Public author pages: who writes for the think-tank, their bio in the reader's language and their articles.

They belong to the articles app, which knows both authors and articles (the authors app knows no articles)."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import ListView

from authors.models import Author
from publishing.languages import current_language

from ..listing import public_author_list
from ..models import Article, ListingCount
from . import caching
from .seo import author_page_meta, listing_page_meta, x_default_language
from .views import ArchiveListView


@method_decorator(caching.cached_page, name="dispatch")
class AuthorListView(ListView):
    template_name = "articles/author_list.html"
    context_object_name = "authors"

    def get_queryset(self):
        language = current_language()
        return Author.objects.with_articles_in(language).in_alphabetical_order(language)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alternates = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                alternates[code] = reverse("articles:authors")
        context["alternate_urls"] = alternates
        context["x_default_url"] = alternates[settings.LANGUAGE_CODE]
        context["page_meta"] = listing_page_meta(
            _("Authors"), description=_("The researchers who write for the Ankara Center for Crisis and Policy Studies.")
        )
        language = current_language()
        context["page_dependencies"] = {
            caching.author_index_dependency(language), caching.schedule_dependency(language)
        } | {caching.author_dependency(author.pk) for author in context["authors"]}
        context["page_expires_at"] = Article.objects.next_publication(language)
        return context


@method_decorator(caching.cached_page, name="dispatch")
class AuthorDetailView(ArchiveListView):
    """An author's bio and their articles published in the page's language."""

    template_name = "articles/author_detail.html"
    context_object_name = "articles"
    empty_is_missing = True  # nothing published in this language

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        language = current_language()
        rows = self.get_paginate_by(None) + 1
        return public_author_list(self.author, language, rows=rows, articles=Article.objects.for_listing())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = current_language()
        bio, bio_language = self.author.bio_for(language)
        alternates = {}
        for code in ListingCount.objects.public_languages(ListingCount.AUTHOR, self.author.pk):
            with translation.override(code):
                alternates[code] = self.author.get_absolute_url()
        context.update(
            author=self.author,
            bio=bio,
            bio_language=bio_language,
            alternate_urls=alternates,
            x_default_url=alternates.get(x_default_language(alternates, settings.LANGUAGE_CODE), self.request.path),
            page_meta=author_page_meta(self.author, bio=bio, request=self.request),
            page_dependencies={
                caching.author_dependency(self.author.pk),
                caching.by_author_dependency(self.author.pk, language),
                caching.schedule_dependency(language),
            }
            | caching.card_dependencies(context["articles"]),
            page_expires_at=Article.objects.next_publication(language),
        )
        return context

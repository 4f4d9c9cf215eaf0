"""Public author pages: who writes for the think-tank, their bio in the reader's language and their articles."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.views.generic import ListView

from articles.models import Article, current_language, published_languages_of

from .models import Author


class AuthorListView(ListView):
    template_name = "authors/author_list.html"
    context_object_name = "authors"

    def get_queryset(self):
        return Author.objects.with_articles_in(current_language())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alternates = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                alternates[code] = reverse("authors:index")
        context["alternate_urls"] = alternates
        context["x_default_url"] = alternates[settings.LANGUAGE_CODE]
        return context


class AuthorDetailView(ListView):
    """An author's bio and their articles published in the page's language."""

    template_name = "authors/author_detail.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset) -> int:
        return getattr(settings, "ARTICLES_PAGE_SIZE", 10)

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Article.objects.filter(authors=self.author).published(current_language()).for_listing()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object_list:
            raise Http404("This author has nothing published in this language.")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = current_language()
        bio, bio_language = self.author.bio_for(language)
        alternates = {}
        for code in published_languages_of(Article.objects.filter(authors=self.author)):
            with translation.override(code):
                alternates[code] = self.author.get_absolute_url()
        context.update(
            author=self.author,
            bio=bio,
            bio_language=bio_language,
            alternate_urls=alternates,
            x_default_url=alternates.get(settings.LANGUAGE_CODE) or self.request.path,
        )
        return context

"""Public pages of the articles app. Views stay thin: the querysets say what is public in which language."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Article, Category, Tag, current_language, published_languages_of


class ArticleListView(ListView):
    """Home page of a language: its newest published articles."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset) -> int:
        return getattr(settings, "ARTICLES_PAGE_SIZE", 10)

    def get_queryset(self):
        return Article.objects.published(current_language()).for_listing()

    def get_context_data(self, **kwargs):
        from django.urls import reverse
        from django.utils import translation

        context = super().get_context_data(**kwargs)
        alternates = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                alternates[code] = reverse("articles:index")
        context["alternate_urls"] = alternates
        context["x_default_url"] = "/"
        return context


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None) -> Article:
        language = current_language()
        queryset = (
            Article.objects.published(language)
            .select_related("category")
            .prefetch_related("authors", "tags", "references")
        )
        return get_object_or_404(queryset, **{f"slug_{language}": self.kwargs["slug"]})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article: Article = self.object
        language = current_language()
        alternates = article.alternate_urls()
        context.update(
            similar_articles=list(
                Article.objects.similar_to(article, language, limit=getattr(settings, "ARTICLES_SIMILAR_LIMIT", 6))
            ),
            alternate_urls=alternates,
            other_languages=[
                (code, name, alternates[code]) for code, name in settings.LANGUAGES if code in alternates and code != language
            ],
            x_default_url=alternates.get(article.original_language) or next(iter(alternates.values())),
            references=list(article.references.all()),
        )
        return context


class TranslatedCollectionView(ListView):
    """An article list belonging to a translated object (tag, category) found by its slug in the page's language."""

    model_class: type
    context_object_name = "articles"

    def get_paginate_by(self, queryset) -> int:
        return getattr(settings, "ARTICLES_PAGE_SIZE", 10)

    def get_collection(self):
        language = current_language()
        return get_object_or_404(self.model_class, **{f"slug_{language}": self.kwargs["slug"]})

    def articles_of(self, collection):
        raise NotImplementedError

    def get_queryset(self):
        self.collection = self.get_collection()
        return self.articles_of(self.collection).published(current_language()).for_listing()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object_list:
            raise Http404("Nothing published here in this language.")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        languages = published_languages_of(self.articles_of(self.collection))
        context["collection"] = self.collection
        context["alternate_urls"] = {code: self.collection.url_in(code) for code in languages}
        context["x_default_url"] = context["alternate_urls"].get(settings.LANGUAGE_CODE) or self.request.path
        return context


class TagDetailView(TranslatedCollectionView):
    model_class = Tag
    template_name = "articles/tag_detail.html"

    def articles_of(self, collection):
        return Article.objects.filter(tags=collection)


class CategoryDetailView(TranslatedCollectionView):
    model_class = Category
    template_name = "articles/category_detail.html"

    def articles_of(self, collection):
        return Article.objects.filter(category=collection)

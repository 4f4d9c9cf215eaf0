"""Public pages of the articles app. Views stay thin: the querysets say what is public in which language."""
from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from publishing.languages import current_language, localized
from publishing.translated import language_neutral_url

from ..conf import app_settings
from ..listing import public_tag_list
from ..models import Article, Category, ListingCount, Tag
from ..search import SearchTerms
from ..search.backends import search_backend
from . import caching, paging
from .reading import article_page
from .seo import PageMeta, article_page_meta, listing_page_meta, x_default_language


class PagedListView(ListView):
    """A list of articles in pages of ``ARTICLES_PAGE_SIZE`` (read on each request: ``override_settings`` works)."""

    def get_paginate_by(self, queryset) -> int:
        return app_settings.PAGE_SIZE


class ArchiveListView(PagedListView):
    """A list of articles, newest first, paged by keyset (``articles.pages.paging``): no page counts the list or
    skips rows, so the last page costs what the first does. A later page with nothing on it is a 404, and so is an
    empty first page where ``empty_is_missing`` (a tag with nothing public in this language: found out from the
    page's own query, not by an EXISTS before it)."""

    empty_is_missing = False

    def paginate_queryset(self, queryset, page_size):
        page = paging.keyset_page(queryset, path=self.request.path, params=self.request.GET, size=page_size)
        if not page.object_list and (self.empty_is_missing or page.cursor):
            raise Http404("Nothing published here in this language.")
        return None, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except paging.MovedTo as moved:
            return redirect(moved.url, permanent=moved.permanent)


@method_decorator(caching.cached_page, name="dispatch")
class ArticleListView(ArchiveListView):
    """Home page of a language: its newest published articles."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

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
        context["x_default_url"] = language_neutral_url("articles:index")
        context["page_meta"] = listing_page_meta(
            _("Latest articles"),
            description=_("Analyses and commentaries of the Ankara Center for Crisis and Policy Studies."),
            request=self.request,
        )
        language = current_language()
        context["page_dependencies"] = {
            caching.home_dependency(language), caching.schedule_dependency(language)
        } | caching.card_dependencies(context["articles"])
        context["page_expires_at"] = Article.objects.next_publication(language)
        return context


@method_decorator(caching.cached_page, name="dispatch")
class ArticleDetailView(DetailView):
    """An article in the page's language with its Similar Posts and neighbours (``articles.pages.reading``: four queries)."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None) -> Article:
        self.page = article_page(slug=self.kwargs["slug"], language=current_language())
        return self.page.article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article: Article = self.object
        language = current_language()
        alternates = article.alternate_urls()
        context.update(
            similar_articles=self.page.similar_articles,
            alternate_urls=alternates,
            other_languages=[
                (code, name, alternates[code]) for code, name in settings.LANGUAGES if code in alternates and code != language
            ],
            x_default_url=alternates.get(article.original_language) or next(iter(alternates.values())),
            references=self.page.references,
            authors=self.page.authors,
            tags=self.page.tags,
            page_meta=article_page_meta(
                article, language=language, request=self.request, authors=self.page.authors, tags=self.page.tags
            ),
            previous_article=self.page.previous_article,
            next_article=self.page.next_article,
            page_expires_at=self.page.next_publication,
        )
        context["page_dependencies"] = self.page.dependencies(language)
        return context


class TranslatedCollectionView(ArchiveListView):
    """An article list belonging to a translated object (tag, category) found by its slug in the page's language."""

    model_class: type
    list_kind: str  # its stored counts (``ListingCount``)
    context_object_name = "articles"
    empty_is_missing = True

    def get_collection(self):
        language = current_language()
        return get_object_or_404(self.model_class, **{localized("slug", language): self.kwargs["slug"]})

    def articles_of(self, collection, language: str):
        """The collection's articles public in ``language``, newest first, as a list shows them."""
        raise NotImplementedError

    def get_queryset(self):
        self.collection = self.get_collection()
        return self.articles_of(self.collection, current_language())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # From the stored counts (``articles.listing``): counting a popular tag's articles per language read 40,000.
        languages = ListingCount.objects.public_languages(self.list_kind, self.collection.pk)
        language = current_language()
        context["article_count"] = ListingCount.objects.public_count(self.list_kind, self.collection.pk, language)
        context["page_dependencies"] = self.collection_dependencies(self.collection, language) | {
            caching.schedule_dependency(language)
        } | caching.card_dependencies(context["articles"])
        context["page_expires_at"] = Article.objects.next_publication(language)
        context["collection"] = self.collection
        context["alternate_urls"] = {code: self.collection.url_in(code) for code in languages}
        context["x_default_url"] = context["alternate_urls"].get(
            x_default_language(languages, settings.LANGUAGE_CODE), self.request.path
        )
        context["page_meta"] = listing_page_meta(
            self.page_title(self.collection),
            description=_("Analyses and commentaries on %(name)s.") % {"name": self.collection.name},
        )
        return context

    def page_title(self, collection) -> str:
        return collection.name


@method_decorator(caching.cached_page, name="dispatch")
class TagDetailView(TranslatedCollectionView):
    model_class = Tag
    list_kind = ListingCount.TAG
    template_name = "articles/tag_detail.html"

    def collection_dependencies(self, collection, language: str) -> set[str]:
        return {caching.tag_dependency(collection.pk), caching.tagged_dependency(collection.pk, language)}

    def page_title(self, collection) -> str:
        return _("Tag: %(name)s") % {"name": collection.name}

    def articles_of(self, collection, language: str):
        rows = self.get_paginate_by(None) + 1
        return public_tag_list(collection, language, rows=rows, articles=Article.objects.for_listing())


@method_decorator(caching.cached_page, name="dispatch")
class CategoryDetailView(TranslatedCollectionView):
    model_class = Category
    list_kind = ListingCount.CATEGORY
    template_name = "articles/category_detail.html"

    def collection_dependencies(self, collection, language: str) -> set[str]:
        return {caching.category_dependency(collection.pk), caching.in_category_dependency(collection.pk, language)}

    def articles_of(self, collection, language: str):
        # Walked on the articles' own (category, date, id) index: each row it reads is the category's.
        return Article.objects.filter(category=collection).published(language).for_listing()


class ArticleSearchView(PagedListView):
    """The search of a language: its published articles containing every word and phrase of ``?q=``, best match
    first (the configured backend, ``articles.search.backends``), and a corrected query when none matches."""

    template_name = "articles/search.html"
    context_object_name = "results"

    def get_queryset(self):
        self.query = " ".join(self.request.GET.get("q", "").split())[:200]
        self.terms = SearchTerms.parse(self.query, current_language())
        return search_backend().results(self.terms)

    def get_context_data(self, **kwargs):
        from django.urls import reverse
        from django.utils import translation
        from django.utils.http import urlencode

        context = super().get_context_data(**kwargs)
        suffix = f"?{urlencode({'q': self.query})}" if self.query else ""
        alternates = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                alternates[code] = reverse("articles:search") + suffix
        title = _("Search: %(query)s") % {"query": self.query} if self.query else _("Search")
        found = context["paginator"].count if context.get("paginator") else 0
        context.update(
            query=self.query,
            terms=self.object_list.terms,  # as the results were found: completions, earlier words opened
            results_capped=self.object_list.capped,
            did_you_mean=search_backend().did_you_mean(self.terms) if self.terms and not found else "",
            alternate_urls=alternates,
            x_default_url=alternates[settings.LANGUAGE_CODE],
            page_meta=PageMeta(title=title, noindex=True),
        )
        return context


SUGGEST_QUERY_LENGTH = 100


def search_suggestions(request):
    """The search box's suggestions as one types ``?q=``: up to eight published titles of the page's language
    containing every word typed, the last one as a prefix, as JSON ``{"query", "suggestions": [{"title",
    "url"}]}``. Kept in the page cache by language and query, and forgotten with the language's home page (which
    every change to an article of that language stamps, ``articles.pages.caching``): a hit costs no query."""
    from django.http import JsonResponse

    language = current_language()
    query = " ".join(request.GET.get("q", "").split())[:SUGGEST_QUERY_LENGTH]
    terms = SearchTerms.parse(query, language)

    def suggestions() -> list[dict[str, str]]:
        return [
            {"title": entry.article.title, "url": entry.article.get_absolute_url()}
            for entry in search_backend().suggest(terms)
        ]

    key = f"suggest:{language}:{terms.words}:{terms.phrases}"
    dependencies = {caching.home_dependency(language), caching.schedule_dependency(language)}
    found = caching.cached_value(key, dependencies, suggestions) if terms else []
    return JsonResponse({"query": query, "suggestions": found}, json_dumps_params={"ensure_ascii": False})


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ArticlePreviewView(PermissionRequiredMixin, DetailView):
    """The article page as readers will see it, for editors: drafts, scheduled and unpublished languages included.

    Found by id, not slug, so a draft has a stable address; anonymous visitors are sent to the login page and never
    see the draft, and the page is kept out of caches and search engines.
    """

    template_name = "articles/article_preview.html"
    context_object_name = "article"
    permission_required = "articles.change_article"
    raise_exception = True

    def get_queryset(self):
        return Article.objects.select_related("category").prefetch_related("authors", "tags", "references")

    def get_context_data(self, **kwargs):
        from django.urls import reverse
        from django.utils import translation

        context = super().get_context_data(**kwargs)
        article: Article = self.object
        language = current_language()
        previews = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                previews[code] = reverse("articles:preview", kwargs={"pk": article.pk})
        context.update(
            is_preview=True,
            is_public=article.is_published_in(language),
            public_url=article.url_in(language) if article.is_published_in(language) else "",
            similar_articles=list(
                Article.objects.similar_to(article, language, limit=app_settings.SIMILAR_LIMIT)
            ),
            alternate_urls=previews,
            other_languages=[],
            x_default_url=None,
            references=list(article.references.all()),
            authors=list(article.authors.all()),
            tags=list(article.tags.all()),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

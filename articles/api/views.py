"""The read API's endpoints. Each reads through the querysets the pages use, so the publication rule
(``Article.objects.published``) decides here too, and names what its answer shows as page-cache dependencies, so a
repeated request is answered from the cache (or with a ``304``) until a save changes it (``base``, ``conditional``)."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema

from authors.models import Author
from publishing.languages import localized

from ..conf import app_settings
from ..listing import ReleasedList, listed_variants
from ..models import Article, Category, ListingCount, ReleasedVariant, Tag
from ..pages import caching
from ..pages.reading import article_page
from ..search import SearchTerms
from ..search.backends import search_backend
from . import cursors, errors, serializers
from .base import ERRORS, ReadView, read_schema
from .presenting import Presenter

MAX_QUERY_LENGTH = 200


@extend_schema(
    summary="The API's languages and documentation",
    description="The API's languages and documentation.",
    responses={200: serializers.RootSerializer, 429: ERRORS[429]},
)
class RootView(ReadView):
    operation_id = "root"
    serializer_class = serializers.RootSerializer
    language_in_path = False

    def read(self, request, present: Presenter, **kwargs) -> dict:
        return {
            "languages": [
                {"code": code, "name": str(name), "articles_url": present.api("articles", language=code)}
                for code, name in settings.LANGUAGES
            ],
            "schema_url": present.absolute(reverse("articles_api:schema")),
            "docs_url": present.absolute(reverse("articles_api:docs")),
        }


@extend_schema(exclude=True)
class UnknownAddressView(ReadView):
    """Any other address under the API: a JSON 404 rather than the site's HTML page."""

    language_in_path = False

    def read(self, request, present: Presenter, **kwargs) -> dict:
        raise errors.NotPublished()


# --- Articles -------------------------------------------------------------------------------------------------

FILTERS = (
    OpenApiParameter("tag", str, description="Only the articles with this tag (its slug in this language)."),
    OpenApiParameter("category", str, description="Only the articles in this category (its slug in this language)."),
    OpenApiParameter("author", str, description="Only the articles by this author (their slug)."),
)


@read_schema(serializers.ArticlePageSerializer, operation_id="articles_list", summary="Published articles, newest first", parameters=FILTERS, paged=True)
class ArticleListView(ReadView):
    serializer_class = serializers.ArticlePageSerializer

    def read(self, request, present: Presenter, *, language: str) -> dict:
        """The newest articles, narrowed by the filters given. Narrowed to a tag's or an author's list, they are
        walked on the released variants' narrow rows, as the tag's and the author's pages walk them
        (``articles.listing.ReleasedList``); otherwise on the articles' own date indexes, as the home and
        category pages."""
        variants = ReleasedVariant.objects.public(language)
        articles = Article.objects.published(language)
        listed = False
        self.dependencies = {caching.home_dependency(language), caching.schedule_dependency(language)}
        for parameter in ("tag", "author"):
            slug = request.query_params.get(parameter)
            if slug is not None:
                variants = self._listed(variants, parameter, slug, language)
                listed = True
        slug = request.query_params.get("category")
        if slug is not None:
            category = Category.objects.filter(**{localized("slug", language): slug}).first()
            if category is None:
                raise errors.NotPublished()
            self.dependencies |= {caching.category_dependency(category.pk),
                                  caching.in_category_dependency(category.pk, language)}
            articles = articles.filter(category=category)
            variants = variants.filter(article_id__in=Article.objects.filter(category=category).values("pk"))
        if listed:
            found = ReleasedList(variants, Article.objects.for_listing())
        else:
            found = articles.for_listing().order_by("-published_at", "-pk")
        key = cursors.date_key(request)
        if key:
            found = found.before(*key)
        size = app_settings.API_PAGE_SIZE
        rows, next_url = cursors.page(
            request,
            list(found[: size + 1]),
            size,
            lambda article: {"d": article.published_at.isoformat(), "i": article.pk},
        )
        self.dependencies |= caching.card_dependencies(rows)
        self.expires_at = Article.objects.next_publication(language)
        return {"results": [present.article_summary(article) for article in rows], "next": next_url}

    def _listed(self, variants, parameter: str, slug: str, language: str):
        """``variants`` narrowed to the list of the tag or the author ``slug`` names."""
        if parameter == "tag":
            listed = Tag.objects.filter(**{localized("slug", language): slug}).first()
            kind, dependencies = ListingCount.TAG, (caching.tag_dependency, caching.tagged_dependency)
        else:
            listed = Author.objects.filter(slug=slug).first()
            kind, dependencies = ListingCount.AUTHOR, (caching.author_dependency, caching.by_author_dependency)
        if listed is None:
            raise errors.NotPublished()
        self.dependencies |= {dependencies[0](listed.pk), dependencies[1](listed.pk, language)}
        return listed_variants(variants, kind, listed, language, rows=app_settings.API_PAGE_SIZE + 1)


@read_schema(serializers.ArticleSerializer, operation_id="article_read", summary="An article whole")
class ArticleDetailView(ReadView):
    serializer_class = serializers.ArticleSerializer

    def read(self, request, present: Presenter, *, language: str, slug: str) -> dict:
        page = article_page(slug=slug, language=language)
        self.dependencies = page.dependencies(language)
        self.expires_at = page.next_publication
        return present.article(page)


@read_schema(serializers.SimilarListSerializer, operation_id="similar_list", summary="An article's Similar Posts")
class SimilarArticlesView(ReadView):
    serializer_class = serializers.SimilarListSerializer

    def read(self, request, present: Presenter, *, language: str, slug: str) -> dict:
        page = article_page(slug=slug, language=language)
        self.dependencies = page.dependencies(language)
        self.expires_at = page.next_publication
        return {"results": [present.similar(item) for item in page.similar_articles]}


@read_schema(
    serializers.ArticlePageSerializer,
    operation_id="search", summary="Search the published articles",
    parameters=[OpenApiParameter("q", str, required=True, description="The words to find, every one required.")],
    paged=True,
)
class SearchView(ReadView):
    """Best match first, the site's search (``articles.search``): the same bounded window of the most recent matches,
    paged by key. Not stored: queries rarely repeat. (It ranked every match in the database: 0.4–0.7 s at 100,000
    articles for a common word.)"""

    serializer_class = serializers.ArticlePageSerializer

    def read(self, request, present: Presenter, *, language: str) -> dict:
        if "q" not in request.query_params:
            raise errors.MissingQuery()
        query = " ".join(request.query_params["q"].split())[:MAX_QUERY_LENGTH]
        if not query:
            return {"results": [], "next": None}
        key = cursors.ranked_key(request)
        size = app_settings.API_PAGE_SIZE
        results = search_backend().results(SearchTerms.parse(query, language))
        rows, next_url = cursors.page(
            request,
            results.after(key, size + 1),
            size,
            lambda entry: {"r": entry.rank, "d": entry.article.published_at.isoformat(), "i": entry.article_id},
        )
        return {"results": [present.article_summary(entry.article) for entry in rows], "next": next_url}


# --- Authors, tags, categories --------------------------------------------------------------------------------


@read_schema(serializers.AuthorListSerializer, operation_id="authors_list", summary="Authors with articles in this language")
class AuthorListView(ReadView):
    serializer_class = serializers.AuthorListSerializer

    def read(self, request, present: Presenter, *, language: str) -> dict:
        authors = Author.objects.with_articles_in(language).in_alphabetical_order(language)
        self.dependencies = {caching.author_index_dependency(language), caching.schedule_dependency(language)} | {
            caching.author_dependency(author.pk) for author in authors
        }
        self.expires_at = Article.objects.next_publication(language)
        return {"results": [present.author(author) for author in authors]}


@read_schema(serializers.AuthorSerializer, operation_id="author_read", summary="An author, with their bio")
class AuthorDetailView(ReadView):
    serializer_class = serializers.AuthorSerializer

    def read(self, request, present: Presenter, *, language: str, slug: str) -> dict:
        author = Author.objects.filter(slug=slug).first()
        if author is None or not Article.objects.published(language).filter(authors=author).exists():
            raise errors.NotPublished()
        self.dependencies = {
            caching.author_dependency(author.pk),
            caching.by_author_dependency(author.pk, language),
            caching.schedule_dependency(language),
        }
        self.expires_at = Article.objects.next_publication(language)
        return present.author_whole(author)


class CollectionView(ReadView):
    """Tags or categories that have articles published in the language."""

    model: type
    name: str
    relation: str

    def collections(self, language: str):
        published = Article.objects.published(language).filter(**{self.relation: OuterRef("pk")})
        return self.model.objects.filter(Exists(published)).only(
            "id", localized("name", language), localized("slug", language)
        )

    def collection_dependencies(self, pk, language: str) -> set[str]:
        raise NotImplementedError


class CollectionListView(CollectionView):
    serializer_class = serializers.CollectionListSerializer

    def read(self, request, present: Presenter, *, language: str) -> dict:
        collections = self.collections(language).order_by("pk")
        key = cursors.id_key(request)
        if key:
            collections = collections.filter(pk__gt=key)
        size = app_settings.API_PAGE_SIZE
        rows, next_url = cursors.page(request, list(collections[: size + 1]), size, lambda item: {"i": item.pk})
        # Which ones have articles changes with any article of the language, as the home page's list does.
        self.dependencies = {caching.home_dependency(language), caching.schedule_dependency(language)} | {
            name for item in rows for name in self.collection_dependencies(item.pk, language)
        }
        self.expires_at = Article.objects.next_publication(language)
        return {"results": [present.collection(item, self.name) for item in rows], "next": next_url}


class CollectionDetailView(CollectionView):
    serializer_class = serializers.CollectionSerializer

    def read(self, request, present: Presenter, *, language: str, slug: str) -> dict:
        item = self.collections(language).filter(**{localized("slug", language): slug}).first()
        if item is None:
            raise errors.NotPublished()
        self.dependencies = self.collection_dependencies(item.pk, language) | {caching.schedule_dependency(language)}
        self.expires_at = Article.objects.next_publication(language)
        return present.collection_whole(item, self.name)


class TagMixin:
    model = Tag
    name = "tag"
    relation = "tags"

    def collection_dependencies(self, pk, language: str) -> set[str]:
        return {caching.tag_dependency(pk), caching.tagged_dependency(pk, language)}


class CategoryMixin:
    model = Category
    name = "category"
    relation = "category"

    def collection_dependencies(self, pk, language: str) -> set[str]:
        return {caching.category_dependency(pk), caching.in_category_dependency(pk, language)}


@read_schema(serializers.CollectionListSerializer, operation_id="tags_list", summary="Tags with articles in this language", paged=True)
class TagListView(TagMixin, CollectionListView):
    pass


@read_schema(serializers.CollectionSerializer, operation_id="tag_read", summary="A tag")
class TagDetailView(TagMixin, CollectionDetailView):
    pass


@read_schema(serializers.CollectionListSerializer, operation_id="categories_list", summary="Categories with articles in this language", paged=True)
class CategoryListView(CategoryMixin, CollectionListView):
    pass


@read_schema(serializers.CollectionSerializer, operation_id="category_read", summary="A category")
class CategoryDetailView(CategoryMixin, CollectionDetailView):
    pass

"""URLs of the articles app. Include them inside ``i18n_patterns``: path words are translated per language."""
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from .pages import authors, feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="index"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "stati").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "articles")), views.ArticleDetailView.as_view(), name="detail"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "metki").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "tags")), views.TagDetailView.as_view(), name="tag"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "rubriki").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "categories")), views.CategoryDetailView.as_view(), name="category"),
    # Translators: a URL path word, lower-case ASCII without slashes (Turkish "ara", Russian transliterated: "poisk").
    path(format_lazy("{}/", pgettext_lazy("URL path", "search")), views.ArticleSearchView.as_view(), name="search"),
    # The search box's suggestions as one types (JSON).
    path(format_lazy("{}/suggest/", pgettext_lazy("URL path", "search")), views.search_suggestions, name="search_suggest"),
    # Feeds: RSS at .../feed/, Atom at .../feed/atom/, of the articles published in the language of the prefix.
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path(format_lazy("{}/<slug:slug>/feed/", pgettext_lazy("URL path", "tags")), feeds.TagFeed(), name="tag_feed"),
    path(format_lazy("{}/<slug:slug>/feed/atom/", pgettext_lazy("URL path", "tags")), feeds.TagAtomFeed(), name="tag_feed_atom"),
    path(format_lazy("{}/<slug:slug>/feed/", pgettext_lazy("URL path", "categories")), feeds.CategoryFeed(), name="category_feed"),
    path(format_lazy("{}/<slug:slug>/feed/atom/", pgettext_lazy("URL path", "categories")), feeds.CategoryAtomFeed(), name="category_feed_atom"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "avtory").
    path(format_lazy("{}/", pgettext_lazy("URL path", "authors")), authors.AuthorListView.as_view(), name="authors"),
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "authors")), authors.AuthorDetailView.as_view(), name="author"),
    path(format_lazy("{}/<slug:slug>/feed/", pgettext_lazy("URL path", "authors")), feeds.AuthorFeed(), name="author_feed"),
    path(format_lazy("{}/<slug:slug>/feed/atom/", pgettext_lazy("URL path", "authors")), feeds.AuthorAtomFeed(), name="author_feed_atom"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "prosmotr").
    path(format_lazy("{}/<int:pk>/", pgettext_lazy("URL path", "preview")), views.ArticlePreviewView.as_view(), name="preview"),
]

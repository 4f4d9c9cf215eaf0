"""The read API's URLs. A host includes them once, outside ``i18n_patterns`` (the language is in the path):
``path("api/v1/", include("articles.api.urls"))``; they are reversed as ``articles_api:article`` and so on."""
from django.urls import path, re_path

from . import schema, views

app_name = "articles_api"

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.DocsView.as_view(), name="docs"),
    path("<str:language>/articles/", views.ArticleListView.as_view(), name="articles"),
    path("<str:language>/articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("<str:language>/articles/<slug:slug>/similar/", views.SimilarArticlesView.as_view(), name="similar"),
    path("<str:language>/search/", views.SearchView.as_view(), name="search"),
    path("<str:language>/authors/", views.AuthorListView.as_view(), name="authors"),
    path("<str:language>/authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("<str:language>/tags/", views.TagListView.as_view(), name="tags"),
    path("<str:language>/tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("<str:language>/categories/", views.CategoryListView.as_view(), name="categories"),
    path("<str:language>/categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category"),
    # Any other address ending in a slash (one without gets the slash added, then this): a JSON 404.
    re_path(r"^[\s\S]*/\Z", views.UnknownAddressView.as_view()),
]

"""URLs of the articles app. Include them inside ``i18n_patterns``: path words are translated per language."""
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="index"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "stati").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "articles")), views.ArticleDetailView.as_view(), name="detail"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "metki").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "tags")), views.TagDetailView.as_view(), name="tag"),
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "rubriki").
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "categories")), views.CategoryDetailView.as_view(), name="category"),
]

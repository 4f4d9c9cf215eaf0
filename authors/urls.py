"""URLs of the authors app; include them inside ``i18n_patterns``."""
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from . import feeds, views

app_name = "authors"

urlpatterns = [
    # Translators: a URL path word, lower-case ASCII without slashes (Russian transliterated: "avtory").
    path(format_lazy("{}/", pgettext_lazy("URL path", "authors")), views.AuthorListView.as_view(), name="index"),
    path(format_lazy("{}/<slug:slug>/", pgettext_lazy("URL path", "authors")), views.AuthorDetailView.as_view(), name="detail"),
    path(format_lazy("{}/<slug:slug>/feed/", pgettext_lazy("URL path", "authors")), feeds.AuthorFeed(), name="feed"),
    path(format_lazy("{}/<slug:slug>/feed/atom/", pgettext_lazy("URL path", "authors")), feeds.AuthorAtomFeed(), name="feed_atom"),
]

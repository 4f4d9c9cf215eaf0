"""RSS and Atom feeds of one author's articles published in the feed's language."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from articles.feeds import ArticleFeed
from articles.models import Article, current_language
from articles.seo import publisher_name

from .models import Author


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug: str) -> Author:
        author = get_object_or_404(Author, slug=slug)
        if not self.articles(author).exists():
            raise Http404("This author has nothing published in this language.")
        return author

    def articles(self, obj):
        return Article.objects.filter(authors=obj).published(current_language())

    def title(self, obj: Author) -> str:
        site = publisher_name()
        return _("%(site)s: articles by %(name)s") % {"site": site, "name": obj.name} if site else obj.name

    def description(self, obj: Author) -> str:
        return _("Articles by %(name)s.") % {"name": obj.name}

    def subtitle(self, obj: Author) -> str:
        return self.description(obj)

    def link(self, obj: Author) -> str:
        return obj.get_absolute_url()


class AuthorAtomFeed(AuthorFeed):
    feed_type = Atom1Feed

"""RSS and Atom feeds of the articles published in the page's language: the latest, and those of a tag, a category
or an author.

Every feed lives under the language prefix and lists only articles public in that language, so a Russian reader's
feed never carries a Turkish title. Each RSS feed has an Atom twin (``...Atom``) at ``.../atom/``.
"""
from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from authors.models import Author
from publishing.languages import current_language

from ..conf import app_settings
from ..listing import public_author_list, public_tag_list
from ..models import Article, Category, ListingCount, Tag
from .seo import publisher_name


class ArticleFeed(Feed):
    """The items and their fields, shared by every feed of articles."""

    def feed_size(self) -> int:
        return app_settings.FEED_SIZE

    def articles(self, obj):
        return Article.objects.published(current_language())

    def items(self, obj=None):
        return self.articles(obj).for_listing().prefetch_related("tags")[: self.feed_size()]

    def item_rows(self):
        """What an item shows of each article, for the feeds whose lists walk the released variants."""
        return Article.objects.for_listing().prefetch_related("tags")

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary()

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.authors.all())

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all() if tag.name]

    def feed_copyright(self) -> str:
        return f"© {publisher_name()}" if publisher_name() else ""


class LatestArticlesFeed(ArticleFeed):
    def title(self) -> str:
        site = publisher_name()
        return _("%(site)s: latest articles") % {"site": site} if site else _("Latest articles")

    def description(self) -> str:
        return _("The newest analyses and commentaries of the Ankara Center for Crisis and Policy Studies.")

    subtitle = description

    def link(self) -> str:
        return reverse("articles:index")


class CollectionFeed(ArticleFeed):
    """The articles of a tag or a category, found by its slug in the feed's language (404 when none are public)."""

    model_class: type
    list_kind: str  # its stored counts (``ListingCount``)

    def get_object(self, request, slug: str):
        collection = get_object_or_404(self.model_class, **{f"slug_{current_language()}": slug})
        # The stored counts say it (an EXISTS walked a tag's articles until one was public in this language).
        if current_language() not in ListingCount.objects.public_languages(self.list_kind, collection.pk):
            raise Http404("Nothing published here in this language.")
        return collection

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def description(self, obj) -> str:
        return _("Analyses and commentaries on %(name)s.") % {"name": obj.name}

    def subtitle(self, obj) -> str:
        return self.description(obj)


class TagFeed(CollectionFeed):
    model_class = Tag
    list_kind = ListingCount.TAG

    def title(self, obj) -> str:
        site = publisher_name()
        if not site:
            return _("Tag: %(name)s") % {"name": obj.name}
        return _("%(site)s: articles tagged %(name)s") % {"site": site, "name": obj.name}

    def items(self, obj=None):
        listed = public_tag_list(obj, current_language(), rows=self.feed_size(), articles=self.item_rows())
        return listed[: self.feed_size()]


class CategoryFeed(CollectionFeed):
    model_class = Category
    list_kind = ListingCount.CATEGORY

    def title(self, obj) -> str:
        site = publisher_name()
        return _("%(site)s: %(name)s") % {"site": site, "name": obj.name} if site else obj.name

    def articles(self, obj):
        return Article.objects.filter(category=obj).published(current_language())


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug: str) -> Author:
        author = get_object_or_404(Author, slug=slug)
        if current_language() not in ListingCount.objects.public_languages(ListingCount.AUTHOR, author.pk):
            raise Http404("This author has nothing published in this language.")
        return author

    def items(self, obj=None):
        listed = public_author_list(obj, current_language(), rows=self.feed_size(), articles=self.item_rows())
        return listed[: self.feed_size()]

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

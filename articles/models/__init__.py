"""The articles app's models: ``taxonomy`` (categories, tags), ``article`` (articles, references, the publication
rule) and ``derived`` (what upkeep keeps current: search entries, stored Similar Posts, released variants, list counts)."""
from .article import Article, ArticleQuerySet, Reference, rich_text_errors
from .derived import (
    ListingCount,
    PageStamp,
    ReleasedVariant,
    SearchEntry,
    SearchEntryIndex,
    SearchEntryQuerySet,
    SearchWord,
    SimilarArticle,
    SimilarList,
)
from .taxonomy import Category, Tag, TaggedArticle, TaggedArticleManager

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Category",
    "ListingCount",
    "PageStamp",
    "Reference",
    "ReleasedVariant",
    "SearchEntry",
    "SearchEntryIndex",
    "SearchEntryQuerySet",
    "SearchWord",
    "SimilarArticle",
    "SimilarList",
    "Tag",
    "TaggedArticle",
    "TaggedArticleManager",
    "rich_text_errors",
]

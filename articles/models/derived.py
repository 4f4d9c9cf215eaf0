"""What the app derives from articles and keeps current on every save (``articles.upkeep``), never edited by hand:
search entries, stored Similar Posts lists, and the released variants Similar Posts are ranked by."""
from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..search.text import SearchTerms, config_for, search_vector
from .article import Article


class SearchEntryQuerySet(models.QuerySet):
    def matching(self, terms: SearchTerms) -> SearchEntryQuerySet:
        """Entries of articles published in ``terms.language`` that contain every word of the query, best first.

        Each entry carries ``rank``; its article comes with its category and authors.
        """
        from .article import Article

        if not terms:
            return self.none()
        entries = self.filter(Article.objects.published_q(terms.language, via="article__"), language=terms.language)
        if connections[self.db].vendor == "postgresql":
            entries = self._matching_full_text(entries, terms)
        else:
            entries = self._matching_stems(entries, terms)
        return (
            entries.select_related("article", "article__category")
            .prefetch_related("article__authors")
            .order_by("-rank", "-article__published_at", "-article_id")
        )

    @staticmethod
    def _matching_full_text(entries: SearchEntryQuerySet, terms: SearchTerms) -> SearchEntryQuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        config = config_for(terms.language)
        vector = search_vector(config)
        query = SearchQuery(terms.tsquery(), search_type="raw", config=config)
        return entries.annotate(document=vector, rank=SearchRank(vector, query)).filter(document=query)

    @staticmethod
    def _matching_stems(entries: SearchEntryQuerySet, terms: SearchTerms) -> SearchEntryQuerySet:
        """Every query word must match a stem of the entry; a match in the title weighs three times one elsewhere."""
        rank = models.Value(0)
        for query_word in terms.query_words:
            in_title = models.Q(title_stems__contains=f" {query_word.prefix}") | models.Q(
                title_stems__contains=f" {query_word.exact} "
            )
            in_text = models.Q(text_stems__contains=f" {query_word.prefix}") | models.Q(
                text_stems__contains=f" {query_word.exact} "
            )
            entries = entries.filter(in_title | in_text)
            rank = (
                rank
                + models.Case(models.When(in_title, then=models.Value(3)), default=models.Value(0))
                + models.Case(models.When(in_text, then=models.Value(1)), default=models.Value(0))
            )
        return entries.annotate(rank=models.ExpressionWrapper(rank, output_field=models.FloatField()))


class SearchEntry(models.Model):
    """One language variant of an article as the search reads it: plain, case-folded text, rewritten on every change.

    Tags and authors are copied in so that a single indexed row answers a query; ``articles.search`` explains the
    folding, the PostgreSQL indexes and the word stems other databases match.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_entries")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.TextField(_("title"), blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    keywords = models.TextField(_("tags and authors"), blank=True)
    body = models.TextField(_("body"), blank=True)
    title_stems = models.TextField(blank=True, editable=False)
    text_stems = models.TextField(blank=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["article", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class SimilarList(models.Model):
    """The stored Similar Posts of one article in one language, made on its first reading and kept current on save.

    Its rows (``SimilarArticle``) are the best-ranked candidates by the rule of ``ArticleQuerySet.similar_to``, up to
    ``articles.similar.depth()`` due ones and the scheduled ones ranked above them. ``has_more`` says that further candidates exist below the last row, whose
    ranking key the ``floor_*`` fields repeat: an article that changes enters the list only if it ranks above the
    floor, which lets one query find every list a save changes (``articles.similar``).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="similar_lists")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    has_more = models.BooleanField(default=False)
    floor_shared = models.PositiveIntegerField(default=0)
    floor_published_at = models.DateTimeField(null=True, blank=True)
    floor_similar_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("similar posts list")
        verbose_name_plural = _("similar posts lists")
        ordering = ["article_id", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="similar_list_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} [{self.language}]"


class SimilarArticle(models.Model):
    """One row of a stored Similar Posts list: ``similar`` shares ``shared_tags`` tags with ``article``.

    ``similar_published_at`` repeats the similar article's date so that one index answers the list in ranking order.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="similar_links")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    similar = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    shared_tags = models.PositiveIntegerField(_("shared tags"))
    similar_published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("similar article")
        verbose_name_plural = _("similar articles")
        ordering = ["article_id", "language", "-shared_tags", "-similar_published_at", "-similar_id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language", "similar"], name="similar_article_unique")
        ]
        indexes = [
            models.Index(
                fields=["article", "language", "-shared_tags", "-similar_published_at", "-similar"],
                name="similar_article_rank_idx",
            ),
            models.Index(fields=["similar", "language"], name="similar_article_similar_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.similar_id} ({self.shared_tags}) [{self.language}]"


class ReleasedVariantQuerySet(models.QuerySet):
    def upcoming(self, language: str) -> ReleasedVariantQuerySet:
        """The stored form of ``Article.objects.upcoming(language)``: released variants whose date is to come, the
        soonest first. A row per released variant holds the rule's outcome, so the page's query asks only the date."""
        return self.filter(language=language, published_at__gt=timezone.now()).order_by("published_at")


class ReleasedVariant(models.Model):
    """A language variant released to readers (``Article.is_published_in(language, scheduled=True)``), with its date.

    A narrow copy of what Similar Posts are ranked by, kept by ``articles.upkeep`` on every save: counting
    shared tags over these rows never reads an article's text, which on a large archive is the difference between
    milliseconds and a second (``articles.similar``). It also holds the variant's previous and next article in its
    category once a reading has linked them (``articles.neighbours``).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="released_variants")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    published_at = models.DateTimeField(_("publication date"))
    previous_article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    next_article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    linked = models.BooleanField(default=False)  # previous_article and next_article are current
    links_version = models.PositiveIntegerField(default=0)  # raised each time the links are forgotten

    objects = ReleasedVariantQuerySet.as_manager()

    class Meta:
        verbose_name = _("released language variant")
        verbose_name_plural = _("released language variants")
        ordering = ["article_id", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="released_variant_unique")]
        indexes = [
            models.Index(fields=["article", "language", "published_at"], name="released_variant_rank_idx"),
            models.Index(fields=["language", "published_at"], name="released_variant_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} [{self.language}]"

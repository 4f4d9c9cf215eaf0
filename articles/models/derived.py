"""What the app derives from articles and keeps current on every save (``articles.upkeep``), never edited by hand:
search entries, stored Similar Posts lists, and the released variants Similar Posts are ranked by."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publishing.languages import language_codes

from ..search.text import SearchTerms
from .article import Article, PublicationOrderQuerySet


class SearchEntryQuerySet(models.QuerySet):
    def public(self, language: str) -> SearchEntryQuerySet:
        """Entries of ``language`` whose article readers of that language may see (the one publication rule)."""
        return self.filter(Article.objects.published_q(language, via="article__"), language=language)

    def matching(self, terms: SearchTerms) -> SearchEntryQuerySet:
        """Public entries of ``terms.language`` that contain every word and phrase of the query, best first, each
        with its ``rank`` and its article (category and authors read along). The configured search backend decides
        how (``articles.search.backends``)."""
        from ..search.backends import search_backend

        if not terms:
            return self.none()
        backend = search_backend()
        terms = backend.completed(terms)
        return backend.ranked(backend.match(self.public(terms.language), terms), terms).for_results()

    def for_results(self) -> SearchEntryQuerySet:
        """What a result shows: its article, the article's category and authors."""
        return self.select_related("article", "article__category").prefetch_related("article__authors")


class SearchDocumentField(models.TextField):
    """A stored ``tsvector`` on PostgreSQL; a text column left empty on other databases, which index the entries
    their own way (SQLite: ``SearchEntryIndex``).

    Not ``django.contrib.postgres.search.SearchVectorField``: importing ``django.contrib.postgres`` needs psycopg,
    which a site on SQLite does not install, and this model is imported on every database.
    """

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


class SearchEntry(models.Model):
    """One language variant of an article as the search reads it: plain, case-folded text, rewritten on every change.

    Tags and authors are copied in so that a single indexed row answers a query; ``articles.search`` explains the
    folding and the word stems (``title_stems``, ``text_stems``) that each database's full-text index is made of:
    ``document`` on PostgreSQL, the FTS5 table ``SearchEntryIndex`` on SQLite.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_entries")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.TextField(_("title"), blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    keywords = models.TextField(_("tags and authors"), blank=True)
    body = models.TextField(_("body"), blank=True)
    title_stems = models.TextField(blank=True, editable=False)
    text_stems = models.TextField(blank=True, editable=False)
    document = SearchDocumentField(null=True, blank=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["article", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class FullTextMatch(models.Lookup):
    """``column MATCH query``: SQLite's full-text operator, which Django has no lookup for."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchEntryIndex(models.Model):
    """SQLite's full-text index of the search entries: an FTS5 table over their stems, read through the ORM.

    Django has no model field for a virtual table, so this model is unmanaged and the SQLite backend creates the
    table after ``migrate`` (``SqliteSearchBackend.prepare_database``), as *external content* of
    ``articles_searchentry`` (the stems are not stored twice) kept in step by triggers on that table: every write
    of an entry, by ``articles.search.index`` or a cascade, updates the index in the same statement. ``query`` is
    FTS5's hidden column named after the table, the left side of ``MATCH``; ``rank`` its hidden ranking column,
    BM25 with the title weighing three times the rest. So a search is an ordinary join: no raw SQL.
    """

    entry = models.OneToOneField(
        SearchEntry, on_delete=models.DO_NOTHING, primary_key=True, db_column="rowid", db_constraint=False,
        related_name="index",
    )
    title_stems = models.TextField()
    text_stems = models.TextField()
    query = models.TextField(db_column="articles_searchentry_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "articles_searchentry_fts"
        verbose_name = _("search index row")
        verbose_name_plural = _("search index rows")

    def __str__(self) -> str:
        return str(self.entry_id)


SearchEntryIndex._meta.get_field("query").register_lookup(FullTextMatch)


class SearchWord(models.Model):
    """A word of a language's search vocabulary (``articles.search.text.vocabulary_of``), which "did you mean"
    corrects a query from. Words are added as entries are written and never removed: a suggestion is only offered
    when it finds published articles, so a word left by a deleted or unpublished text is never shown."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    word = models.CharField(_("word"), max_length=100)
    length = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        ordering = ["language", "word"]
        constraints = [models.UniqueConstraint(fields=["language", "word"], name="search_word_unique")]
        indexes = [models.Index(fields=["language", "length", "word"], name="search_word_length_idx")]

    def __str__(self) -> str:
        return f"{self.word} [{self.language}]"


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


class ReleasedVariantQuerySet(PublicationOrderQuerySet):
    order_key = "article_id"

    def public(self, language: str) -> ReleasedVariantQuerySet:
        """The variants of ``language`` readers see now (the rule's outcome, stored), newest first: a list walks
        these narrow rows by date, where walking the articles read each one's whole row and tested its body."""
        return self.filter(language=language, published_at__lte=timezone.now()).order_by("-published_at", "-article_id")

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
            # A language's variants in publication order (date, then article): the neighbours of an article, the
            # scheduled variants (dates still to come) a stored list count leaves out, and the sitemap's files, whose
            # slices skip rows in this index alone (with the article id in it, the last file of 100,000 articles
            # took 6-10 ms instead of 390 ms, which sorted each date's ties in a temporary tree).
            models.Index(fields=["language", "published_at", "article"], name="released_variant_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} [{self.language}]"


class ListingCountQuerySet(models.QuerySet):
    def of(self, kind: str, object_id: int = 0) -> ListingCountQuerySet:
        return self.filter(kind=kind, object_id=object_id)

    def public_languages(self, kind: str, object_id: int = 0) -> list[str]:
        """Languages in which the list ``kind``/``object_id`` has a public article now, in the order of LANGUAGES:
        one indexed query, however long the list (a list is public from its earliest released date on)."""
        found = set(
            self.of(kind, object_id)
            .filter(released__gt=0, first_published_at__lte=timezone.now())
            .values_list("language", flat=True)
        )
        return [code for code in language_codes() if code in found]

    def public_count(self, kind: str, object_id: int, language: str) -> int:
        """Articles of the list public in ``language`` now (``ANY_LANGUAGE``: in any): :meth:`public_counts`."""
        return self.public_counts(kind, object_id, [language])[language]

    def public_counts(self, kind: str, object_id: int, languages: list[str]) -> dict[str, int]:
        """Articles of the list public now in each of ``languages`` (``ANY_LANGUAGE``: in any): the stored counts,
        less the scheduled ones only while the list holds any (one more indexed query over the scheduled variants,
        for all those languages at once; one again for ``ANY_LANGUAGE``)."""
        rows = {row.language: row for row in self.of(kind, object_id).filter(language__in=languages)}
        counts = {code: rows[code].released if code in rows else 0 for code in languages}
        now = timezone.now()
        pending = [
            code for code, row in rows.items()
            if row.released and row.last_published_at is not None and row.last_published_at > now
        ]
        if not pending:
            return counts
        scheduled = ReleasedVariant.objects.filter(published_at__gt=now)
        if kind != ListingCount.ALL:
            # Each scheduled variant checked for the list (an indexed EXISTS): joined, the list came first, and SQLite
            # read a tag of 30,000 articles (at 100,000) to find its few scheduled ones, taking it for one of average
            # size.
            relation = LISTING_RELATIONS[kind].removeprefix("article__")
            scheduled = scheduled.filter(
                models.Exists(Article.objects.filter(pk=models.OuterRef("article_id"), **{relation: object_id}))
            )
        each = [code for code in pending if code != ListingCount.ANY_LANGUAGE]
        if each:
            by_language = dict(
                scheduled.filter(language__in=each)
                .values("language")
                .annotate(n=models.Count("article_id", distinct=True))
                .values_list("language", "n")
            )
            for code in each:
                counts[code] -= by_language.get(code, 0)
        if ListingCount.ANY_LANGUAGE in pending:
            counts[ListingCount.ANY_LANGUAGE] -= scheduled.values("article_id").distinct().count()
        return counts

    def is_common(self, kind: str, object_id: int, language: str, *, rows: int) -> bool:
        """Whether the newest ``rows`` articles of a list are found sooner by walking all of ``language``'s articles
        by date, checking each for the list, than by reading the whole list and sorting it.

        A walk checks about ``rows × all ÷ list`` articles, the list read costs ``list``: the walk wins once the list
        holds more than √(rows × all), a rule that keeps both ways under √(rows × all) rows at any archive size
        (about 1,500 at 100,000 articles). One indexed query over the stored counts (scheduled variants included:
        the choice needs a size, not an exact count).
        """
        sizes = dict(
            self.filter(language=language)
            .filter(models.Q(kind=kind, object_id=object_id) | models.Q(kind=ListingCount.ALL, object_id=0))
            .values_list("kind", "released")
        )
        listed = sizes.get(kind, 0)
        return listed * listed > rows * sizes.get(ListingCount.ALL, 0)

# How a released variant belongs to each kind of list (a path from ``ReleasedVariant``).
LISTING_RELATIONS = {"tag": "article__tagged_items__tag_id", "category": "article__category_id", "author": "article__authors"}


class ListingCount(models.Model):
    """How many language variants one list of articles holds, per language, kept on save (``articles.listing``).

    A list is the home page (``kind="all"``, ``object_id=0``; ``language="*"`` counts the articles released in any
    language), a tag's, a category's or an author's page. ``released`` counts the variants released in
    ``language``, scheduled ones included (``ReleasedVariant``); ``first_published_at`` and ``last_published_at``
    are their earliest and latest dates, so a reader asks "public in this language?" and "how many now?" without
    counting the list: the count subtracts the scheduled variants only when ``last_published_at`` is still to come.
    ``last_changed_at`` is the newest change of an article in the list (the sitemaps' ``lastmod``).
    """

    ALL, TAG, CATEGORY, AUTHOR = "all", "tag", "category", "author"
    ANY_LANGUAGE = "*"

    kind = models.CharField(_("list"), max_length=8)
    object_id = models.BigIntegerField(default=0)
    language = models.CharField(_("language"), max_length=8)
    released = models.PositiveIntegerField(default=0)
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ListingCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("list count")
        verbose_name_plural = _("list counts")
        ordering = ["kind", "object_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "language"], name="listing_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} [{self.language}]: {self.released}"


class PageStamp(models.Model):
    """The current version of one dependency of the readers' pages (``article:12``, ``tagged:4:ru``…), where the
    embedded setup keeps them so that every process reads the same (``articles.pages.stamps``)."""

    name = models.CharField(max_length=255, unique=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("page stamp")
        verbose_name_plural = _("page stamps")

    def __str__(self) -> str:
        return f"{self.name} @ {self.version}"

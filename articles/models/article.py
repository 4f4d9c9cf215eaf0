"""The think-tank's publications: articles with per-language variants and their references, and the one
publication rule (``ArticleQuerySet.published_q`` / ``Article.is_published_in``).

Every text a reader sees exists once per language of LANGUAGES (``title_tr``, ``title_en`` … through
django-modeltranslation, registered in ``articles/translation.py``). A language variant is public only when it has
a title and a body and an editor released it (``is_published_<lang>``) and its publication date has come.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from publishing.images import GeneratedImagePath, stored_only_if_saved, strip_image_metadata, validate_web_image
from publishing.languages import current_language, language_codes, localized, translated_value
from publishing.text import ensure_paragraphs, plain_text, sanitize_html, validate_html_size
from publishing.translated import (
    TranslatedSlugMixin,
    fill_translated_slugs,
    source_slug_field,
    unique_per_language,
)

from .. import footnotes
from .taxonomy import Category, TaggedArticle

READING_WORDS_PER_MINUTE = 200
# The lower end of ``ArticleQuerySet.before``'s date range: before any article (the second day of year 1, which no
# time zone conversion moves out of Python's range).
EARLIEST = datetime(1, 1, 2, tzinfo=dt_timezone.utc)


class PublicationOrderQuerySet(models.QuerySet):
    """Rows in publication order, walked from a given article: articles, and the released variants' narrow rows
    (``ReleasedVariantQuerySet``), which list pages walk instead of the articles' wide ones."""

    # Articles are ordered by date, then id (two articles may share a date). "Before" is spelled as "not later, and
    # not the same date with a higher id" rather than as an OR of "earlier" and "as early with a lower id": so the
    # ``(category, published_at, id)`` index is walked from the given point and the first row found is the answer
    # (an OR made PostgreSQL read the whole category). The values may be expressions (``Subquery``).

    order_key = "pk"  # the article's id (``article_id`` on a released variant)

    def before(self, published_at, pk) -> models.QuerySet:
        """Articles that come before (``published_at``, ``pk``) in publication order, the nearest first.

        The date is bounded at both ends (``BETWEEN``): SQLite walks a date index down from one upper bound, the
        first the query names, and the publication rule names "now" first; the deepest page of 100,000 articles
        walked the index from the newest article down to its own (8 ms, growing with the archive). A range with both
        ends is the one SQLite's planner prefers, so the walk starts at this date; PostgreSQL takes the tighter
        bound either way."""
        key = self.order_key
        return (
            self.filter(published_at__range=(EARLIEST, published_at))
            .exclude(**{"published_at": published_at, f"{key}__gte": pk})
            .order_by("-published_at", f"-{key}")
        )

    def after(self, published_at, pk) -> models.QuerySet:
        """Articles that come after (``published_at``, ``pk``) in publication order, the nearest first."""
        key = self.order_key
        return (
            self.filter(published_at__gte=published_at)
            .exclude(**{"published_at": published_at, f"{key}__lte": pk})
            .order_by("published_at", key)
        )

    def tagged(self, tag, *, common: bool = False) -> models.QuerySet:
        """Rows of articles carrying ``tag``, found the way that suits how many carry it (``common``).

        A list page wants the newest few. Through the tag (the default) the database reads every article of the tag
        and sorts them: right for a rare tag, but a tag on a third of a 100,000-article archive read 30,000 rows for
        twenty. For a ``common`` tag the newest rows are walked by date instead, each checked for the tag with an
        indexed EXISTS, and the walk stops once the page is full. ``ListingCount.objects.is_common`` decides from the
        stored counts.
        """
        links = TaggedArticle.objects.filter(tag=tag)
        if common:
            return self.filter(models.Exists(links.filter(content_object=models.OuterRef(self.order_key))))
        return self.filter(**{f"{self.order_key}__in": links.values("content_object_id")})

    def by_author(self, author, *, common: bool = False) -> models.QuerySet:
        """Rows of articles written by ``author``, found the way that suits how many they wrote (``common``), as
        :meth:`tagged` finds a tag's: an author of a thousand articles read them all to show ten."""
        links = Article.authors.through.objects.filter(author=author)
        if common:
            return self.filter(models.Exists(links.filter(article=models.OuterRef(self.order_key))))
        return self.filter(**{f"{self.order_key}__in": links.values("article_id")})


class ArticleQuerySet(PublicationOrderQuerySet):
    def get_by_natural_key(self, slug: str) -> Article:
        return self.get(**{source_slug_field(): slug})

    # --- The publication rule ------------------------------------------------------------------------------
    # "Readers of this language may see this article": released by an editor (``is_published_<lang>``), with a
    # title and a body in that language, and its publication date come. ``published_q`` is the rule's one
    # definition for the database and ``Article.is_published_in`` for an instance; every page, list, feed, sitemap,
    # search, count, Similar Posts list and admin state goes through one of them (``tests/articles/
    # test_publication_rule.py`` holds them equal). ``Article.save`` stores titles stripped, so the database's
    # "not empty" and the instance's "not blank" agree.

    @staticmethod
    def published_q(language: str, *, via: str = "", scheduled: bool = False) -> models.Q:
        """The rule as a condition on articles reached through the relation path ``via`` (``"article__"``), for
        filters and conditional counts across relations. ``scheduled=True`` leaves the date out: released
        variants whose date is still to come count too (stored Similar Posts rank them in advance)."""
        condition = models.Q(
            **{
                f"{via}{localized('is_published', language)}": True,
                f"{via}{localized('title', language)}__gt": "",
                f"{via}{localized('body', language)}__gt": "",
            }
        )
        return condition if scheduled else condition & models.Q(**{f"{via}published_at__lte": timezone.now()})

    def published(self, language: str | None = None, *, scheduled: bool = False) -> ArticleQuerySet:
        """Articles a reader of ``language`` may see (``scheduled=True``: or will see when their date comes)."""
        return self.filter(self.published_q(language or current_language(), scheduled=scheduled))

    def for_listing(self) -> ArticleQuerySet:
        """What a list of articles shows: category joined, authors fetched with it."""
        return self.select_related("category").prefetch_related("authors")

    def upcoming(self, language: str | None = None) -> ArticleQuerySet:
        """Articles released in ``language`` whose date is still to come, the soonest first."""
        return (
            self.published(language or current_language(), scheduled=True)
            .filter(published_at__gt=timezone.now())
            .order_by("published_at")
        )

    def next_publication(self, language: str | None = None):
        """When the next scheduled article of ``language`` is due (None if none is): lists may change then."""
        return self.upcoming(language).values_list("published_at", flat=True).first()

    def similar_to(self, article: Article, language: str | None = None, limit: int = 6) -> ArticleQuerySet:
        """Articles sharing tags with ``article``, most shared tags first, newer first on a tie: one query.

        Counting the joined tag rows of each candidate gives the number of tags it shares with ``article``.
        """
        shared_tags = TaggedArticle.objects.filter(content_object_id=article.pk).values("tag_id")
        return (
            self.published(language)
            .exclude(pk=article.pk)
            .filter(tagged_items__tag_id__in=shared_tags)
            .annotate(shared_tags=models.Count("tagged_items"))
            .order_by("-shared_tags", "-published_at", "-pk")[:limit]
        )


class Article(TranslatedSlugMixin, models.Model):
    title = models.CharField(_("title"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, blank=True, help_text=_("Filled from the title when empty."))
    highlights = models.TextField(
        _("highlights"), blank=True, help_text=_("The key sentences shown under the title, one per line.")
    )
    body = models.TextField(_("body"), blank=True)
    featured_image_alt = models.CharField(_("featured image description"), max_length=250, blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Released to readers of this language.")
    )

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    authors = models.ManyToManyField(
        "authors.Author", verbose_name=_("authors"), related_name="articles", blank=True
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedArticle, blank=True, related_name="articles")
    published_at = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        db_index=True,
        help_text=_("A future date schedules the article: it appears when the date comes."),
    )
    original_language = models.CharField(
        _("written in"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    featured_image = models.ImageField(
        _("featured image"), upload_to=GeneratedImagePath("articles"), blank=True, validators=[validate_web_image]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    url_name = "articles:detail"
    # How the translators' segment editor splits these fields (``publishing.workflow.segments``).
    translation_segments = {"highlights": "lines", "body": "blocks"}

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = unique_per_language("slug", "article")
        indexes = [
            models.Index(fields=[localized("is_published", code), "-published_at"], name=f"article_published_{code}_idx")
            for code, _name in settings.LANGUAGES
        ] + [
            # Previous/next in the category: a few steps from the article's date, not a scan of the category.
            models.Index(fields=["category", "published_at", "id"], name="article_category_date_idx"),
        ]

    def __str__(self) -> str:
        return self.title or next(
            (translated_value(self, "title", code) for code in language_codes() if translated_value(self, "title", code)), ""
        ) or f"#{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Which variants were public as stored: their slugs are addresses readers may have, so they stay.
        instance._published_when_loaded = {
            code for code in language_codes() if instance.__dict__.get(localized("is_published", code))
        }
        return instance

    _published_when_loaded: set[str] = set()

    def natural_key(self) -> tuple[str]:
        return (getattr(self, source_slug_field()),)

    natural_key.dependencies = ["articles.category", "authors.author"]

    # --- Language variants ----------------------------------------------------------------------------------

    def has_content_in(self, language: str) -> bool:
        """A title and a body in ``language``: what a variant needs before an editor may release it."""
        return bool((translated_value(self, "title", language) or "").strip() and (translated_value(self, "body", language) or "").strip())

    def is_published_in(self, language: str, *, scheduled: bool = False) -> bool:
        """The publication rule for this instance (``ArticleQuerySet.published_q`` for the database)."""
        return (
            bool(translated_value(self, "is_published", language))
            and self.has_content_in(language)
            and (scheduled or self.published_at <= timezone.now())
        )

    @property
    def tag_links(self) -> models.QuerySet:
        """Its tag links with their tags, in one query: what its revisions keep of its tags (each link's name in the
        history says its tag, which ``tagged_items`` would read once per link)."""
        return self.tagged_items.select_related("tag")

    @property
    def available_languages(self) -> list[str]:
        """Languages in which readers can open this article, in the order of LANGUAGES."""
        return [code for code in language_codes() if self.is_published_in(code)]

    def alternate_urls(self) -> dict[str, str]:
        return {code: self.url_in(code) for code in self.available_languages}

    def highlight_list(self, language: str | None = None) -> list[str]:
        value = getattr(self, f"highlights_{language or current_language()}") or ""
        return [line.strip() for line in value.splitlines() if line.strip()]

    def plain_body(self, language: str | None = None) -> str:
        """The body's text as a reader sees it (tags dropped, entities decoded, spaces folded).

        An article page asks three times (the description, the reading time, the word count of its structured
        data) and the HTML parser behind it is the dearest step of a long body, so the text is kept on the
        instance for as long as the body it came from is the one on the instance.
        """
        language = language or current_language()
        body = translated_value(self, "body", language) or ""
        texts = self.__dict__.setdefault("_plain_bodies", {})
        known = texts.get(language)
        if known is None or known[0] is not body:
            known = texts[language] = (body, plain_text(body))
        return known[1]

    def word_count(self, language: str | None = None) -> int:
        return len(self.plain_body(language).split())

    def summary(self, language: str | None = None, *, words: int = 40) -> str:
        """Plain text that stands for the article in a list, a feed or a search engine: the first highlight, or the
        opening of the body where there are none."""
        highlights = self.highlight_list(language)
        if highlights:
            return plain_text(highlights[0])
        return Truncator(self.plain_body(language)).words(words)

    def reading_minutes(self, language: str | None = None) -> int:
        """Minutes an average reader needs for the body (about 200 words a minute), never less than one."""
        return max(1, math.ceil(self.word_count(language) / READING_WORDS_PER_MINUTE))

    # --- Validation and saving ------------------------------------------------------------------------------

    def clean_fields(self, exclude=None) -> None:
        """Django reads each foreign key's row (the category's) to check that it exists; not when a change form's
        save leaves it as stored (``publishing.editing.unchanged_since_check``: the database keeps the stored row's
        reference)."""
        from publishing.editing import unchanged_since_check  # the admin's side; models load first

        keys = [field.name for field in self._meta.concrete_fields if field.many_to_one]
        super().clean_fields(exclude=set(exclude or ()) | unchanged_since_check(self, keys))

    def clean(self) -> None:
        errors = {}
        for code in language_codes():
            if translated_value(self, "is_published", code) and not self.has_content_in(code):
                errors[localized("is_published", code)] = ValidationError(
                    _("A language variant needs a title and a body before it can be published."), code="incomplete"
                )
        errors.update(rich_text_errors(self, ("body", "highlights")))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def stored_form(cls, field_name: str, value):
        """``value`` as :meth:`save` will store it in ``field_name``: compare a form's text with this, not raw."""
        base = field_name.rpartition("_")[0]
        if base == "body":
            return sanitize_html(ensure_paragraphs(value or ""))
        if base == "title":
            return value.strip() if value else value
        if base == "highlights":
            lines = (value or "").splitlines()
            return "\n".join(clean for line in lines if (clean := sanitize_html(line, inline=True)))
        return value

    def save(self, *args, **kwargs) -> None:
        strip_image_metadata(self.featured_image)
        for code in language_codes():
            for field in (localized("title", code), localized("body", code), localized("highlights", code)):
                setattr(self, field, self.stored_form(field, getattr(self, field)))
        fill_translated_slugs(self, source_field="title", locked=self._published_when_loaded)
        with stored_only_if_saved(self.featured_image):
            super().save(*args, **kwargs)


class ReferenceManager(models.Manager):
    def get_by_natural_key(self, article_slug: str, marker: str) -> Reference:
        return self.get(**{f"article__{source_slug_field()}": article_slug, "marker": marker})


class Reference(models.Model):
    """One entry of an article's reference list, linked from the footnote marker with the same ``marker``.

    The marker, URL and access date are facts about the cited source, shared by all languages; the text (the
    source's title as cited) is translated.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField(_("position"), default=0)
    marker = models.CharField(
        _("marker"), max_length=16, help_text=_("As written in the text without brackets: 1, 2, i, iv…")
    )
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    accessed_on = models.DateField(_("date of access"), null=True, blank=True)

    objects = ReferenceManager()

    # Its texts are units of the article's translation (``publishing.workflow``), not an object translated on its own.
    translation_parent = "article"
    translation_segments = {"text": "inline"}

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["article", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "marker"], name="reference_marker_unique")]

    def natural_key(self) -> tuple[str, str]:
        return (*self.article.natural_key(), self.marker)

    natural_key.dependencies = ["articles.article"]

    def __str__(self) -> str:
        return f"[{self.marker}] {self.text or ''}".strip()

    @property
    def note_id(self) -> str:
        """The id of this entry in the reference list, which the markers in the text link to."""
        return footnotes.note_id(self.marker)

    @property
    def marker_id(self) -> str:
        """The id of the first marker in the text that links here, which this entry links back to."""
        return footnotes.ref_id(self.marker)

    def clean(self) -> None:
        if errors := rich_text_errors(self, ("text",)):
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.marker = self.marker.strip().strip("[]").strip()
        for code in language_codes():
            setattr(self, localized("text", code), sanitize_html(translated_value(self, "text", code) or "", inline=True))
        super().save(*args, **kwargs)


def rich_text_errors(instance: models.Model, fields: Iterable[str]) -> dict[str, ValidationError]:
    """Form errors for translated rich-text fields too long or too full of markup to sanitise quickly."""
    errors = {}
    for name in fields:
        for code in language_codes():
            try:
                validate_html_size(getattr(instance, f"{name}_{code}", ""))
            except ValidationError as error:
                errors[f"{name}_{code}"] = error
    return errors

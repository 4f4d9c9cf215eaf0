"""The think-tank's publications: articles with per-language variants, their references, categories and tags.

Every text a reader sees exists once per language (``title_tr``, ``title_en``, ``title_ru`` … through
django-modeltranslation, registered in ``translation.py``). A language variant is public only when it has a title
and a body and an editor released it (``is_published_<lang>``) and its publication date has come.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .images import GeneratedImagePath, validate_web_image
from .text import ensure_paragraphs, sanitize_html, unique_slug


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    """The active language, reduced to one of LANGUAGES (``en-us`` -> ``en``)."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in language_codes() else settings.LANGUAGE_CODE


def _slug_made_from(slug: str, text: str) -> bool:
    from .text import slugify

    base = slugify(text)
    return bool(base) and (slug == base or (slug.startswith(f"{base}-") and slug[len(base) + 1 :].isdigit()))


def fill_translated_slugs(instance: models.Model, *, source_field: str, locked: Iterable[str] = ()) -> None:
    """Give every language a unique ASCII slug, from its own text or, missing that, from another language's.

    A slug borrowed from another language is provisional: when the language gets its own text (a translator fills
    the title) and the variant was not public before (``locked`` lists the languages that were), the slug is made
    again from that text. An editor's own slug and the slug of a published variant are never touched.
    """
    locked = set(locked)
    model = type(instance)
    codes = language_codes()
    for code in codes:
        slug_field = f"slug_{code}"
        current = getattr(instance, slug_field, None) or ""
        own_text = (getattr(instance, f"{source_field}_{code}", "") or "").strip()
        other_texts = [getattr(instance, f"{source_field}_{c}", "") or "" for c in codes if c != code]
        if current:
            if not own_text or _slug_made_from(current, own_text):
                continue
            if code in locked:
                continue
            if not any(_slug_made_from(current, text) for text in other_texts if text.strip()):
                continue
        base = own_text or next((text for text in other_texts if text.strip()), "")
        setattr(
            instance,
            slug_field,
            unique_slug(
                base,
                is_taken=lambda s, f=slug_field: model._default_manager.filter(**{f: s})
                .exclude(pk=instance.pk)
                .exists(),
                fallback=model._meta.model_name,
                max_length=model._meta.get_field(slug_field).max_length,
            ),
        )


def unique_per_language(field: str, model_name: str) -> list[models.UniqueConstraint]:
    """One unique constraint per language column: a slug is unique within its language, not across them."""
    return [
        models.UniqueConstraint(fields=[f"{field}_{code}"], name=f"{model_name}_{field}_{code}_unique")
        for code, _name in settings.LANGUAGES
    ]


class TranslatedSlugMixin:
    """``url_in(language)``: the object's address in another language, whose slug differs."""

    url_name: str

    def url_in(self, language: str) -> str:
        with translation.override(language):
            return reverse(self.url_name, kwargs={"slug": getattr(self, f"slug_{language}")})

    def get_absolute_url(self) -> str:
        return self.url_in(current_language())


class Category(TranslatedSlugMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    url_name = "articles:category"

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["pk"]
        constraints = unique_per_language("slug", "category")

    def __str__(self) -> str:
        return self.name or self.name_tr or self.name_en or self.name_ru or ""

    def save(self, *args, **kwargs) -> None:
        fill_translated_slugs(self, source_field="name")
        super().save(*args, **kwargs)


class Tag(TranslatedSlugMixin, TagBase):
    """A taggit tag of this project, so that its name and slug are translated and its migrations live here."""

    # Uniqueness is per language (constraints below), not across languages as taggit's TagBase has it.
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    url_name = "articles:tag"

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["pk"]
        constraints = unique_per_language("slug", "tag")

    def __str__(self) -> str:
        return self.name or self.name_tr or self.name_en or self.name_ru or ""

    def slugify(self, tag: str, i: int | None = None) -> str:
        from .text import slugify

        return slugify(tag) + (f"-{i}" if i is not None else "")

    def save(self, *args, **kwargs) -> None:
        fill_translated_slugs(self, source_field="name")
        super().save(*args, **kwargs)


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_idx")]


class ArticleQuerySet(models.QuerySet):
    def published(self, language: str | None = None) -> ArticleQuerySet:
        """Articles a reader of ``language`` may see: released, with a title and a body, date reached."""
        language = language or current_language()
        return self.filter(
            **{
                f"is_published_{language}": True,
                f"title_{language}__gt": "",
                f"body_{language}__gt": "",
                "published_at__lte": timezone.now(),
            }
        )

    def for_listing(self) -> ArticleQuerySet:
        """What a list of articles shows: category joined, authors fetched with it."""
        return self.select_related("category").prefetch_related("authors")

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

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = unique_per_language("slug", "article")
        indexes = [
            models.Index(fields=[f"is_published_{code}", "-published_at"], name=f"article_published_{code}_idx")
            for code, _name in settings.LANGUAGES
        ]

    def __str__(self) -> str:
        return self.title or next(
            (getattr(self, f"title_{code}") for code in language_codes() if getattr(self, f"title_{code}")), ""
        ) or f"#{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Which variants were public as stored: their slugs are addresses readers may have, so they stay.
        instance._published_when_loaded = {
            code for code in language_codes() if instance.__dict__.get(f"is_published_{code}")
        }
        return instance

    _published_when_loaded: set[str] = set()

    # --- Language variants ----------------------------------------------------------------------------------

    def has_content_in(self, language: str) -> bool:
        return bool((getattr(self, f"title_{language}") or "").strip() and (getattr(self, f"body_{language}") or "").strip())

    def is_public_in(self, language: str) -> bool:
        return (
            bool(getattr(self, f"is_published_{language}"))
            and self.has_content_in(language)
            and self.published_at <= timezone.now()
        )

    @property
    def available_languages(self) -> list[str]:
        """Languages in which readers can open this article, in the order of LANGUAGES."""
        return [code for code in language_codes() if self.is_public_in(code)]

    def alternate_urls(self) -> dict[str, str]:
        return {code: self.url_in(code) for code in self.available_languages}

    def highlight_list(self, language: str | None = None) -> list[str]:
        value = getattr(self, f"highlights_{language or current_language()}") or ""
        return [line.strip() for line in value.splitlines() if line.strip()]

    # --- Validation and saving ------------------------------------------------------------------------------

    def clean(self) -> None:
        errors = {}
        for code in language_codes():
            if getattr(self, f"is_published_{code}") and not self.has_content_in(code):
                errors[f"is_published_{code}"] = ValidationError(
                    _("A language variant needs a title and a body before it can be published."), code="incomplete"
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        for code in language_codes():
            setattr(self, f"body_{code}", sanitize_html(ensure_paragraphs(getattr(self, f"body_{code}") or "")))
            lines = (getattr(self, f"highlights_{code}") or "").splitlines()
            setattr(
                self,
                f"highlights_{code}",
                "\n".join(clean for line in lines if (clean := sanitize_html(line, inline=True))),
            )
        fill_translated_slugs(self, source_field="title", locked=self._published_when_loaded)
        super().save(*args, **kwargs)


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

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["article", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "marker"], name="reference_marker_unique")]

    def __str__(self) -> str:
        return f"[{self.marker}] {self.text or ''}".strip()

    def save(self, *args, **kwargs) -> None:
        self.marker = self.marker.strip().strip("[]").strip()
        for code in language_codes():
            setattr(self, f"text_{code}", sanitize_html(getattr(self, f"text_{code}") or "", inline=True))
        super().save(*args, **kwargs)


def markers_in(values: Iterable[str]) -> list[str]:
    """Footnote markers in order of first appearance across ``values``."""
    from .footnotes import MARKER_RE

    seen: dict[str, None] = {}
    for value in values:
        for match in MARKER_RE.finditer(value or ""):
            seen.setdefault(match.group("marker"), None)
    return list(seen)


def published_languages_of(queryset: models.QuerySet) -> list[str]:
    """Languages in which ``queryset`` (articles) has at least one public article: one query for all languages."""
    now = timezone.now()
    counts = queryset.aggregate(
        **{
            code: models.Count(
                "pk",
                filter=models.Q(
                    **{
                        f"is_published_{code}": True,
                        f"title_{code}__gt": "",
                        f"body_{code}__gt": "",
                        "published_at__lte": now,
                    }
                ),
            )
            for code in language_codes()
        }
    )
    return [code for code in language_codes() if counts[code]]

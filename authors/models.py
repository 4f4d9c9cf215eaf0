"""Authors of the think-tank's articles, with a bio written in Turkish and translated into English and Russian."""
from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from publishing.collation import collation_key
from publishing.images import GeneratedImagePath, stored_only_if_saved, strip_image_metadata, validate_web_image
from publishing.languages import language_codes, localized, source_language
from publishing.text import casefold_in, sanitize_html, unique_slug, upper_in, validate_html_size
from publishing.translated import slug_url


class AuthorQuerySet(models.QuerySet):
    def with_articles_in(self, language: str) -> AuthorQuerySet:
        """Authors who have at least one article published in ``language``: the ones a reader can reach.

        The articles are reached through the relation the articles app adds (``Author.articles``), so this app
        never imports it; their own queryset's ``published`` says which are public.
        """
        articles = self.model.articles.rel.related_model._default_manager
        return self.filter(models.Exists(articles.published(language).filter(authors=models.OuterRef("pk"))))

    def in_alphabetical_order(self, language: str) -> list[Author]:
        """The authors by family name, then given name, in the alphabet of ``language`` (Turkish: C, Ç … I, İ …
        S, Ş; Russian: Е, Ё, Ж). A list, not a queryset: the order comes from ICU, not from the database."""
        key = collation_key(language)
        return sorted(self, key=lambda author: (key(author.family_name), key(author.given_name)))

    def get_by_natural_key(self, slug: str) -> Author:
        """Backups name authors by their slug: unique, set once, never empty."""
        return self.get(slug=slug)

    def by_name(self, name: str) -> Author | None:
        """The author whose displayed name matches ``name`` ignoring case by the source language's rules (Turkish:
        İ/i, I/ı)."""
        return self.filter(name_key=casefold_in(name, source_language())).first()


class Author(models.Model):
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(
        _("family name"), max_length=100, help_text=_("Shown in capitals by Turkish rules: Çiftçioğlu → ÇİFTÇİOĞLU.")
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True, allow_unicode=False)
    name_key = models.CharField(max_length=250, editable=False, db_index=True)
    photo = models.ImageField(
        _("photo"), upload_to=GeneratedImagePath("authors"), blank=True, validators=[validate_web_image]
    )
    photo_alt = models.CharField(_("photo description"), max_length=250, blank=True)
    bio = models.TextField(_("biography"), blank=True, help_text=_("Written in Turkish first, then translated."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = AuthorQuerySet.as_manager()

    # The translators' segment editor takes a bio paragraph by paragraph (``publishing.workflow.segments``).
    translation_segments = {"bio": "blocks"}

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def name(self) -> str:
        """The name as the think-tank prints it: given name, then the family name in capitals, by the casing rules
        of the source language (Turkish: "Çiftçioğlu" -> "ÇİFTÇİOĞLU"; English or German: "Schmidt" -> "SCHMIDT")."""
        return " ".join(
            part for part in (self.given_name.strip(), upper_in(self.family_name.strip(), source_language())) if part
        )

    def get_absolute_url(self) -> str:
        """The author's page, which the articles app serves (it lists their articles): named, never imported."""
        return slug_url("articles:author", self.slug, get_language())

    def bio_for(self, language: str | None = None) -> tuple[str, str]:
        """The bio in ``language`` and the language it is really in: the Turkish source where no translation exists."""
        language = language or get_language() or source_language()
        translated = getattr(self, localized("bio", language), "") or ""
        if translated.strip():
            return translated, language
        return getattr(self, f"bio_{source_language()}", "") or "", source_language()

    def clean(self) -> None:
        """A bio too long or too full of markup is a form error, before the sanitiser would spend long on it."""
        from django.core.exceptions import ValidationError

        errors = {}
        for code in language_codes():
            try:
                validate_html_size(getattr(self, localized("bio", code), ""))
            except ValidationError as error:
                errors[localized("bio", code)] = error
        if errors:
            raise ValidationError(errors)

    @classmethod
    def stored_form(cls, field_name: str, value):
        """``value`` as :meth:`save` will store it in ``field_name`` (bios are sanitised HTML)."""
        return sanitize_html(value or "") if field_name.rpartition("_")[0] == "bio" else value

    def save(self, *args, **kwargs) -> None:
        strip_image_metadata(self.photo)
        for code in language_codes():
            field = localized("bio", code)
            setattr(self, field, self.stored_form(field, getattr(self, field, "")))
        self.name_key = casefold_in(self.name, source_language())
        if not self.slug:
            self.slug = unique_slug(
                f"{self.given_name} {self.family_name}",
                is_taken=lambda s: Author.objects.filter(slug=s).exclude(pk=self.pk).exists(),
                fallback="author",
            )
        with stored_only_if_saved(self.photo):
            super().save(*args, **kwargs)

"""Helpers for models translated per language (django-modeltranslation): slugs, addresses, natural keys.

A translated object has a slug per language (``slug_en``, ``slug_de`` …), unique within its language, and an address
per language. These helpers know nothing of articles or authors; each model says which of its fields its slugs are
made from and which URL pattern shows it.
"""
from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import get_language

from .languages import current_language, language_codes, localized, translated_value
from .text import slugify, unique_slug


def in_any_language(instance: models.Model, field: str) -> str:
    """A translated field in the active language, else in the first language of LANGUAGES that has it ("" if
    none has): how an object is named where a name is needed whatever was translated (admin lists, choices)."""
    return getattr(instance, field) or next(
        (value for code in language_codes() if (value := getattr(instance, f"{field}_{code}", None))), ""
    )


def _slug_made_from(slug: str, text: str) -> bool:
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
        slug_field = localized("slug", code)
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


_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_MARK = "slug-address-mark"


@functools.lru_cache(maxsize=512)
def _slug_url_parts(url_name: str, language: str, urlconf: str | None, root_urlconf: str, prefix: str) -> tuple[str, str]:
    with translation.override(language):
        before, _mark, after = reverse(url_name, urlconf=urlconf, kwargs={"slug": _SLUG_MARK}).partition(_SLUG_MARK)
    return before, after


def slug_url(url_name: str, slug: str, language: str) -> str:
    """``reverse(url_name, kwargs={"slug": slug})`` with ``language`` active, for a ``<slug:slug>`` pattern.

    A page links to a dozen articles, tags and authors, each in its own language; ``reverse`` under
    ``translation.override`` cost a fifth of the article page's rendering. The address around the slug is the same
    for every slug of a pattern and language, so it is reversed once (per URLconf and script prefix) and the slug
    put in its place. A slug the pattern would refuse still goes through ``reverse``, to fail the same way.
    """
    if not _SLUG_RE.fullmatch(slug or ""):
        with translation.override(language):
            return reverse(url_name, kwargs={"slug": slug})
    before, after = _slug_url_parts(url_name, language, get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{slug}{after}"


@functools.lru_cache(maxsize=256)
def _language_url(url_name: str, language: str | None, urlconf: str | None, root_urlconf: str, prefix: str) -> str:
    with translation.override(language):
        return reverse(url_name, urlconf=urlconf)


def language_url(url_name: str, language: str | None = None) -> str:
    """``reverse(url_name)`` (a pattern without arguments) with ``language`` active (default: the current one),
    reversed once per language, URLconf and script prefix: the site's header links to the same few addresses from
    every page."""
    language = language or get_language()
    return _language_url(url_name, language, get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())


def language_neutral_url(url_name: str) -> str:
    """The address that sends each reader to a page (a pattern without arguments) in their own language: the
    default language's address without its language prefix, which Django's LocaleMiddleware redirects by the
    browser's languages (``i18n_patterns`` with ``prefix_default_language=True``), or, where the default language
    is served without a prefix, that address itself. Wherever the host mounts the plugin: "/" when its pages are at
    the site's root, "/publications/" under ``path("publications/", …)``."""
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    url = language_url(url_name, settings.LANGUAGE_CODE)
    _used, prefixed_default = is_language_prefix_patterns_used(get_urlconf() or settings.ROOT_URLCONF)
    prefix = f"{get_script_prefix()}{settings.LANGUAGE_CODE}/"
    if prefixed_default and url.startswith(prefix):
        return get_script_prefix() + url[len(prefix) :]
    return url


class TranslatedSlugMixin:
    """``url_in(language)``: the object's address in another language, whose slug differs; and its slugs (every
    column with a constraint of :func:`unique_per_language`) checked for uniqueness together."""

    url_name: str

    def url_in(self, language: str) -> str:
        return slug_url(self.url_name, translated_value(self, "slug", language), language)

    def get_absolute_url(self) -> str:
        return self.url_in(current_language())

    def validate_constraints(self, exclude=None):
        """Django checks each unique constraint with a query of its own: a change form would read the table once
        per language for the slugs alone. The unique columns no other constraint names are checked here in one
        query, each failing one with Django's own error, and not at all where a change form's save leaves them as
        stored (``publishing.editing.unchanged_since_check``: the constraint holds for the stored row); every other
        constraint is left to Django."""
        from .editing import unchanged_since_check  # the admin's side; models load first

        exclude = set(exclude or ())
        constraints = [constraint for constraint in self._meta.constraints if isinstance(constraint, models.UniqueConstraint)]
        named = Counter(name for constraint in constraints for name in constraint.fields)
        unchanged = unchanged_since_check(self, [name for name, count in named.items() if count == 1])
        using = router.db_for_write(type(self), instance=self)
        empty_is_null = connections[using].features.interprets_empty_strings_as_nulls
        values = {}
        for constraint in constraints:
            if (len(constraint.fields) != 1 or constraint.condition or constraint.expressions
                    or constraint.nulls_distinct is False or named[constraint.fields[0]] != 1
                    or constraint.violation_error_message != constraint.default_violation_error_message):
                continue
            name = constraint.fields[0]
            value = getattr(self, self._meta.get_field(name).attname)
            if name not in exclude | unchanged and value is not None and not (value == "" and empty_is_null):
                values[name] = value
            exclude.add(name)  # checked here (or, empty or excluded, not at all): not again by Django
        errors = {}
        if values:
            taken = type(self)._default_manager.using(using).filter(
                functools.reduce(operator.or_, (models.Q(**{name: value}) for name, value in values.items()))
            )
            if not self._state.adding and self.pk is not None:
                taken = taken.exclude(pk=self.pk)
            for row in taken.order_by().values(*values):
                for name, value in values.items():
                    if row[name] == value:
                        errors[name] = [self.unique_error_message(type(self), (name,))]
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class NamedTranslatedMixin(TranslatedSlugMixin):
    """A translated object known by its ``name`` (a category, a tag): named by it in whatever language has one, and
    given a slug per language from it on every save."""

    def __str__(self) -> str:
        return in_any_language(self, "name")

    def save(self, *args, **kwargs) -> None:
        fill_translated_slugs(self, source_field="name")
        super().save(*args, **kwargs)


# --- Natural keys ---------------------------------------------------------------------------------------------
# A backup (``articles.exchange.backup``) names rows by natural keys, not ids, so that it does not depend on the database it
# came from. Articles, tags and categories are named by their slug in the source language (``slug_tr``): every row
# has one (a language without text borrows a provisional slug), it is unique (a constraint per language), and a
# backup is written and read as one consistent set, so a later change of a provisional slug cannot break it.


def source_slug_field() -> str:
    from .languages import source_language

    return f"slug_{source_language()}"


class SourceSlugManager(models.Manager):
    def get_by_natural_key(self, slug: str):
        return self.get(**{source_slug_field(): slug})



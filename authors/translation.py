"""Translated fields of the authors app: the bio and the photo description; names read the same everywhere."""
from modeltranslation.translator import TranslationOptions, register

from .models import Author


@register(Author)
class AuthorTranslationOptions(TranslationOptions):
    fields = ("bio", "photo_alt")

"""The languages of the site, as the host configures them: every app reads them here, never as literals.

``settings.LANGUAGES`` lists them in the site's order; modeltranslation's default language is the one texts are
written in first (the source of translations) unless an object says otherwise.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    """The active language, reduced to one of LANGUAGES (``en-us`` -> ``en``)."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in language_codes() else settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """The name ``settings.LANGUAGES`` gives ``code`` (the code itself for an unknown one)."""
    return str(dict(settings.LANGUAGES).get(code, code))


def source_language() -> str:
    """The language texts are written in first: modeltranslation's default language."""
    from modeltranslation.settings import DEFAULT_LANGUAGE

    return DEFAULT_LANGUAGE

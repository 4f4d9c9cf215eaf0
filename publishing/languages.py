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


def localized(field: str, language: str) -> str:
    """The column that holds ``field`` in ``language`` (``title`` in ``en`` → ``title_en``): modeltranslation's own
    rule (``build_localized_fieldname``, which also turns ``pt-br`` into ``pt_br``), spelled in one place."""
    from modeltranslation.utils import build_localized_fieldname

    return build_localized_fieldname(field, language)


def translated_value(instance, field: str, language: str):
    """``instance``'s ``field`` in ``language`` as stored (``None`` or ``""`` where it has no text)."""
    return getattr(instance, localized(field, language))


def language_name(code: str) -> str:
    """The name ``settings.LANGUAGES`` gives ``code`` (the code itself for an unknown one)."""
    return str(dict(settings.LANGUAGES).get(code, code))


def source_language() -> str:
    """The language texts are written in first: modeltranslation's default language."""
    from modeltranslation.settings import DEFAULT_LANGUAGE

    return DEFAULT_LANGUAGE

"""The translators' roles: who may edit which language of a translated object, and who publishes.

``publishing.publish_article`` makes an editor: every field in every language, the shared fields (dates, authors,
tags, images, category) and publishing. Everyone else who may change articles, tags, categories or bios is a
translator, limited to the languages of their ``publishing.translate_<language>`` permissions; translators never add,
delete or publish. Superusers are editors. The data migration ``0005_translation_roles`` creates the groups holding
these permissions: "Editor", and "Translator (tr)", "Translator (en)", "Translator (ru)" (a user may be in several).
"""
from __future__ import annotations

from .units import language_codes

EDITOR_GROUP = "Editor"
PUBLISH_PERMISSION = "publishing.publish_article"


def translator_group_name(language: str) -> str:
    return f"Translator ({language})"


def translate_permission(language: str) -> str:
    return f"publishing.translate_{language}"


def is_editor(user) -> bool:
    """Editors (and superusers) edit every language and the shared fields, and publish."""
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(PUBLISH_PERMISSION)))


def editable_languages(user) -> list[str]:
    """The languages whose texts ``user`` may change: all for an editor, the translator's own otherwise."""
    if is_editor(user):
        return language_codes()
    if not user or not user.is_active:
        return []
    return [code for code in language_codes() if user.has_perm(translate_permission(code))]


def translator_languages(user) -> list[str] | None:
    """``None`` for an editor (no limit), else the languages ``user`` may edit: what an admin form keeps for them."""
    return None if is_editor(user) else editable_languages(user)


def is_translator(user) -> bool:
    """A staff member limited to some languages: the admin sends them to the translation dashboard."""
    return bool(user and user.is_active and user.is_staff and not is_editor(user) and editable_languages(user))

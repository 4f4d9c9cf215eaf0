"""What the security tests share: an editor, the admin's article and author form data."""
from __future__ import annotations

from django.contrib.auth import get_user_model

LANGUAGES = ("tr", "en", "ru")


def make_editor(username: str = "editor"):
    return get_user_model().objects.create_superuser(username, f"{username}@example.org", "a-long-editor-password")


def article_form_data(**overrides) -> dict:
    """A complete POST of the admin's article form with every language empty, then ``overrides``."""
    data = {
        "published_at_0": "2024-05-01",
        "published_at_1": "10:00:00",
        "original_language": "tr",
        "category": "",
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
    }
    for code in LANGUAGES:
        data.update({f"title_{code}": "", f"slug_{code}": "", f"highlights_{code}": "", f"body_{code}": "",
                     f"featured_image_alt_{code}": ""})
    data.update(overrides)
    return data


def author_form_data(**overrides) -> dict:
    data = {"given_name": "Berra", "family_name": "Kızılyazı", "slug": ""}
    for code in LANGUAGES:
        data.update({f"bio_{code}": "", f"photo_alt_{code}": ""})
    data.update(overrides)
    return data

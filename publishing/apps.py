from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The plugin's shared core: text and sanitising, images, revisions, edit conflicts, the translation workflow
    and the rich-text widget. ``authors`` and ``articles`` build on it; it imports neither."""

    name = "publishing"
    verbose_name = _("Publishing")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import freshness, signals, workflow
        from .revisions import register_models

        signals.connect()
        freshness.connect()
        workflow.connect_signals()
        register_models()

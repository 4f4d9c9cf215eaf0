from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = _("Authors")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        self.register_revisions()

    def register_revisions(self) -> None:
        """Keep a revision of every save of an author (the admin calls this too: it may be imported first)."""
        from publishing.revisions import register

        register(self.get_model("Author"))

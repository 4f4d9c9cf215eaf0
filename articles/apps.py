from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects them)

        self.register_revisions()
        self.register_glossary()

    def register_glossary(self) -> None:
        """Tag and category names are the terms the translation screen shows beside the segments that use them."""
        from publishing.workflow.memory import register_glossary

        register_glossary("articles.tag")
        register_glossary("articles.category")

    def register_revisions(self) -> None:
        """Keep a revision of every save of the app's models; an article's holds its references and tag links, so
        restoring it brings them back as they were. The admin calls this too: it may be imported first."""
        from publishing.revisions import register

        register(self.get_model("Article"), follow=("references", "tag_links"))
        for name in ("Reference", "TaggedArticle", "Tag", "Category"):
            register(self.get_model(name))

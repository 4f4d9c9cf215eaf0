from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnkasamSiteConfig(AppConfig):
    """The host project as an app, so that its templates and static files are found like an app's."""

    name = "ankasam_site"
    verbose_name = "ANKASAM"

    def ready(self) -> None:
        # Sent once per app with models (this one has none); making a table that exists is a no-op.
        post_migrate.connect(create_cache_tables, dispatch_uid="ankasam_site.create_cache_tables")


def create_cache_tables(sender, using="default", **kwargs) -> None:
    """Make the tables of the database caches (the embedded setup's page stamps, settings "CACHES") with every
    ``migrate``, so that no deployment needs a step of its own; tables already there are left alone."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)

from django.apps import AppConfig


class AnkasamSiteConfig(AppConfig):
    """The host project as an app, so that its templates and static files are found like an app's."""

    name = "ankasam_site"
    verbose_name = "ANKASAM"

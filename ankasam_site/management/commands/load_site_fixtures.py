"""Load fixtures/*.json into an empty database, so that `make run` never overwrites an editor's work, and record each
loaded object's first revision, so that the seed text can be restored after the first edit."""
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.utils.translation import gettext

from articles.models import Article

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load the seed articles, authors, categories and tags from fixtures/ unless articles already exist."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if the database has articles.")

    def handle(self, *args, force: bool = False, **options):
        if Article.objects.exists() and not force:
            self.stdout.write("Articles already exist; fixtures not loaded (use --force to reload them).")
            return
        files = sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))
        if not files:
            self.stdout.write("No fixtures found.")
            return
        call_command("loaddata", *files, verbosity=options.get("verbosity", 1))
        # django-reversion's own command: one revision of each registered object that has none (articles with
        # their references and tag links, authors, tags, categories).
        call_command("createinitialrevisions", comment=gettext("Initial version."), verbosity=0)
        # Fixtures load raw, without the signals that keep the translation memory current.
        call_command("rebuild_translation_memory", verbosity=options.get("verbosity", 1))

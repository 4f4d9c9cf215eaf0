"""Make the stored Similar Posts lists and previous/next links in advance, so that no reader pays for the first
reading of one."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.neighbours import neighbours_link_all
from articles.similar import similar_lists_build_all
from publishing.languages import language_codes


class Command(BaseCommand):
    help = (
        "Make the Similar Posts list and the previous/next links of every published language variant that has none "
        "yet. They are otherwise made at their first reading (tens of milliseconds each at 100,000 articles) and "
        "kept current by saves; run this after a large import or a restore, before readers arrive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", action="append", dest="languages", metavar="CODE",
            help="Only this language (repeatable). Default: every language.",
        )

    def handle(self, *args, languages=None, **options):
        unknown = sorted(set(languages or ()) - set(language_codes()))
        if unknown:
            raise CommandError(_("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)})
        started = time.perf_counter()
        made = similar_lists_build_all(languages=languages)
        self.stdout.write(
            _("%(count)d Similar Posts lists made in %(seconds).1f s.")
            % {"count": made, "seconds": time.perf_counter() - started}
        )
        started = time.perf_counter()
        linked = neighbours_link_all(languages=languages)
        self.stdout.write(
            _("%(count)d previous/next links made in %(seconds).1f s.")
            % {"count": linked, "seconds": time.perf_counter() - started}
        )

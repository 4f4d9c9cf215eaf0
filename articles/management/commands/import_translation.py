"""Import PO or XLIFF files filled in by outside translators into one language of their articles."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.exchange import TranslationFileError
from articles.services import translation_file_import
from publishing.languages import language_codes


class Command(BaseCommand):
    help = (
        "Import filled PO/XLIFF files (or zips of them) exported by export_translation. Each file is checked whole "
        "and imported whole or not at all; a refused file lists every problem, names its units and does not stop "
        "the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--language", required=True, choices=language_codes(), help="Language of the translation.")
        parser.add_argument("--article", type=int, help="Refuse a file that is for another article than this id.")
        parser.add_argument("--dry-run", action="store_true", help="Check the files without writing.")

    def handle(self, *args, files, language, article, dry_run, **options):
        failures = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                failures += 1
                self.stderr.write(f"{name}: cannot read the file ({error.strerror or error})")
                continue
            try:
                result = translation_file_import(
                    data=data, name=name, language=language, article_id=article, dry_run=dry_run
                )
            except TranslationFileError as error:
                failures += 1
                self.stderr.write(str(error))
                continue
            suffix = " (dry run, nothing written)" if dry_run else ""
            for plan in result.plans:
                self.stdout.write(
                    f"{plan.document.name}: {len(plan.values)} text(s) into article {plan.article.pk} ({language}){suffix}"
                )
                if plan.source_changed:
                    self.stdout.write(
                        f"{plan.document.name}: warning: made from an older source text ({', '.join(plan.source_changed)}); "
                        "the translation stays marked outdated"
                    )
        if failures:
            # Each failure already has its lines on stderr; the exit status tells scripts the rest.
            sys.exit(1)

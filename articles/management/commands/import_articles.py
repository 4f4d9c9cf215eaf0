"""Import the old site's plain-text page exports (new articles, or translations of existing ones)."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.exchange.importing import ArticleImportError, article_import_text


class Command(BaseCommand):
    help = (
        "Import plain-text article exports. Each file is imported whole or not at all; a failing file does not "
        "stop the others, and importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--language", required=True, help="Language of the text: tr, en or ru.")
        parser.add_argument("--publish", action="store_true", help="Release the imported language variant.")
        parser.add_argument("--translation-of", metavar="SLUG", help="Fill this language of the article with SLUG.")
        parser.add_argument("--title", help="Title for a file that has no title line.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and report without writing.")

    def handle(self, *args, files, language, publish, translation_of, title, dry_run, **options):
        failures = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                failures += 1
                self.stderr.write(f"{name}: cannot read the file ({error.strerror or error})")
                continue
            try:
                outcome = article_import_text(
                    data=data,
                    language=language,
                    source=name,
                    title=title,
                    translation_of=translation_of,
                    publish=publish,
                    dry_run=dry_run,
                )
            except ArticleImportError as error:
                failures += 1
                self.stderr.write(str(error))
                continue
            suffix = " (dry run, nothing written)" if dry_run else ""
            self.stdout.write(f"{name}: {outcome.action} {outcome.url}{suffix}")
            for warning in outcome.warnings:
                self.stdout.write(f"{name}: warning: {warning}")
        if failures:
            # Each failure already has its one line on stderr; the exit status tells scripts the rest.
            sys.exit(1)

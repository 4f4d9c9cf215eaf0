"""Import the old site's plain-text page exports (new articles, or translations of existing ones)."""
from articles.exchange.importing import ArticleImportError, article_import_text
from articles.management.file_commands import FileImportCommand


class Command(FileImportCommand):
    refusals = (ArticleImportError,)
    help = (
        "Import plain-text article exports. Each file is imported whole or not at all; a failing file does not "
        "stop the others, and importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--language", required=True, help="Language of the text (one of the site's LANGUAGES).")
        parser.add_argument("--publish", action="store_true", help="Release the imported language variant.")
        parser.add_argument("--translation-of", metavar="SLUG", help="Fill this language of the article with SLUG.")
        parser.add_argument("--title", help="Title for a file that has no title line.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and report without writing.")

    def import_file(self, name, data, *, language, publish, translation_of, title, dry_run, **options):
        outcome = article_import_text(
            data=data,
            language=language,
            source=name,
            title=title,
            translation_of=translation_of,
            publish=publish,
            dry_run=dry_run,
        )
        suffix = " (dry run, nothing written)" if dry_run else ""
        self.stdout.write(f"{name}: {outcome.action} {outcome.url}{suffix}")
        for warning in outcome.warnings:
            self.stdout.write(f"{name}: warning: {warning}")

"""Import PO or XLIFF files filled in by outside translators into one language of their articles."""
from articles.exchange import TranslationFileError
from articles.management.file_commands import FileImportCommand
from articles.services import translation_file_import
from publishing.languages import language_codes


class Command(FileImportCommand):
    refusals = (TranslationFileError,)
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

    def import_file(self, name, data, *, language, article, dry_run, **options):
        result = translation_file_import(data=data, name=name, language=language, article_id=article, dry_run=dry_run)
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
            if plan.needs_review:
                self.stdout.write(
                    f"{plan.document.name}: warning: marked as needing review in the file ({', '.join(plan.needs_review)}); "
                    "imported, and marked outdated"
                )

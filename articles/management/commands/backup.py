"""Write the whole content (all languages, tags, references, media files) into one archive."""
from django.core.management.base import BaseCommand, CommandError

from articles.exchange.backup import BackupError, content_backup


class Command(BaseCommand):
    help = (
        "Write every author, category, tag, article (all languages), tag link, reference and media file into one "
        "zip archive at PATH, with natural keys. `manage.py restore PATH` loads it into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. ankasam-2026-01-31.zip")

    def handle(self, *args, path, **options):
        try:
            report = content_backup(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{number} {label}" for label, number in report.counts.items())
        self.stdout.write(f"{report.path}: {counts}, {len(report.media_files)} media files.")
        for name in report.missing_media:
            self.stderr.write(f"warning: media file {name} is referred to but missing from the media storage")

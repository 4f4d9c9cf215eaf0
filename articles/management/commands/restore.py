"""Load a backup archive into an empty database and its media files into the media storage."""
from django.core.management.base import BaseCommand, CommandError

from articles.exchange.backup import BackupError, content_restore


class Command(BaseCommand):
    help = (
        "Load the archive that `manage.py backup` wrote into this database, which must have no content yet (run "
        "`manage.py migrate` on a new database first). Checks every checksum before writing; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to read")

    def handle(self, *args, path, **options):
        try:
            counts = content_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{path}: restored " + ", ".join(f"{number} {label}" for label, number in counts.items()) + ".")

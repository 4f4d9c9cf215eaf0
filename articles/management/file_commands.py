"""What the commands that import files share: each file read and handled on its own, a failure reported on one line
of stderr without stopping the others, and a non-zero exit status when any failed (for scripts)."""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand


class FileImportCommand(BaseCommand):
    """A command over ``files``: ``import_file`` handles one file's bytes and raises one of ``refusals``, whose
    message is the line to print, when the file is refused."""

    refusals: tuple[type[Exception], ...] = ()

    def import_file(self, name: str, data: bytes, **options) -> None:
        raise NotImplementedError

    def handle(self, *args, files, **options):
        failures = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                failures += 1
                self.stderr.write(f"{name}: cannot read the file ({error.strerror or error})")
                continue
            try:
                self.import_file(name, data, **options)
            except self.refusals as error:
                failures += 1
                self.stderr.write(str(error))
        if failures:
            # Each failure already has its line on stderr; the exit status tells scripts the rest.
            sys.exit(1)

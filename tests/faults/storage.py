"""A media storage that refuses every write, as a read-only or full disk would: the fault suite's stand-in where
the machine does not let it mount a small file system of its own."""
from __future__ import annotations

import errno

from django.core.files.storage import FileSystemStorage


class ReadOnlyStorage(FileSystemStorage):
    def save(self, name, content, max_length=None):
        raise OSError(errno.EROFS, "Read-only file system")

"""Backup and restore of the whole published content in one archive: ``manage.py backup PATH`` / ``restore PATH``.

The archive is a zip file holding

- ``content.json``: authors, categories, tags, articles (every language), their tag links and references, in
  Django's JSON serialisation with natural keys (``natural_key`` on each model: slugs, not ids), so it loads into
  any empty database, SQLite or PostgreSQL, whatever ids that database hands out;
- ``media/<name>``: every featured image and author photo the content refers to, byte for byte, read through
  Django's storage API from whatever storage is configured (the local folder, or the S3 bucket every app server
  shares) and written back the same way on restore;
- ``manifest.json``: the format version, when and from what it was made, the number of rows per model and the
  SHA-256 of every file, checked before anything is written on restore.

Derived data is not in the archive and is rebuilt on restore: the search entries, image renditions (made again on
first view). Revisions, users and log entries are not content and are not included.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import posixpath
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation

FORMAT_VERSION = 1
CONTENT_MODELS = (
    "authors.Author",
    "articles.Category",
    "articles.Tag",
    "articles.Article",
    "articles.TaggedArticle",
    "articles.Reference",
)
# The file fields of the content, (model, field): the media files a backup carries.
MEDIA_FIELDS = (("articles.Article", "featured_image"), ("authors.Author", "photo"))
MAX_MEMBER_BYTES = 200 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; ``str()`` says why in one line. Nothing was written."""


@dataclass
class BackupReport:
    path: Path
    counts: dict[str, int]
    media_files: list[str] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)


def content_models() -> list:
    return [apps.get_model(label) for label in CONTENT_MODELS]


def content_queryset(model):
    """All rows of ``model`` in a stable order, through the base manager (no manager may hide a row)."""
    return model._base_manager.order_by("pk")


class LosslessJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; a backup must give back exactly what it took."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return f"{text[:-6]}Z" if text.endswith("+00:00") else text
        return super().default(o)


def serialize_content() -> str:
    """The content as JSON with natural keys, models in dependency order, rows by id: the same content always gives
    the same text, which is how the round trip is checked."""
    objects = [obj for model in content_models() for obj in content_queryset(model)]
    # modeltranslation reads an untranslated field (``bio`` beside ``bio_tr``) in the active language: the source
    # language, always, so that the same content gives the same archive whoever writes it.
    with translation.override(source_language()):
        return serializers.serialize(
            "json",
            objects,
            indent=1,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
            cls=LosslessJSONEncoder,
        )


def source_language() -> str:
    from modeltranslation.settings import DEFAULT_LANGUAGE

    return DEFAULT_LANGUAGE


def media_names() -> list[str]:
    names = set()
    for label, field_name in MEDIA_FIELDS:
        model = apps.get_model(label)
        names.update(
            name for name in model._base_manager.exclude(**{field_name: ""}).values_list(field_name, flat=True) if name
        )
    return sorted(names)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_backup(*, path: Path | str) -> BackupReport:
    """Write the archive to ``path`` (a new file; an existing one is replaced only when the archive is complete)."""
    path = Path(path)
    with transaction.atomic():  # one consistent snapshot of every table, on PostgreSQL too
        content = serialize_content()
        counts = {label: model._base_manager.count() for label, model in zip(CONTENT_MODELS, content_models())}
        names = media_names()
    report = BackupReport(path=path, counts=counts)
    files = {}
    for name in names:
        try:
            with default_storage.open(name, "rb") as handle:
                files[name] = handle.read()
        except (FileNotFoundError, OSError):
            report.missing_media.append(name)
            continue
        report.media_files.append(name)
    manifest = {
        "format": FORMAT_VERSION,
        "created": timezone.now().isoformat(),
        "models": counts,
        "content_sha256": _sha256(content.encode()),
        "media": {name: _sha256(data) for name, data in files.items()},
        "missing_media": report.missing_media,
    }
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
            archive.writestr("content.json", content)
            for name, data in files.items():
                archive.writestr(f"media/{name}", data)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {path}: {error.strerror or error}") from error
    return report


def _safe_media_name(name: str) -> str:
    """A stored media name from an archive, refused if it could leave the media directory."""
    normalised = posixpath.normpath(name)
    if not name or name != normalised or normalised.startswith(("/", "../")) or normalised == ".." or "\\" in name:
        raise BackupError(f"the archive names an unsafe media path: {name!r}")
    return normalised


def _read_archive(path: Path) -> tuple[dict, str, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{path}: not a backup archive ({error})") from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if "manifest.json" not in members or "content.json" not in members:
            raise BackupError(f"{path}: not a backup archive (manifest.json or content.json missing)")
        if any(info.file_size > MAX_MEMBER_BYTES for info in members.values()):
            raise BackupError(f"{path}: a file in the archive is larger than {MAX_MEMBER_BYTES // 2**20} MB")
        try:
            manifest = json.loads(archive.read("manifest.json"))
            content = archive.read("content.json").decode("utf-8")
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as error:
            raise BackupError(f"{path}: damaged archive ({error})") from None
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"{path}: archive format {manifest.get('format')!r}, this version reads {FORMAT_VERSION}")
        if _sha256(content.encode()) != manifest.get("content_sha256"):
            raise BackupError(f"{path}: content.json does not match its checksum; the archive is damaged")
        files = {}
        for name, digest in (manifest.get("media") or {}).items():
            name = _safe_media_name(name)
            try:
                data = archive.read(f"media/{name}")
            except (KeyError, zipfile.BadZipFile):
                raise BackupError(f"{path}: media file {name} is missing from the archive") from None
            if _sha256(data) != digest:
                raise BackupError(f"{path}: media file {name} does not match its checksum; the archive is damaged")
            files[name] = data
    return manifest, content, files


def _assert_empty() -> None:
    filled = [label for label, model in zip(CONTENT_MODELS, content_models()) if model._base_manager.exists()]
    if filled:
        raise BackupError(
            "the database already has content (" + ", ".join(filled) + "); restore into an empty database "
            "(a new one after `manage.py migrate`, or `manage.py flush`)"
        )


@transaction.atomic
def content_restore(*, path: Path | str) -> dict[str, int]:
    """Load the archive at ``path`` into this (empty) database and its media files into the media storage.

    Everything is checked first (checksums, safe names, an empty database) and the rows are written in one
    transaction: a failure leaves the database as it was and removes the media files written so far.
    """
    from ..search.index import search_index_update

    path = Path(path)
    manifest, content, files = _read_archive(path)
    _assert_empty()
    counts: Counter[str] = Counter()
    written: list[str] = []
    try:
        deferred = []
        with translation.override(source_language()):  # as the archive was written (serialize_content)
            for stored in serializers.deserialize("json", io.StringIO(content), handle_forward_references=True):
                label = stored.object._meta.label
                if label not in CONTENT_MODELS:
                    raise BackupError(f"{path}: unexpected {label} rows in the archive")
                stored.save()
                counts[label] += 1
                if stored.deferred_fields:
                    deferred.append(stored)
            for stored in deferred:  # rows that named a row further down the archive
                stored.save_deferred_fields()
        expected = {label: int(number) for label, number in (manifest.get("models") or {}).items()}
        if {label: counts.get(label, 0) for label in expected} != expected:
            raise BackupError(f"{path}: the archive holds other rows than its manifest lists; nothing was restored")
        for name, data in files.items():
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as handle:
                    if handle.read() == data:
                        continue
                raise BackupError(f"a different media file {name} is already stored; nothing was restored")
            saved = default_storage.save(name, ContentFile(data))
            written.append(saved)
            if saved != name:
                raise BackupError(f"media file {name} could not be stored under its own name; nothing was restored")
        article_model = apps.get_model("articles", "Article")
        search_index_update(article_ids=list(article_model._base_manager.values_list("pk", flat=True)))
    except (DeserializationError, IntegrityError, DatabaseError, ValueError, LookupError) as error:
        _remove(written)
        raise BackupError(f"{path}: the content cannot be loaded ({error}); nothing was restored") from None
    except BaseException:
        _remove(written)
        raise
    return dict(counts)


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)

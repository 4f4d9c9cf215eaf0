"""Backup and restore: the whole content (all languages, tags, references, media bytes) survives a dump, an empty
database and a restore identically; a damaged or hostile archive, or a database that is not empty, loses nothing."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, override_settings
from PIL import Image

from articles.exchange.backup import BackupError, content_backup, content_models, content_restore, serialize_content
from articles.models import Article, Category, Reference, SearchEntry, Tag, TaggedArticle
from authors.models import Author
from tests.factories import make_article, make_author, make_category, make_reference, make_tag

PROJECT = Path(__file__).resolve().parents[2]


def jpeg(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def media_bytes() -> dict[str, bytes]:
    names = [a.featured_image.name for a in Article.objects.exclude(featured_image="")]
    names += [a.photo.name for a in Author.objects.exclude(photo="")]
    return {name: default_storage.open(name).read() for name in names}


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def rows_by_natural_key() -> dict[str, dict]:
    """Every field of every content row except the database id, keyed by model and natural key."""
    rows = {}
    for item in json.loads(serialize_content()):
        fields = dict(item["fields"])
        key = item["model"] + ":" + json.dumps(
            [fields.get(name) for name in ("slug_tr", "slug", "marker", "content_object", "tag", "article")]
        )
        rows[key] = fields
    return rows


class BackupTestCase(TestCase):
    def setUp(self):
        media = tempfile.mkdtemp(prefix="ankasam-backup-media-")
        self.addCleanup(shutil.rmtree, media, True)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.archive = Path(tempfile.mkdtemp(prefix="ankasam-backup-")) / "content.zip"
        self.addCleanup(shutil.rmtree, self.archive.parent, True)
        self.build_content()

    def build_content(self) -> None:
        energy = make_tag("Energy", tr="Enerji", ru="Энергетика")
        security = make_tag("Security", tr="Güvenlik", ru="Безопасность")
        category = make_category()
        author = make_author("Berra", "Kızılyazı", bio_tr="<p>Türkçe <em>biyografi</em>.</p>")
        author.bio_ru = "<p>Биография.</p>"
        author.photo = SimpleUploadedFile("portrait.jpg", jpeg((10, 80, 200)), content_type="image/jpeg")
        author.save()
        article = make_article(
            "Complete", tags=(energy, security), category=category, published=("tr", "ru"),
            highlights_en="A <b>key</b> line", featured_image_alt_ru="Описание",
            body="<p>Şu metin[1] and <strong>more</strong>[ii].</p>",
        )
        article.featured_image = SimpleUploadedFile("cover.jpg", jpeg(), content_type="image/jpeg")
        article.save()
        article.authors.add(author)
        make_reference(article, "1", url="https://example.org/a", accessed_on=date(2025, 3, 18))
        make_reference(article, "ii", text_ru="Источник")
        draft = make_article("Draft only", languages=("en",), published=(), tags=(security,))
        draft.authors.add(author)

    def wipe_content(self) -> None:
        for name in media_bytes():
            default_storage.delete(name)
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "renditions", ignore_errors=True)  # made by the saves above
        for model in reversed(content_models()):
            model._base_manager.all().delete()
        SearchEntry.objects.all().delete()


class RoundTripTests(BackupTestCase):
    def test_dump_empty_database_restore_gives_every_field_and_media_byte_back(self):
        before_rows, before_media = rows_by_natural_key(), media_bytes()
        self.assertEqual(len(before_media), 2)
        before_search = SearchEntry.objects.count()
        call_command("backup", str(self.archive), stdout=io.StringIO())

        self.wipe_content()
        self.assertFalse(Article.objects.exists())
        self.assertEqual(media_bytes(), {})

        out = io.StringIO()
        call_command("restore", str(self.archive), stdout=out)
        self.assertIn("2 articles.Article", out.getvalue())
        self.assertEqual(rows_by_natural_key(), before_rows)
        self.assertEqual(media_bytes(), before_media)
        article = Article.objects.get(title_en="Complete en")
        self.assertEqual(sorted(tag.name_ru for tag in article.tags.all()), ["Безопасность", "Энергетика"])
        self.assertEqual([r.marker for r in article.references.all()], ["1", "ii"])
        self.assertEqual(article.authors.get().bio_ru, "<p>Биография.</p>")
        self.assertEqual(SearchEntry.objects.count(), before_search, "the search follows the restored content")

    def test_the_archive_restores_identically_into_a_new_sqlite_database(self):
        content_backup(path=self.archive)
        workdir = Path(tempfile.mkdtemp(prefix="ankasam-restore-"))
        self.addCleanup(shutil.rmtree, workdir, True)
        environment = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'new.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
        }

        def manage(*arguments):
            result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=environment,
                                    capture_output=True, text=True, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            return result

        manage("migrate", "--noinput", "-v0")
        manage("restore", str(self.archive))
        manage("backup", str(workdir / "again.zip"))
        with zipfile.ZipFile(self.archive) as first, zipfile.ZipFile(workdir / "again.zip") as second:
            self.assertEqual(first.read("content.json"), second.read("content.json"))
            self.assertEqual(sorted(first.namelist()), sorted(second.namelist()))
            for name in first.namelist():
                if name.startswith("media/"):
                    self.assertEqual(first.read(name), (workdir / "media" / name.removeprefix("media/")).read_bytes())


class RefusedRestoreTests(BackupTestCase):
    def rewrite_archive(self, change) -> None:
        with zipfile.ZipFile(self.archive) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        change(members)
        with zipfile.ZipFile(self.archive, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    def assert_refused(self, pattern: str) -> None:
        with self.assertRaisesRegex(CommandError, pattern):
            call_command("restore", str(self.archive), stdout=io.StringIO())

    def test_restoring_over_existing_content_is_refused_and_changes_nothing(self):
        content_backup(path=self.archive)
        before = rows_by_natural_key()
        self.assert_refused("already has content")
        self.assertEqual(rows_by_natural_key(), before)

    def test_a_damaged_or_tampered_archive_is_refused_before_anything_is_written(self):
        content_backup(path=self.archive)
        self.wipe_content()
        cases = {
            "checksum": lambda m: m.__setitem__("content.json", m["content.json"].replace(b"Complete", b"Tampered")),
            "media file .* checksum": lambda m: m.__setitem__(
                next(n for n in m if n.startswith("media/")), b"not the image"),
            "not a backup archive": lambda m: m.pop("manifest.json"),
        }
        pristine = self.archive.read_bytes()
        for pattern, change in cases.items():
            with self.subTest(pattern):
                self.archive.write_bytes(pristine)
                self.rewrite_archive(change)
                self.assert_refused(pattern)
                self.assertFalse(Article.objects.exists())
                self.assertEqual(stored_files(), [])
        self.archive.write_bytes(b"PK\x03\x04 truncated")
        self.assert_refused("not a backup archive")

    def test_a_media_path_escaping_the_media_folder_is_refused(self):
        content_backup(path=self.archive)
        self.wipe_content()

        def escape(members):
            manifest = json.loads(members["manifest.json"])
            manifest["media"] = {"../../escaped.txt": manifest["media"].popitem()[1]}
            members["manifest.json"] = json.dumps(manifest).encode()
        self.rewrite_archive(escape)
        self.assert_refused("unsafe media path")
        self.assertFalse(Path(settings.MEDIA_ROOT).parent.parent.joinpath("escaped.txt").exists())

    def test_rows_that_do_not_load_roll_back_the_whole_restore(self):
        content_backup(path=self.archive)
        self.wipe_content()

        def break_reference(members):
            rows = json.loads(members["content.json"])
            reference = next(row for row in rows if row["model"] == "articles.reference")
            reference["fields"]["article"] = ["no-such-article"]
            members["content.json"] = json.dumps(rows).encode()
            manifest = json.loads(members["manifest.json"])
            manifest["content_sha256"] = hashlib.sha256(members["content.json"]).hexdigest()
            members["manifest.json"] = json.dumps(manifest).encode()
        self.rewrite_archive(break_reference)
        self.assert_refused("cannot be loaded")
        for model in (Author, Category, Tag, Article, TaggedArticle, Reference):
            self.assertFalse(model.objects.exists(), model)
        self.assertEqual(stored_files(), [])

    def test_a_missing_archive_is_a_clear_error(self):
        with self.assertRaisesRegex(BackupError, "no such file"):
            content_restore(path=self.archive.with_name("absent.zip"))


class EveryRestoreRefusalTests(BackupTestCase):
    """Each refusal of ``content_restore``, one by one: the message says what is wrong, and nothing is written (no
    row, no search entry, no media file) into the empty database the restore was meant for."""

    rewrite_archive = RefusedRestoreTests.rewrite_archive
    assert_refused = RefusedRestoreTests.assert_refused

    def setUp(self):
        super().setUp()
        content_backup(path=self.archive)
        self.wipe_content()

    def assert_nothing_written(self, pattern: str, media_before: list[Path] | None = None) -> None:
        self.assert_refused(pattern)
        for model in (*content_models(), SearchEntry):
            self.assertFalse(model._base_manager.exists(), model)
        self.assertEqual(stored_files(), media_before or [])

    @staticmethod
    def resigned(members: dict) -> None:
        """The manifest's checksum of content.json made to match again (a tampered archive that checks out)."""
        manifest = json.loads(members["manifest.json"])
        manifest["content_sha256"] = hashlib.sha256(members["content.json"]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()

    def edit_manifest(self, change) -> None:
        def edit(members):
            manifest = json.loads(members["manifest.json"])
            change(manifest)
            members["manifest.json"] = json.dumps(manifest).encode()
        self.rewrite_archive(edit)

    def edit_rows(self, change) -> None:
        def edit(members):
            rows = json.loads(members["content.json"])
            change(rows)
            members["content.json"] = json.dumps(rows).encode()
            self.resigned(members)
        self.rewrite_archive(edit)

    def test_another_format_version(self):
        self.edit_manifest(lambda manifest: manifest.__setitem__("format", 2))
        self.assert_nothing_written(r"content\.zip: archive format 2, this version reads 1$")

    def test_a_manifest_that_is_not_json(self):
        self.rewrite_archive(lambda members: members.__setitem__("manifest.json", b"{not json"))
        self.assert_nothing_written(r"content\.zip: damaged archive \(Expecting property name")

    def test_content_that_is_not_utf8(self):
        self.rewrite_archive(lambda members: members.__setitem__("content.json", b"\xff\xfe[]"))
        self.assert_nothing_written(r"content\.zip: damaged archive \('utf-8' codec can't decode")

    def test_an_oversized_member(self):
        self.rewrite_archive(lambda members: members.__setitem__("media/huge.bin", b"\0" * (2**20 + 1)))
        with mock.patch("articles.exchange.backup.MAX_MEMBER_BYTES", 2**20):
            self.assert_nothing_written(r"content\.zip: a file in the archive is larger than 1 MB$")

    def test_a_media_file_missing_from_the_archive(self):
        name = next(iter(json.loads(zipfile.ZipFile(self.archive).read("manifest.json"))["media"]))
        self.rewrite_archive(lambda members: members.pop(f"media/{name}"))
        self.assert_nothing_written(rf"content\.zip: media file {name} is missing from the archive$")

    def test_rows_of_a_model_that_is_not_content(self):
        def add_user(rows):
            rows.append({"model": "auth.user", "fields": {"username": "intruder", "password": "!", "is_superuser": True}})
        self.edit_rows(add_user)
        self.assert_nothing_written(r"content\.zip: unexpected auth\.User rows in the archive")
        from django.contrib.auth import get_user_model

        self.assertFalse(get_user_model().objects.filter(username="intruder").exists())

    def test_rows_that_differ_from_the_manifests_counts(self):
        self.edit_rows(lambda rows: rows.remove(next(row for row in rows if row["model"] == "articles.reference")))
        self.assert_nothing_written(r"content\.zip: the archive holds other rows than its manifest lists; "
                                    r"nothing was restored$")

    def test_a_different_media_file_already_stored_under_the_same_name(self):
        manifest = json.loads(zipfile.ZipFile(self.archive).read("manifest.json"))
        first, *_others = sorted(manifest["media"])
        default_storage.save(first, io.BytesIO(b"someone else's file"))
        before = stored_files()
        self.assert_nothing_written(rf"^a different media file {first} is already stored; nothing was restored$",
                                    media_before=before)
        self.assertEqual(default_storage.open(first).read(), b"someone else's file", "the stored file is kept")


@pytest.mark.postgres
class PostgresRoundTripTests(BackupTestCase):
    """The same archive into a brand-new PostgreSQL database: identical content."""

    def test_the_archive_restores_identically_into_a_new_postgresql_database(self):
        self.assertEqual(connection.vendor, "postgresql")
        content_backup(path=self.archive)
        name = f"ankasam_restore_{uuid.uuid4().hex[:10]}"
        settings_dict = connection.settings_dict
        url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{name}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            workdir = Path(tempfile.mkdtemp(prefix="ankasam-restore-"))
            self.addCleanup(shutil.rmtree, workdir, True)
            environment = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(workdir / "media")}
            for arguments in (("migrate", "--noinput", "-v0"), ("restore", str(self.archive)),
                              ("backup", str(workdir / "again.zip"))):
                result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=environment,
                                        capture_output=True, text=True, timeout=300)
                self.assertEqual(result.returncode, 0, result.stderr)
            with zipfile.ZipFile(self.archive) as first, zipfile.ZipFile(workdir / "again.zip") as second:
                self.assertEqual(first.read("content.json"), second.read("content.json"))
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TimestampPrecisionTests(TestCase):
    def test_microseconds_survive_the_archive(self):
        """Django's JSON encoder keeps milliseconds only: a restore would move every timestamp a little."""
        import datetime

        from articles.exchange.backup import serialize_content
        from tests.factories import make_article

        moment = datetime.datetime(2024, 10, 29, 9, 0, 0, 412, tzinfo=datetime.timezone.utc)
        make_article("Precise", published_at=moment)
        self.assertIn('"published_at": "2024-10-29T09:00:00.000412Z"', serialize_content())

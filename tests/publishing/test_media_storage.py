"""Uploads on object storage: configured from the environment, renditions stored beside the originals and then
served without asking the bucket anything, uploads checked before they are stored, a failed save leaving no
object behind, and backups carrying the bucket's objects. Against moto's S3 server on loopback."""
from __future__ import annotations

import io
import tempfile
import urllib.request
from pathlib import Path
from unittest import mock

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import SimpleTestCase, TestCase, override_settings
from PIL import Image
from storages.backends.s3 import S3Storage

from ankasam_site.settings.storage import IMMUTABLE, media_origin, media_storage
from articles.exchange.backup import content_backup, content_models, content_restore
from articles.models import Article
from publishing.renditions import renditions_of
from tests.factories import make_article, make_author
from tests.object_storage import bucket_storages, client, new_bucket, object_names, s3_server


def jpeg(size=(1000, 500), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


class MediaStorageSettingsTests(SimpleTestCase):
    def test_the_local_folder_is_the_default_and_django_media_storage_still_names_a_class(self):
        self.assertEqual(media_storage({}), {"BACKEND": "django.core.files.storage.FileSystemStorage"})
        self.assertEqual(media_storage({"DJANGO_MEDIA_STORAGE": "x.Y"}), {"BACKEND": "x.Y"})

    def test_a_storage_url_names_bucket_prefix_keys_endpoint_and_cdn_domain(self):
        storage = media_storage({"MEDIA_STORAGE_URL": "s3://AK%2F1:s%40cret@media-bucket/site/uploads"
                                 "?endpoint_url=https://minio.internal:9000&custom_domain=cdn.example.org"})
        self.assertEqual(storage["BACKEND"], "storages.backends.s3.S3Storage")
        options = storage["OPTIONS"]
        self.assertEqual((options["bucket_name"], options["location"]), ("media-bucket", "site/uploads"))
        self.assertEqual((options["access_key"], options["secret_key"]), ("AK/1", "s@cret"))
        self.assertEqual(options["endpoint_url"], "https://minio.internal:9000")
        # Public, unsigned, never overwritten, cached for good: what a CDN in front needs.
        self.assertEqual((options["querystring_auth"], options["file_overwrite"]), (False, False))
        self.assertEqual(options["object_parameters"], {"CacheControl": IMMUTABLE})
        self.assertEqual(media_origin(storage, "/media/"), "https://cdn.example.org")

    def test_the_aws_variables_name_the_bucket_too(self):
        storage = media_storage({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_REGION_NAME": "eu-central-1",
                                 "AWS_LOCATION": "media"})
        self.assertEqual(storage["OPTIONS"]["region_name"], "eu-central-1")
        self.assertEqual(storage["OPTIONS"]["location"], "media")
        self.assertEqual(media_origin(storage, "/media/"), "https://b.s3.eu-central-1.amazonaws.com")

    def test_a_malformed_storage_url_is_refused_with_the_reason(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "s3://bucket"):
            media_storage({"MEDIA_STORAGE_URL": "https://bucket.example.org/"})
        with self.assertRaisesMessage(ImproperlyConfigured, "unknown option(s) endpoint"):
            media_storage({"MEDIA_STORAGE_URL": "s3://bucket?endpoint=x"})


class ObjectStorageTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = s3_server()
        cls.endpoint = cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)

    def setUp(self):
        self.bucket = new_bucket(self.endpoint)
        override = override_settings(STORAGES=bucket_storages(self.endpoint, self.bucket))
        override.enable()
        self.addCleanup(override.disable)

    def objects(self) -> list[str]:
        return object_names(self.endpoint, self.bucket)

    def test_an_upload_and_its_renditions_live_in_the_bucket_and_answer_publicly(self):
        article = make_article("Pictured", featured_image_alt_en="A bridge")
        article.featured_image = ContentFile(jpeg(), name="holiday.jpg")
        article.save()
        self.assertIn(f"media/{article.featured_image.name}", self.objects())
        renditions = renditions_of(article.featured_image)
        urls = [file.url for file in renditions.webp + renditions.fallback]
        self.assertEqual(len(urls), 10)  # 320, 480, 640, 960 and the upload's own 1000 px, WebP and JPEG
        for url in urls:
            self.assertTrue(url.startswith(f"{self.endpoint}/{self.bucket}/media/renditions/"), url)
            with urllib.request.urlopen(url) as answer:  # unsigned: a CDN or a browser fetches it as it is
                self.assertEqual(answer.status, 200)
                self.assertEqual(answer.headers["Cache-Control"], IMMUTABLE)
        self.assertEqual(len([name for name in self.objects() if "/renditions/" in name]), 10)

    def test_pages_never_ask_the_bucket_once_the_renditions_are_known(self):
        article = make_article("Pictured", featured_image_alt_en="A bridge")
        article.featured_image = ContentFile(jpeg(), name="a.jpg")
        article.save()  # the upkeep makes the renditions after the save
        calls = []
        spies = [mock.patch.object(S3Storage, name, autospec=True, side_effect=lambda *a, name=name, **k: calls.append(name))
                 for name in ("exists", "listdir", "size", "_open")]
        for spy in spies:
            spy.start()
            self.addCleanup(spy.stop)
        for language in ("en", "tr"):
            page = self.client.get(article.url_in(language), headers={"cache-control": "no-cache"})
            self.assertContains(page, f"{self.endpoint}/{self.bucket}/media/renditions/")
        self.assertEqual(calls, [])

    def test_an_invalid_upload_is_refused_before_anything_is_stored(self):
        article = make_article("Pictured")
        article.featured_image = ContentFile(b"GIF89a not really", name="cat.gif")
        with self.assertRaises(ValidationError):
            article.save()
        self.assertEqual(self.objects(), [])

    def test_a_save_that_fails_after_storing_the_upload_leaves_no_object(self):
        article = make_article("Pictured")
        article.featured_image = ContentFile(jpeg(), name="a.jpg")
        with mock.patch("articles.upkeep.article_saved", side_effect=RuntimeError("the database went away")):
            with self.assertRaises(RuntimeError), transaction.atomic():
                article.save()
        self.assertEqual(self.objects(), [])
        self.assertEqual(Article.objects.get(pk=article.pk).featured_image.name, "")

    def test_backup_and_restore_carry_the_buckets_objects(self):
        author = make_author()
        author.photo = ContentFile(jpeg((300, 300), (10, 90, 200)), name="me.jpg")
        author.save()
        article = make_article("Pictured")
        article.featured_image = ContentFile(jpeg(), name="a.jpg")
        article.save()
        originals = {name: default_storage.open(name).read() for name in (author.photo.name, article.featured_image.name)}
        archive = Path(tempfile.mkdtemp()) / "backup.zip"
        report = content_backup(path=archive)
        self.assertEqual(sorted(report.media_files), sorted(originals))
        for model in reversed(content_models()):
            model._base_manager.all().delete()
        emptied = new_bucket(self.endpoint)
        with override_settings(STORAGES=bucket_storages(self.endpoint, emptied)):
            content_restore(path=archive)
            restored = {name: default_storage.open(name).read() for name in originals}
        self.assertEqual(restored, originals)
        self.assertEqual(sorted(object_names(self.endpoint, emptied)), sorted(f"media/{name}" for name in originals))
        client(self.endpoint)  # the server still answers after the round trip

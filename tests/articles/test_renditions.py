"""Responsive renditions: made once, served with srcset and sizes, turned upright, stripped of metadata."""
import shutil
import tempfile
from io import BytesIO
from pathlib import Path
from unittest import mock

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from publishing.renditions import Rendition, renditions_of
from tests.factories import make_article, make_author
from tests.trust.helpers import form_data, make_editor

ORIENTATION = 0x0112


def image_file(size=(2000, 1000), *, format="JPEG", mode="RGB", orientation=None, camera=None) -> ContentFile:
    buffer = BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if camera:
        exif[0x010F] = camera  # Make
    Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)).save(
        buffer, format, exif=exif.tobytes()
    )
    return ContentFile(buffer.getvalue(), name=f"upload.{format.lower()}")


class RenditionTests(TestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, True)
        cache.clear()

    def article_with(self, upload: ContentFile, **fields):
        article = make_article("Pictured", featured_image_alt_en="Tanks on a bridge", **fields)
        article.featured_image.save(upload.name, upload, save=True)
        return article

    def stored(self, url: str) -> Image.Image:
        return Image.open(Path(self.media) / url.removeprefix("/media/"))

    def test_article_page_serves_webp_and_jpeg_srcsets_with_sizes_and_dimensions(self):
        article = self.article_with(image_file((2000, 1000)))
        page = BeautifulSoup(self.client.get(article.url_in("en")).content, "html.parser")
        picture = page.select_one(".post__image picture")
        source = picture.select_one('source[type="image/webp"]')
        img = picture.select_one("img")
        widths = [int(part.split()[1].rstrip("w")) for part in source["srcset"].split(", ")]
        self.assertEqual(widths, [320, 480, 640, 960, 1280, 1600])
        self.assertTrue(all(part.split()[0].endswith(".webp") for part in source["srcset"].split(", ")))
        self.assertEqual({self.stored(part.split()[0]).format for part in img["srcset"].split(", ")}, {"JPEG"})
        self.assertEqual(source["sizes"], img["sizes"])
        self.assertEqual((img["width"], img["height"]), ("1600", "800"))
        self.assertEqual(img["alt"], "Tanks on a bridge")
        self.assertEqual(self.stored(img["src"]).size, (960, 480))
        for part in source["srcset"].split(", "):
            url, width = part.split()
            stored = self.stored(url)
            self.assertEqual(stored.format, "WEBP")
            self.assertEqual(stored.width, int(width.rstrip("w")))

    def test_renditions_are_made_once_by_the_save_and_reused(self):
        with mock.patch.object(Rendition, "generate", autospec=True, side_effect=Rendition.generate) as made:
            article = self.article_with(image_file((1000, 500)))  # the upkeep after the save makes them
            count = made.call_count
            self.assertEqual(count, 2 * 5)  # WebP and JPEG at 320, 480, 640, 960 and the upload's own 1000
            first = self.client.get(article.url_in("en")).content
            self.client.get(article.url_in("en"))
            cache.clear()  # even with the list of renditions forgotten, the files are found, not made again
            again = self.client.get(article.url_in("en")).content
        self.assertEqual(made.call_count, count)
        self.assertEqual(
            BeautifulSoup(first, "html.parser").select_one("picture").decode(),
            BeautifulSoup(again, "html.parser").select_one("picture").decode(),
        )

    def test_small_uploads_are_never_enlarged(self):
        article = self.article_with(image_file((400, 300)))
        renditions = renditions_of(article.featured_image)
        self.assertEqual([file.width for file in renditions.fallback], [320, 400])
        self.assertEqual(self.stored(renditions.largest.url).size, (400, 300))

    def test_exif_orientation_is_applied_and_metadata_dropped(self):
        article = self.article_with(image_file((1200, 600), orientation=6, camera="SecretCam"))
        renditions = renditions_of(article.featured_image)
        self.assertEqual((renditions.largest.width, renditions.largest.height), (600, 1200))
        for file in renditions.webp + renditions.fallback:
            stored = self.stored(file.url)
            self.assertEqual(stored.size, (file.width, file.height))
            self.assertEqual(dict(stored.getexif()), {}, file.url)
            self.assertNotIn("exif", stored.info)

    def test_transparent_uploads_fall_back_to_png(self):
        article = self.article_with(image_file((800, 400), format="PNG", mode="RGBA"))
        renditions = renditions_of(article.featured_image)
        self.assertEqual(renditions.fallback_type, "image/png")
        self.assertEqual(self.stored(renditions.largest.url).mode, "RGBA")

    def test_author_photo_is_served_as_renditions(self):
        author = make_author("Hatice", "Çiftçioğlu")
        make_article("By her").authors.add(author)
        author.photo.save("p.jpg", image_file((900, 900)), save=True)
        with translation.override("en"):
            url = author.get_absolute_url()
        img = BeautifulSoup(self.client.get(url).content, "html.parser").select_one(".author-profile__photo img")
        self.assertEqual(img["sizes"], "160px")
        self.assertIn("320w", img["srcset"])
        self.assertEqual((img["width"], img["height"]), ("900", "900"))
        self.assertEqual(img["alt"], "Hatice ÇİFTÇİOĞLU")

    def test_an_unreadable_upload_does_not_break_the_page(self):
        article = make_article("Broken")
        article.featured_image.save("x.jpg", ContentFile(b"not an image", name="x.jpg"), save=False)
        type(article).objects.filter(pk=article.pk).update(featured_image=article.featured_image.name)
        response = self.client.get(article.url_in("en"))
        self.assertEqual(response.status_code, 200)
        img = BeautifulSoup(response.content, "html.parser").select_one(".post__image img")
        self.assertEqual(img["src"], article.featured_image.url)


class MissingMediaTests(TestCase):
    """A database restored without its media: the stored name points at no file. Editing and reading go on."""

    def setUp(self):
        self.media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, True)
        cache.clear()
        self.article = make_article("Pictured", featured_image_alt_en="Tanks on a bridge")
        self.article.featured_image.save("cover.jpg", image_file((800, 400)), save=True)
        self.stored_name = self.article.featured_image.name
        # Restored without its media: the upload and the renditions its save made are gone, the cache is new.
        (Path(self.media) / self.stored_name).unlink()
        shutil.rmtree(Path(self.media) / "renditions", ignore_errors=True)
        cache.clear()

    def test_the_admin_saves_an_article_whose_image_file_is_missing(self):
        self.client.force_login(make_editor())
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        response = self.client.post(url, {**form_data(page.content), "title_en": "Pictured, edited"})
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title_en, "Pictured, edited")
        self.assertEqual(self.article.featured_image.name, self.stored_name, "the stored name is kept for the restore")

    def test_the_public_page_leaves_a_missing_image_out(self):
        response = self.client.get(self.article.url_in("en"))
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content, "html.parser")
        self.assertIsNone(page.select_one(".post__image img"), "no broken image")
        self.assertIsNone(page.select_one('meta[property="og:image"]'))
        self.assertEqual(renditions_of(self.article.featured_image), None)

    def test_the_admin_says_the_file_is_missing_instead_of_a_broken_preview(self):
        self.client.force_login(make_editor())
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        page = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertContains(page, f"The file {self.stored_name} is missing from the media folder")
        self.assertNotContains(page, f'<img src="/media/{self.stored_name}"')

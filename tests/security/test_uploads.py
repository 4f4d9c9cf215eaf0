"""Attacks through uploaded photos and featured images: disguised formats, decompression bombs, broken files,
metadata that gives away where a photo was taken, and file names that try to leave the media folder."""
from __future__ import annotations

import io
import re
import shutil
import struct
import tempfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from publishing.images import MAX_FRAMES
from articles.models import Article
from authors.models import Author
from tests.security.helpers import article_form_data, author_form_data, make_editor

GPS_LATITUDE = 2


def image_bytes(image_format: str, size: tuple[int, int] = (40, 20), **options) -> bytes:
    mode = "P" if image_format == "GIF" else "RGB"
    buffer = io.BytesIO()
    Image.new(mode, size, 1 if mode == "P" else (200, 30, 30)).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: stored sideways with an orientation tag, the camera and the GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[GPS_LATITUDE] = "N", (39.0, 55.0, 12.0)
    return image_bytes("JPEG", (60, 20), exif=exif.tobytes(), comment=b"home address")


def png_header_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header announces ``width`` × ``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def gif_with_frames(frames: int, width: int = 1, height: int = 1) -> bytes:
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return head + frame * frames + b"\x3b"


DISGUISED = {
    "psd": b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 20, 40, 8, 3) + b"\x00" * 64,
    "tiff": image_bytes("TIFF"),
    "eps": image_bytes("EPS"),
    "bmp": image_bytes("BMP"),
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
    "html": b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
}


class UploadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def setUp(self):
        self.media = tempfile.mkdtemp(prefix="ankasam-media-")
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        media_settings = override_settings(MEDIA_ROOT=self.media)
        media_settings.enable()
        self.addCleanup(media_settings.disable)
        self.client.force_login(self.editor)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def upload_photo(self, content: bytes, name: str = "photo.jpg"):
        data = author_form_data(photo=SimpleUploadedFile(name, content, content_type="image/jpeg"))
        return self.client.post(reverse("admin:authors_author_add"), data)

    def assert_refused(self, response, message: str) -> None:
        self.assertEqual(response.status_code, 200, "a refused upload is a form error, not a redirect or a 500")
        self.assertIn("photo", response.context["adminform"].form.errors)
        self.assertRegex(" ".join(response.context["adminform"].form.errors["photo"]), message)
        self.assertFalse(Author.objects.exists())

    def test_other_formats_renamed_jpg_are_refused_with_a_form_error(self):
        for kind, content in DISGUISED.items():
            with self.subTest(kind):
                self.assert_refused(self.upload_photo(content, f"{kind}-disguised.jpg"), "JPEG|valid image")

    def test_a_featured_image_in_another_format_is_refused_on_the_article_form(self):
        data = article_form_data(title_en="With image", body_en="<p>Text</p>",
                                 featured_image=SimpleUploadedFile("cover.jpg", DISGUISED["tiff"]))
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("featured_image", response.context["adminform"].form.errors)
        self.assertFalse(Article.objects.exists())

    def test_decompression_bombs_are_refused_with_a_form_error(self):
        bombs = {
            "100000x100000 png": png_header_claiming(100_000, 100_000),
            "8000x8000 png": png_header_claiming(8_000, 8_000),
            "2000x2000 gif x 11 frames": gif_with_frames(11, 2_000, 2_000),
            "1x1 gif x too many frames": gif_with_frames(MAX_FRAMES + 1),
        }
        for kind, content in bombs.items():
            with self.subTest(kind):
                self.assertLess(len(content), 100_000, "a bomb is small on the wire")
                self.assert_refused(self.upload_photo(content, "bomb.png"), r"too many (pixels|frames)")

    def test_a_bomb_past_pillows_own_limit_is_told_the_pixel_limit(self):
        """Pillow refuses to open it at all; the editor still learns it is the pixel count, and the limit."""
        self.assertGreater(100_000 * 100_000, 2 * Image.MAX_IMAGE_PIXELS)
        response = self.upload_photo(png_header_claiming(100_000, 100_000), "bomb.png")
        self.assert_refused(response, "^The image has too many pixels; the limit is 40,000,000.$")

    def test_truncated_and_corrupt_images_are_refused_with_a_form_error(self):
        jpeg = image_bytes("JPEG", (400, 300))
        broken = {
            "truncated jpeg": jpeg[: len(jpeg) // 2],
            "jpeg header then noise": jpeg[:200] + bytes(range(256)) * 8,
            "truncated png": image_bytes("PNG", (400, 300))[:-40],
            "empty": b"",
        }
        for kind, content in broken.items():
            with self.subTest(kind):
                response = self.upload_photo(content)
                self.assertEqual(response.status_code, 200)
                self.assertIn("photo", response.context["adminform"].form.errors)
        self.assertFalse(Author.objects.exists())

    def test_exif_and_gps_are_stripped_from_the_stored_photo_after_applying_orientation(self):
        original = phone_photo()
        self.assertIn(b"PhoneMaker", original)
        response = self.upload_photo(original)
        self.assertEqual(response.status_code, 302)
        author = Author.objects.get()
        with author.photo.open("rb") as stored:
            data = stored.read()
        with Image.open(io.BytesIO(data)) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertEqual(image.size, (20, 60), "orientation applied before the tag was dropped")
            exif = image.getexif()
            self.assertEqual(dict(exif), {})
            self.assertEqual(dict(exif.get_ifd(0x8825)), {})
            self.assertNotIn("comment", image.info)
        for secret in (b"PhoneMaker", b"home address", b"Exif"):
            self.assertNotIn(secret, data)

    def test_metadata_is_stripped_from_png_webp_and_gif_too(self):
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(0x8825)[GPS_LATITUDE] = (39.0, 55.0, 12.0)
        for image_format in ("PNG", "WEBP", "GIF"):
            with self.subTest(image_format):
                Author.objects.all().delete()
                content = image_bytes(image_format, exif=exif.tobytes())
                self.assertEqual(self.upload_photo(content, "photo.jpg").status_code, 302)
                photo = Author.objects.get().photo
                self.assertTrue(photo.name.endswith(f".{image_format.lower()}"), "named by its real format")
                with photo.open("rb") as stored:
                    data = stored.read()
                self.assertNotIn(b"PhoneMaker", data)
                with Image.open(io.BytesIO(data)) as image:
                    self.assertEqual(image.format, image_format)
                    self.assertEqual(dict(image.getexif()), {})

    def test_path_traversal_and_odd_file_names_never_reach_the_file_system(self):
        names = ("../../../etc/passwd.jpg", "..\\..\\win.ini.jpg", "<script>alert(1)</script>.jpg",
                 "photo.jpg\x00.html", "ünïcødé фото.jpg", "." * 200 + "jpg", "photo.php.jpg")
        stored_count = 0
        for name in names:
            with self.subTest(name):
                Author.objects.all().delete()
                response = self.upload_photo(image_bytes("JPEG"), name)
                if response.status_code == 200:  # refusing the name (too long, bad extension) is as good
                    self.assertIn("photo", response.context["adminform"].form.errors)
                    continue
                self.assertEqual(response.status_code, 302)
                stored = Author.objects.get().photo.name
                self.assertRegex(stored, r"^authors/\d{4}/[0-9a-f]{32}\.jpg$")
                stored_count += 1
        self.assertGreaterEqual(stored_count, 4, "ordinary odd names are accepted under a generated name")
        media = Path(self.media).resolve()
        for path in media.rglob("*"):
            self.assertTrue(path.resolve().is_relative_to(media))
            if path.is_file():
                # The upload under its generated name, and the renditions the save made of it under imagekit's.
                allowed = r"[0-9a-f]{32}\.(jpg|webp)" if path.relative_to(media).parts[0] == "renditions" else r"[0-9a-f]{32}\.jpg"
                self.assertIsNotNone(re.fullmatch(allowed, path.name), path.name)

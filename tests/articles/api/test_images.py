"""Images in the read API: the featured image and the authors' photos as the renditions the pages serve (WebP and
a fallback, every width, absolute addresses), with the description in the language asked for."""
from __future__ import annotations

import shutil
import tempfile

from bs4 import BeautifulSoup
from django.test import TestCase, override_settings

from tests.articles.test_renditions import image_file
from tests.factories import make_article, make_author


class ImageTests(TestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp()
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, True)

    def test_the_featured_image_and_photos_are_the_pages_renditions(self):
        article = make_article("Pictured", featured_image_alt_en="Tanks on a bridge", featured_image_alt_ru="Танки")
        upload = image_file((2000, 1000))
        article.featured_image.save(upload.name, upload, save=True)
        author = make_author()
        photo = image_file((500, 600), format="PNG", mode="RGBA")
        author.photo.save(photo.name, photo, save=True)
        article.authors.add(author)

        data = self.client.get(f"/api/v1/en/articles/{article.slug_en}/").json()
        image = data["image"]
        self.assertEqual(image["alt"], "Tanks on a bridge")
        self.assertEqual([item["width"] for item in image["webp"]], [320, 480, 640, 960, 1280, 1600])
        self.assertEqual({item["type"] for item in image["webp"]}, {"image/webp"})
        self.assertEqual({item["type"] for item in image["fallback"]}, {"image/jpeg"})
        self.assertEqual(image["fallback"][-1]["height"], 800)
        self.assertTrue(all(item["url"].startswith("http://testserver/media/") for item in image["webp"]))
        page = BeautifulSoup(self.client.get(article.url_in("en")).content, "html.parser")
        srcset = page.select_one('.post__image source[type="image/webp"]')["srcset"]
        self.assertEqual([part.split()[0] for part in srcset.split(", ")],
                         [item["url"].removeprefix("http://testserver") for item in image["webp"]])
        photo = data["authors"][0]["photo"]
        self.assertEqual({item["type"] for item in photo["fallback"]}, {"image/png"})  # transparent: PNG
        self.assertEqual(self.client.get(f"/api/v1/ru/articles/{article.slug_ru}/").json()["image"]["alt"], "Танки")

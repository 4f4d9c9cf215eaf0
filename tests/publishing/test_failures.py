"""A save whose upload the media storage refuses (disk full, folder read-only) is refused whole, with a message, not a
server error: neither the text without the image nor the image without the text is kept."""
from __future__ import annotations

import errno
from unittest import mock

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from articles.models import Article
from authors.models import Author
from tests.factories import make_article
from tests.security.helpers import article_form_data, author_form_data, make_editor
from tests.security.test_uploads import image_bytes

FULL = OSError(errno.ENOSPC, "No space left on device")


class StorageFailureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article("Kept as it was")

    def setUp(self):
        self.client.force_login(self.editor)
        self.client.raise_request_exception = False

    def test_an_article_with_an_image_the_storage_refuses_is_not_saved_at_all(self):
        data = article_form_data(
            title_en="New with an image", body_en="<p>New body.</p>",
            featured_image=SimpleUploadedFile("photo.png", image_bytes("PNG"), content_type="image/png"),
        )
        with mock.patch.object(FileSystemStorage, "save", side_effect=FULL), \
                self.assertLogs("publishing.failures", "ERROR"):
            response = self.client.post("/admin/articles/article/add/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "could not be stored (No space left on device), so nothing was saved")
        self.assertEqual(list(Article.objects.values_list("title_en", flat=True)), ["Kept as it was en"])

    def test_a_new_author_whose_photo_the_storage_refuses_is_not_created(self):
        data = author_form_data(photo=SimpleUploadedFile("face.png", image_bytes("PNG"), content_type="image/png"))
        with mock.patch.object(FileSystemStorage, "save", side_effect=FULL), \
                self.assertLogs("publishing.failures", "ERROR"):
            response = self.client.post("/admin/authors/author/add/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Author.objects.count(), 0)
        self.assertEqual(Article.objects.count(), 1)

"""When the database cannot be reached the reader gets the translated 503 page, "try again", not a traceback; any
other error stays Django's 500."""
from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.test import TestCase

from tests.factories import make_article


class ErrorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Held up")

    def setUp(self):
        self.client.raise_request_exception = False

    def test_a_database_that_cannot_be_reached_answers_503_in_the_readers_language(self):
        failure = OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")
        with mock.patch("articles.pages.views.article_page", side_effect=failure):
            for code, text in (("ru", "Временно недоступно"), ("en", "Temporarily unavailable"),
                               ("tr", "Geçici olarak kullanılamıyor")):
                with self.subTest(code):
                    response = self.client.get(self.article.url_in(code))
                    self.assertEqual(response.status_code, 503)
                    self.assertEqual(response["Retry-After"], "30")
                    self.assertContains(response, text, status_code=503)
                    self.assertNotContains(response, "5432", status_code=503)

    def test_any_other_error_is_the_500_page(self):
        with mock.patch("articles.pages.views.article_page", side_effect=ValueError("bug")):
            response = self.client.get(self.article.url_in("ru"))
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Ошибка сервера", status_code=500)

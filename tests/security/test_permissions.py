"""Who may see and do what: drafts stay with the editors, logins cannot be guessed, forms cannot be forged, and the
language switcher cannot be turned into a redirect to another site."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article
from tests.factories import make_article, make_author, make_category, make_tag
from tests.security.helpers import article_form_data, make_editor

LANGUAGES = ("tr", "en", "ru")


class DraftVisibilityTests(TestCase):
    """Anonymous readers: a draft, a scheduled article or an unpublished language variant is nowhere to be found."""

    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Security")
        cls.category = make_category("Policy", tr="Politika", ru="Политика")
        cls.author = make_author("Public", "Writer")
        cls.draft_author = make_author("Draft", "Only")
        cls.public = make_article("Public piece", tags=(cls.tag,), category=cls.category)
        cls.public.authors.add(cls.author)
        cls.draft = make_article("Secret draft", published=(), tags=(cls.tag,), category=cls.category)
        cls.draft.authors.add(cls.author, cls.draft_author)
        cls.scheduled = make_article("Secret scheduled", tags=(cls.tag,), category=cls.category,
                                     published_at=timezone.now() + timedelta(days=3))
        cls.scheduled.authors.add(cls.author)
        cls.turkish_only = make_article("Secret translation", published=("tr",), tags=(cls.tag,))
        cls.turkish_only.authors.add(cls.author)
        cls.draft_tag = make_tag("Draft tag")
        cls.draft.tags.add(cls.draft_tag)
        cls.draft_category = make_category("Empty", tr="Boş", ru="Пусто")
        Article.objects.filter(pk=cls.draft.pk).update(category=cls.draft_category)

    def get(self, url: str, code: str):
        with translation.override(code):
            return self.client.get(url)

    def assert_no_secrets(self, response) -> None:
        self.assertNotIn(b"Secret", response.content)

    def test_draft_scheduled_and_unpublished_variant_urls_answer_404(self):
        for code in LANGUAGES:
            for article in (self.draft, self.scheduled):
                with self.subTest(code=code, article=str(article)):
                    self.assertEqual(self.get(article.url_in(code), code).status_code, 404)
        for code in ("en", "ru"):
            with self.subTest(f"turkish-only article in {code}"):
                self.assertEqual(self.get(self.turkish_only.url_in(code), code).status_code, 404)
        self.assertEqual(self.get(self.turkish_only.url_in("tr"), "tr").status_code, 200)

    def test_similar_posts_lists_and_home_never_show_drafts(self):
        for code in ("en", "ru"):
            with self.subTest(code), translation.override(code):
                for url in (self.public.get_absolute_url(), reverse("articles:index")):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assert_no_secrets(response)

    def test_author_tag_and_category_pages_never_show_drafts(self):
        for code in ("en", "ru"):
            with self.subTest(code), translation.override(code):
                for url in (self.author.get_absolute_url(), self.tag.get_absolute_url(),
                            self.category.get_absolute_url(), reverse("articles:authors")):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200, url)
                    self.assert_no_secrets(response)
                    self.assertNotIn(b"ONLY", response.content, "the draft-only author is not listed")
                for url in (self.draft_author.get_absolute_url(), self.draft_tag.get_absolute_url(),
                            self.draft_category.get_absolute_url()):
                    self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_a_guessed_preview_url_sends_anonymous_readers_to_the_login(self):
        for code in LANGUAGES:
            with self.subTest(code), translation.override(code):
                for pk in (self.draft.pk, self.scheduled.pk, 999_999):
                    url = reverse("articles:preview", kwargs={"pk": pk})
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(reverse("admin:login")))
                    self.assert_no_secrets(response)

    def test_a_logged_in_reader_without_rights_cannot_preview(self):
        reader = get_user_model().objects.create_user("reader", password="a-long-reader-password")
        self.client.force_login(reader)
        url = reverse("articles:preview", kwargs={"pk": self.draft.pk})
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assert_no_secrets(response)
        reader.is_staff = True
        reader.save()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403, "staff without the right to change articles")
        self.assert_no_secrets(response)


class EditorPreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = make_article("Secret draft", published=())
        cls.editor = get_user_model().objects.create_user("translator", password="x", is_staff=True)
        cls.editor.user_permissions.add(Permission.objects.get(codename="change_article"))

    def test_editors_preview_drafts_with_a_banner_kept_out_of_caches_and_search_engines(self):
        self.client.force_login(self.editor)
        for code in LANGUAGES:
            with self.subTest(code), translation.override(code):
                response = self.client.get(reverse("articles:preview", kwargs={"pk": self.draft.pk}))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f"Secret draft {code}")
                self.assertContains(response, f"<title>Secret draft {code} · ")  # the tab says which draft
                self.assertContains(response, 'class="preview-banner"')
                self.assertIn("noindex", response["X-Robots-Tag"])
                self.assertIn("no-cache", response["Cache-Control"])
                self.assertIn("private", response["Cache-Control"])

    def test_a_language_without_text_previews_without_error(self):
        turkish_draft = make_article("Taslak", languages=("tr",), published=())
        self.client.force_login(self.editor)
        with translation.override("en"):
            response = self.client.get(reverse("articles:preview", kwargs={"pk": turkish_draft.pk}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Readers cannot see this language variant")

    def test_the_admin_change_form_links_to_the_preview(self):
        self.client.force_login(make_editor())
        with translation.override("en"):
            preview = reverse("articles:preview", kwargs={"pk": self.draft.pk})
        response = self.client.get(reverse("admin:articles_article_change", args=[self.draft.pk]),
                                   HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, f'href="{preview}"')


@override_settings(AXES_FAILURE_LIMIT=5)
class LoginGuessingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def login(self, password: str, username: str = "editor", address: str = "198.51.100.7"):
        return self.client.post(reverse("admin:login"), {"username": username, "password": password},
                                REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")

    def test_password_guessing_is_locked_out_after_five_failures(self):
        for attempt in range(4):
            self.assertEqual(self.login(f"guess-{attempt}").status_code, 200, "an ordinary failed login")
        self.assertEqual(self.login("guess-5").status_code, 429, "the fifth failure locks")
        response = self.login("a-long-editor-password")
        self.assertEqual(response.status_code, 429, "even the right password is refused during the lockout")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "Too many failed logins", status_code=429)

    def test_guessing_from_many_addresses_is_locked_out_by_user_name(self):
        for attempt in range(5):
            self.login(f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")
        response = self.login("a-long-editor-password", address="192.0.2.200")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_successful_login_below_the_limit_works(self):
        for attempt in range(3):
            self.login(f"guess-{attempt}")
        self.assertEqual(self.login("a-long-editor-password").status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.editor.pk))


class CsrfTests(TestCase):
    """Every form that changes something refuses a POST without the CSRF token (the browser's real checks on)."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article("Existing")

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    def token(self, url: str) -> str:
        self.client.get(url)
        return self.client.cookies["csrftoken"].value

    def test_forged_posts_without_a_token_are_refused(self):
        anonymous_forms = {
            reverse("admin:login"): {"username": "editor", "password": "a-long-editor-password"},
            reverse("set_language"): {"language": "ru", "next": "/"},
        }
        for url, data in anonymous_forms.items():
            with self.subTest(url):
                self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.client.force_login(self.editor)
        editor_forms = {
            reverse("admin:articles_article_add"): article_form_data(title_en="Forged", body_en="<p>x</p>"),
            reverse("admin:articles_article_change", args=[self.article.pk]): article_form_data(title_en="Forged"),
            reverse("admin:articles_article_changelist"): {"action": "unpublish_en",
                                                           "_selected_action": [self.article.pk]},
            reverse("admin:articles_article_delete", args=[self.article.pk]): {"post": "yes"},
            reverse("admin:articles_article_import_text"): {"language": "en"},
            reverse("admin:authors_author_add"): {"given_name": "Forged", "family_name": "Author"},
            reverse("admin:articles_tag_add"): {"name_en": "Forged"},
            reverse("admin:password_change"): {"old_password": "a-long-editor-password",
                                               "new_password1": "forged-Password-1", "new_password2": "forged-Password-1"},
            reverse("admin:logout"): {},
        }
        for url, data in editor_forms.items():
            with self.subTest(url):
                self.assertEqual(self.client.post(url, data).status_code, 403)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title_en, "Existing en")
        self.assertTrue(self.article.is_published_en)
        self.assertFalse(Article.objects.filter(title_en="Forged").exists())

    def test_the_same_posts_with_the_token_are_accepted(self):
        token = self.token(reverse("admin:login"))
        response = self.client.post(reverse("admin:login"), {"username": "editor", "password": "a-long-editor-password",
                                                             "csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 302)
        token = self.token(reverse("admin:articles_article_add"))
        data = article_form_data(title_en="Genuine", body_en="<p>x</p>", csrfmiddlewaretoken=token)
        self.assertEqual(self.client.post(reverse("admin:articles_article_add"), data).status_code, 302)
        self.assertTrue(Article.objects.filter(title_en="Genuine").exists())


class LanguageSwitchRedirectTests(TestCase):
    """``set_language``'s ``next`` never sends a reader to another site."""

    OFF_SITE = ("https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example",
                "https:evil.example", "http://testserver.evil.example/", "javascript:alert(1)",
                " https://evil.example/", "https://evil.example\\@testserver/")

    def assert_stays_on_site(self, response) -> None:
        self.assertEqual(response.status_code, 302)
        location = response["Location"]
        self.assertTrue(location.startswith("/") and not location.startswith(("//", "/\\")), location)
        self.assertIn(urlsplit(location).netloc, ("", "testserver"))

    def test_off_site_next_urls_are_ignored(self):
        for next_url in self.OFF_SITE:
            with self.subTest(next_url):
                self.assert_stays_on_site(self.client.post(reverse("set_language"), {"language": "en", "next": next_url}))
                self.assert_stays_on_site(self.client.get(reverse("set_language"), {"next": next_url}))

    def test_an_on_site_next_url_is_followed(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/en/"})
        self.assertRedirects(response, "/en/", fetch_redirect_response=False)

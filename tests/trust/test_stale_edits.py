"""No lost work: two editors open the same object, the first saves, and the second's stale save is refused with a
clear message and the differences per language, while the first save stays whole."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection, transaction
from django.test import Client, RequestFactory, TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from reversion.models import Revision, Version

from articles.models import Article, Tag
from authors.models import Author
from publishing.editing import unchanged_since_check
from tests.clock import clock_at
from tests.factories import make_article, make_author, make_reference, make_tag
from tests.trust.helpers import form_data, make_editor


class StaleSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_editor = make_editor("ayse")
        cls.second_editor = make_editor("boris")
        cls.article = make_article("Shared", body="<p>Original text[1].</p>\n<p>Second paragraph.</p>")
        make_reference(cls.article, "1")

    def client_for(self, user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    def open_form(self, client, name: str, pk: int) -> dict:
        response = client.get(reverse(f"admin:{name}_change", args=[pk]))
        self.assertEqual(response.status_code, 200)
        return form_data(response.content)

    def test_the_conflict_lists_only_fields_that_really_differ(self):
        """A browser posts CRLF line endings and unsanitised markup: what save() would store is compared."""
        self.article.highlights_en = "First key sentence.\nSecond key sentence."
        self.article.save()
        first, second = self.client_for(self.first_editor), self.client_for(self.second_editor)
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        first_form = self.open_form(first, "articles_article", self.article.pk)
        second_form = self.open_form(second, "articles_article", self.article.pk)
        first_form.update(title_en="Renamed by Ayşe")
        self.assertEqual(first.post(url, first_form).status_code, 302)
        second_form.update(
            highlights_en="First key sentence.\r\nSecond key sentence.\r\n",
            body_en=second_form["body_en"].replace("<p>", '<p onclick="x()">'),
        )
        page = BeautifulSoup(second.post(url, second_form).content, "html.parser")
        rows = {(row["data-language"], row["data-field"]) for row in page.select(".edit-conflict tr[data-field]")}
        self.assertEqual(rows, {("en", "title")})

    def test_second_editors_stale_save_is_refused_and_the_first_edit_survives(self):
        first, second = self.client_for(self.first_editor), self.client_for(self.second_editor)
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        first_form = self.open_form(first, "articles_article", self.article.pk)
        second_form = self.open_form(second, "articles_article", self.article.pk)
        self.assertTrue(first_form["loaded_version"], "the form carries the version it was loaded from")

        first_form.update(title_en="Shared, revised by Ayşe", body_ru="<p>Русский текст Айше[1].</p>")
        self.assertEqual(first.post(url, first_form).status_code, 302)

        # The rich-text editor writes every body back without the line breaks between paragraphs: no difference.
        second_form.update(body_en="<p>Boris rewrote this[1].</p>", body_tr=second_form["body_tr"].replace("\n", ""))
        refused = second.post(url, second_form)

        self.assertEqual(refused.status_code, 200, "the stale save is refused, not a traceback")
        page = BeautifulSoup(refused.content, "html.parser")
        message = page.select_one(".errorlist.nonfield .edit-conflict")
        self.assertIsNotNone(message)
        self.assertIn("ayse saved this article", message.get_text(" ", strip=True))
        self.assertIn("Your changes have not been saved", message.get_text(" ", strip=True))
        differences = {(row["data-language"], row["data-field"]) for row in message.select("tr[data-field]")}
        self.assertEqual(differences, {("en", "title"), ("en", "body"), ("ru", "body")})
        body_row = message.select_one('tr[data-language="en"][data-field="body"] .diff')
        self.assertEqual(body_row.find("del").get_text(), "Original text")
        self.assertIn("Boris rewrote this", body_row.find("ins").get_text())
        self.assertEqual(page.find("textarea", attrs={"name": "body_en"}).text.strip(), "<p>Boris rewrote this[1].</p>",
                         "what the second editor typed is still in the form")

        self.article.refresh_from_db()
        self.assertEqual(self.article.title_en, "Shared, revised by Ayşe")
        self.assertEqual(self.article.body_ru, "<p>Русский текст Айше[1].</p>")
        self.assertEqual(self.article.body_en, "<p>Original text[1].</p>\n<p>Second paragraph.</p>")
        self.assertEqual(self.article.references.count(), 1)

    def test_a_resubmitted_stale_form_is_refused_again_and_a_fresh_one_saves(self):
        first, second = self.client_for(self.first_editor), self.client_for(self.second_editor)
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        stale = self.open_form(second, "articles_article", self.article.pk)
        fresh_first = self.open_form(first, "articles_article", self.article.pk)
        self.assertEqual(first.post(url, {**fresh_first, "title_tr": "Birinci"}).status_code, 302)
        self.assertEqual(second.post(url, {**stale, "title_tr": "İkinci"}).status_code, 200)
        self.assertEqual(second.post(url, {**stale, "title_tr": "İkinci"}).status_code, 200)
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_tr, "Birinci")
        reloaded = self.open_form(second, "articles_article", self.article.pk)
        self.assertEqual(second.post(url, {**reloaded, "title_tr": "İkinci"}).status_code, 302)
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_tr, "İkinci")

    def test_markup_in_the_conflicting_versions_is_shown_as_text(self):
        first, second = self.client_for(self.first_editor), self.client_for(self.second_editor)
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        first_form, second_form = self.open_form(first, "articles_article", self.article.pk), self.open_form(
            second, "articles_article", self.article.pk)
        self.assertEqual(first.post(url, {**first_form, "title_en": '<img src=x onerror="alert(1)">'}).status_code, 302)
        refused = second.post(url, {**second_form, "title_en": "<script>alert(2)</script>"})
        message = BeautifulSoup(refused.content, "html.parser").select_one(".edit-conflict")
        self.assertIsNone(message.find("img"))
        self.assertIsNone(message.find("script"))
        self.assertIn('<img src=x onerror="alert(1)">', message.get_text())
        self.assertIn("<script>alert(2)</script>", message.get_text())

    def test_a_crafted_post_without_the_version_token_cannot_overwrite(self):
        editor = self.client_for(self.first_editor)
        data = self.open_form(editor, "articles_article", self.article.pk)
        del data["loaded_version"]
        response = editor.post(reverse("admin:articles_article_change", args=[self.article.pk]), {**data, "title_en": "X"})
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(Article.objects.get(pk=self.article.pk).title_en, "X")

    def test_bios_tags_and_categories_are_protected_too(self):
        author, tag = make_author("Berra", "Kızılyazı", bio_tr="<p>Eski.</p>"), make_tag("Energy")
        for name, obj, field in (("authors_author", author, "bio_en"), ("articles_tag", tag, "name_en")):
            with self.subTest(name):
                first, second = self.client_for(self.first_editor), self.client_for(self.second_editor)
                url = reverse(f"admin:{name}_change", args=[obj.pk])
                first_form, second_form = self.open_form(first, name, obj.pk), self.open_form(second, name, obj.pk)
                self.assertEqual(first.post(url, {**first_form, field: "First"}).status_code, 302)
                refused = second.post(url, {**second_form, field: "Second"})
                self.assertContains(refused, "after you opened it")
                obj.refresh_from_db()
                self.assertIn("First", getattr(obj, field))
        self.assertEqual(Author.objects.get(pk=author.pk).bio_tr, "<p>Eski.</p>")
        self.assertEqual(Tag.objects.get(pk=tag.pk).name_en, "First")


class WhoSavedTests(TestCase):
    """The refusal says who made the save in between and when: the editor of the admin revision that is that save,
    or "someone" when the save left none (a script, an import, a shell), and the time of that save."""

    @classmethod
    def setUpTestData(cls):
        cls.first_editor = make_editor("ayse")
        cls.second_editor = make_editor("boris")
        cls.article = make_article("Shared", body="<p>Original text.</p>")
        cls.url = reverse("admin:articles_article_change", args=[cls.article.pk])

    def setUp(self):
        self.first, self.second = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
        self.first.force_login(self.first_editor)
        self.second.force_login(self.second_editor)
        self.stale = form_data(self.second.get(self.url).content)
        first_form = form_data(self.first.get(self.url).content)
        self.assertEqual(self.first.post(self.url, {**first_form, "title_en": "By Ayşe"}).status_code, 302)

    def refusal(self) -> str:
        response = self.second.post(self.url, {**self.stale, "title_en": "By Boris"})
        self.assertTrue(response.context["adminform"].form.has_error(NON_FIELD_ERRORS, "stale"))
        return BeautifulSoup(response.content, "html.parser").select_one(".edit-conflict").get_text(" ", strip=True)

    def revision_moved(self, seconds: float) -> None:
        """Ayşe's revision recorded ``seconds`` before the article's last save."""
        updated_at = Article.objects.get(pk=self.article.pk).updated_at
        revision = Version.objects.get_for_object(self.article).first().revision
        Revision.objects.filter(pk=revision.pk).update(date_created=updated_at - timedelta(seconds=seconds))

    def test_a_save_in_the_admin_is_named_with_its_editor_and_time(self):
        updated_at = Article.objects.get(pk=self.article.pk).updated_at
        with translation.override("en"):
            when = date_format(timezone.localtime(updated_at), "DATETIME_FORMAT")
        self.assertIn(f"ayse saved this article at {when}, after you opened it.", self.refusal())

    def test_a_later_save_outside_the_admin_is_not_put_on_the_last_admin_editor(self):
        moment = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)
        with clock_at(moment):
            article = Article.objects.get(pk=self.article.pk)
            article.title_en = "By a script"
            article.save()
        with translation.override("en"):
            when = date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        message = self.refusal()
        self.assertIn(f"Someone saved this article at {when}, after you opened it.", message)
        self.assertNotIn("ayse", message)

    def test_a_revision_within_five_seconds_of_the_save_is_that_save(self):
        self.revision_moved(5)
        self.assertIn("ayse saved this article", self.refusal())
        self.revision_moved(5.5)
        self.assertIn("Someone saved this article", self.refusal())


class DeletedMeanwhileTests(TestCase):
    def test_a_save_of_an_object_deleted_after_it_was_opened_is_refused_saying_so(self):
        """The admin answers a change form of a deleted object before validating it; this is the object deleted
        between that and the locked read of the save (or a form used outside the admin)."""
        editor = make_editor("ayse")
        article = make_article("Doomed")
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(editor)
        data = form_data(client.get(reverse("admin:articles_article_change", args=[article.pk])).content)
        request = RequestFactory().post("/")
        request.user = editor
        form_class = admin.site.get_model_admin(Article).get_form(request, article, change=True)
        Article.objects.filter(pk=article.pk).delete()
        with translation.override("en"):
            form = form_class(data={**data, "title_en": "Saved over nothing"}, instance=article)
            self.assertFalse(form.is_valid())
            self.assertTrue(form.has_error(NON_FIELD_ERRORS, "deleted"))
            self.assertEqual(form.non_field_errors(),
                             ["Someone deleted this object after you opened it; nothing was saved."])
        self.assertFalse(Article.objects.filter(pk=article.pk).exists())


class LockedReadTests(TestCase):
    """The article admin reads a save's object under the check's lock (``lock_object_for_save``): the check compares
    with it instead of reading the row again, and what the save leaves as that read found it needs no look-up."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor("ayse")
        cls.article = make_article("Locked")

    def setUp(self):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_change", args=[self.article.pk])

    def reads(self, queries) -> list[str]:
        return [sql for sql in (query["sql"] for query in queries)
                if sql.startswith("SELECT") and f'WHERE "articles_article"."id" = {self.article.pk} ' in sql]

    def test_a_save_reads_its_row_once_under_the_lock_and_a_page_without_it(self):
        # The form stores the date to the second: the first save moves it, and the Similar Posts read the article.
        self.client.post(self.url, {**form_data(self.client.get(self.url).content), "title_en": "Locked"})
        with CaptureQueriesContext(connection) as opened:
            data = form_data(self.client.get(self.url).content)
        with CaptureQueriesContext(connection) as saved:
            self.assertEqual(self.client.post(self.url, {**data, "title_en": "Locked once"}).status_code, 302)
        [read] = self.reads(saved)
        locking = connection.features.has_select_for_update
        self.assertEqual("FOR NO KEY UPDATE" in read, locking)
        self.assertFalse(any(" FOR " in sql for sql in self.reads(opened)))
        # A stale form is still refused by that read.
        self.assertEqual(self.client.post(self.url, {**data, "title_en": "Locked twice"}).status_code, 200)
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_en, "Locked once")

    def test_what_a_checked_save_leaves_as_stored_is_known_unchanged(self):
        request = RequestFactory().post("/")
        request.user = self.editor
        model_admin = admin.site.get_model_admin(Article)
        data = form_data(self.client.get(self.url).content)
        names = ["slug_en", "slug_ru", "category", "title_en"]
        with translation.override("en"), transaction.atomic():
            article = model_admin.get_object(request, str(self.article.pk))
            self.assertEqual(unchanged_since_check(article, names), set(), "nothing before the check")
            form = model_admin.get_form(request, article, change=True)(data={**data, "slug_en": "moved"}, instance=article)
            self.assertTrue(form.is_valid(), form.errors)
            self.assertEqual(unchanged_since_check(article, names), {"slug_ru", "category", "title_en"})


    def test_the_locked_read_keeps_the_admins_own_restriction_of_what_a_user_may_open(self):
        """A host's admin may show each editor only some objects (its ``get_queryset(request)``): the save's read
        under the lock goes through it too, on the same request, so another editor's article is not found."""
        from publishing.editing import EditConflictAdminMixin

        class OwnArticles(admin.ModelAdmin):
            def get_queryset(self, request):
                return super().get_queryset(request).filter(title_en__startswith=request.user.username.capitalize())

        class HostArticleAdmin(EditConflictAdminMixin, OwnArticles):
            lock_object_for_save = True

        own = make_article("Ayse's")
        restricted = HostArticleAdmin(Article, admin.site)
        request = RequestFactory().post("/")
        request.user = self.editor
        with translation.override("en"), transaction.atomic():
            self.assertIsNone(restricted.get_object(request, str(self.article.pk)))
            self.assertEqual(restricted.get_object(request, str(own.pk)), own)
        request = RequestFactory().get("/")
        request.user = self.editor
        self.assertIsNone(restricted.get_object(request, str(self.article.pk)))


class AnyAdminFormTests(TestCase):
    def test_a_form_passed_to_the_admin_is_checked_for_stale_saves_too(self):
        """A ``ModelAdmin`` (or a caller of ``get_form``) may bring its own form: it is refused when stale as well."""
        editor, tag = make_editor("ayse"), make_tag("Energy")
        request = RequestFactory().post("/")
        request.user = editor

        class OwnForm(forms.ModelForm):
            pass

        form_class = admin.site.get_model_admin(Tag).get_form(request, tag, change=True, form=OwnForm)
        self.assertTrue(issubclass(form_class, OwnForm))
        opened = {field.html_name: field.value() for field in form_class(instance=tag)}
        self.assertTrue(opened["loaded_version"])
        tag.name_en = "Energy policy"
        tag.save()
        form = form_class(data={**opened, "name_en": "Energy markets"}, instance=Tag.objects.get(pk=tag.pk))
        self.assertFalse(form.is_valid())
        self.assertTrue(form.has_error(NON_FIELD_ERRORS, "stale"))


@pytest.mark.postgres
class SimultaneousSavesTests(TransactionTestCase):
    """Two saves of the same loaded form at the same instant: the row lock lets exactly one through."""

    def setUp(self):
        ContentType.objects.clear_cache()  # an earlier TransactionTestCase's flush gave the content types new ids

    def test_two_simultaneous_saves_of_one_version_one_wins_one_is_refused(self):
        self.assertEqual(connection.vendor, "postgresql")
        editors = [make_editor("first"), make_editor("second")]
        article = make_article("Race", body="<p>Start.</p>")
        url = reverse("admin:articles_article_change", args=[article.pk])
        clients = []
        for editor in editors:
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(editor)
            clients.append((client, form_data(client.get(url).content)))
        start, statuses = threading.Barrier(2), {}

        def save(number: int) -> None:
            client, data = clients[number]
            start.wait()
            try:
                statuses[number] = client.post(url, {**data, "body_en": f"<p>Editor {number}.</p>"}).status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(number,)) for number in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(sorted(statuses.values()), [200, 302])
        winner = next(number for number, status in statuses.items() if status == 302)
        self.assertEqual(Article.objects.get(pk=article.pk).body_en, f"<p>Editor {winner}.</p>")

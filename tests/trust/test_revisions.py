"""Revisions: every save of an article, author, tag or category is kept (who, when, which language changed), by the
admin, the bulk actions and the importer alike; two revisions compare per language; an old one can be restored."""
from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

import polib
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils.translation import gettext
from reversion.models import Version

from articles.exchange import export_article
from articles.exchange.importing import article_import_text
from articles.models import Article, Category, Reference
from articles.services import article_publish, translation_file_import
from authors.models import Author
from tests.factories import make_article, make_category, make_reference, make_tag
from tests.trust.helpers import form_data, make_editor

EXPORT = (
    "Analysis\n\nRevisions Imported\n\nA highlight.\n\nPaylaş\n\nFirst paragraph with a note.[1]\n\n"
    "[1] Source, https://example.org/a, (Date of Access: 18.03.2025).\n"
)


class RevisionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor("ayse")
        cls.tag, cls.other_tag = make_tag("Energy"), make_tag("Security")
        cls.article = make_article("Kept", body="<p>First words[1].</p>", tags=(cls.tag,), published=("tr",))
        make_reference(cls.article, "1", text_en="First source")

    def setUp(self):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.client.force_login(self.editor)

    def save_in_admin(self, name: str, obj, **changes):
        url = reverse(f"admin:{name}_change", args=[obj.pk])
        response = self.client.post(url, {**form_data(self.client.get(url).content), **changes})
        self.assertEqual(response.status_code, 302, response.content[:3000])

    def test_every_admin_save_keeps_a_revision_with_its_author_and_the_languages_it_changed(self):
        author = Author.objects.create(given_name="Berra", family_name="Kızılyazı")
        category = make_category()
        for name, obj, field in (
            ("articles_article", self.article, "body_ru"),
            ("authors_author", author, "bio_en"),
            ("articles_tag", self.tag, "name_ru"),
            ("articles_category", category, "name_en"),
        ):
            with self.subTest(name):
                self.save_in_admin(name, obj)  # the first revision
                self.save_in_admin(name, obj, **{field: "<p>Changed</p>" if "body" in field or "bio" in field else "Changed"})
                version = Version.objects.get_for_object(obj).select_related("revision__user").first()
                self.assertIsNotNone(version, "a revision was kept")
                self.assertEqual(version.revision.user, self.editor)
                history = self.client.get(reverse(f"admin:{name}_history", args=[obj.pk]))
                row = BeautifulSoup(history.content, "html.parser").select_one(".revision-changes")
                language = field.rsplit("_", 1)[1]
                self.assertRegex(row.get_text(), rf"^{language}: (body|biography|name)$")
                self.assertContains(history, "ayse")

    def test_bulk_publishing_and_the_importer_keep_revisions(self):
        self.client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_en", "_selected_action": [self.article.pk]},
        )
        version = Version.objects.get_for_object(self.article).first()
        self.assertEqual(version.revision.get_comment(), "Published in English")
        self.assertEqual(version.revision.user, self.editor)
        self.assertTrue(version.field_dict["is_published_en"])

        article_publish(articles=[self.article], language="ru")
        self.assertEqual(Version.objects.get_for_object(self.article).first().revision.get_comment(), "Published in Русский")

        imported = article_import_text(data=EXPORT.encode(), language="en", source="export.txt").article
        version = Version.objects.get_for_object(imported).get()
        self.assertEqual(version.revision.get_comment(), "export.txt (en)")
        models_in_revision = {v.content_type.model for v in version.revision.version_set.all()}
        self.assertTrue({"article", "reference", "category"} <= models_in_revision, models_in_revision)

    def test_an_editor_compares_two_revisions_per_language_and_restores_the_older_one(self):
        self.save_in_admin("articles_article", self.article, body_en="<p>First words[1].</p>", title_ru="Старое")
        self.save_in_admin(
            "articles_article", self.article,
            body_en="<p>Rewritten words[1].</p>", title_ru="Новое", tags=[str(self.other_tag.pk)],
            **{"references-0-text_en": "Changed source"},
        )
        older, newer = Version.objects.get_for_object(self.article)[1], Version.objects.get_for_object(self.article)[0]
        compare = self.client.get(
            reverse("admin:articles_article_revision_compare", args=[self.article.pk]),
            {"from": older.pk, "to": newer.pk},
        )
        self.assertEqual(compare.status_code, 200)
        page = BeautifulSoup(compare.content, "html.parser")
        english = page.select_one('[data-language="en"] tr[data-field="body"] .diff')
        self.assertEqual(english.find("del").get_text().strip(), "First")
        self.assertEqual(english.find("ins").get_text().strip(), "Rewritten")
        self.assertEqual(page.select_one('[data-language="ru"] tr[data-field="title"] .diff ins').get_text(), "Новое")
        self.assertIn("Security", page.select_one('[data-language=""] tr[data-field="tags"] .diff ins').get_text())

        restore_url = reverse("admin:articles_article_revision", args=[self.article.pk, older.pk])
        shown = self.client.get(restore_url)
        self.assertContains(shown, "First words")
        self.assertEqual(self.client.post(restore_url, form_data(shown.content)).status_code, 302)
        restored = Article.objects.get(pk=self.article.pk)
        self.assertEqual(restored.body_en, "<p>First words[1].</p>")
        self.assertEqual(restored.title_ru, "Старое")
        self.assertEqual(list(restored.tags.all()), [self.tag])
        self.assertEqual(Reference.objects.get(article=restored).text_en, "First source")
        self.assertEqual(Version.objects.get_for_object(restored).count(), 3, "the restore is a revision too")

    def test_comparing_revisions_of_another_object_or_nonsense_ids_is_a_404(self):
        other = make_article("Other")
        self.save_in_admin("articles_article", other, title_en="Other 2")
        self.save_in_admin("articles_article", self.article, title_en="Kept 2")
        foreign = Version.objects.get_for_object(other).first()
        mine = Version.objects.get_for_object(self.article).first()
        url = reverse("admin:articles_article_revision_compare", args=[self.article.pk])
        for params in ({"from": foreign.pk, "to": mine.pk}, {"from": "x", "to": "1"}, {}):
            with self.subTest(params):
                self.assertEqual(self.client.get(url, params).status_code, 404)
        self.assertFalse(Category.objects.exists())


class FirstRevisionTests(TestCase):
    """Seed articles come from fixtures, not from a save that keeps a revision: each way in leaves the state before
    the first change in the history, so that the seed text can be restored after it."""

    fixtures = ["01_taxonomy", "02_authors", "03_articles"]  # loaded as an older database has them: no history

    def setUp(self):
        self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.client.force_login(make_editor())
        self.article = Article.objects.get(slug_tr=Article.objects.order_by("pk").values_list("slug_tr", flat=True)[0])
        self.original = {"title_ru": self.article.title_ru, "title_en": self.article.title_en,
                         "body_ru": self.article.body_ru}
        self.assertFalse(Version.objects.get_for_object(self.article).exists())

    def assert_original_kept_before(self, comment_part: str) -> None:
        """The history holds two revisions: the seed state, then the change (whose comment names where it came from)."""
        newer, older = Version.objects.get_for_object(self.article)
        self.assertIn(comment_part, newer.revision.get_comment())
        self.assertEqual(older.revision.get_comment(), gettext("Initial version."))
        self.assertEqual({name: older.field_dict[name] for name in self.original}, self.original)
        older.revision.revert()
        restored = Article.objects.get(pk=self.article.pk)
        self.assertEqual({name: getattr(restored, name) for name in self.original}, self.original)

    def test_load_site_fixtures_records_the_seed_state_and_the_admin_restores_it_after_an_edit(self):
        for model in (Reference, Article):
            model.objects.all().delete()
        call_command("load_site_fixtures", stdout=StringIO(), verbosity=0)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(Version.objects.get_for_object(article).count(), 1)
        url = reverse("admin:articles_article_change", args=[article.pk])
        self.client.post(url, {**form_data(self.client.get(url).content), "title_en": "Edited in the admin"})
        older = Version.objects.get_for_object(article).last()
        restore_url = reverse("admin:articles_article_revision", args=[article.pk, older.pk])
        self.assertEqual(self.client.post(restore_url, form_data(self.client.get(restore_url).content)).status_code, 302)
        self.assertEqual(Article.objects.get(pk=article.pk).title_en, self.original["title_en"])

    def russian_export(self) -> bytes:
        text = (Path(settings.BASE_DIR) / "fixtures" / "texts" / "ru" / "000.txt").read_text()
        return text.replace(self.original["title_ru"], "Изменённый заголовок", 1).encode()

    def test_import_articles_into_an_article_without_history(self):
        self.assertIn("Изменённый заголовок", self.russian_export().decode())
        with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
            handle.write(self.russian_export())
            handle.flush()
            call_command("import_articles", handle.name, "--language", "ru", "--translation-of", self.article.slug_tr,
                         stdout=StringIO())
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, "Изменённый заголовок")
        self.assert_original_kept_before("(ru)")

    def test_the_admins_import_from_text(self):
        upload = SimpleUploadedFile("000.txt", self.russian_export(), content_type="text/plain")
        response = self.client.post(reverse("admin:articles_article_import_text"),
                                    {"file": upload, "language": "ru", "translation_of": self.article.slug_tr})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, "Изменённый заголовок")
        self.assert_original_kept_before("000.txt (ru)")

    def test_a_translation_file_import(self):
        exported = export_article(self.article, language="ru", fmt="po").content
        catalogue = polib.pofile(exported.decode())
        for entry in catalogue:
            if entry.msgctxt.endswith(":title"):
                entry.msgstr = "Изменённый заголовок"
        translation_file_import(data=str(catalogue).encode(), name="ru.po", language="ru")
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, "Изменённый заголовок")
        self.assert_original_kept_before("ru.po")

    def test_a_second_change_adds_no_second_initial_revision(self):
        self.test_a_translation_file_import()
        translation_file_import(data=export_article(self.article, language="ru", fmt="po").content, name="again.po",
                                language="ru")
        comments = [v.revision.get_comment() for v in Version.objects.get_for_object(self.article)]
        self.assertEqual(comments.count(gettext("Initial version.")), 1, comments)

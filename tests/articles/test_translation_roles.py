"""Roles: an editor does everything; a translator edits only their languages' texts, whatever the POST carries."""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Reference, Tag
from authors.models import Author
from tests.factories import make_article, make_author, make_category, make_reference, make_staff, make_tag

ARTICLE_TEXTS = ("title", "slug", "highlights", "body", "featured_image_alt")


def names(response) -> set[str]:
    """The names of the form controls on an admin page: what a browser would submit."""
    page = BeautifulSoup(response.content, "html.parser")
    return {control["name"] for control in page.select("input[name], textarea[name], select[name]")}


def article_post(article: Article, **overrides) -> dict:
    """The change form of ``article`` as an editor would submit it, every field filled with its current value."""
    data = {
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "original_language": article.original_language,
        "category": article.category_id or "",
        "authors": [author.pk for author in article.authors.all()],
        "tags": [tag.pk for tag in article.tags.all()],
        "loaded_version": article.updated_at.isoformat(),
    }
    for code in ("tr", "en", "ru"):
        for name in ARTICLE_TEXTS:
            data[f"{name}_{code}"] = getattr(article, f"{name}_{code}") or ""
        if getattr(article, f"is_published_{code}"):
            data[f"is_published_{code}"] = "on"
    references = list(article.references.all())
    data.update({
        "references-TOTAL_FORMS": str(len(references)), "references-INITIAL_FORMS": str(len(references)),
        "references-MIN_NUM_FORMS": "0", "references-MAX_NUM_FORMS": "1000",
    })
    for index, reference in enumerate(references):
        data.update({f"references-{index}-id": reference.pk, f"references-{index}-article": article.pk,
                     f"references-{index}-position": reference.position, f"references-{index}-marker": reference.marker,
                     f"references-{index}-url": reference.url, f"references-{index}-accessed_on": ""})
        for code in ("tr", "en", "ru"):
            data[f"references-{index}-text_{code}"] = getattr(reference, f"text_{code}") or ""
    data.update(overrides)
    return data


class RoleGroupTests(TestCase):
    def test_the_migration_creates_an_editor_and_one_translator_role_per_language(self):
        editor = {p.codename for p in Group.objects.get(name="Editor").permissions.all()}
        self.assertLessEqual({"publish_article", "translate_tr", "translate_en", "translate_ru", "add_article",
                              "delete_article", "change_tag", "delete_author", "add_category"}, editor)
        for code in ("tr", "en", "ru"):
            with self.subTest(code):
                translator = {p.codename for p in Group.objects.get(name=f"Translator ({code})").permissions.all()}
                self.assertIn(f"translate_{code}", translator)
                self.assertLessEqual({"view_article", "change_article", "change_reference", "change_tag",
                                      "change_category", "change_author"}, translator)
                self.assertFalse({c for c in translator if c.startswith(("add_", "delete_")) or c == "publish_article"
                                  or (c.startswith("translate_") and c != f"translate_{code}")})


class TranslatorArticleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Security")
        cls.other_tag = make_tag("Energy")
        cls.category = make_category()
        cls.other_category = make_category("Other", tr="Diğer", ru="Другое")
        cls.author = make_author()
        cls.article = make_article("Rapprochement", languages=("tr", "en"), published=("tr",), tags=(cls.tag,),
                                   category=cls.category, body="<p>Türkçe metin[1].</p>")
        cls.article.authors.add(cls.author)
        cls.reference = make_reference(cls.article, "1", url="https://example.org/a", text_ru="")
        cls.translator = make_staff("olga", "Translator (ru)")
        cls.editor = make_staff("ayse", "Editor")

    def setUp(self):
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.url = reverse("admin:articles_article_change", args=[self.article.pk])

    def test_a_translator_sees_only_their_languages_fields_and_the_source_beside_each(self):
        self.client.force_login(self.translator)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        controls = names(response)
        for name in ("title_ru", "slug_ru", "highlights_ru", "body_ru", "featured_image_alt_ru", "references-0-text_ru"):
            self.assertIn(name, controls)
        for name in ("title_tr", "title_en", "body_en", "is_published_ru", "is_published_tr", "category", "tags",
                     "authors", "published_at_0", "original_language", "featured_image", "references-0-url",
                     "references-0-marker", "references-0-text_tr", "references-0-DELETE"):
            self.assertNotIn(name, controls)
        page = BeautifulSoup(response.content, "html.parser")
        title_row = page.find(attrs={"name": "title_ru"}).find_parent(class_="translation-pair")
        self.assertEqual(title_row.select_one(".translation-source")["lang"], "tr")
        self.assertIn("Rapprochement tr", title_row.select_one(".translation-source__text").get_text())
        body_source = page.find(attrs={"name": "body_ru"}).find_parent(class_="translation-pair")
        self.assertIn("<p>Türkçe metin[1].</p>", body_source.select_one(".translation-source__text").get_text(),
                      "markup and markers are shown as written")
        self.assertContains(response, "Security")  # shared fields stay visible, read-only
        self.assertContains(response, "Source 1 (tr)")  # the reference's source text beside its Russian field

    def test_a_crafted_post_changes_only_the_translators_language(self):
        self.client.force_login(self.translator)
        data = article_post(
            self.article,
            title_ru="Сближение", body_ru="<p>Русский текст[1].</p>",
            title_tr="Hacked", body_en="<p>Hacked</p>", is_published_ru="on", is_published_en="on",
            category=self.other_category.pk, tags=[self.other_tag.pk], authors=[], original_language="en",
            published_at_0="2001-01-01", **{"references-0-text_ru": "Источник", "references-0-url": "https://evil.example/",
                                            "references-0-marker": "9", "references-0-text_tr": "Hacked",
                                            "references-0-DELETE": "on"},
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.title_ru, article.body_ru), ("Сближение", "<p>Русский текст[1].</p>"))
        self.assertEqual(article.title_tr, "Rapprochement tr")
        self.assertEqual(article.body_en, "<p>Türkçe metin[1].</p>")
        self.assertFalse(article.is_published_ru)
        self.assertFalse(article.is_published_en)
        self.assertEqual(article.category, self.category)
        self.assertEqual(list(article.tags.all()), [self.tag], "a translator's save keeps the tags")
        self.assertEqual(list(article.authors.all()), [self.author])
        self.assertEqual(article.original_language, "tr")
        self.assertEqual(article.published_at, self.article.published_at)
        reference = Reference.objects.get(pk=self.reference.pk)
        self.assertEqual((reference.text_ru, reference.url, reference.marker, reference.text_tr),
                         ("Источник", "https://example.org/a", "1", "Source 1 (tr)"))

    def test_a_translator_adds_no_reference_row(self):
        self.client.force_login(self.translator)
        data = article_post(self.article, **{
            "references-TOTAL_FORMS": "2", "references-1-marker": "2", "references-1-text_ru": "Новый",
            "references-1-position": "2", "references-1-article": self.article.pk,
        })
        self.client.post(self.url, data)
        self.assertEqual(self.article.references.count(), 1)

    def test_a_translator_cannot_add_delete_or_publish(self):
        self.client.force_login(self.translator)
        self.assertEqual(self.client.get(reverse("admin:articles_article_add")).status_code, 403)
        delete = reverse("admin:articles_article_delete", args=[self.article.pk])
        self.assertEqual(self.client.get(delete).status_code, 403)
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        changelist = reverse("admin:articles_article_changelist")
        page = BeautifulSoup(self.client.get(changelist).content, "html.parser")
        actions = {option["value"] for option in page.select("select[name=action] option")}
        self.assertEqual(actions, {"", "mark_up_to_date_ru", "export_for_translation"})
        for action in ("publish_en", "publish_ru", "unpublish_tr", "delete_selected"):
            with self.subTest(action):
                self.client.post(changelist, {"action": action, "_selected_action": [self.article.pk], "post": "yes"})
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(article.available_languages, ["tr"])
        self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())
        self.assertEqual(self.client.get(reverse("admin:articles_article_import_text")).status_code, 403)

    def test_a_translator_cannot_restore_a_revision(self):
        from reversion.models import Version

        from publishing.revisions import revision_for

        with revision_for(comment="first"):
            Article.objects.get(pk=self.article.pk).save()
        version = Version.objects.get_for_object(self.article).first()
        current = Article.objects.get(pk=self.article.pk)
        current.title_tr = "Sonraki başlık"
        current.save()
        self.client.force_login(self.translator)
        url = reverse("admin:articles_article_revision", args=[self.article.pk, version.pk])
        self.assertEqual(self.client.post(url, article_post(current)).status_code, 403)
        after = Article.objects.get(pk=self.article.pk)
        self.assertEqual((after.title_tr, after.updated_at), ("Sonraki başlık", current.updated_at), "nothing restored")
        self.assertEqual(Version.objects.get_for_object(self.article).count(), 1, "no revision recorded")

    def test_a_user_with_two_roles_edits_both_languages(self):
        both = make_staff("multi", "Translator (en)", "Translator (ru)")
        self.client.force_login(both)
        controls = names(self.client.get(self.url))
        self.assertLessEqual({"title_en", "title_ru", "body_en", "body_ru"}, controls)
        self.assertNotIn("title_tr", controls)
        response = self.client.post(self.url, article_post(self.article, title_en="New English", title_ru="Новое",
                                                           title_tr="Hacked"))
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.title_en, article.title_ru, article.title_tr), ("New English", "Новое", "Rapprochement tr"))

    def test_an_editor_changes_everything_and_publishes(self):
        self.client.force_login(self.editor)
        controls = names(self.client.get(self.url))
        self.assertLessEqual({"title_tr", "title_en", "title_ru", "is_published_ru", "category", "tags",
                              "published_at_0", "references-0-url", "references-0-DELETE"}, controls)
        response = self.client.post(self.url, article_post(self.article, title_tr="Yeni", category=self.other_category.pk,
                                                           tags=[self.other_tag.pk], is_published_en="on"))
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.title_tr, article.category, list(article.tags.all())),
                         ("Yeni", self.other_category, [self.other_tag]))
        self.assertEqual(article.available_languages, ["tr", "en"])
        changelist = reverse("admin:articles_article_changelist")
        self.client.post(changelist, {"action": "unpublish_en", "_selected_action": [self.article.pk]})
        self.assertEqual(Article.objects.get(pk=self.article.pk).available_languages, ["tr"])
        self.assertEqual(self.client.get(reverse("admin:articles_article_add")).status_code, 200)

    def test_staff_without_a_role_edit_nothing(self):
        nobody = make_staff("nobody")
        nobody.user_permissions.add(*Group.objects.get(name="Translator (ru)").permissions.exclude(codename="translate_ru"))
        self.client.force_login(nobody)
        controls = names(self.client.get(self.url))
        self.assertFalse({name for name in controls if name.startswith(ARTICLE_TEXTS)})
        self.client.post(self.url, article_post(self.article, title_ru="Nope"))
        self.assertEqual(Article.objects.get(pk=self.article.pk).title_ru, None)


class TranslatorTaxonomyAndBioTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = make_tag("Sanctions", tr="Yaptırımlar", ru="")
        cls.category = make_category("Analysis", tr="Analiz", ru="")
        cls.author = make_author("Berra", "Kızılyazı", bio_tr="<p>Türkçe biyografi.</p>")
        cls.translator = make_staff("olga", "Translator (ru)")

    def setUp(self):
        self.client.force_login(self.translator)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def test_tag_and_category_names_in_the_translators_language_only(self):
        for obj, name in ((self.tag, "articles_tag"), (self.category, "articles_category")):
            with self.subTest(name):
                url = reverse(f"admin:{name}_change", args=[obj.pk])
                response = self.client.get(url)
                self.assertEqual(names(response) & {"name_tr", "name_en", "name_ru", "slug_tr", "slug_ru"},
                                 {"name_ru", "slug_ru"})
                self.assertContains(response, obj.name_tr)  # the Turkish source beside the field
                data = {"name_ru": "Русское имя", "slug_ru": "", "name_tr": "Hacked", "name_en": "Hacked",
                        "slug_tr": "hacked", "slug_en": "hacked", "loaded_version": obj.updated_at.isoformat()}
                self.assertEqual(self.client.post(url, data).status_code, 302)
                obj.refresh_from_db()
                self.assertEqual(obj.name_ru, "Русское имя")
                self.assertEqual(obj.slug_ru, "russkoe-imia")
                self.assertNotEqual(obj.name_tr, "Hacked")
                self.assertNotEqual(obj.name_en, "Hacked")
                self.assertEqual(self.client.get(reverse(f"admin:{name}_add")).status_code, 403)
                self.assertEqual(self.client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code, 403)
        self.assertEqual(Tag.objects.count(), 1)

    def test_a_bio_translation_leaves_the_name_slug_and_photo_alone(self):
        url = reverse("admin:authors_author_change", args=[self.author.pk])
        response = self.client.get(url)
        self.assertEqual(names(response) & {"given_name", "family_name", "slug", "photo", "bio_tr", "bio_ru", "photo_alt_ru"},
                         {"bio_ru", "photo_alt_ru"})
        data = {"bio_ru": "<p>Русская биография.</p>", "photo_alt_ru": "", "given_name": "Hacked", "family_name": "Hacked",
                "slug": "hacked", "bio_tr": "Hacked", "loaded_version": self.author.updated_at.isoformat()}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        author = Author.objects.get(pk=self.author.pk)
        self.assertEqual(author.bio_ru, "<p>Русская биография.</p>")
        self.assertEqual((author.given_name, author.family_name, author.bio_tr),
                         ("Berra", "Kızılyazı", "<p>Türkçe biyografi.</p>"))


class LandingTests(TestCase):
    def test_translators_land_on_the_dashboard_editors_on_the_index(self):
        self.client.force_login(make_staff("olga", "Translator (ru)"))
        response = self.client.get(reverse("admin:index"))
        self.assertRedirects(response, reverse("admin:articles_article_translations"))
        self.client.force_login(make_staff("ayse", "Editor"))
        response = self.client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Articles")

    def test_the_admin_index_still_asks_anonymous_visitors_to_log_in(self):
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("admin:login")))


class EditableLanguagesTests(TestCase):
    """Who may change which language's texts: the rule the admin, the translation screen and the files share."""

    def test_whoever_may_publish_edits_every_language_without_a_translator_role(self):
        from django.contrib.auth.models import Permission

        from publishing.languages import language_codes
        from publishing.workflow.roles import editable_languages

        editor = make_staff("plain-editor")
        editor.user_permissions.add(Permission.objects.get(content_type__app_label="publishing", codename="publish_article"))
        editor = type(editor).objects.get(pk=editor.pk)  # permissions are cached on the instance
        self.assertFalse(editor.is_superuser)
        self.assertFalse(any(editor.has_perm(f"publishing.translate_{code}") for code in language_codes()))
        self.assertEqual(editable_languages(editor), language_codes())

    def test_nobody_an_anonymous_visitor_and_an_inactive_translator_edit_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        from publishing.workflow.roles import editable_languages

        translator = make_staff("inactive-translator", "Translator (ru)")
        self.assertEqual(editable_languages(translator), ["ru"])
        translator.is_active = False
        self.assertEqual(editable_languages(translator), [])
        self.assertEqual(editable_languages(None), [])
        self.assertEqual(editable_languages(AnonymousUser()), [])

"""Progress and state per language, and the life cycle of the outdated flag: set when the source changes after a
translation was saved, cleared by saving the translation or by "mark as up to date", shown and filtered in lists."""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from publishing.workflow import queries as workflow_queries
from publishing.workflow import units as workflow
from articles.models import Article
from publishing.workflow.services import translation_mark_up_to_date
from publishing.models import TranslationState
from tests.factories import make_article, make_author, make_category, make_reference, make_staff, make_tag
from tests.seeds import seed


def statuses(obj) -> dict:
    obj = type(obj).objects.get(pk=obj.pk)
    return workflow.translation_statuses(obj)


def outdated_languages(obj) -> set[str]:
    return {code for code, status in statuses(obj).items() if status.outdated}


def in_state(model, language: str, state: str) -> set[int]:
    return set(workflow_queries.filter_by_state(model.objects.all(), language, state).values_list("pk", flat=True))


class ProgressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Turkish source: title, highlights, body and one reference text are to be translated.
        cls.article = make_article("Source", languages=("tr",), published=("tr",), highlights_tr="Önemli cümle.")
        make_reference(cls.article, "1", text_en="", text_ru="")
        cls.article.title_en = "Only the title"
        cls.article.save()
        cls.complete = make_article("Complete", languages=("tr", "en", "ru"), published=("tr", "en"))
        cls.english_source = make_article("English", languages=("en", "ru"), published=(), original_language="en")

    def test_progress_counts_the_units_whose_source_has_text(self):
        found = statuses(self.article)
        self.assertEqual((found["tr"].is_source, found["tr"].filled, found["tr"].total, found["tr"].state),
                         (True, 4, 4, workflow.PUBLISHED))
        self.assertEqual((found["en"].filled, found["en"].total, found["en"].state), (1, 4, workflow.IN_PROGRESS))
        self.assertEqual((found["ru"].filled, found["ru"].state), (0, workflow.MISSING))
        complete = statuses(self.complete)
        self.assertEqual([complete[c].state for c in ("tr", "en", "ru")],
                         [workflow.PUBLISHED, workflow.PUBLISHED, workflow.COMPLETE])
        english = statuses(self.english_source)
        self.assertTrue(english["en"].is_source)
        self.assertEqual((english["ru"].state, english["tr"].state), (workflow.COMPLETE, workflow.MISSING))

    def test_the_list_filters_agree_with_the_states_shown(self):
        for code in ("tr", "en", "ru"):
            for state in workflow.STATES:
                with self.subTest(code=code, state=state):
                    shown = {a.pk for a in Article.objects.all() if statuses(a)[code].state == state}
                    self.assertEqual(in_state(Article, code, state), shown)
        self.assertEqual(in_state(Article, "en", workflow.IN_PROGRESS), {self.article.pk})
        self.assertEqual(in_state(Article, "ru", workflow.MISSING), {self.article.pk})
        self.assertEqual(in_state(Article, "tr", workflow.MISSING), {self.english_source.pk})

    def test_the_article_list_shows_progress_and_filters_by_state(self):
        self.client.force_login(make_staff("ayse", "Editor"))
        url = reverse("admin:articles_article_changelist")
        page = BeautifulSoup(self.client.get(url, HTTP_ACCEPT_LANGUAGE="en").content, "html.parser")
        row = next(tr for tr in page.select("#result_list tbody tr") if "Source tr" in tr.get_text() or "Only the title" in tr.get_text())
        badges = {badge.get_text(" ", strip=True) for badge in row.select(".translation-state")}
        self.assertEqual(badges, {"TR 4/4", "EN 1/4", "RU 0/4"})
        response = self.client.get(url + "?translation=in_progress_en", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Only the title")
        self.assertNotContains(response, "Complete en")


class OutdatedLifeCycleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Rapprochement", published=("tr", "en", "ru"), body="<p>Bir[1].</p><p>İki.</p>")
        cls.reference = make_reference(cls.article, "1")
        cls.translator = make_staff("olga", "Translator (ru)")
        cls.editor = make_staff("ayse", "Editor")

    def edit_source(self, **fields):
        article = Article.objects.get(pk=self.article.pk)
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()

    def test_a_fresh_translation_is_up_to_date_and_editing_a_translation_outdates_nothing(self):
        self.assertEqual(outdated_languages(self.article), set())
        self.edit_source(title_en="Better English title")
        self.assertEqual(outdated_languages(self.article), set())

    def test_changing_the_source_outdates_every_translation_until_it_is_saved_or_confirmed(self):
        self.edit_source(body_tr="<p>Bir, değişti[1].</p><p>İki.</p>")
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})
        self.assertEqual(in_state(Article, "ru", workflow.OUTDATED), {self.article.pk})
        self.assertEqual(in_state(Article, "tr", workflow.OUTDATED), set(), "the source itself is never outdated")

        # An outdated variant stays published, flagged, until an editor decides.
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(article.available_languages, ["tr", "en", "ru"])
        with translation.override("ru"):
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
        self.assertEqual(statuses(article)["ru"].state, workflow.PUBLISHED)

        # The Russian translator saves the translation in the admin: Russian is up to date, English is not.
        self.client.force_login(self.translator)
        from tests.articles.test_translation_roles import article_post

        response = self.client.post(reverse("admin:articles_article_change", args=[article.pk]),
                                    article_post(article, body_ru="<p>Раз, изменено[1].</p><p>Два.</p>"),
                                    HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(outdated_languages(self.article), {"en"})
        state = TranslationState.objects.for_object(article).get(language="ru")
        self.assertEqual(state.updated_by, self.translator)

        # An editor confirms that the English text still holds: the action clears the flag.
        self.client.force_login(self.editor)
        changelist = reverse("admin:articles_article_changelist")
        response = self.client.post(changelist, {"action": "mark_up_to_date_en", "_selected_action": [article.pk]},
                                    HTTP_ACCEPT_LANGUAGE="en", follow=True)
        self.assertContains(response, "1 English translation marked as up to date.")
        self.assertEqual(outdated_languages(self.article), set())

    def test_a_translator_may_confirm_only_their_own_language(self):
        self.edit_source(title_tr="Yeni başlık")
        self.client.force_login(self.translator)
        changelist = reverse("admin:articles_article_changelist")
        self.client.post(changelist, {"action": "mark_up_to_date_en", "_selected_action": [self.article.pk]})
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})
        self.client.post(changelist, {"action": "mark_up_to_date_ru", "_selected_action": [self.article.pk]})
        self.assertEqual(outdated_languages(self.article), {"en"})

    def test_the_article_list_flags_outdated_translations(self):
        self.edit_source(title_tr="Yeni başlık")
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:articles_article_changelist") + "?translation=outdated_ru",
                                   HTTP_ACCEPT_LANGUAGE="en")
        page = BeautifulSoup(response.content, "html.parser")
        flagged = [badge.get_text(" ", strip=True) for badge in page.select("#result_list .translation-state--outdated")]
        self.assertEqual(len(flagged), 2)
        self.assertTrue(all("outdated" in text for text in flagged))
        self.assertEqual(len(page.select("#result_list tbody tr")), 1)

    def test_a_translation_changed_together_with_its_source_stays_up_to_date(self):
        self.edit_source(title_tr="Yeni başlık", title_en="New title")
        self.assertEqual(outdated_languages(self.article), {"ru"})

    def test_reference_texts_are_part_of_the_source(self):
        self.reference.text_tr = "Kaynak, düzeltilmiş"
        self.reference.save()
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})
        translation_mark_up_to_date(objects=[Article.objects.get(pk=self.article.pk)], language="en")
        translation_mark_up_to_date(objects=[Article.objects.get(pk=self.article.pk)], language="ru")
        make_reference(self.article, "2")  # added in every language at once: nothing falls behind
        self.assertEqual(outdated_languages(self.article), set())
        self.reference.delete()
        self.assertEqual(outdated_languages(self.article), set())
        make_reference(self.article, "3", text_en="", text_ru="")  # a new source text, not yet translated
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})

    def test_changing_the_publication_or_the_slug_outdates_nothing(self):
        self.edit_source(is_published_en=False, slug_tr="baska-adres")
        self.assertEqual(outdated_languages(self.article), set())

    def test_objects_without_rows_compare_against_the_source_as_stored_before_the_first_change(self):
        TranslationState.objects.all().delete()  # as after loading fixtures or before this workflow existed
        self.assertEqual(outdated_languages(self.article), set())
        self.edit_source(title_tr="Yeni başlık")
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})
        TranslationState.objects.all().delete()
        self.reference.text_tr = "Kaynak değişti"
        self.reference.save()
        self.assertEqual(outdated_languages(self.article), {"en", "ru"})

    def test_the_text_importer_counts_as_saving_the_translation(self):
        call_command("import_articles", str(seed("003")), "--language", "en", stdout=_Sink(), stderr=_Sink())
        article = Article.objects.get(title_en__startswith="Russia-North Korea Rapprochement")
        article.title_tr = "Türkçe başlık"
        article.save()
        article.title_en = article.title_en + " (revised)"
        article.original_language = "tr"
        article.save()
        self.assertEqual(outdated_languages(article), set())
        article.title_tr = "Türkçe başlık, değişti"
        article.save()
        self.assertEqual(outdated_languages(article), {"en"})
        call_command("import_articles", str(seed("003")), "--language", "en", "--translation-of", article.slug_tr,
                     stdout=_Sink(), stderr=_Sink())
        self.assertEqual(outdated_languages(article), set())

    def test_bios_tags_and_categories_follow_their_turkish_source(self):
        author = make_author(bio_tr="<p>Biyografi.</p>")
        author.bio_en = "<p>Biography.</p>"
        author.save()
        tag = make_tag("Energy", tr="Enerji", ru="Энергия")
        category = make_category()
        for obj, field in ((author, "bio_tr"), (tag, "name_tr"), (category, "name_tr")):
            with self.subTest(type(obj).__name__):
                self.assertEqual(outdated_languages(obj), set())
                setattr(obj, field, "<p>Değişti.</p>" if field == "bio_tr" else "Değişti")
                obj.save()
                expected = {"en"} if obj is author else {"en", "ru"}
                self.assertEqual(outdated_languages(obj), expected)
                self.assertEqual(in_state(type(obj), "en", workflow.OUTDATED), {obj.pk})

    def test_deleting_an_object_deletes_its_rows(self):
        article = Article.objects.get(pk=self.article.pk)
        self.assertTrue(TranslationState.objects.for_object(article).exists())
        article.delete()
        self.assertFalse(TranslationState.objects.filter(object_id=self.article.pk).exists())


class _Sink:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass

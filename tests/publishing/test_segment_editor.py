"""The translation screen: segments beside their source, saved one by one, checked, stateful, with a memory."""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from publishing.models import MemoryEntry, TranslationState
from publishing.workflow import segments
from publishing.workflow.services import SegmentsRefused, translation_segments_save
from tests.factories import make_article, make_author, make_reference, make_staff, make_tag

BODY_TR = "<p>Birinci paragraf <strong>önemli</strong>[1].</p>\n<p>İkinci paragraf [2] ve [3].</p>\n<p>Üçüncü paragraf.</p>"


def translate_url(obj, language: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_translate", args=[obj.pk, language])


def page_segments(response) -> dict[str, BeautifulSoup]:
    page = BeautifulSoup(response.content, "html.parser")
    return {item["data-segment"]: item for item in page.select("li.segment[data-segment]")}


def form_of(response, **values) -> dict:
    """The translation screen's form as a browser without JavaScript submits it, with ``values`` typed in."""
    page = BeautifulSoup(response.content, "html.parser")
    data = {field["name"]: field.get("value", "") for field in page.select("form input[type=hidden]")}
    data.update({area["name"]: area.text for area in page.select("form textarea")})
    data.update({f"segment:{key}": value for key, value in values.items()})
    return data


class SegmentEditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Yakınlaşma", languages=("tr",), published=("tr",), body=BODY_TR, highlights_tr="Bir\nİki")
        cls.article.original_language = "tr"
        cls.article.save()
        make_reference(cls.article, "1", text_tr="Kaynak bir", text_en="", text_ru="")
        cls.translator = make_staff("irina", "Translator (ru)")
        cls.other = make_staff("john", "Translator (en)")

    def setUp(self):
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.client.force_login(self.translator)
        self.url = translate_url(self.article, "ru")

    def test_the_source_is_split_into_title_highlights_paragraphs_and_references(self):
        found = page_segments(self.client.get(self.url))
        article = self.article.pk
        self.assertEqual(
            list(found),
            [f"article:{article}:title", f"article:{article}:highlights:1", f"article:{article}:highlights:2",
             f"article:{article}:body:1", f"article:{article}:body:2", f"article:{article}:body:3",
             f"reference:{self.article.references.get().pk}:text"],
        )
        first = found[f"article:{article}:body:1"]
        self.assertEqual(first.select_one(".segment__source strong").text, "önemli")
        self.assertEqual([m.text for m in first.select(".segment__source .segment-marker")], ["[1]"])
        self.assertTrue(all(item["data-state"] == "untranslated" for item in found.values()))

    def test_segments_with_formatting_have_a_toolbar_in_the_translators_language_shown_only_by_the_script(self):
        found = page_segments(self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="ru"))
        pk = self.article.pk
        toolbar = found[f"article:{pk}:body:1"].select_one("[role=toolbar]")
        self.assertTrue(toolbar.has_attr("hidden"), "without JavaScript the target is a plain box")
        self.assertEqual(toolbar["aria-label"], "Форматирование")
        self.assertEqual(
            [button["aria-label"] for button in toolbar.select("button")], ["Полужирный", "Курсив", "Верхний индекс", "Ссылка"]
        )
        self.assertIsNone(found[f"article:{pk}:title"].select_one("[role=toolbar]"), "a title takes plain text")

    def test_only_translators_of_the_language_and_editors_may_open_it(self):
        self.client.force_login(self.other)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(make_staff("editor", "Editor"))
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.get(translate_url(self.article, "tr")).status_code, 404)

    def test_saving_one_paragraph_keeps_the_others_and_the_stored_body_lines_up(self):
        response = self.client.get(self.url)
        pk = self.article.pk
        self.client.post(self.url, form_of(response, **{f"article:{pk}:body:2": "Второй абзац [2] и [3]."}))
        self.article.refresh_from_db()
        self.assertEqual(self.article.body_ru, "<p></p>\n<p>Второй абзац [2] и [3].</p>\n<p></p>")
        self.assertEqual(self.article.body_tr, BODY_TR)
        found = page_segments(self.client.get(self.url))
        self.assertEqual(found[f"article:{pk}:body:2"]["data-state"], "translated")
        self.assertEqual(found[f"article:{pk}:body:1"]["data-state"], "untranslated")

    def test_a_dropped_or_reordered_marker_is_refused_naming_the_segment_and_nothing_is_written(self):
        response = self.client.get(self.url)
        pk = self.article.pk
        refused = self.client.post(
            self.url,
            form_of(response, **{f"article:{pk}:title": "Сближение", f"article:{pk}:body:2": "Второй абзац и [3]."}),
        )
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "[2]", status_code=400)
        messages = [str(m) for m in refused.context["messages"]]
        self.assertTrue(any(m.startswith("Body, paragraph 2") and "[2]" in m for m in messages), messages)
        # What was typed stays in the boxes; nothing was saved, not even the valid title.
        self.assertEqual(page_segments(refused)[f"article:{pk}:body:2"].textarea.text, "Второй абзац и [3].")
        self.article.refresh_from_db()
        self.assertEqual((self.article.title_ru or "", self.article.body_ru), ("", ""))
        reordered = self.client.post(self.url, form_of(response, **{f"article:{pk}:body:2": "Второй [3] и [2]."}))
        self.assertContains(reordered, "order", status_code=400)

    def test_a_paragraph_takes_inline_formatting_only_and_a_title_plain_text(self):
        response = self.client.get(self.url)
        pk = self.article.pk
        refused = self.client.post(
            self.url,
            form_of(response, **{f"article:{pk}:body:3": "<h2>Третий</h2>", f"article:{pk}:title": "<em>Сближение</em>"}),
        )
        self.assertContains(refused, "inline formatting only", status_code=400)
        self.assertContains(refused, "plain text expected", status_code=400)
        accepted = self.client.post(self.url, form_of(response, **{f"article:{pk}:body:3": "Третий <em>абзац</em>."}))
        self.assertEqual(accepted.status_code, 302)

    def test_a_segment_changed_by_someone_else_since_it_was_loaded_is_refused(self):
        pk = self.article.pk
        stale = self.client.get(self.url)
        self.client.post(self.url, form_of(stale, **{f"article:{pk}:title": "Сближение"}))
        refused = self.client.post(self.url, form_of(stale, **{f"article:{pk}:title": "Сближение России"}))
        self.assertContains(refused, "someone saved this segment", status_code=400)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title_ru, "Сближение")

    def test_the_paragraph_whose_source_changed_is_outdated_and_the_others_are_not(self):
        pk = self.article.pk
        response = self.client.get(self.url)
        values = {f"article:{pk}:body:{n}": text for n, text in enumerate(["Первый <strong>важный</strong>[1].", "Второй [2] и [3].", "Третий."], 1)}
        self.client.post(self.url, form_of(response, **values))
        article = Article.objects.get(pk=pk)
        article.body_tr = BODY_TR.replace("Üçüncü paragraf.", "Üçüncü paragraf, değişti.")
        article.save()
        found = page_segments(self.client.get(self.url))
        self.assertEqual(
            [found[f"article:{pk}:body:{n}"]["data-state"] for n in (1, 2, 3)], ["translated", "translated", "outdated"]
        )
        # Saving it (even unchanged: the translator checked it) makes it current again.
        response = self.client.get(self.url)
        self.client.post(self.url, form_of(response, **{f"article:{pk}:body:3": "Третий, изменённый."}))
        self.assertEqual(page_segments(self.client.get(self.url))[f"article:{pk}:body:3"]["data-state"], "translated")

    def test_one_segment_saves_through_json_for_the_script(self):
        pk = self.article.pk
        response = self.client.get(self.url)
        token = BeautifulSoup(response.content, "html.parser").select_one(f'[name="token:article:{pk}:title"]')["value"]
        saved = self.client.post(
            self.url, {f"segment:article:{pk}:title": "Сближение", f"token:article:{pk}:title": token},
            headers={"accept": "application/json"},
        )
        self.assertEqual(saved.json()["saved"], [f"article:{pk}:title"])
        self.assertEqual(saved.json()["progress"]["done"], 1)
        refused = self.client.post(
            self.url, {f"segment:article:{pk}:body:1": "Первый.", f"token:article:{pk}:body:1": segments.token("")},
            headers={"accept": "application/json"},
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("[1]", " ".join(refused.json()["errors"][f"article:{pk}:body:1"]))

    def test_bios_tags_and_categories_have_the_screen_too(self):
        author = make_author(bio_tr="<p>Bir.</p>\n<p>İki.</p>")
        tag = make_tag("Sanctions", tr="Yaptırımlar", ru="")
        self.assertEqual(len(page_segments(self.client.get(translate_url(author, "ru")))), 2)
        response = self.client.get(translate_url(tag, "ru"))
        self.client.post(translate_url(tag, "ru"), form_of(response, **{f"tag:{tag.pk}:name": "Санкции"}))
        tag.refresh_from_db()
        self.assertEqual(tag.name_ru, "Санкции")


class TranslationMemoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        body = "<p>Rusya ile Kuzey Kore arasındaki ilişkiler derinleşmektedir.</p>"
        cls.done = make_article("Eski", languages=("tr", "ru"), body=body, original_language="tr")
        cls.done.body_ru = "<p>Отношения между Россией и Северной Кореей углубляются.</p>"
        cls.done.save()
        cls.new = make_article(
            "Yeni", languages=("tr",), original_language="tr",
            body="<p>Rusya ile Kuzey Kore arasındaki ilişkiler hızla derinleşmektedir.</p>\n<p>Başka bir şey.</p>",
        )
        make_tag("Russia", tr="Rusya", ru="Россия")

    def test_similar_segments_translated_elsewhere_are_offered_with_their_similarity_and_the_glossary(self):
        self.client.force_login(make_staff("irina", "Translator (ru)"))
        found = page_segments(self.client.get(translate_url(self.new, "ru")))
        first = found[f"article:{self.new.pk}:body:1"]
        match = first.select_one(".segment__memory li")
        self.assertIsNotNone(match)
        self.assertGreaterEqual(int(match.select_one(".segment-match__score").text.rstrip(" %")), 75)
        self.assertEqual(match.select_one("[data-use-match]")["data-use-match"], "Отношения между Россией и Северной Кореей углубляются.")
        self.assertIn("Россия", first.select_one(".segment__glossary").text)
        self.assertIsNone(found[f"article:{self.new.pk}:body:2"].select_one(".segment__memory"))

    def test_the_index_follows_saves_and_the_lookup_reads_it_in_a_bounded_number_of_queries(self):
        self.assertTrue(MemoryEntry.objects.filter(object_id=self.done.pk, language="ru").exists())
        state = TranslationState.objects.for_object(self.new).filter(language="ru").first()
        groups = segments.unit_segments(self.new, "ru", saved_hashes=state.segment_hashes if state else {})
        from publishing.workflow.memory import matches_for

        with self.assertNumQueries(2):  # exact matches by fingerprint, fuzzy candidates in the length band
            matches_for([s for g in groups for s in g.segments], source_language="tr", language="ru", exclude=self.new)


class SegmentServiceTests(TestCase):
    def test_the_service_refuses_everything_when_one_segment_is_wrong(self):
        article = make_article("Bir", languages=("tr",), original_language="tr", body="<p>A [1].</p>\n<p>B.</p>")
        with self.assertRaises(SegmentsRefused) as refused:
            translation_segments_save(
                obj=article, language="ru", user=None,
                values={f"article:{article.pk}:body:1": "А.", f"article:{article.pk}:body:2": "Б."},
                tokens={f"article:{article.pk}:body:1": segments.token(""), f"article:{article.pk}:body:2": segments.token("")},
            )
        self.assertEqual(list(refused.exception.errors), [f"article:{article.pk}:body:1"])
        article.refresh_from_db()
        self.assertEqual(article.body_ru, "")


class ChangeFormLinkTests(TestCase):
    def test_the_change_form_links_to_the_translation_screens_the_user_may_open(self):
        article = make_article("Bir", languages=("tr",), original_language="tr")
        self.client.force_login(make_staff("irina", "Translator (ru)"))
        page = BeautifulSoup(self.client.get(reverse("admin:articles_article_change", args=[article.pk])).content, "html.parser")
        links = [a["href"] for a in page.select(".object-tools a")]
        self.assertIn(translate_url(article, "ru"), links)
        self.assertNotIn(translate_url(article, "en"), links)


class LinesTests(TestCase):
    def test_highlights_are_saved_line_by_line_in_order(self):
        article = make_article("Bir", languages=("tr",), original_language="tr", highlights_tr="Bir\nİki\nÜç")
        pk = article.pk
        line = lambda n: f"article:{pk}:highlights:{n}"  # noqa: E731
        translation_segments_save(obj=article, language="ru", values={line(1): "Один"}, tokens={line(1): segments.token("")})
        translation_segments_save(obj=article, language="ru", values={line(2): "Два"}, tokens={line(2): segments.token("")})
        with self.assertRaises(SegmentsRefused):
            translation_segments_save(obj=article, language="en", values={line(2): "Two"}, tokens={line(2): segments.token("")})
        article.refresh_from_db()
        self.assertEqual(article.highlights_ru, "Один\nДва")
        states = [s.state for g in segments.unit_segments(article, "ru") for s in g.segments if ":highlights:" in s.id]
        self.assertEqual(states, ["translated", "translated", "untranslated"])


class EditorFormTests(TestCase):
    def test_an_editor_changing_the_source_leaves_the_translation_outdated_whatever_line_breaks_the_browser_sends(self):
        from publishing.workflow import units
        from tests.articles.test_translation_roles import article_post

        article = make_article("Bir", languages=("tr", "ru"), original_language="tr", highlights_tr="Bir\nİki", highlights_ru="Один\nДва")
        make_reference(article, "1")
        editor = make_staff("editor", "Editor")
        self.client.force_login(editor)
        article = Article.objects.get(pk=article.pk)
        data = article_post(article, body_tr="<p>Değişti[1].</p>", highlights_ru="Один\r\nДва", highlights_en="")
        for key in [key for key in data if key.endswith("-text_ru")]:
            data[key] = data[key] + "\r\n"
        response = self.client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(units.translation_statuses(Article.objects.get(pk=article.pk))["ru"].outdated)

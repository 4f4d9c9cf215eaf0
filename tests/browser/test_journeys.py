"""What editors, translators and readers do, in a real Chromium against the live site (see ``support.py``)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from articles.models import Article, Reference, Tag
from tests.browser.support import BrowserJourneyTestCase, expect, make_user, write_jpeg


@pytest.mark.browser
class ReaderJourneyTests(BrowserJourneyTestCase):
    def test_reader_reads_follows_notes_switches_to_russian_and_browses(self):
        newest = Article.objects.published("en").first()
        onward = next(article for article in Article.objects.similar_to(newest, "ru") if article.authors.exists())
        author = onward.authors.first()
        tag = onward.tags.order_by("pk").first()
        self.assertIn("Пхеньяном", onward.title_ru)  # what the reader searches for below
        with self.journey("reader"):
            page = self.open_browser(locale="en-US")

            page.goto("/")
            expect(page).to_have_url(f"{self.live_server_url}/en/")
            expect(page.locator("html")).to_have_attribute("lang", "en")

            page.get_by_role("link", name=newest.title_en, exact=True).click()
            expect(page).to_have_url(self.live_server_url + newest.url_in("en"))
            expect(page.locator("h1")).to_have_text(newest.title_en)

            page.locator("sup.footnote-ref a", has_text="[1]").first.click()
            expect(page).to_have_url(self.live_server_url + newest.url_in("en") + "#fn-1")
            expect(page.locator("#fn-1")).to_be_in_viewport()
            page.locator("#fn-1 .references__back").click()
            expect(page).to_have_url(self.live_server_url + newest.url_in("en") + "#fnref-1")
            expect(page.locator("#fnref-1")).to_be_in_viewport()

            page.locator(".post-translations").get_by_role("link", name="Русский").click()
            expect(page).to_have_url(self.live_server_url + newest.url_in("ru"))
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            expect(page.locator("h1")).to_have_text(newest.title_ru)

            page.locator("#similar-posts").get_by_role("link", name=onward.title_ru, exact=True).click()
            expect(page).to_have_url(self.live_server_url + onward.url_in("ru"))
            expect(page.locator("h1")).to_have_text(onward.title_ru)

            page.locator(".post__tags").get_by_role("link", name=tag.name_ru, exact=True).click()
            expect(page).to_have_url(self.live_server_url + tag.url_in("ru"))
            expect(page.locator("h1")).to_contain_text(tag.name_ru)
            expect(page.locator(".card__title").get_by_role("link", name=onward.title_ru, exact=True)).to_be_visible()

            page.go_back()
            page.locator(".post__meta a[rel=author]").click()
            with translation.override("ru"):
                expect(page).to_have_url(self.live_server_url + author.get_absolute_url())
            expect(page.locator("h1")).to_have_text(author.name)
            expect(page.locator(".card__title").get_by_role("link", name=onward.title_ru, exact=True)).to_be_visible()

            page.fill("#site-search-q", "Пхеньян")
            page.locator(".site-search button").click()
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            result = page.locator(".search-result").filter(has=page.get_by_role("link", name=onward.title_ru))
            expect(result).to_have_count(1)
            expect(result.locator("mark").first).to_be_visible()
            expect(page.locator(".search-result").first).to_contain_text(onward.title_ru)  # the title match first
            self.save_screenshot(page, "reader")


@pytest.mark.browser
class EditorJourneyTests(BrowserJourneyTestCase):
    TITLE = "Kore Yarımadası'nda Yaptırımların Yeni Dengesi"

    def test_editor_creates_an_author_and_a_tagged_article_keeps_it_draft_then_publishes_it_in_turkish(self):
        editor = make_user("editor", groups=("Editor",))
        photo = write_jpeg(self.work_dir / "portrait.jpg", size=(480, 600), colour=(30, 90, 160))
        picture = write_jpeg(self.work_dir / "harbour.jpg", size=(1200, 675), colour=(160, 60, 30))
        with self.journey("editor"):
            page = self.open_browser(locale="tr-TR")
            self.log_in(page, editor)

            page.goto("/admin/authors/author/add/")
            page.fill("#id_given_name", "Deniz")
            page.fill("#id_family_name", "Işıkoğlu")
            page.set_input_files("#id_photo", photo)
            page.fill("#id_photo_alt_tr", "Deniz Işıkoğlu'nun portresi")
            self.type_rich_text(page, "id_bio_tr", ["Kore Yarımadası üzerine çalışan bir araştırmacı."])
            page.click("input[name=_save]")
            expect(page.locator(".messagelist .success")).to_be_visible()
            expect(page.locator("#result_list")).to_contain_text("Deniz IŞIKOĞLU")

            page.goto("/admin/articles/article/add/")
            page.fill("#id_title_tr", self.TITLE)
            page.fill("#id_highlights_tr", "Yaptırımlar Kuzey Kore'yi Rusya'ya yaklaştırıyor.")
            self.type_rich_text(
                page,
                "id_body_tr",
                ["Yaptırımlar Kuzey Kore'nin dış ticaretini Rusya'ya yöneltti.[1]",
                 "Bu denge bölgedeki bütün aktörleri etkiliyor."],
            )
            self.pick_autocomplete(page, "authors", "Deniz", "Deniz IŞIKOĞLU")
            self.pick_autocomplete(page, "tags", "Kuzey", "Kuzey Kore")
            self.pick_autocomplete(page, "tags", "Yaptır", "Yaptırımlar")
            page.set_input_files("#id_featured_image", picture)
            page.fill("#id_featured_image_alt_tr", "Limanda bekleyen yük gemileri")
            page.locator("#references-group .add-row a").click()
            reference = page.locator("#references-group tr.dynamic-references").first
            reference.locator("input[name$=-marker]").fill("1")
            reference.locator("textarea[name$=-text_tr]").fill("BM Güvenlik Konseyi Yaptırım Komitesi Raporu")
            reference.locator("input[name$=-url]").fill("https://www.un.org/securitycouncil/sanctions/1718")
            reference.locator(".datetimeshortcuts a").first.click()  # "Bugün": today, in the form's format
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist .success")).to_be_visible()

            article = Article.objects.get(title_tr=self.TITLE)
            self.assertEqual(sorted(article.tags.values_list("name_tr", flat=True)), ["Kuzey Kore", "Yaptırımlar"])
            self.assertEqual(list(article.references.values_list("marker", flat=True)), ["1"])
            self.assertTrue(article.featured_image)
            reader = self.open_browser(locale="tr-TR")
            draft = reader.goto(article.url_in("tr"))
            self.assertEqual(draft.status, 404, "a draft must not be readable")
            reader.goto("/tr/")
            expect(reader.get_by_role("link", name=self.TITLE)).to_have_count(0)

            page.check("#id_is_published_tr")
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist .success")).to_be_visible()

            reader.goto("/tr/")
            reader.get_by_role("link", name=self.TITLE, exact=True).click()
            expect(reader).to_have_url(self.live_server_url + article.url_in("tr"))
            expect(reader.locator("h1")).to_have_text(self.TITLE)
            expect(reader.locator(".post__image img")).to_have_attribute("alt", "Limanda bekleyen yük gemileri")
            self.assertGreater(self.loaded_image_width(reader.locator(".post__image img")), 0)
            reader.locator("sup.footnote-ref a", has_text="[1]").click()
            expect(reader.locator("#fn-1")).to_contain_text("BM Güvenlik Konseyi Yaptırım Komitesi Raporu")

            reader.locator(".post__meta a[rel=author]", has_text="Deniz IŞIKOĞLU").click()
            expect(reader.locator("h1")).to_have_text("Deniz IŞIKOĞLU")
            self.assertGreater(self.loaded_image_width(reader.locator(".author-profile img")), 0)

            sharing = Article.objects.exclude(pk=article.pk).filter(tags__name_tr="Yaptırımlar").first()
            reader.goto(sharing.url_in("tr"))
            reader.locator("#similar-posts").get_by_role("link", name=self.TITLE, exact=True).click()
            expect(reader.locator("h1")).to_have_text(self.TITLE)
            self.assert_rendered(page)
            self.save_screenshot(reader, "editor")


@pytest.mark.browser
class StaleEditJourneyTests(BrowserJourneyTestCase):
    def test_second_save_of_the_same_article_is_refused_with_a_message_and_the_first_edit_is_kept(self):
        first_editor = make_user("ayse", groups=("Editor",))
        second_editor = make_user("mehmet", groups=("Editor",))
        article = Article.objects.published("tr").first()
        original_title = article.title_tr
        change_url = f"/admin/articles/article/{article.pk}/change/"
        with self.journey("stale-edit"):
            first = self.open_browser(locale="tr-TR")
            second = self.open_browser(locale="tr-TR")
            self.log_in(first, first_editor)
            self.log_in(second, second_editor)
            first.goto(change_url)
            second.goto(change_url)

            first.fill("#id_title_tr", f"{original_title} (güncellendi)")
            first.click("input[name=_continue]")
            expect(first.locator(".messagelist .success")).to_be_visible()

            second.fill("#id_title_tr", f"{original_title} (düzeltildi)")
            second.click("input[name=_continue]")
            conflict = second.locator(".edit-conflict")
            expect(conflict).to_be_visible()
            expect(conflict).to_contain_text("ayse")
            expect(conflict.locator('tr[data-language="tr"][data-field="title"]')).to_be_visible()
            expect(second.locator(".messagelist .success")).to_have_count(0)
            expect(second.locator("#id_title_tr")).to_have_value(f"{original_title} (düzeltildi)")

            article.refresh_from_db()
            self.assertEqual(article.title_tr, f"{original_title} (güncellendi)")
            reader = self.open_browser(locale="tr-TR")
            reader.goto(article.url_in("tr"))
            expect(reader.locator("h1")).to_have_text(f"{original_title} (güncellendi)")
            self.save_screenshot(second, "stale-edit")


@pytest.mark.browser
class TranslatorJourneyTests(BrowserJourneyTestCase):
    SOURCE_TITLE = "Karadeniz'de Yeni Güvenlik Dengesi"
    RUSSIAN_TITLE = "Новый баланс безопасности в Черноморском регионе"

    def setUp(self):
        super().setUp()
        self.article = Article.objects.create(
            title_tr=self.SOURCE_TITLE,
            highlights_tr="Karadeniz'de dengeler yeniden kuruluyor.",
            body_tr="<p>Karadeniz'de güvenlik dengesi değişiyor.[1]</p><p>Kıyı devletleri yeni adımlar atıyor.</p>",
            is_published_tr=True,
            original_language="tr",
            published_at=timezone.now() - timedelta(days=1),
        )
        self.article.tags.add(*Tag.objects.filter(name_tr__in=["Rusya", "Ukrayna"]))
        Reference.objects.create(
            article=self.article, marker="1", text_tr="Karadeniz Güvenlik Raporu", url="https://example.org/karadeniz"
        )

    def test_russian_translator_translates_beside_the_source_and_the_editor_publishes_it(self):
        translator = make_user("olga", groups=("Translator (ru)",))
        editor = make_user("editor", groups=("Editor",))
        with self.journey("translator"):
            reader = self.open_browser(locale="tr-TR")
            reader.goto(self.article.url_in("tr"))
            expect(reader.locator("h1")).to_have_text(self.SOURCE_TITLE)
            expect(reader.locator(".post-translations")).to_have_count(0)

            page = self.open_browser(locale="ru-RU")
            self.log_in(page, translator)
            expect(page).to_have_url(f"{self.live_server_url}/admin/articles/article/translations/")
            expect(page.locator(".translation-dashboard > section")).to_have_count(1)
            work = page.locator("#language-ru .translation-row", has_text=self.SOURCE_TITLE)
            expect(work.locator(".translation-state")).to_have_class("translation-state translation-state--missing")
            work.locator("a.translation-dashboard__form").click()

            for hidden in ("#id_title_tr", "#id_title_en", "#id_body_en", "#id_is_published_ru", "#id_published_at_0"):
                expect(page.locator(hidden)).to_have_count(0)
            expect(page.locator(".deletelink")).to_have_count(0)
            expect(page.locator("input[name=_addanother]")).to_have_count(0)
            title_source = page.locator(".translation-pair:has(#id_title_ru) .translation-source")
            expect(title_source).to_contain_text(self.SOURCE_TITLE)
            expect(title_source).to_have_attribute("lang", "tr")
            expect(page.locator(".translation-pair:has(#id_body_ru) .translation-source")).to_contain_text(
                "Karadeniz'de güvenlik dengesi değişiyor.[1]"
            )

            page.fill("#id_title_ru", self.RUSSIAN_TITLE)
            page.fill("#id_highlights_ru", "Баланс сил в Черноморском регионе меняется.")
            self.type_rich_text(
                page,
                "id_body_ru",
                ["Баланс безопасности в Черноморском регионе меняется.[1]", "Прибрежные государства делают новые шаги."],
            )
            reference = page.locator("#references-group tr.has_original").first
            expect(reference).to_contain_text("Karadeniz Güvenlik Raporu")
            reference.locator("textarea[name$=-text_ru]").fill("Доклад о безопасности Черноморского региона")
            self.save_screenshot(page, "translator-form")
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist .success")).to_be_visible()

            self.article.refresh_from_db()
            self.assertEqual(self.article.title_ru, self.RUSSIAN_TITLE)
            self.assertFalse(self.article.is_published_ru, "a translator does not publish")
            self.assertEqual(self.article.title_tr, self.SOURCE_TITLE)
            self.assertEqual(self.article.references.get().text_ru, "Доклад о безопасности Черноморского региона")

            desk = self.open_browser(locale="tr-TR")
            self.log_in(desk, editor)
            desk.goto(f"/admin/articles/article/{self.article.pk}/change/")
            self.show_language_tab(desk, "is_published", "ru")
            desk.check("#id_is_published_ru")
            desk.click("input[name=_continue]")
            expect(desk.locator(".messagelist .success")).to_be_visible()

            reader.reload()
            languages = reader.locator(".post-translations")
            expect(languages.get_by_role("link")).to_have_text(["Русский"])
            languages.get_by_role("link", name="Русский").click()
            expect(reader).to_have_url(self.live_server_url + Article.objects.get(pk=self.article.pk).url_in("ru"))
            expect(reader.locator("h1")).to_have_text(self.RUSSIAN_TITLE)
            expect(reader.locator("#fn-1")).to_contain_text("Доклад о безопасности Черноморского региона")
            expect(reader.locator(".post__tags a")).to_have_text(["Россия", "Украина"])
            self.save_screenshot(reader, "translator")

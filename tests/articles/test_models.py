"""Articles, tags and categories: slugs, language variants, sanitising."""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone, translation

from articles.models import Article, Category, Tag
from tests.factories import make_article, make_reference


class SlugTests(TestCase):
    def test_turkish_and_cyrillic_titles_get_transliterated_ascii_slugs(self):
        article = Article.objects.create(
            title_tr="Kuzey Kore-Rusya Yakınlaşması", title_en="Rapprochement", title_ru="Сближение"
        )
        self.assertEqual(article.slug_tr, "kuzey-kore-rusya-yakinlasmasi")
        self.assertEqual(article.slug_en, "rapprochement")
        self.assertEqual(article.slug_ru, "sblizhenie")

    def test_turkish_dotted_and_dotless_i_survive_in_slugs(self):
        article = Article.objects.create(title_tr="İstanbul'da Işık ve Şiir")
        self.assertEqual(article.slug_tr, "istanbulda-isik-ve-siir")

    def test_every_language_gets_a_slug_even_without_a_title_there(self):
        article = Article.objects.create(title_tr="Yaptırımlar ve Güvenlik")
        self.assertEqual(article.slug_en, "yaptirimlar-ve-guvenlik")
        self.assertEqual(article.slug_ru, "yaptirimlar-ve-guvenlik")

    def test_a_title_of_punctuation_only_still_gets_a_slug(self):
        article = Article.objects.create(title_en="???")
        self.assertTrue(article.slug_en)
        self.assertRegex(article.slug_en, r"^[a-z0-9-]+$")

    def test_slugs_are_unique_within_a_language_but_may_repeat_across_languages(self):
        first = Article.objects.create(title_en="Sanctions", title_ru="Sanctions")
        second = Article.objects.create(title_en="Sanctions")
        self.assertEqual(first.slug_en, "sanctions")
        self.assertEqual(second.slug_en, "sanctions-2")
        self.assertEqual(first.slug_ru, "sanctions")

    def test_an_editors_slug_is_kept(self):
        article = Article.objects.create(title_en="Long title", slug_en="short")
        self.assertEqual(article.slug_en, "short")

    def test_tag_and_category_slugs_are_translated_and_transliterated(self):
        tag = Tag.objects.create(name_tr="Yaptırımlar", name_en="Sanctions", name_ru="Санкции")
        category = Category.objects.create(name_tr="Analiz", name_en="Analysis", name_ru="Аналитика")
        self.assertEqual((tag.slug_tr, tag.slug_en, tag.slug_ru), ("yaptirimlar", "sanctions", "sanktsii"))
        self.assertEqual(category.slug_ru, "analitika")


class PublicationTests(TestCase):
    def test_a_variant_is_public_only_when_released_with_title_and_body(self):
        article = make_article("Seoul", languages=("tr", "en"), published=("tr",))
        self.assertEqual(article.available_languages, ["tr"])
        self.assertIn(article, Article.objects.published("tr"))
        self.assertNotIn(article, Article.objects.published("en"))  # complete, not released
        self.assertNotIn(article, Article.objects.published("ru"))  # no text at all

    def test_a_released_variant_without_body_is_not_public(self):
        article = Article.objects.create(title_ru="Без текста", is_published_ru=True)
        self.assertNotIn(article, Article.objects.published("ru"))
        self.assertEqual(article.available_languages, [])

    def test_releasing_an_incomplete_variant_is_refused_by_validation(self):
        article = Article(title_en="Title only", is_published_en=True)
        with self.assertRaises(ValidationError) as caught:
            article.full_clean()
        self.assertIn("is_published_en", caught.exception.message_dict)

    def test_a_scheduled_article_appears_only_when_its_date_comes(self):
        article = make_article("Later", published_at=timezone.now() + timedelta(days=2))
        self.assertNotIn(article, Article.objects.published("en"))
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))
        self.assertIn(article, Article.objects.published("en"))

    def test_an_article_is_public_at_the_very_instant_of_its_date(self):
        """The rule is "date come", not "date passed": at its own instant an article is public, one microsecond
        before it is not (both the queryset and the instance say so)."""
        from unittest import mock

        moment = timezone.now().replace(microsecond=500)
        article = make_article("On the dot", published_at=moment)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            self.assertTrue(article.is_published_in("en"))
            self.assertIn(article, Article.objects.published("en"))
        with mock.patch("django.utils.timezone.now", return_value=moment - timedelta(microseconds=1)):
            self.assertFalse(article.is_published_in("en"))
            self.assertNotIn(article, Article.objects.published("en"))

    def test_published_uses_the_active_language_when_none_is_given(self):
        article = make_article("Only Russian", languages=("ru",))
        with translation.override("ru"):
            self.assertIn(article, Article.objects.published())
        with translation.override("tr"):
            self.assertNotIn(article, Article.objects.published())


class SanitisingTests(TestCase):
    def test_scripts_and_event_handlers_are_removed_from_the_body_on_save(self):
        article = make_article(body='<p onclick="steal()">Hello<script>alert(1)</script> <a href="javascript:x()">x</a>[1]</p>')
        self.assertNotIn("script", article.body_en)
        self.assertNotIn("onclick", article.body_en)
        self.assertNotIn("javascript:", article.body_en)
        self.assertIn("Hello", article.body_en)
        self.assertIn("[1]", article.body_en)

    def test_plain_text_body_becomes_paragraphs(self):
        article = make_article(body="First line[1]\nSecond line")
        self.assertEqual(article.body_en, "<p>First line[1]</p>\n<p>Second line</p>")

    def test_highlights_are_kept_one_per_line(self):
        article = make_article(highlights_en="One.\n\n<b>Two</b>.\n<script>x</script>")
        self.assertEqual(article.highlight_list("en"), ["One.", "<b>Two</b>."])

    def test_reference_marker_is_stored_without_brackets(self):
        article = make_article()
        reference = make_reference(article, "[iv]")
        self.assertEqual(reference.marker, "iv")


class ProvisionalSlugTests(TestCase):
    def test_a_borrowed_slug_is_replaced_when_the_language_gets_its_own_title(self):
        article = Article.objects.create(title_tr="Kuzey Kore ve Rusya")
        self.assertEqual(article.slug_ru, "kuzey-kore-ve-rusya")
        article.title_ru = "Северная Корея и Россия"
        article.save()
        self.assertEqual(article.slug_ru, "severnaia-koreia-i-rossiia")

    def test_a_published_variants_slug_never_changes(self):
        article = Article.objects.create(title_tr="Kuzey Kore", title_en="North Korea", body_en="x",
                                         is_published_en=True)
        article.title_en = "North Korea Revisited"
        article.save()
        self.assertEqual(article.slug_en, "north-korea")

    def test_an_editors_own_slug_is_not_replaced(self):
        article = Article.objects.create(title_tr="Kuzey Kore", slug_ru="kk")
        article.title_ru = "Северная Корея"
        article.save()
        self.assertEqual(article.slug_ru, "kk")

"""Authors: Turkish capitals in names, name matching, bio fallback."""
from unittest import mock

from django.test import TestCase

from authors.models import Author
from tests.factories import make_author


class AuthorNameTests(TestCase):
    def test_family_name_is_shown_in_turkish_capitals(self):
        self.assertEqual(make_author("Hatice", "Çiftçioğlu").name, "Hatice ÇİFTÇİOĞLU")
        self.assertEqual(make_author("Berra", "Kızılyazı").name, "Berra KIZILYAZI")

    def test_capitals_follow_the_source_language_of_another_site(self):
        with mock.patch("modeltranslation.settings.DEFAULT_LANGUAGE", "en"):
            author = make_author("Erika", "Schmidt")
            self.assertEqual(author.name, "Erika SCHMIDT")  # Turkish rules would write SCHMİDT
            self.assertEqual(Author.objects.by_name("erika schmidt"), author)

    def test_slug_is_ascii(self):
        self.assertEqual(make_author("Hatice", "Çiftçioğlu").slug, "hatice-ciftcioglu")

    def test_name_lookup_ignores_case_by_turkish_rules(self):
        author = make_author("Berra", "Kızılyazı")
        self.assertEqual(Author.objects.by_name("berra kızılyazı"), author)
        self.assertEqual(Author.objects.by_name("BERRA KIZILYAZI"), author)
        self.assertIsNone(Author.objects.by_name("Berra Kizilyazi"))  # i is not ı in Turkish

    def test_dotted_capital_i_matches_dotted_small_i(self):
        author = make_author("İlkay", "İnce")
        self.assertEqual(Author.objects.by_name("ilkay ince"), author)
        self.assertEqual(author.name, "İlkay İNCE")


class BioTests(TestCase):
    def test_missing_translation_falls_back_to_the_turkish_source_and_says_so(self):
        author = make_author(bio_tr="Türkçe biyografi.")
        self.assertEqual(author.bio_for("ru"), ("Türkçe biyografi.", "tr"))
        author.bio_ru = "Русская биография."
        author.save()
        self.assertEqual(author.bio_for("ru"), ("Русская биография.", "ru"))

    def test_bio_is_sanitised(self):
        author = make_author(bio_tr='Bio <img src=x onerror="alert(1)"><script>x</script>')
        self.assertNotIn("onerror", author.bio_tr)
        self.assertNotIn("script", author.bio_tr)

"""Casing by the rules of each language (``publishing.text``): Turkish where the language has Turkish casing,
Unicode's elsewhere."""
from django.test import SimpleTestCase

from publishing.text import casefold_in, has_turkish_casing, upper_in


class CasingTests(SimpleTestCase):
    def test_turkish_casing_is_known_from_icu_not_from_a_list_of_codes(self):
        self.assertTrue(has_turkish_casing("tr"))
        self.assertTrue(has_turkish_casing("az"))
        for code in ("en", "de", "ru", "xx", ""):
            with self.subTest(code):
                self.assertFalse(has_turkish_casing(code))

    def test_capitals_follow_the_language(self):
        self.assertEqual(upper_in("Kızılyazı Çiftçioğlu", "tr"), "KIZILYAZI ÇİFTÇİOĞLU")
        self.assertEqual(upper_in("Schmidt", "tr"), "SCHMİDT")
        self.assertEqual(upper_in("Schmidt", "de"), "SCHMIDT")
        self.assertEqual(upper_in("Strauß", "de"), "STRAUSS")

    def test_case_folding_follows_the_language_and_folds_turkish_names_everywhere(self):
        self.assertEqual(casefold_in("IŞIK  İstanbul", "tr"), "ışık istanbul")
        self.assertEqual(casefold_in("Iran İstanbul", "en"), "iran istanbul")
        self.assertEqual(casefold_in("Internationale", "de"), casefold_in("internationale", "de"))
        self.assertNotEqual(casefold_in("Kızıl", "en"), casefold_in("Kizil", "en"))  # ı stays a letter of its own

"""Alphabetical order per language: Turkish letters in their own places, Russian Ё with Е."""
from django.test import SimpleTestCase

from publishing.collation import collation_key


class CollationTests(SimpleTestCase):
    def test_turkish_letters_follow_their_base_letters(self):
        names = ["Zeki", "Şahin", "Sarı", "Çelik", "Cengiz", "İnce", "Işık", "Ilgaz", "Öztürk", "Oral", "Ünal", "Uysal",
                 "Ğ", "Gül"]
        self.assertEqual(
            sorted(names, key=collation_key("tr")),
            ["Cengiz", "Çelik", "Gül", "Ğ", "Ilgaz", "Işık", "İnce", "Oral", "Öztürk", "Sarı", "Şahin", "Uysal",
             "Ünal", "Zeki"],
        )

    def test_dotless_i_comes_before_dotted_i(self):
        self.assertEqual(sorted(["ilk", "ılık", "İnce", "Irmak"], key=collation_key("tr")),
                         ["ılık", "Irmak", "ilk", "İnce"])

    def test_russian_alphabetical_order(self):
        names = ["Яковлев", "Жуков", "Ёлкин", "Елисеев", "Абрамов", "Эйдельман", "Щукин", "Шмелёв"]
        self.assertEqual(
            sorted(names, key=collation_key("ru")),
            ["Абрамов", "Елисеев", "Ёлкин", "Жуков", "Шмелёв", "Щукин", "Эйдельман", "Яковлев"],
        )

    def test_english_ignores_case_and_accents_at_first(self):
        self.assertEqual(sorted(["zeta", "Çelik", "cengiz", "Beta"], key=collation_key("en")),
                         ["Beta", "Çelik", "cengiz", "zeta"])

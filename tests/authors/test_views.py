"""The author index in the reader's alphabetical order."""
from bs4 import BeautifulSoup
from django.test import TestCase

from tests.factories import make_article, make_author


class AuthorIndexOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        article = make_article("Shared")
        for given, family in [("Zeynep", "Şahin"), ("Ali", "Sarı"), ("Berk", "Çelik"), ("Can", "Cengiz"),
                              ("Ece", "İnce"), ("Deniz", "Işık"), ("Fatma", "Ilgaz"), ("Pavel", "Жуков"),
                              ("Olga", "Ёлкин"), ("Ivan", "Елисеев"), ("Anna", "Абрамов")]:
            article.authors.add(make_author(given, family))
        make_author("Not", "Published")

    def names(self, language: str) -> list[str]:
        path = {"tr": "/tr/yazarlar/", "en": "/en/authors/", "ru": "/ru/avtory/"}[language]
        page = BeautifulSoup(self.client.get(path).content, "html.parser")
        return [a.get_text() for a in page.select(".author-list a")]

    def test_turkish_index_puts_c_before_c_cedilla_and_dotless_before_dotted_i(self):
        latin = [name for name in self.names("tr") if name.split()[-1][0].isascii() or name.split()[-1][0] in "ÇİŞ"]
        self.assertEqual(latin, ["Can CENGİZ", "Berk ÇELİK", "Fatma ILGAZ", "Deniz IŞIK", "Ece İNCE", "Ali SARI",
                                 "Zeynep ŞAHİN"])

    def test_russian_index_puts_yo_after_ye(self):
        cyrillic = [name for name in self.names("ru") if not name.split()[-1][0].isascii()
                    and name.split()[-1][0] not in "ÇİŞ"]
        self.assertEqual(cyrillic, ["Anna АБРАМОВ", "Ivan ЕЛИСЕЕВ", "Olga ЁЛКИН", "Pavel ЖУКОВ"])

    def test_authors_without_public_articles_are_not_listed(self):
        self.assertNotIn("Not PUBLİSHED", self.names("en"))
        self.assertEqual(len(self.names("en")), 11)

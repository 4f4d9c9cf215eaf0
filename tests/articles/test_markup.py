"""The article page's fast markup helpers escape exactly as Django's ``format_html`` family does."""
from datetime import date

from django.test import SimpleTestCase
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from articles.markup import escape_html, format_markup, join_markup


class Marked:
    def __html__(self):
        return "<b>already markup</b>"


lazy_text = lazy(lambda: "Ankara & <Baku>", str)()

VALUES = [
    "plain",
    "<script>alert('x')</script> & \"quoted\"",
    "İstanbul'da Işık — Россия",
    mark_safe("<em>trusted</em>"),
    lazy_text,
    42,
    None,
    date(2024, 3, 18),
    Marked(),
]


class MarkupTests(SimpleTestCase):
    def test_each_value_is_escaped_as_conditional_escape_does(self):
        for value in VALUES:
            with self.subTest(value=value):
                self.assertEqual(escape_html(value), str(conditional_escape(value)))

    def test_format_and_join_give_djangos_markup_and_mark_it_safe(self):
        template = '<a href="{}" title="{}">{}</a>'
        rows = [(value, value, value) for value in VALUES]
        for row in rows:
            with self.subTest(row=row):
                made = format_markup(template, *row)
                self.assertIsInstance(made, SafeString)
                self.assertEqual(made, format_html(template, *row))
        joined = join_markup(template, rows, "\n  ")
        self.assertIsInstance(joined, SafeString)
        self.assertEqual(joined, format_html_join("\n  ", template, rows))
        self.assertEqual(join_markup(template, []), "")

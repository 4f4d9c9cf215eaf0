"""Casing by the rules of each language (``publishing.text``): Turkish where the language has Turkish casing,
Unicode's elsewhere; what the sanitiser keeps of each allowed tag."""
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation

from publishing.text import (
    MAX_HTML_LENGTH, MAX_HTML_TAGS, casefold_in, has_turkish_casing, sanitize_html, upper_in, validate_html_size,
)


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


class SanitisingTests(SimpleTestCase):
    """What each allowed tag keeps: exact outputs, so that one attribute too many fails."""

    def test_each_tag_keeps_only_its_own_attributes(self):
        cases = {
            '<span lang="ru" style="color:red" class="x" title="t">слово</span>': '<span lang="ru" title="t">слово</span>',
            '<p lang="tr" style="position:fixed" onclick="alert(1)">Metin</p>': '<p lang="tr">Metin</p>',
            '<a href="https://example.org/" style="x" target="_blank">link</a>':
                '<a href="https://example.org/" rel="noopener noreferrer">link</a>',
            '<sup id="fnref-x" class="c">1</sup>': '<sup id="fnref-x">1</sup>',
            '<a href="ftp://example.org/f" id="top">ftp</a>': '<a id="top" rel="noopener noreferrer">ftp</a>',
            '<table><tr><td colspan="2" style="x">c</td></tr></table>':
                '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>',
            '<abbr title="North Atlantic Treaty Organization" style="x">NATO</abbr>':
                '<abbr title="North Atlantic Treaty Organization">NATO</abbr>',
        }
        for markup, expected in cases.items():
            with self.subTest(markup):
                self.assertEqual(sanitize_html(markup, inline=markup.startswith(("<span", "<a", "<abbr", "<sup"))), expected)

    def test_the_size_limits_are_inclusive_and_their_messages_name_them(self):
        validate_html_size("a" * MAX_HTML_LENGTH)
        validate_html_size("<" * MAX_HTML_TAGS)
        refused = {
            "a" * (MAX_HTML_LENGTH + 1): ("too_long", "The text is too long (500,001 characters; the limit is 500,000)."),
            "<" * (MAX_HTML_TAGS + 1): ("too_many_tags", "The text has too much markup (more than 5,000 tags)."),
        }
        for value, (code, message) in refused.items():
            with self.subTest(message), translation.override("en"):
                with self.assertRaises(ValidationError) as raised:
                    validate_html_size(value)
                self.assertEqual(raised.exception.messages, [message])
                self.assertEqual(raised.exception.code, code, "forms and callers tell the refusals apart by it")

    def test_empty_text_stays_empty_and_markup_at_the_tag_limit_is_still_parsed(self):
        self.assertEqual((sanitize_html(""), sanitize_html(None)), ("", ""))
        at_limit = "<b>x</b>" * (MAX_HTML_TAGS // 2)
        self.assertEqual(at_limit.count("<"), MAX_HTML_TAGS)
        self.assertEqual(sanitize_html(at_limit), at_limit, "kept as markup, not flattened to text")
        self.assertEqual(sanitize_html(at_limit + "<b>y"), at_limit.replace("<", "") + "b>y", "one more: flattened")

    def test_tags_outside_the_list_go_with_their_markup_and_dangerous_ones_with_their_text(self):
        self.assertEqual(sanitize_html('<h1>Title</h1><div>Block</div><img src="https://example.org/x.png"><p>Para</p>'),
                         "TitleBlock<p>Para</p>")
        self.assertEqual(sanitize_html("<p>Para <b>b</b></p><h2>H</h2>", inline=True), "Para <b>b</b>H")
        for tag in ("script", "style", "iframe", "object", "template", "noscript", "svg", "math"):
            with self.subTest(tag):
                self.assertEqual(sanitize_html(f"<p>a</p><{tag}>secret</{tag}>"), "<p>a</p>", "no stray text either")
        self.assertEqual(sanitize_html('<p>a</p><embed src="x.swf">'), "<p>a</p>")
        self.assertEqual(sanitize_html("<p>a<!-- a note for editors only --></p>"), "<p>a</p>", "comments go")

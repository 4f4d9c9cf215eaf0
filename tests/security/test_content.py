"""Attacks through content: markup that would run in a reader's or an editor's browser, and input built to be slow.

Rich text (bodies, highlights, references, bios) is sanitised when saved, whatever the way in; plain text (titles,
tag and author names) is escaped wherever it is shown; pathological input is refused or neutralised quickly.
"""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from articles.exchange import seedtext, seedtext_rules
from articles.exchange.importing import ArticleImportError, article_import_text
from articles.exchange.seedtext import MAX_LINE_LENGTH
from articles.models import Article
from publishing.text import MAX_HTML_TAGS
from authors.models import Author
from tests.factories import make_article, make_author, make_reference, make_tag
from tests.security.helpers import article_form_data, author_form_data, make_editor
from tests.work import parser_inputs, regex_inputs

# The most markup ("<" characters) the HTML parser may be handed: its time grows with the square of the nesting
# depth, and ``manage.py bench`` measures it at this size ("hostile inputs"). Raising MAX_HTML_TAGS past it fails here.
PARSER_TAG_BOUND = 5_000

# Each of these must lose its executable part; the words around them must survive.
ATTACKS = (
    '<script>alert("body")</script>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">js link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<p onclick="alert(1)" style="position:fixed">click</p>',
    '<span lang="ru" style="background:url(https://evil.example/track.gif)">styled</span>',
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    '<svg><script>alert(3)</script></svg>',
    '<math><mi xlink:href="javascript:alert(4)">m</mi></math>',
    '<a href="JaVaScRiPt&colon;alert(5)">mixed case</a>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    "<form action='https://evil.example/'><input name=x></form>",
)
HOSTILE_BODY = "<p>Kept text[1] with <strong>bold</strong> and <a href=\"https://example.org/\">a link</a>.</p>" + "".join(
    ATTACKS
)


def assert_harmless(test: TestCase, html: str) -> None:
    """No element or attribute in ``html`` that a browser would run or that would load another document."""
    page = BeautifulSoup(html, "html.parser")
    for name in ("script", "iframe", "style", "object", "embed", "form", "input", "svg", "math"):
        test.assertIsNone(page.find(name), f"<{name}> survived in {html!r}")
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            test.assertFalse(attribute.lower().startswith("on"), f"{attribute}= survived in {html!r}")
            test.assertNotEqual(attribute.lower(), "style", f"style= survived in {html!r}")
            if attribute in ("href", "src", "action", "xlink:href"):
                test.assertRegex(str(value), r"^(https?:|mailto:|#|/(?!/))", f"{attribute}={value!r} survived")


class SanitisedOnEveryWayInTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def setUp(self):
        self.client.force_login(self.editor)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def test_script_and_event_handlers_in_a_crafted_admin_post_are_removed(self):
        data = article_form_data(
            title_en="Crafted", body_en=HOSTILE_BODY, highlights_en="A <b>key</b> line<script>alert(6)</script>",
            is_published_en="on",
        )
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(title_en="Crafted")
        assert_harmless(self, article.body_en)
        assert_harmless(self, article.highlights_en)
        self.assertIn("<strong>bold</strong>", article.body_en)
        self.assertIn('href="https://example.org/"', article.body_en)
        self.assertIn("Kept text[1]", article.body_en)
        self.assertEqual(article.highlights_en, "A <b>key</b> line")

    def test_hostile_reference_text_and_bio_from_the_orm_are_removed(self):
        article = make_article("Direct", body=HOSTILE_BODY, highlights_en=ATTACKS[1] + "Highlight")
        reference = make_reference(article, "1", text_en="Source " + "".join(ATTACKS))
        author = make_author(bio_tr="<p>Biyografi</p>" + "".join(ATTACKS))
        for value in (article.body_en, article.highlights_en, reference.text_en, author.bio_tr):
            assert_harmless(self, value)
        self.assertIn("Biyografi", author.bio_tr)

    def test_hostile_author_bio_posted_to_the_admin_is_removed(self):
        data = author_form_data(bio_tr="<p>Biyografi</p>" + "".join(ATTACKS))
        self.assertEqual(self.client.post(reverse("admin:authors_author_add"), data).status_code, 302)
        assert_harmless(self, Author.objects.get().bio_tr)

    def test_markup_in_an_imported_export_is_not_executable(self):
        export = (
            "Analysis\n\nImported <script>alert(7)</script> title\n\n"
            "A <b>highlight</b> line.<script>alert(8)</script>\n\nPaylaş\n\n"
            "First paragraph <script>alert(9)</script><img src=x onerror=alert(10)> with a note.[1]\n\n"
            "Second paragraph <a href=\"javascript:alert(11)\">link</a>.\n\n"
            "[1] Source <iframe src=//evil.example></iframe>, https://example.org/a, (Date of Access: 18.03.2025).\n"
        )
        article = article_import_text(data=export.encode(), language="en", source="hostile.txt").article
        for value in (article.body_en, article.highlights_en, *[r.text_en for r in article.references.all()]):
            assert_harmless(self, value)
        self.assertIn("First paragraph", article.body_en)
        self.assertEqual(article.highlights_en, "A <b>highlight</b> line.")

    def test_footnote_links_and_allowed_formatting_survive_on_the_page(self):
        article = make_article("Notes", body=HOSTILE_BODY)
        make_reference(article, "1", text_en="<em>Cited</em> work<script>alert(12)</script>")
        with translation.override("en"):
            page = self.client.get(article.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        body = BeautifulSoup(page.content, "html.parser").select_one(".post__body")
        self.assertIsNotNone(body.select_one('a[href="#fn-1"][role="doc-noteref"]'))
        self.assertIsNotNone(body.find("strong"))
        references = BeautifulSoup(page.content, "html.parser").select_one(".references")
        self.assertIsNotNone(references.find("em"))
        assert_harmless(self, str(body))
        assert_harmless(self, str(references))


MARKUP_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'


class EscapedPlainTextTests(TestCase):
    """Titles, tag names and author names are plain text: whatever they contain is shown, never run."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.tag = make_tag('<img src=x onerror=alert("tag")>', tr='<b onmouseover=alert("tag")>etiket</b>',
                           ru="<script>alert('тег')</script>")
        cls.author = make_author('<img src=x onerror=alert("author")>', "<script>alert(1)</script>")
        cls.article = make_article(MARKUP_TITLE, tags=(cls.tag,))
        cls.article.authors.add(cls.author)
        cls.other = make_article(MARKUP_TITLE + " similar", tags=(cls.tag,))
        cls.other.authors.add(cls.author)

    def assert_escaped(self, response) -> None:
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        for raw in ("<script>alert(", "<img src=x onerror", "<b onmouseover", '<img src="x" onerror'):
            self.assertNotIn(raw, content)

    def test_markup_in_titles_tag_and_author_names_is_escaped_on_public_pages(self):
        for code in ("tr", "en", "ru"):
            with self.subTest(code), translation.override(code):
                urls = [reverse("articles:index"), self.article.get_absolute_url(), self.tag.get_absolute_url(),
                        reverse("articles:authors"), self.author.get_absolute_url()]
                for url in urls:
                    self.assert_escaped(self.client.get(url))
        with translation.override("en"):
            page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "&lt;script&gt;alert(")  # shown as text, not dropped
        self.assertIn("similar", BeautifulSoup(page.content, "html.parser").select_one("#similar-posts").text)

    def test_markup_in_names_is_escaped_in_admin_lists(self):
        self.client.force_login(self.editor)
        for name in ("articles_article", "articles_tag", "authors_author"):
            with self.subTest(name):
                self.assert_escaped(self.client.get(reverse(f"admin:{name}_changelist")))
        self.assert_escaped(self.client.get(reverse("admin:articles_article_change", args=[self.article.pk])))

    def test_markup_in_a_title_is_escaped_in_admin_messages(self):
        self.client.force_login(self.editor)
        data = article_form_data(title_en=MARKUP_TITLE + " new", body_en="<p>Text</p>")
        response = self.client.post(reverse("admin:articles_article_add"), data, follow=True)
        self.assert_escaped(response)
        self.assertContains(response, "&lt;script&gt;alert(")
        draft = make_article(MARKUP_TITLE + " draft", languages=("en",), published=())
        response = self.client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_ru", "_selected_action": [draft.pk]},
            follow=True,
        )
        self.assertContains(response, "&lt;script&gt;alert(")
        self.assert_escaped(response)


class PathologicalInputTests(TestCase):
    """Input built to be slow: each case is refused or neutralised before the HTML parser sees more markup than it
    handles in linear time (``PARSER_TAG_BOUND`` "<"; how long it takes there is ``manage.py bench``'s figure)."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def setUp(self):
        self.client.force_login(self.editor)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def assert_form_error(self, response, field: str, message: str) -> None:
        self.assertEqual(response.status_code, 200, "refused with a form error")
        self.assertRegex(" ".join(response.context["adminform"].form.errors.get(field, [])), message)

    def assert_parser_bounded(self, inputs: list[str]) -> None:
        self.assertLessEqual(max((text.count("<") for text in inputs), default=0), PARSER_TAG_BOUND)

    def test_a_megabyte_of_angle_brackets_is_refused_by_the_form_unparsed(self):
        data = article_form_data(title_en="Brackets", body_en="<" * 1_000_000)
        with parser_inputs(parse_at_most=PARSER_TAG_BOUND) as parsed:
            response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assert_form_error(response, "body_en", "too long|too much markup")
        self.assertFalse(Article.objects.filter(title_en="Brackets").exists())
        self.assertEqual([text for text in parsed if "<<" in text], [])

    def test_deeply_nested_tags_are_refused_by_the_form_unparsed(self):
        data = article_form_data(title_en="Nested", body_en="<div>" * 20_000 + "deep")
        with parser_inputs(parse_at_most=PARSER_TAG_BOUND) as parsed:
            response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assert_form_error(response, "body_en", "too much markup")
        self.assertEqual([text for text in parsed if "<div>" in text], [])
        self.assertFalse(Article.objects.filter(title_en="Nested").exists())

    def test_deeply_nested_tags_saved_directly_are_neutralised_unparsed(self):
        for body in ("<div>" * 100_000 + "<script>alert(1)</script>", "<" * 1_000_000,
                     "<scr<script>ipt>alert(2)</scr</script>ipt>" * 20_000):
            with self.subTest(body[:20]), parser_inputs(parse_at_most=PARSER_TAG_BOUND) as parsed:
                article = make_article("Deep", body=body, languages=("en",))
            self.assert_parser_bounded(parsed)
            self.assertNotIn("<script", article.body_en)
            self.assertNotIn("<div", article.body_en)

    def test_nesting_within_the_limit_is_sanitised_by_the_parser(self):
        body = "<blockquote>" * (min(MAX_HTML_TAGS, PARSER_TAG_BOUND) - 10) + "deep"
        with parser_inputs(parse_at_most=PARSER_TAG_BOUND) as parsed:
            article = make_article("Within limit", body=body)
        self.assertEqual(sum(text == body for text in parsed), 3, "each language's body parsed once")
        self.assert_parser_bounded(parsed)
        self.assertIn("deep", article.body_en)
        self.assertIn("<blockquote>", article.body_en)

    def test_too_long_text_is_refused_by_the_form(self):
        data = article_form_data(title_en="Long", body_en="word " * 200_000)
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assert_form_error(response, "body_en", "too long")

    def test_a_ten_megabyte_line_in_an_import_file_is_refused_unparsed(self):
        for size in (10 * 1024 * 1024, 4 * 1024 * 1024):
            data = b"Title\n\n" + b"<" * size + b"\n"
            with self.subTest(size), parser_inputs(parse_at_most=PARSER_TAG_BOUND) as parsed, \
                    regex_inputs(seedtext, seedtext_rules) as regex_runs, self.assertRaises(ArticleImportError) as raised:
                article_import_text(data=data, language="en", source="huge.txt")
            self.assertRegex(raised.exception.message, "too large|too long")
            self.assertEqual(parsed, [])
            self.assertLessEqual(max(regex_runs, default=0), MAX_LINE_LENGTH, "no regex reads the long line")
        self.assertFalse(Article.objects.exists())

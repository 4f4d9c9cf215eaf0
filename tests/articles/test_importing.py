"""The text importer, through the command a editor runs and the service behind it."""
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from articles.exchange.importing import ArticleImportError, article_import_text, split_author_name
from articles.models import Article, Category, Reference
from authors.models import Author
from tests.factories import make_author, make_category
from tests.seeds import SEED_004_TITLE, seed, seed_files


def run_import(*args) -> tuple[str, str, SystemExit | None]:
    """The command's output, errors and exit: a failing file means exit status 1, never a traceback."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    except SystemExit as exit_:
        assert exit_.code == 1
        return out.getvalue(), err.getvalue(), exit_
    return out.getvalue(), err.getvalue(), None


def page(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


class ImportSeedsTests(TestCase):
    def test_all_five_seeds_render_every_paragraph_highlight_and_reference(self):
        out, err, error = run_import(*seed_files(), "--language", "en", "--publish", "--title", SEED_004_TITLE)
        self.assertIsNone(error, err)
        self.assertEqual(Article.objects.count(), 5)
        self.assertEqual(len(out.strip().splitlines()), 5)
        for line in out.splitlines():
            self.assertRegex(line, r": created /en/articles/[a-z0-9-]+/$")
        from articles.exchange.seedtext import decode_export, parse_article_text

        for path in seed_files():
            parsed = parse_article_text(decode_export(path.read_bytes()), title=SEED_004_TITLE)
            article = Article.objects.get(title_en=parsed.title)
            html = page(self.client, article.url_in("en"))
            body = [" ".join(p.get_text().split()) for p in html.select(".post__body p")]
            self.assertEqual(body, [" ".join(p.split()) for p in parsed.paragraphs], path.name)
            self.assertEqual([li.get_text() for li in html.select(".post__highlights li")], parsed.highlights)
            for reference in parsed.references:
                item = html.find(id=f"fn-{reference.marker}")
                self.assertIn(" ".join(reference.text.split()), " ".join(item.get_text().split()))
            for link in html.select("a[role=doc-noteref]"):
                self.assertIsNotNone(html.find(id=link["href"][1:]))

    def test_the_seeds_chrome_does_not_claim_translations(self):
        run_import(seed("001"), "--language", "en", "--publish")
        html = page(self.client, Article.objects.get().url_in("en"))
        self.assertIsNone(html.select_one(".post-translations"))
        self.assertNotIn("Paylaş", html.select_one("article").get_text())

    def test_mixed_arabic_and_roman_markers_link_to_their_own_references(self):
        run_import(seed("004"), "--language", "en", "--publish", "--title", SEED_004_TITLE)
        article = Article.objects.get()
        self.assertEqual([r.marker for r in article.references.all()], ["1", "2", "i", "ii", "iii"])
        self.assertEqual(article.references.get(marker="ii").text_en, "Ibid.")
        html = page(self.client, article.url_in("en"))
        self.assertEqual(
            [a["href"] for a in html.select(".post__body a[role=doc-noteref]")],
            ["#fn-i", "#fn-ii", "#fn-iii", "#fn-1", "#fn-2"],
        )

    def test_a_reference_whose_url_sits_on_the_next_line(self):
        run_import(seed("002"), "--language", "en")
        reference = Reference.objects.get(marker="i")
        self.assertEqual(reference.url, "https://www.cfr.org/in-brief/perils-renewed-north-korea-russia-relationship")
        self.assertEqual(str(reference.accessed_on), "2024-01-07")
        self.assertTrue(reference.text_en.startswith("Scott A. Snyder"))

    def test_highlights_and_category_of_seed_003(self):
        run_import(seed("003"), "--language", "en")
        article = Article.objects.get()
        self.assertEqual(len(article.highlight_list("en")), 3)
        self.assertEqual(article.category.name_en, "Analysis")

    def test_category_matched_by_its_name_in_any_language(self):
        existing = make_category(en="Analysis", tr="Analiz", ru="Аналитика")
        run_import(seed("003"), "--language", "en")
        self.assertEqual(Article.objects.get().category, existing)
        self.assertEqual(Category.objects.count(), 1)

    def test_authors_are_matched_by_name_the_turkish_way_and_get_the_turkish_bio(self):
        existing = make_author("Hatice", "Çiftçioğlu", bio_tr="")
        run_import(seed("002"), "--language", "en")
        article = Article.objects.get()
        self.assertEqual(list(article.authors.all()), [existing])
        existing.refresh_from_db()
        self.assertTrue(existing.bio_tr.startswith("Hatice Çiftçioğlu, 2020 yılında Hacettepe"))
        self.assertEqual(existing.bio_en, "")

    def test_new_authors_get_given_and_family_names(self):
        run_import(seed("003"), "--language", "en")
        author = Author.objects.get()
        self.assertEqual((author.given_name, author.family_name, author.name), ("Berra", "Kızılyazı", "Berra KIZILYAZI"))

    def test_seeds_without_author_block_get_no_author(self):
        run_import(seed("000"), "--language", "en")
        self.assertEqual(Article.objects.get().authors.count(), 0)
        self.assertEqual(Author.objects.count(), 0)

    def test_without_publish_the_variant_stays_a_draft(self):
        out, _err, _error = run_import(seed("000"), "--language", "en")
        article = Article.objects.get()
        self.assertEqual(article.available_languages, [])
        self.assertEqual(self.client.get(article.url_in("en")).status_code, 404)

    def test_publication_date_follows_the_access_dates(self):
        run_import(seed("003"), "--language", "en")
        self.assertEqual(Article.objects.get().published_at.date().isoformat(), "2025-03-18")

    def test_importing_the_same_file_twice_changes_nothing(self):
        run_import(seed("001"), "--language", "en", "--publish")
        before = Article.objects.get()
        out, _err, error = run_import(seed("001"), "--language", "en", "--publish")
        self.assertIsNone(error)
        self.assertIn(": unchanged /en/articles/", out)
        after = Article.objects.get()
        self.assertEqual(after.updated_at, before.updated_at)
        self.assertEqual((Article.objects.count(), Reference.objects.count(), Author.objects.count()), (1, 6, 1))

    def test_dry_run_reports_and_writes_nothing(self):
        out, _err, error = run_import(seed("001"), "--language", "en", "--dry-run")
        self.assertIsNone(error)
        self.assertIn("created", out)
        self.assertIn("dry run", out)
        self.assertEqual((Article.objects.count(), Author.objects.count(), Category.objects.count()), (0, 0, 0))


class TranslationImportTests(TestCase):
    def test_a_russian_translation_joins_the_existing_article(self):
        run_import(seed("002"), "--language", "en", "--publish")
        article = Article.objects.get()
        russian = (
            "Аналитика\n\nПоследний поворот в отношениях Северной Кореи и России\n\nПоделиться\n\n"
            "Первый абзац.[i]\n\nВторой абзац.[ii]\n\n"
            "[i] «Опасности», Council on Foreign Relations, https://www.cfr.org/x, (Дата обращения: 07.01.2024).\n"
            "[ii] Там же.\n"
        )
        outcome = article_import_text(
            data=russian.encode(), language="ru", source="ru.txt", translation_of=article.slug_en, publish=True
        )
        self.assertEqual(outcome.action, "updated")
        self.assertEqual(Article.objects.count(), 1)
        article.refresh_from_db()
        self.assertEqual(article.slug_ru, "poslednii-povorot-v-otnosheniiakh-severnoi-korei-i-rossii")
        self.assertEqual(article.references.get(marker="ii").text_ru, "Там же.")
        english = page(self.client, article.url_in("en"))
        self.assertEqual([a["hreflang"] for a in english.select(".post-translations a")], ["ru"])
        russian_page = page(self.client, article.url_in("ru"))
        self.assertIn("Дата обращения", russian_page.select_one("#fn-i").get_text())

    def test_the_shipped_russian_translation_file_of_seed_002(self):
        from django.conf import settings

        run_import(seed("002"), "--language", "en", "--publish")
        article = Article.objects.get()
        russian_file = settings.BASE_DIR / "fixtures" / "texts" / "ru" / "002.txt"
        out, err, error = run_import(russian_file, "--language", "ru", "--translation-of", article.slug_en,
                                     "--publish")
        self.assertIsNone(error, err)
        self.assertIn(": updated /ru/stati/", out)
        self.assertEqual(Article.objects.count(), 1)
        links = page(self.client, article.url_in("en")).select(".post-translations a")
        self.assertEqual([(a["hreflang"], a.get_text()) for a in links], [("ru", "Русский")])
        self.assertEqual(sorted(article.references.values_list("marker", flat=True)), ["i", "ii", "iii", "iv", "v"])

    def test_translation_of_accepts_a_slug_in_any_language(self):
        run_import(seed("000"), "--language", "en")
        article = Article.objects.get()
        out, err, error = run_import(seed("001"), "--language", "tr", "--translation-of", article.slug_ru)
        self.assertIsNone(error, err)
        self.assertEqual(Article.objects.count(), 1)

    def test_translation_of_an_unknown_slug_fails_clearly(self):
        out, err, error = run_import(seed("000"), "--language", "ru", "--translation-of", "no-such-article")
        self.assertIsNotNone(error)
        self.assertIn("000_", err)
        self.assertIn("no article has the slug 'no-such-article'", err)
        self.assertEqual(Article.objects.count(), 0)


class TranslatedReferenceAddressTests(TestCase):
    """A translation whose reference cites a source in its own language: the article keeps one address per
    reference, and the importer says which address it did not take (the seed articles, their Russian export)."""

    fixtures = ["01_taxonomy", "02_authors", "03_articles"]
    RUSSIAN_SOURCE = "https://tass.ru/mezhdunarodnaya-panorama/23412345"

    def test_a_russian_export_citing_a_russian_source_is_told_the_address_kept(self):
        text = (Path(settings.BASE_DIR) / "fixtures" / "texts" / "ru" / "003.txt").read_text()
        english_source = "https://en.yna.co.kr/view/AEN20250317009800320?section=nk/nk"
        self.assertIn(english_source, text)
        reference = Reference.objects.get(url=english_source, marker="1")
        with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
            handle.write(text.replace(english_source, self.RUSSIAN_SOURCE, 1).encode())
            handle.flush()
            out, err, error = run_import(handle.name, "--language", "ru", "--translation-of", reference.article.slug_en)
        self.assertIsNone(error, err)
        warning = (f"{handle.name}: warning: reference [1]: this ru text cites {self.RUSSIAN_SOURCE}; the article "
                   f"keeps {english_source} (one address for every language: change it in the admin if it should)")
        self.assertIn(warning, out.splitlines())
        reference.refresh_from_db()
        self.assertEqual(reference.url, english_source)

    def test_the_same_address_gives_no_warning(self):
        path = Path(settings.BASE_DIR) / "fixtures" / "texts" / "ru" / "003.txt"
        article = Reference.objects.get(url__startswith="https://en.yna.co.kr/", marker="1").article
        out, err, error = run_import(path, "--language", "ru", "--translation-of", article.slug_en)
        self.assertIsNone(error, err)
        self.assertNotIn("cites", out)


class BadInputTests(TestCase):
    def write(self, name: str, data: bytes):
        path = self.tmp / name
        path.write_bytes(data)
        return path

    def setUp(self):
        import tempfile
        from pathlib import Path

        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def assert_refused(self, path, *extra, expect: str):
        out, err, error = run_import(path, "--language", "en", *extra)
        self.assertIsNotNone(error, "the command must exit non-zero")
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith(str(path)), lines[0])
        self.assertIn(expect, lines[0])
        self.assertNotIn("Traceback", err + out)
        self.assertEqual(Article.objects.count(), 0)

    def test_empty_file(self):
        self.assert_refused(self.write("empty.txt", b""), expect="empty")

    def test_not_utf8(self):
        self.assert_refused(self.write("latin.txt", "Başlık\n\nMetin ğ\n".encode("cp1254")), expect="UTF-8")

    def test_binary_data(self):
        self.assert_refused(self.write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20), expect="binary")

    def test_title_less_file_without_title_names_the_line(self):
        self.assert_refused(seed("004"), expect="line 1: the file has no title line")

    def test_unknown_language(self):
        out, err, error = run_import(seed("000"), "--language", "de")
        self.assertIsNotNone(error)
        self.assertIn("unknown language 'de'", err)

    def test_missing_file(self):
        out, err, error = run_import(self.tmp / "nope.txt", seed("000"), "--language", "en")
        self.assertIsNotNone(error, "the command must exit non-zero")
        self.assertEqual(error.code, 1)
        self.assertEqual(err.strip().splitlines(), [f"{self.tmp / 'nope.txt'}: cannot read the file (No such file or directory)"])
        self.assertNotIn("Traceback", err + out)
        self.assertEqual(Article.objects.count(), 1, "the readable file after it is still imported")

    def test_one_bad_file_does_not_stop_the_others(self):
        out, err, error = run_import(
            self.write("empty.txt", b""), seed("000"), seed("004"), seed("003"), "--language", "en"
        )
        self.assertIsNotNone(error)
        self.assertEqual(len(err.strip().splitlines()), 2)  # the empty file and the title-less one
        self.assertEqual(len(out.strip().splitlines()), 2)
        self.assertEqual(Article.objects.count(), 2)

    def test_a_file_is_written_whole_or_not_at_all(self):
        with mock.patch.object(Reference, "save", side_effect=RuntimeError("disk full")):
            with self.assertRaises(RuntimeError):
                article_import_text(data=seed("002").read_bytes(), language="en", source="002")
        self.assertEqual((Article.objects.count(), Author.objects.count(), Category.objects.count()), (0, 0, 0))

    def test_unmatched_markers_are_warnings_not_failures(self):
        path = self.write("warn.txt", "A Title\n\nShare\n\nText[1] and[3].\n\n[1] Source.\n[2] Other.\n".encode())
        out, err, error = run_import(path, "--language", "en")
        self.assertIsNone(error, err)
        self.assertIn("warning: marker [3]", out)
        self.assertIn("warning: reference [2]", out)


class AuthorNameSplitTests(TestCase):
    def test_capitals_mark_the_family_name(self):
        self.assertEqual(split_author_name("Hatice ÇİFTÇİOĞLU"), ("Hatice", "Çiftçioğlu"))
        self.assertEqual(split_author_name("Berra KIZILYAZI"), ("Berra", "Kızılyazı"))
        self.assertEqual(split_author_name("Ayşe Nur YILMAZ KAYA"), ("Ayşe Nur", "Yılmaz Kaya"))
        self.assertEqual(split_author_name("John Smith"), ("John", "Smith"))

    def test_import_error_is_one_line(self):
        error = ArticleImportError("bad", source="a.txt", line=3)
        self.assertEqual(str(error), "a.txt: line 3: bad")

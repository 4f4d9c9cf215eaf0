"""Reading aids: reading time, previous/next in the category, counts, print stylesheet, error pages, landmarks."""
import pytest
from bs4 import BeautifulSoup
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import translation

from tests.factories import make_article, make_category, make_tag


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


class ReadingTimeTests(TestCase):
    def test_reading_time_counts_words_of_the_pages_language(self):
        article = make_article("Long", body="<p>" + "word " * 1000 + "</p>")
        article.body_ru = "<p>" + "слово " * 150 + "</p>"
        article.save()
        self.assertEqual(article.reading_minutes("en"), 5)
        self.assertEqual(article.reading_minutes("ru"), 1)
        labels = {"en": "5 minutes read", "tr": "5 dakikalık okuma", "ru": "1 минута чтения"}
        for code, label in labels.items():
            text = soup(self.client.get(article.url_in(code))).select_one(".post__reading-time").get_text()
            self.assertEqual(text, label, code)

    def test_an_edited_body_is_counted_again_on_the_same_instance(self):
        """The body's text is kept on the instance between the page's three uses; an edit must not reuse it."""
        article = make_article("Edited", body="<p>" + "word " * 1000 + "</p>")
        self.assertEqual(article.reading_minutes("en"), 5)
        article.body_en = "<p>" + "word " * 10 + "</p>"
        self.assertEqual(article.reading_minutes("en"), 1)
        self.assertEqual(article.word_count("en"), 10)

    def test_the_summary_reads_entities_as_text(self):
        article = make_article("Entities", body="<p>Trade &amp; energy <em>between</em> Ankara&nbsp;and Baku.</p>")
        article.highlights_en = ""
        self.assertEqual(article.summary("en"), "Trade & energy between Ankara and Baku.")
        article.highlights_en = "<strong>Gas</strong> &amp; oil."
        self.assertEqual(article.summary("en"), "Gas & oil.")


class NeighbourTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.oldest = make_article("Oldest", category=cls.category, days_ago=30)
        cls.middle = make_article("Middle", category=cls.category, days_ago=20)
        cls.english_gap = make_article("Turkish only", category=cls.category, days_ago=15, published=("tr",))
        cls.newest = make_article("Newest", category=cls.category, days_ago=10)
        make_article("Elsewhere", category=make_category("Other", tr="Diğer", ru="Другое"), days_ago=12)
        cls.alone = make_article("No category", days_ago=25)

    def links(self, article, code):
        page = soup(self.client.get(article.url_in(code)))
        return {a["rel"][0]: a["href"] for a in page.select(".post__neighbours a")}

    def test_previous_and_next_are_the_neighbours_published_in_the_same_category_and_language(self):
        self.assertEqual(self.links(self.middle, "en"),
                         {"prev": self.oldest.url_in("en"), "next": self.newest.url_in("en")})
        self.assertEqual(self.links(self.newest, "tr"), {"prev": self.english_gap.url_in("tr")})
        self.assertEqual(self.links(self.newest, "en"), {"prev": self.middle.url_in("en")})
        self.assertEqual(self.links(self.oldest, "ru"), {"next": self.middle.url_in("ru")})

    def test_an_article_without_category_has_no_neighbours(self):
        self.assertEqual(self.links(self.alone, "en"), {})

    def test_labels_are_translated(self):
        page = soup(self.client.get(self.middle.url_in("ru")))
        self.assertIn("Предыдущая в рубрике", page.select_one(".post__previous").get_text())


class CountTests(TestCase):
    def test_tag_and_category_pages_count_the_articles_of_their_language(self):
        category = make_category()
        tag = make_tag("Energy", tr="Enerji", ru="Энергетика")
        make_article("A", category=category, tags=(tag,))
        make_article("B", category=category, tags=(tag,), published=("tr",))
        for url, expected in ((tag.url_in("tr"), "2 yazı"), (tag.url_in("en"), "1 article"),
                              (category.url_in("ru"), "1 статья")):
            self.assertEqual(soup(self.client.get(url)).select_one(".page-count").get_text(), expected, url)


class FrameTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("Framed", featured_image_alt_en="x")

    def test_every_page_has_landmarks_a_skip_link_and_a_print_stylesheet(self):
        page = soup(self.client.get(self.article.url_in("en")))
        self.assertEqual(page.select_one("a.skip-link")["href"], "#content")
        self.assertIsNotNone(page.select_one("main#content"))
        self.assertIsNotNone(page.select_one("header"))
        self.assertIsNotNone(page.select_one("footer"))
        self.assertEqual(len(page.select("nav[aria-label]")), 2)
        search = page.select_one('form[role="search"]')
        self.assertEqual(search.select_one("label")["for"], search.select_one("input")["id"])
        self.assertTrue(page.select_one('link[rel="stylesheet"][media="print"]')["href"].endswith("print.css"))

    def test_every_image_has_a_text_alternative(self):
        page = soup(self.client.get(self.article.url_in("en")))
        self.assertTrue(all(img.has_attr("alt") for img in page.select("img")))


@override_settings(DEBUG=False)
class ErrorPageTests(TestCase):
    def test_404_speaks_the_language_of_the_address(self):
        expected = {"tr": "Sayfa bulunamadı", "en": "Page not found", "ru": "Страница не найдена"}
        for code, heading in expected.items():
            response = self.client.get(f"/{code}/no-such-page/")
            self.assertEqual(response.status_code, 404)
            page = soup(response)
            self.assertEqual(page.h1.get_text(), heading, code)
            self.assertEqual(page.html["lang"], code)

    def test_500_speaks_the_language_of_the_address(self):
        from django.template.loader import render_to_string

        with translation.override("ru"):
            html = render_to_string("500.html")
        self.assertIn("Ошибка сервера", html)
        with translation.override("tr"):
            self.assertIn("Sunucu hatası", render_to_string("500.html"))


class AddressTests(TestCase):
    """``slug_url`` (the page's links) must give exactly what ``reverse`` gives, in every language."""

    def test_links_equal_reverse_in_every_language_and_under_a_script_prefix(self):
        from django.urls import reverse, set_script_prefix

        from authors.models import Author

        category = make_category("Analiz", tr="Analiz", ru="Анализ")
        tag = make_tag("Rusya")
        article = make_article("Yakınlaşma", category=category, tags=(tag,))
        author = Author.objects.create(given_name="Elcan", family_name="Tokmak")
        try:
            for prefix in ("/", "/site/"):
                set_script_prefix(prefix)
                for code in ("tr", "en", "ru"):
                    with translation.override(code):
                        for item in (article, tag, category):
                            expected = reverse(item.url_name, kwargs={"slug": getattr(item, f"slug_{code}")})
                            self.assertEqual(item.url_in(code), expected)
                            self.assertEqual(item.get_absolute_url(), expected)
                        self.assertEqual(author.get_absolute_url(), reverse("articles:author", kwargs={"slug": author.slug}))
                    self.assertTrue(article.url_in(code).startswith(f"{prefix}{code}/"))
        finally:
            set_script_prefix("/")
        self.assertEqual(article.url_in("ru").split("/")[2], "stati")

    def test_a_value_the_pattern_refuses_fails_as_reverse_does(self):
        from django.urls import NoReverseMatch

        from publishing.translated import slug_url

        with self.assertRaises(NoReverseMatch):
            slug_url("articles:detail", "два слова", "en")
        with self.assertRaises(NoReverseMatch):
            slug_url("articles:detail", "", "en")


class ArticlePageReadTests(TestCase):
    """``articles.pages.reading.article_page`` reads the page's data in four queries; what it returns must equal what the
    ORM's plain relations give, in the page's language."""

    def test_authors_tags_and_references_come_whole_and_in_their_order(self):
        from articles.pages.reading import article_page
        from tests.factories import make_author, make_reference

        article = make_article("İlişkiler", tags=(make_tag("Energy"), make_tag("Borders")))
        for n in (3, 1, 2):
            make_reference(article, str(n), position=n, url=f"https://example.org/{n}")
        article.authors.add(make_author("Zeynep", "Öztürk"), make_author("Ali", "Çelik"))
        page = article_page(slug=article.slug_tr, language="tr")
        with translation.override("tr"):
            for mine, orms in (
                (page.authors, list(article.authors.all())),
                (page.tags, list(article.tags.order_by("pk"))),
                (page.references, list(article.references.all())),
            ):
                self.assertEqual(mine, orms)  # the same rows in the same order
                for one, other in zip(mine, orms):
                    self.assertEqual(str(one), str(other))
        self.assertEqual([reference.marker for reference in page.references], ["1", "2", "3"])

    def test_the_links_of_a_page_are_the_articles_in_its_language(self):
        """Similar Posts and neighbours carry the title, address and date the article itself gives in the page's
        language, and the Similar Posts the tags they share."""
        from articles.pages.reading import article_page

        category, tag = make_category(), make_tag("Caucasus", tr="Kafkasya", ru="Кавказ")
        older = make_article("Eski", category=category, tags=(tag,), days_ago=9)
        target = make_article("Hedef", category=category, tags=(tag,), days_ago=5)
        newer = make_article("Yeni", category=category, tags=(tag,), days_ago=2)
        for code in ("tr", "en", "ru"):
            with self.subTest(code), translation.override(code):
                for _reading in range(2):  # the first reading stores the list; the second reads it with the page
                    page = article_page(slug=getattr(target, f"slug_{code}"), language=code)
                    self.assertEqual([(item.pk, item.shared_tags) for item in page.similar_articles],
                                     [(newer.pk, 1), (older.pk, 1)])
                    for shown, article in ((page.previous_article, older), (page.next_article, newer)):
                        self.assertEqual(shown.pk, article.pk)
                        self.assertEqual(shown.get_absolute_url(), article.url_in(code))
                        self.assertEqual(shown.title, f"{'Eski' if article == older else 'Yeni'} {code}")
                        self.assertEqual(shown.published_at, article.published_at)

    def test_previous_and_next_on_the_same_date_follow_the_id(self):
        """Articles of one date are ordered by id, so each still has exactly one previous and one next."""
        from articles.models import Article
        from articles.neighbours import nearest_ids
        from articles.pages.reading import article_page

        category = make_category()
        same_day = [make_article(f"Aynı gün {n}", category=category, days_ago=3) for n in range(4)]
        Article.objects.filter(pk__in=[a.pk for a in same_day]).update(published_at=same_day[0].published_at)
        first, second, third, fourth = (Article.objects.get(pk=a.pk) for a in same_day)
        page = article_page(slug=second.slug_en, language="en")
        self.assertEqual((page.previous_article.pk, page.next_article.pk), (first.pk, third.pk))
        self.assertEqual(nearest_ids(second, "en"), (first.pk, third.pk))
        self.assertEqual(nearest_ids(fourth, "en"), (third.pk, None))
        page = article_page(slug=first.slug_en, language="en")
        self.assertEqual((page.previous_article, page.next_article.pk), (None, second.pk))


class DateElementTests(TestCase):
    def test_a_time_element_shows_the_local_day_in_the_pages_language(self):
        from datetime import datetime, timezone as dt_timezone

        from django.template.defaultfilters import date as date_filter
        from django.template.loader import render_to_string
        from django.utils import timezone

        # Late evening UTC is already the next day in Istanbul: the local day is the one shown.
        moment = datetime(2025, 3, 18, 22, 30, tzinfo=dt_timezone.utc)
        local = timezone.localtime(moment)
        for code in ("tr", "en", "ru"):
            with translation.override(code):
                self.assertEqual(
                    render_to_string("articles/includes/time.html", {"value": moment}),
                    f'<time datetime="{date_filter(local, "Y-m-d")}">{date_filter(local, "DATE_FORMAT")}</time>',
                )
        with translation.override("tr"):
            self.assertEqual(render_to_string("articles/includes/time.html", {"value": moment}),
                             '<time datetime="2025-03-19">19 Mart 2025</time>')


@pytest.mark.postgres
class PostgresReadingTests(TestCase):
    def test_the_page_reads_in_four_queries_on_postgresql_too(self):
        from django.core.cache import cache

        article = make_article("Hazır", tags=(make_tag("Hazır"),), category=make_category())
        make_article("Komşu", tags=(make_tag("Hazır"),), category=article.category, days_ago=3)
        url = article.url_in("tr")
        self.client.get(url)  # the first reading makes the Similar Posts list
        for _ in range(2):
            cache.clear()
            with self.assertNumQueries(4):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_query_with_more_parameters_than_the_protocol_allows_still_runs(self):
        # Server-side binding for every query (Django's server_side_binding option) made this fail.
        from articles.models import Article

        self.assertEqual(Article.objects.filter(pk__in=range(1, 70_001)).count(), 0)


@pytest.mark.postgres
class KeptConnectionTests(TransactionTestCase):
    """A kept connection the server dropped (a database restart) is replaced before the page is read
    (``CONN_HEALTH_CHECKS``), not failed on."""

    def test_a_connection_the_server_dropped_is_replaced_before_the_page_is_read(self):
        import psycopg
        from django.db import connection

        from articles.pages.reading import article_page

        article = make_article("Bağlantı")
        article_page(slug=article.slug_en, language="en")
        self.assertTrue(connection.health_check_enabled)
        dropped = connection.connection.info.backend_pid
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [dropped])
        connection.close_if_unusable_or_obsolete()  # what the next request's start does
        page = article_page(slug=article.slug_en, language="en")
        self.assertEqual(page.article.pk, article.pk)
        self.assertNotEqual(connection.connection.info.backend_pid, dropped)

"""The editors' admin: pages load, saving works in every language, bulk publishing, tag autocomplete, import page."""
import json

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from articles.models import Article, ListingCount, Tag
from tests.factories import make_article, make_author, make_category, make_reference, make_tag
from tests.seeds import seed


def article_form_data(**overrides) -> dict:
    data = {
        "published_at_0": "2024-05-01",
        "published_at_1": "10:00:00",
        "original_language": "tr",
        "category": "",
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
    }
    for code in ("tr", "en", "ru"):
        data.update({f"title_{code}": "", f"slug_{code}": "", f"highlights_{code}": "", f"body_{code}": "",
                     f"featured_image_alt_{code}": ""})
    data.update(overrides)
    return data


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
        cls.tag = make_tag("North Korea", tr="Kuzey Kore", ru="Северная Корея")
        cls.article = make_article("Existing", tags=(cls.tag,), category=make_category())
        cls.article.authors.add(make_author())
        make_reference(cls.article, "1")
        cls.draft = make_article("Draft", languages=("tr", "en"), published=())

    def setUp(self):
        self.client.force_login(self.editor)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def test_changelists_and_forms_load(self):
        for name in ("articles_article", "articles_tag", "articles_category", "authors_author"):
            with self.subTest(name):
                self.assertEqual(self.client.get(reverse(f"admin:{name}_changelist")).status_code, 200)
                self.assertEqual(self.client.get(reverse(f"admin:{name}_add")).status_code, 200)
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content, "html.parser")
        for code in ("tr", "en", "ru"):
            self.assertIsNotNone(page.find(attrs={"name": f"title_{code}"}))
            self.assertIsNotNone(page.find(attrs={"name": f"is_published_{code}"}))
        self.assertIn("admin-autocomplete", str(page.find(attrs={"name": "tags"})))
        scripts = [script["src"] for script in page.select("script[src]")]
        self.assertTrue(any("jquery-ui" in src for src in scripts), "language tabs need jQuery UI")
        self.assertEqual([src for src in scripts if "//" in src], [], "no script from another host")

    def test_changelist_titles_fall_back_to_another_language(self):
        make_article("Only Russian", languages=("ru",), published=())
        self.assertContains(self.client.get(reverse("admin:articles_article_changelist")), "Only Russian ru")

    def test_changelist_shows_each_languages_state(self):
        page = BeautifulSoup(self.client.get(reverse("admin:articles_article_changelist")).content, "html.parser")
        states = [span["class"][1] for span in page.select(".language-status")]
        self.assertEqual(states.count("language-status--published"), 3)
        self.assertIn("language-status--complete", states)
        self.assertIn("language-status--missing", states)

    def test_changelist_filters_search_and_date_hierarchy(self):
        url = reverse("admin:articles_article_changelist")
        for query in ("?status=published_en", "?status=missing_ru", "?status=draft_tr", "?status=scheduled",
                      f"?tags__id__exact={self.tag.pk}", "?q=Existing", "?original_language=tr",
                      "?published_at__year=2026"):
            with self.subTest(query):
                self.assertEqual(self.client.get(url + query).status_code, 200)
        result = self.client.get(url + "?status=missing_ru")
        self.assertContains(result, "Draft en")
        self.assertNotContains(result, "Existing en")

    def test_saving_a_new_article_in_turkish_with_tags(self):
        data = article_form_data(title_tr="Yeni Yazı", body_tr="<p>Metin[1]</p>", is_published_tr="on",
                                 tags=[str(self.tag.pk)])
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(title_tr="Yeni Yazı")
        self.assertEqual(article.slug_tr, "yeni-yazi")
        self.assertEqual(list(article.tags.all()), [self.tag])
        self.assertEqual(article.available_languages, ["tr"])

    def test_publishing_without_a_body_is_refused_with_a_form_error(self):
        data = article_form_data(title_en="No body", is_published_en="on")
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "needs a title and a body")
        self.assertFalse(Article.objects.filter(title_en="No body").exists())

    def test_bulk_publish_and_unpublish_per_language(self):
        url = reverse("admin:articles_article_changelist")
        response = self.client.post(url, {"action": "publish_en", "_selected_action": [self.draft.pk]}, follow=True)
        self.assertContains(response, "1 article changed in English")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.available_languages, ["en"])
        self.client.post(url, {"action": "unpublish_en", "_selected_action": [self.draft.pk]})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.available_languages, [])

    def test_bulk_publish_refuses_incomplete_variants(self):
        url = reverse("admin:articles_article_changelist")
        response = self.client.post(url, {"action": "publish_ru", "_selected_action": [self.draft.pk]}, follow=True)
        self.assertContains(response, "title or body missing")
        self.draft.refresh_from_db()
        self.assertFalse(self.draft.is_published_ru)

    def test_tag_autocomplete_finds_tags_by_any_language(self):
        url = reverse("admin:autocomplete")
        params = {"app_label": "articles", "model_name": "article", "field_name": "tags"}
        for term in ("Kuzey", "North", "Север"):
            with self.subTest(term):
                results = json.loads(self.client.get(url, {**params, "term": term}).content)["results"]
                self.assertEqual([r["id"] for r in results], [str(self.tag.pk)])

    def test_import_from_text_page(self):
        url = reverse("admin:articles_article_import_text")
        self.assertEqual(self.client.get(url).status_code, 200)
        upload = SimpleUploadedFile("003.txt", seed("003").read_bytes(), content_type="text/plain")
        response = self.client.post(url, {"file": upload, "language": "en", "publish": "on"})
        article = Article.objects.get(title_en="Russia-North Korea Rapprochement in the Context of the Ukraine Crisis")
        self.assertRedirects(response, reverse("admin:articles_article_change", args=[article.pk]))
        self.assertEqual(article.available_languages, ["en"])

    def test_import_from_text_page_shows_errors_and_writes_nothing(self):
        url = reverse("admin:articles_article_import_text")
        count = Article.objects.count()
        upload = SimpleUploadedFile("004.txt", seed("004").read_bytes(), content_type="text/plain")
        response = self.client.post(url, {"file": upload, "language": "en"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "004.txt: line 1: the file has no title line")
        binary = SimpleUploadedFile("x.txt", b"\x00\x01\x02" * 100)
        response = self.client.post(url, {"file": binary, "language": "en"})
        self.assertContains(response, "binary")
        self.assertEqual(Article.objects.count(), count)

    def test_author_admin_saves_and_shows_turkish_capitals(self):
        data = {"given_name": "Berra", "family_name": "Kızılyazı", "slug": "", "bio_tr": "Biyografi",
                "bio_en": "", "bio_ru": "", "photo_alt_tr": "", "photo_alt_en": "", "photo_alt_ru": ""}
        response = self.client.post(reverse("admin:authors_author_add"), data)
        self.assertEqual(response.status_code, 302)
        changelist = self.client.get(reverse("admin:authors_author_changelist"))
        self.assertContains(changelist, "Berra KIZILYAZI")

    def test_tag_admin_saves_translations(self):
        data = {"name_tr": "Yaptırımlar", "name_en": "Sanctions", "name_ru": "Санкции",
                "slug_tr": "", "slug_en": "", "slug_ru": ""}
        response = self.client.post(reverse("admin:articles_tag_add"), data)
        self.assertEqual(response.status_code, 302)
        tag = Tag.objects.get(name_en="Sanctions")
        self.assertEqual(tag.slug_ru, "sanktsii")


class TagFilterAtScaleTests(TestCase):
    """The changelist's tag filter offers the most used tags, not every tag of the archive."""

    def setUp(self):
        from django.contrib.auth import get_user_model
        from django.core.cache import cache

        from tests.factories import make_article, make_tag

        cache.clear()
        self.client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "pw"))
        self.tags = [make_tag(f"Konu {n}") for n in range(40)]
        for n, tag in enumerate(self.tags[:30]):
            make_article(f"Tagged {n}", tags=tuple(self.tags[: n + 1]))  # tag k is on 30 - k articles

    def test_sidebar_lists_the_25_most_used_tags_and_the_chosen_one(self):
        from bs4 import BeautifulSoup

        url = reverse("admin:articles_article_changelist")
        page = BeautifulSoup(self.client.get(url).content, "html.parser")
        links = [a.get_text() for a in page.select("#changelist-filter a") if "tags__id__exact=" in a.get("href", "")]
        self.assertEqual(links, [f"Konu {n} tr" for n in range(25)])
        rare = self.tags[29]  # on one article only
        response = self.client.get(f"{url}?tags__id__exact={rare.pk}")
        page = BeautifulSoup(response.content, "html.parser")
        self.assertIn("Konu 29 tr", [a.get_text() for a in page.select("#changelist-filter a")])
        self.assertEqual(len(page.select("#result_list tbody tr")), 1)
        self.assertContains(response, "Tagged 29")
        self.assertEqual(self.client.get(f"{url}?tags__id__exact=nonsense").status_code, 200)

    def test_a_common_tag_lists_exactly_its_articles_newest_first(self):
        from unittest import mock

        from articles.admin.articles import ArticleAdmin

        url = reverse("admin:articles_article_changelist")
        common, rarer = self.tags[0], self.tags[20]  # on all 30 articles: read by date; on 10: through the tag
        with mock.patch.object(ArticleAdmin, "list_per_page", 3):
            self.assertTrue(ListingCount.objects.is_common(ListingCount.TAG, common.pk, "tr", rows=4))
            self.assertFalse(ListingCount.objects.is_common(ListingCount.TAG, rarer.pk, "tr", rows=4))
            for tag in (common, rarer):
                with self.subTest(tag=str(tag)):
                    page = BeautifulSoup(self.client.get(f"{url}?tags__id__exact={tag.pk}").content, "html.parser")
                    shown = [a.get_text() for a in page.select("#result_list tbody th a")]
                    newest = Article.objects.filter(tags=tag).order_by("-published_at", "-pk")[:3]
                    self.assertEqual(shown, [str(article) for article in newest])

    def test_any_tag_is_reached_from_its_article_count_on_the_tag_changelist(self):
        rare = self.tags[29]
        tags_page = BeautifulSoup(
            self.client.get(reverse("admin:articles_tag_changelist") + "?q=Konu 29").content, "html.parser"
        )
        link = tags_page.select_one("td.field-article_count a")
        self.assertEqual(link.get_text(), "1")
        articles_page = self.client.get(link["href"])
        self.assertContains(articles_page, "Tagged 29")
        self.assertEqual(len(BeautifulSoup(articles_page.content, "html.parser").select("#result_list tbody tr")), 1)
        self.assertIn(f"tags__id__exact={rare.pk}", link["href"])


class AuthorFilterAtScaleTests(TestCase):
    """The changelist's author filter offers the most published authors, not every author of the archive."""

    def setUp(self):
        from django.core.cache import cache

        cache.clear()
        self.client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "pw"))
        self.authors = [make_author("Yazar", f"Numara {n}") for n in range(30)]
        for n in range(30):
            article = make_article(f"Written {n}")
            article.authors.add(*self.authors[: n + 1])  # author k wrote 30 - k articles

    def test_sidebar_lists_the_25_most_published_authors_and_the_chosen_one(self):
        url = reverse("admin:articles_article_changelist")
        page = BeautifulSoup(self.client.get(url).content, "html.parser")
        links = [a.get_text() for a in page.select("#changelist-filter a") if "authors__id__exact=" in a.get("href", "")]
        self.assertEqual(links, [str(author) for author in self.authors[:25]])
        rare = self.authors[29]  # wrote one article only
        response = self.client.get(f"{url}?authors__id__exact={rare.pk}")
        page = BeautifulSoup(response.content, "html.parser")
        self.assertIn(str(rare), [a.get_text() for a in page.select("#changelist-filter a")])
        self.assertEqual([a.get_text() for a in page.select("#result_list tbody th a")], ["Written 29 tr"])
        gone = make_author("Silinen", "Yazar")
        make_article("By the one deleted").authors.add(gone)
        gone_id = gone.pk
        gone.delete()
        for nonsense in ("nonsense", "999999", "²", str(gone_id)):
            for parameter in ("authors__id__exact", "tags__id__exact"):
                with self.subTest(parameter=parameter, value=nonsense):
                    response = self.client.get(url, {parameter: nonsense})
                    self.assertEqual(response.status_code, 200)
                    rows = BeautifulSoup(response.content, "html.parser").select("#result_list tbody tr")
                    self.assertEqual(len(rows), 0)

    def test_any_author_is_reached_from_the_author_list(self):
        rare = self.authors[29]  # not among the 25 the sidebar offers
        authors_page = BeautifulSoup(
            self.client.get(reverse("admin:authors_author_changelist"), {"q": "Numara 29"}).content, "html.parser"
        )
        link = authors_page.select_one("td.field-articles_link a")
        self.assertIn(f"authors__id__exact={rare.pk}", link["href"])
        articles_page = BeautifulSoup(self.client.get(link["href"]).content, "html.parser")
        self.assertEqual([a.get_text() for a in articles_page.select("#result_list tbody th a")], ["Written 29 tr"])

    def test_an_unknown_author_lists_nothing_even_when_the_sidebar_has_no_author_to_offer(self):
        from django.core.cache import cache

        Article.objects.all().delete()
        make_article("Draft only", published=()).authors.add(self.authors[0])  # nothing published: no one to offer
        cache.clear()
        url = reverse("admin:articles_article_changelist")
        response = self.client.get(url, {"authors__id__exact": self.authors[-1].pk + 1000})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(BeautifulSoup(response.content, "html.parser").select("#result_list tbody tr")), 0)

    def test_a_prolific_author_lists_exactly_their_articles_newest_first(self):
        from unittest import mock

        from articles.admin.articles import ArticleAdmin

        url = reverse("admin:articles_article_changelist")
        prolific, rarer = self.authors[0], self.authors[20]  # all 30 articles: read by date; 10: through the author
        with mock.patch.object(ArticleAdmin, "list_per_page", 3):
            for author in (prolific, rarer):
                with self.subTest(author=str(author)):
                    page = BeautifulSoup(self.client.get(f"{url}?authors__id__exact={author.pk}").content, "html.parser")
                    shown = [a.get_text() for a in page.select("#result_list tbody th a")]
                    newest = Article.objects.filter(authors=author).order_by("-published_at", "-pk")[:3]
                    self.assertEqual(shown, [str(article) for article in newest])


class DateHierarchyTests(TestCase):
    def test_top_level_lists_the_years_that_have_articles_then_django_drills_down(self):
        from datetime import datetime

        from django.utils import timezone

        self.client.force_login(get_user_model().objects.create_superuser("chief", "chief@example.org", "pw"))
        zone = timezone.get_current_timezone()
        # 31 December 23:30 in Istanbul is already the next year in UTC: the year shown is the local one.
        for moment in (datetime(2019, 5, 1, tzinfo=zone), datetime(2021, 12, 31, 23, 30, tzinfo=zone),
                       datetime(2024, 2, 2, tzinfo=zone)):
            make_article(f"Dated {moment.year}", published_at=moment)
        url = reverse("admin:articles_article_changelist")
        page = BeautifulSoup(self.client.get(url).content, "html.parser")
        years = [a.get_text(strip=True) for a in page.select(".xfull a, nav.toplinks a")]
        self.assertEqual(years, ["2019", "2021", "2024"])
        page = BeautifulSoup(self.client.get(url + "?published_at__year=2021").content, "html.parser")
        self.assertIn("Aralık 2021", [a.get_text(strip=True) for a in page.select(".xfull a, nav.toplinks a")])
        self.assertEqual(len(page.select("#result_list tbody tr")), 1)

    def test_the_years_cost_the_same_queries_however_many_years_there_are(self):
        from datetime import datetime

        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        self.client.force_login(get_user_model().objects.create_superuser("chief", "chief@example.org", "pw"))
        zone = timezone.get_current_timezone()
        url = reverse("admin:articles_article_changelist")

        def years_and_queries() -> tuple[list[str], int]:
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                page = BeautifulSoup(self.client.get(url).content, "html.parser")
            return [a.get_text(strip=True) for a in page.select("nav.toplinks a")], len(queries)

        for year in (2010, 2012):
            make_article(f"Dated {year}", published_at=datetime(year, 3, 1, tzinfo=zone))
        years, few = years_and_queries()
        self.assertEqual(years, ["2010", "2012"])
        for year in (2014, 2016, 2018, 2020):
            make_article(f"Dated {year}", published_at=datetime(year, 3, 1, tzinfo=zone))
        years, many = years_and_queries()
        self.assertEqual(years, ["2010", "2012", "2014", "2016", "2018", "2020"])
        self.assertEqual(many, few)


class AdminSearchTests(TestCase):
    """The admin's search reads the search index: drafts included, any language, titles, text, tags and authors."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
        cls.draft = Article.objects.create(title_tr="Işık Ülkesi taslağı", title_ru="Черновик о санкциях")  # no body
        cls.published = make_article("Energy corridors", body="<p>Pipelines through the Caucasus[1].</p>")
        cls.published.authors.add(make_author("Kemal", "Kızılyazı"))
        cls.other = make_article("Trade routes", body="<p>Ports and railways[2].</p>")

    def found(self, query: str) -> set[int]:
        self.client.force_login(self.editor)
        page = BeautifulSoup(
            self.client.get(reverse("admin:articles_article_changelist"), {"q": query}).content, "html.parser"
        )
        return {int(box["value"]) for box in page.select("#result_list input.action-select")}

    def test_a_draft_with_only_a_title_is_found_by_editors_and_never_by_readers(self):
        self.assertEqual(self.found("IŞIK"), {self.draft.pk})  # Turkish capitals: I is dotless ı
        self.assertEqual(self.found("санкции"), {self.draft.pk})  # Cyrillic, another form of the word
        self.assertEqual(self.found("taslak"), {self.draft.pk})
        from django.utils import translation

        with translation.override("tr"):
            public = self.client.get(reverse("articles:search"), {"q": "taslak"})
        self.assertEqual(public.status_code, 200)
        self.assertNotContains(public, "taslağı")

    def test_every_word_must_match_in_titles_text_or_authors(self):
        self.assertEqual(self.found("pipelines"), {self.published.pk})
        self.assertEqual(self.found("Kızılyazı energy"), {self.published.pk})
        self.assertEqual(self.found("energy railways"), set())
        self.assertEqual(self.found("corrid"), {self.published.pk})  # the last word as the start of a word
        self.assertEqual(self.found("   "), {self.draft.pk, self.published.pk, self.other.pk})

    def test_footnote_markers_are_not_words(self):
        self.assertEqual(self.found("1"), set())
        self.assertEqual(self.found("2"), set())

    def test_a_search_offers_the_years_of_its_matches_only_in_queries_that_do_not_grow_with_them(self):
        from datetime import datetime, timezone

        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def harbour(year: int, title: str = "Harbour levies") -> None:
            make_article(title, published_at=datetime(year, 6, 1, tzinfo=timezone.utc))

        def searched() -> tuple[list[str], int]:
            cache.clear()  # the filters' choices are kept a while: both searches read them
            with CaptureQueriesContext(connection) as queries:
                page = BeautifulSoup(self.client.get(url, {"q": "harbour"}).content, "html.parser")
            return [link.text.strip() for link in page.select("nav.toplinks a")], len(queries)

        harbour(2019)
        make_article("Railway gauges", published_at=datetime(2021, 6, 1, tzinfo=timezone.utc))
        harbour(2023, "Harbour cranes")
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_changelist")
        years, count = searched()
        self.assertEqual(years, ["2019", "2023"])
        harbour(2011)
        harbour(2015)
        years, more = searched()
        self.assertEqual(years, ["2011", "2015", "2019", "2023"])
        self.assertEqual(more, count)  # the years in one query, not a range check per year with every match

"""The public site in each language: URLs, availability, switcher, footnotes, markup readers and tools rely on."""
from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse, set_script_prefix
from django.utils import translation

from articles.footnotes import link_footnotes
from publishing.text import plain_text
from tests.factories import make_article, make_author, make_category, make_reference, make_tag
from tests.pagecache import only_the_stamps_read, page_made_with

LANGUAGES = ("tr", "en", "ru")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


class SiteFixture(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.category = make_category()
        cls.tag = make_tag("North Korea", tr="Kuzey Kore", ru="Северная Корея")
        cls.author = make_author("Hatice", "Çiftçioğlu", bio_tr="Türkçe biyografi.")
        cls.author.bio_en = "English biography."
        cls.author.save()
        cls.article = make_article(
            "Rapprochement",
            category=cls.category,
            tags=(cls.tag,),
            body="<p>First paragraph.[1] Again[1]</p><p>Second with roman[iv] and unknown[9].</p>",
            highlights_en="A key sentence.\nAnother key sentence.",
        )
        cls.article.authors.add(cls.author)
        make_reference(cls.article, "1", url="https://example.org/a", accessed_on="2023-09-14", position=1)
        make_reference(cls.article, "iv", position=2)
        cls.turkish_only = make_article("Turkish only", languages=("tr", "en"), published=("tr",), tags=(cls.tag,))


class UrlTests(SiteFixture):
    def test_root_sends_readers_to_their_browsers_language(self):
        for accept, expected in (("ru-RU,ru;q=0.9", "/ru/"), ("en-US,en;q=0.8", "/en/"), ("tr", "/tr/")):
            response = self.client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
            self.assertRedirects(response, expected, fetch_redirect_response=False)

    def test_path_words_are_translated(self):
        self.assertEqual(self.article.url_in("tr"), f"/tr/makaleler/{self.article.slug_tr}/")
        self.assertEqual(self.article.url_in("en"), f"/en/articles/{self.article.slug_en}/")
        self.assertEqual(self.article.url_in("ru"), f"/ru/stati/{self.article.slug_ru}/")
        with translation.override("ru"):
            self.assertEqual(reverse("articles:authors"), "/ru/avtory/")
            self.assertTrue(self.tag.get_absolute_url().startswith("/ru/metki/"))

    def test_every_page_answers_in_every_language(self):
        for code in LANGUAGES:
            with translation.override(code):
                urls = [
                    reverse("articles:index"),
                    self.article.get_absolute_url(),
                    self.tag.get_absolute_url(),
                    self.category.get_absolute_url(),
                    reverse("articles:authors"),
                    self.author.get_absolute_url(),
                ]
            for url in urls:
                with self.subTest(url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(soup(response).html["lang"], code)

    def test_unpublished_language_answers_404_and_switcher_points_to_that_languages_home(self):
        url = f"/en/articles/{self.turkish_only.slug_en}/"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 404)
        switcher = {a["hreflang"]: a["href"] for a in soup(response).select(".language-switcher a")}
        self.assertEqual(switcher, {"tr": "/tr/", "en": "/en/", "ru": "/ru/"})

    def test_lists_show_only_articles_published_in_the_pages_language(self):
        tr_home = self.client.get("/tr/").content.decode()
        en_home = self.client.get("/en/").content.decode()
        self.assertIn("Turkish only tr", tr_home)
        self.assertNotIn("Turkish only", en_home)
        tag_page = self.client.get(self.tag.url_in("en")).content.decode()
        self.assertNotIn("Turkish only", tag_page)

    def test_a_tag_with_nothing_published_in_the_language_answers_404(self):
        lonely = make_tag("Lonely")
        make_article("Lonely article", languages=("tr",), tags=(lonely,))
        self.assertEqual(self.client.get(lonely.url_in("tr")).status_code, 200)
        self.assertEqual(self.client.get(lonely.url_in("en")).status_code, 404)

    def test_tag_and_category_pages_load_one_page_of_articles_however_many_they_hold(self):
        # Testing the unpaginated list for truth once loaded every article of a tag (40,000 for a popular tag at
        # 100,000 articles: 9 s a page).
        from django.core.cache import cache
        from django.db.models.signals import post_init

        from articles.models import Article

        def articles_loaded(url: str) -> int:
            loaded = []
            receiver = lambda sender, **kwargs: loaded.append(1)  # noqa: E731
            cache.clear()
            post_init.connect(receiver, sender=Article)
            try:
                self.assertEqual(self.client.get(url).status_code, 200)
            finally:
                post_init.disconnect(receiver, sender=Article)
            return len(loaded)

        busy = make_tag("Busy")
        category = make_category("Crowded")
        for n in range(25):
            make_article(f"Busy {n}", tags=(busy,), category=category, days_ago=2 + n)
        # A page and one article more, which says whether an older page exists.
        self.assertLessEqual(articles_loaded(busy.url_in("en")), 11)
        self.assertLessEqual(articles_loaded(category.url_in("en")), 11)
        self.assertEqual(len(soup(self.client.get(busy.url_in("en"))).select("article.card")), 10)

    def test_home_is_paginated(self):
        for n in range(12):
            make_article(f"Filler {n}", days_ago=100 + n)
        first = soup(self.client.get("/en/"))
        self.assertEqual(len(first.select("article.card")), 10)
        older = first.select_one('.pagination a[rel="next"]')["href"]
        self.assertIn("before=", older)
        second = soup(self.client.get(older))
        self.assertEqual(len(second.select("article.card")), 3)  # 13 English articles in all
        self.assertIsNone(second.select_one('.pagination a[rel="next"]'))
        newer = self.client.get(second.select_one('.pagination a[rel="prev"]')["href"])
        self.assertRedirects(newer, "/en/")  # the newest articles are the home page itself
        # Old numbered links go, once and for good, to the same articles' keyset address.
        self.assertRedirects(self.client.get("/en/?page=2"), older, status_code=301)
        self.assertEqual(self.client.get("/en/?page=3").status_code, 404)
        self.assertEqual(self.client.get("/en/?before=x").status_code, 404)
        for superscript in ("/en/?before=%C2%B2", "/en/?page=%C2%B2", "/en/?after=%C2%B2"):  # "²": a digit, not a number
            self.assertEqual(self.client.get(superscript).status_code, 404)


class ArticlePageTests(SiteFixture):
    def page(self, code="en", article=None):
        response = self.client.get((article or self.article).url_in(code))
        self.assertEqual(response.status_code, 200)
        return soup(response)

    def test_article_markup(self):
        page = self.page()
        post = page.select_one("article")
        self.assertEqual(post.h1.get_text(strip=True), "Rapprochement en")
        self.assertRegex(post.select_one("time")["datetime"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual([a.get_text() for a in page.select('a[rel~="tag"]')], ["North Korea"])
        self.assertIn("Hatice ÇİFTÇİOĞLU", [a.get_text() for a in page.select('a[rel~="author"]')])
        self.assertEqual([li.get_text() for li in page.select(".post__highlights li")],
                         ["A key sentence.", "Another key sentence."])
        self.assertEqual(post.select_one(".post__category").get_text(strip=True), "Analysis")

    def test_also_available_lists_exactly_the_other_published_languages(self):
        links = {a["hreflang"]: a["href"] for a in self.page("en").select(".post-translations a")}
        self.assertEqual(links, {"tr": self.article.url_in("tr"), "ru": self.article.url_in("ru")})
        only = self.page("tr", self.turkish_only)
        self.assertIsNone(only.select_one(".post-translations"))

    def test_also_available_label_is_translated(self):
        self.assertIn("This post is also available in:", self.page("en").select_one(".post-translations").text)
        self.assertIn("Bu yazı şu dillerde de mevcut:", self.page("tr").select_one(".post-translations").text)
        self.assertIn("Эта запись также доступна на:", self.page("ru").select_one(".post-translations").text)

    def test_hreflang_alternates_cover_published_languages_and_x_default(self):
        alternates = {link["hreflang"]: link["href"] for link in self.page().select('head link[rel="alternate"][hreflang]')}
        self.assertEqual(set(alternates), {"tr", "en", "ru", "x-default"})
        self.assertTrue(alternates["ru"].endswith(self.article.url_in("ru")))
        only = {link["hreflang"] for link in self.page("tr", self.turkish_only).select('head link[rel="alternate"][hreflang]')}
        self.assertEqual(only, {"tr", "x-default"})

    def test_switcher_leads_to_the_same_article_in_each_language(self):
        switcher = {a["hreflang"]: a["href"] for a in self.page("en").select(".language-switcher a")}
        self.assertEqual(switcher, {code: self.article.url_in(code) for code in LANGUAGES})

    def test_footnote_markers_link_to_their_reference_and_back(self):
        page = self.page()
        body = page.select_one(".post__body")
        links = body.select("a[role=doc-noteref]")
        self.assertEqual([a.get_text() for a in links], ["[1]", "[1]", "[iv]"])
        for link in links:
            target = page.find(id=link["href"].lstrip("#"))
            self.assertIsNotNone(target, link["href"])
            back = target.select_one("a[role=doc-backlink]")
            self.assertIsNotNone(page.find(id=back["href"].lstrip("#")))
        ids = [sup["id"] for sup in body.select("sup.footnote-ref")]
        self.assertEqual(len(ids), len(set(ids)), "every in-text marker has its own id")
        self.assertIn("unknown[9]", body.get_text(), "a marker without a reference stays plain text")
        self.assertEqual(" ".join(body.get_text().split()), plain_text(self.article.body_en), "the links add no text")
        self.assertEqual(str(links[0].parent), '<sup class="footnote-ref" id="fnref-1"><a href="#fn-1" '
                                               'role="doc-noteref">[1]</a></sup>')

    def test_footnote_linking_leaves_text_without_markers_as_it_is(self):
        for html in ("", "<p>No markers here.</p>", "<p>A [bracket] and [x] that are not markers.</p>",
                     '<p><abbr title="see [1]">N</abbr> and <a href="https://example.org/[iv]">a link</a></p>'):
            with self.subTest(html):
                self.assertEqual(link_footnotes(html, {"1", "iv"}), html)

    def test_access_date_label_follows_the_page_language(self):
        expected = {"tr": "Erişim Tarihi", "en": "Date of Access", "ru": "Дата обращения"}
        for code, label in expected.items():
            text = self.page(code).select_one("#fn-1").get_text(" ", strip=True)
            self.assertIn(f"{label}: 14.09.2023", text)
            self.assertIn("https://example.org/a", text)
            self.assertIn(f"Source 1 ({code})", text)

    def test_bio_in_the_readers_language_or_the_turkish_source_marked_as_turkish(self):
        en_bio = self.page("en").select_one(".author-box__bio")
        self.assertEqual(en_bio.get_text(strip=True), "English biography.")
        self.assertFalse(en_bio.has_attr("lang"))
        ru_bio = self.page("ru").select_one(".author-box__bio")
        self.assertEqual(ru_bio.get_text(strip=True), "Türkçe biyografi.")
        self.assertEqual(ru_bio["lang"], "tr")
        for code, label in {"tr": "Yazar hakkında", "en": "About the author", "ru": "Об авторе"}.items():
            box = self.page(code).select_one("aside.author-box")
            self.assertEqual(box["aria-label"], label)
            with translation.override(code):
                self.assertEqual(box.select_one('h2 a[rel="author"]')["href"], self.author.get_absolute_url())

    def test_share_links_are_plain_links_with_a_translated_heading(self):
        page = self.page("tr")
        self.assertEqual(page.select_one("#share-title").get_text(), "Paylaş")
        names = [a.get_text() for a in page.select(".post__share a")]
        self.assertEqual(names[:5], ["X", "Facebook", "LinkedIn", "Telegram", "WhatsApp"])
        self.assertTrue(page.select(".post__share a")[-1]["href"].startswith("mailto:"))
        # No script shares: the only one on the page is the search box's suggestions.
        self.assertEqual([s["src"] for s in page.select("script[src]") if "search-suggest" not in s["src"]], [])
        self.assertEqual(self.page("ru").select_one("#share-title").get_text(), "Поделиться")

    def test_similar_posts_section_lists_articles_sharing_tags_and_hides_when_none(self):
        similar = self.page("tr").select("#similar-posts a")
        self.assertEqual([a["href"] for a in similar], [self.turkish_only.url_in("tr")])
        self.assertIsNone(self.page("en").select_one("#similar-posts"))

    def uncached_get(self, url):
        """A reader's request after the first reading stored the Similar Posts list and the page cache forgot it."""
        from django.core.cache import cache

        self.client.get(url)
        cache.clear()
        return url

    def test_constant_number_of_queries_whatever_the_size_of_the_article(self):
        # The article with its similar posts and neighbours; its authors; its tags; its references.
        url = self.uncached_get(self.article.url_in("en"))
        with page_made_with(self, 4):
            self.client.get(url)
        big = make_article("Big", category=self.category, tags=tuple(make_tag(f"T{n}") for n in range(15)) + (self.tag,),
                           body="<p>" + "".join(f"x[{n}] " for n in range(1, 30)) + "</p>")
        for n in range(1, 30):
            make_reference(big, str(n), position=n)
        for n in range(4):
            big.authors.add(make_author("Author", f"Number{n}"))
        for n in range(8):
            make_article(f"Neighbour {n}", tags=(self.tag,))
        url = self.uncached_get(big.url_in("en"))
        with page_made_with(self, 4):
            response = self.client.get(url)
        page = soup(response)
        self.assertEqual(len(page.select("#similar-posts li")), 6)
        # Each list comes whole and in its order.
        self.assertEqual([a.get_text() for a in page.select(".author-box h2 a")],
                         [f"Author NUMBER{n}" for n in range(4)])
        self.assertEqual([a.get_text() for a in page.select(".post__tags a")],
                         [self.tag.name_en] + [f"T{n}" for n in range(15)])  # in the order tags were made
        self.assertEqual([li["id"] for li in page.select(".references li")], [f"fn-{n}" for n in range(1, 30)])
        with only_the_stamps_read(self):
            cached = self.client.get(big.url_in("en"))
        self.assertEqual(cached.content, response.content)


class AuthorPageTests(SiteFixture):
    def test_author_page_shows_bio_and_their_articles_in_the_language(self):
        page = soup(self.client.get(self.author.get_absolute_url()))
        self.assertIn("Hatice ÇİFTÇİOĞLU", page.h1.get_text())
        with translation.override("en"):
            en_page = soup(self.client.get(self.author.get_absolute_url()))
        en_bio = en_page.select_one(".author-profile__bio")  # translated: no lang of its own
        self.assertEqual(en_bio.get_text(strip=True), "English biography.")
        self.assertFalse(en_bio.has_attr("lang"))
        with translation.override("ru"):
            url = self.author.get_absolute_url()
        ru_page = soup(self.client.get(url))
        self.assertEqual(ru_page.select_one(".author-profile__bio")["lang"], "tr")
        self.assertEqual([a.get_text() for a in ru_page.select(".card__title a")], ["Rapprochement ru"])

    def test_author_index_lists_only_authors_with_published_articles(self):
        make_author("Nobody", "Yet")
        names = [a.get_text() for a in soup(self.client.get("/en/authors/")).select(".author-list a")]
        self.assertEqual(names, ["Hatice ÇİFTÇİOĞLU"])


class SiteChromeTests(TestCase):
    def test_favicon_is_served_for_browsers_that_ask_for_it(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response["Location"].endswith("ankasam/favicon.svg"))


class SharedChromeTests(SiteFixture):
    """The header, feeds, static files and footer are the same on every page of a language: each language (and
    each address prefix) gets its own, and what a reader typed is never shown to another."""

    def chrome(self, response) -> dict:
        page = soup(response)
        return {
            "skip": page.select_one("a.skip-link").get_text(),
            "nav": [(a["href"], a.get_text()) for a in page.select("nav.site-nav a")],
            "search": (
                page.select_one("form.site-search")["action"],
                page.select_one("label[for=site-search-q]").get_text(),
            ),
            "feeds": [link["href"] for link in page.select('link[rel="alternate"][type^="application/"]')],
            "styles": [link["href"] for link in page.select('link[rel="stylesheet"]')],
        }

    def test_each_language_gets_its_own_header_and_feeds_after_another_languages_page(self):
        pages = {code: self.article.url_in(code) for code in LANGUAGES}
        first = {code: self.chrome(self.client.get(url)) for code, url in pages.items()}
        self.assertEqual(first["ru"]["skip"], "Перейти к содержанию")
        self.assertEqual(first["tr"]["skip"], "İçeriğe geç")
        self.assertEqual(first["ru"]["nav"][1], ("/ru/avtory/", "Авторы"))
        self.assertEqual(first["tr"]["search"], ("/tr/ara/", "Yazılarda ara"))
        self.assertEqual(first["en"]["feeds"], ["/en/feed/", "/en/feed/atom/"])
        # Read again in the opposite order: the same, language by language.
        for code in reversed(LANGUAGES):
            self.assertEqual(self.chrome(self.client.get(pages[code])), first[code], code)

    def test_a_site_served_under_an_address_prefix_gets_its_own_header(self):
        url = self.article.url_in("en")
        with self.settings(ARTICLES_PAGE_CACHE_SECONDS=0):  # the whole pages are not what is checked here
            plain = self.chrome(self.client.get(url))
            set_script_prefix("/mirror/")  # as the WSGI handler does for SCRIPT_NAME=/mirror (the test client does not)
            try:
                mirrored = self.chrome(self.client.get(url))
            finally:
                set_script_prefix("/")
            self.assertEqual(self.chrome(self.client.get(url)), plain)
        self.assertEqual(plain["nav"][0][0], "/en/")
        self.assertEqual(mirrored["nav"][0][0], "/mirror/en/")
        self.assertEqual(mirrored["feeds"], ["/mirror/en/feed/", "/mirror/en/feed/atom/"])

    def test_each_language_gets_its_own_footer(self):
        footers = {
            code: soup(self.client.get(self.article.url_in(code))).footer.get_text(" ", strip=True) for code in LANGUAGES
        }
        self.assertEqual(len(set(footers.values())), 3, footers)

    def test_the_search_box_shows_each_readers_own_query(self):
        for query in ("Пхеньян", "İSTANBUL <script>", ""):
            page = soup(self.client.get(reverse("articles:search"), {"q": query}))
            self.assertEqual(page.select_one("#site-search-q").get("value"), query)
        header = soup(self.client.get(self.article.get_absolute_url())).select_one("header")
        self.assertNotIn("Пхеньян", header.decode())

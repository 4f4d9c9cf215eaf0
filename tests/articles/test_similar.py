"""Similar Posts: shared-tag ranking, language filter, the article itself excluded, one query."""
from datetime import timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_tag


class SimilarPostsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.korea, cls.russia, cls.china, cls.sanctions, cls.other = (
            make_tag(name) for name in ("Korea", "Russia", "China", "Sanctions", "Other")
        )
        cls.article = make_article("Main", tags=(cls.korea, cls.russia, cls.china, cls.sanctions), days_ago=0)
        cls.three_shared = make_article("Three", tags=(cls.korea, cls.russia, cls.china), days_ago=30)
        cls.two_shared_new = make_article("Two new", tags=(cls.korea, cls.russia), days_ago=2)
        cls.two_shared_old = make_article("Two old", tags=(cls.korea, cls.sanctions), days_ago=20)
        cls.one_shared = make_article("One", tags=(cls.china, cls.other), days_ago=1)
        cls.unrelated = make_article("Unrelated", tags=(cls.other,), days_ago=1)

    def similar(self, language="en", article=None):
        return list(Article.objects.similar_to(article or self.article, language))

    def test_most_shared_tags_first_then_newer_first(self):
        self.assertEqual(
            self.similar(), [self.three_shared, self.two_shared_new, self.two_shared_old, self.one_shared]
        )

    def test_shared_tag_counts_are_reported(self):
        self.assertEqual([a.shared_tags for a in self.similar()], [3, 2, 2, 1])

    def test_the_article_itself_and_articles_without_shared_tags_are_left_out(self):
        similar = self.similar()
        self.assertNotIn(self.article, similar)
        self.assertNotIn(self.unrelated, similar)

    def test_only_articles_published_in_the_pages_language(self):
        draft_in_ru = make_article("Russian draft", tags=(self.korea, self.russia, self.china, self.sanctions),
                                   published=("en", "tr"))
        self.assertIn(draft_in_ru, self.similar("en"))
        self.assertNotIn(draft_in_ru, self.similar("ru"))

    def test_scheduled_articles_are_left_out(self):
        future = make_article("Future", tags=(self.korea, self.russia, self.china, self.sanctions),
                              published_at=timezone.now() + timedelta(days=1))
        self.assertNotIn(future, self.similar())

    def test_at_most_six(self):
        for n in range(8):
            make_article(f"Extra {n}", tags=(self.korea,), days_ago=40 + n)
        self.assertEqual(len(self.similar()), 6)

    def test_one_query_whatever_the_number_of_tags(self):
        many_tags = [make_tag(f"Tag {n}") for n in range(25)]
        article = make_article("Many tags", tags=tuple(many_tags))
        make_article("Neighbour", tags=tuple(many_tags[:10]))
        with CaptureQueriesContext(connection) as queries:
            result = self.similar(article=article)
        self.assertEqual(len(queries), 1)
        self.assertEqual(result[0].shared_tags, 10)

    def test_none_when_the_article_has_no_tags(self):
        self.assertEqual(self.similar(article=make_article("Untagged")), [])

"""Translations follow their source's paragraphs: an editor who inserts, moves, changes or removes a paragraph leaves
every other paragraph's translation where its source went, in its state."""
from __future__ import annotations

from django.test import TestCase

from articles.models import Article
from publishing.models import TranslationState
from publishing.workflow import alignment, segments, units
from publishing.workflow.services import translation_segments_save
from tests.factories import make_article

TURKISH = ["Birinci paragraf[1].", "İkinci <em>paragraf</em>[2].", "Üçüncü paragraf.", "Dördüncü paragraf."]
RUSSIAN = ["Первый абзац[1].", "Второй <em>абзац</em>[2].", "Третий абзац.", "Четвёртый абзац."]


def blocks(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{text}</p>" for text in paragraphs)


class MatchingTests(TestCase):
    def test_unchanged_paragraphs_pair_in_order_moved_ones_wherever_they_went_and_changed_ones_in_place(self):
        self.assertEqual(alignment.matching(["a", "b", "c"], ["new", "a", "b", "c"]), {1: 0, 2: 1, 3: 2})
        self.assertEqual(alignment.matching(["a", "b", "c"], ["c", "b", "a"]), {0: 2, 1: 1, 2: 0})
        self.assertEqual(alignment.matching(["a", "b", "c"], ["a", "B", "c"]), {0: 0, 1: 1, 2: 2})
        self.assertEqual(alignment.matching(["a", "b", "c"], ["b", "c"]), {0: 1, 1: 2})

    def test_nothing_is_rewritten_when_every_paragraph_stays_where_it_was(self):
        old, target = blocks(TURKISH), blocks(RUSSIAN)
        changed_in_place = blocks([TURKISH[0], "İkinci, değişti[2].", *TURKISH[2:]])
        self.assertIsNone(alignment.realign(unit_id="u", old_source=old, new_source=changed_in_place, target=target,
                                            saved={}, rich=True))
        self.assertIsNone(alignment.realign(unit_id="u", old_source=old, new_source=old + "\n<p>Beşinci.</p>",
                                            target="<p>Первый.</p>", saved={}, rich=True),
                          "a translation that does not line up with its source is left as it was")


class ArticleParagraphTests(TestCase):
    def setUp(self):
        self.article = make_article("Bir", languages=("tr",), published=("tr",), original_language="tr",
                                    body=blocks(TURKISH))
        self.translate({n: text for n, text in enumerate(RUSSIAN, 1)})

    def translate(self, paragraphs: dict[int, str]) -> None:
        article = Article.objects.get(pk=self.article.pk)
        state = TranslationState.objects.for_object(article).filter(language="ru").first()
        groups = segments.unit_segments(article, "ru", saved_hashes=state.segment_hashes if state else {})
        tokens = {segment.id: segment.token for group in groups for segment in group.segments}
        translation_segments_save(
            obj=article, language="ru", user=None, tokens=tokens,
            values={f"article:{article.pk}:body:{n}": text for n, text in paragraphs.items()},
        )

    def edit_source(self, paragraphs: list[str]) -> Article:
        article = Article.objects.get(pk=self.article.pk)
        article.body_tr = blocks(paragraphs)
        article.save()
        return Article.objects.get(pk=self.article.pk)

    def body_states(self, article: Article) -> list[tuple[str, str]]:
        """(target, state) of each body paragraph, as the translation screen shows them."""
        state = TranslationState.objects.for_object(article).get(language="ru")
        body = next(group for group in segments.unit_segments(article, "ru", saved_hashes=state.segment_hashes)
                    if group.unit.field == "body")
        self.assertTrue(body.aligned)
        return [(segment.target, segment.state) for segment in body.segments]

    def test_a_paragraph_inserted_at_the_top_is_untranslated_and_every_other_keeps_its_translation(self):
        article = self.edit_source(["Yeni bir paragraf.", *TURKISH])
        self.assertEqual(article.body_ru, blocks(["", *RUSSIAN]))
        self.assertEqual(self.body_states(article),
                         [("", "untranslated"), *[(text, "translated") for text in RUSSIAN]])
        # Translating the new paragraph makes the whole translation current again.
        self.translate({1: "Новый абзац."})
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual({state for _target, state in self.body_states(article)}, {"translated"})
        self.assertFalse(units.translation_statuses(article)["ru"].outdated)

    def test_moved_paragraphs_keep_their_translation_and_state(self):
        article = self.edit_source([TURKISH[2], TURKISH[0], TURKISH[1], TURKISH[3]])
        self.assertEqual(article.body_ru, blocks([RUSSIAN[2], RUSSIAN[0], RUSSIAN[1], RUSSIAN[3]]))
        self.assertEqual({state for _target, state in self.body_states(article)}, {"translated"})

    def test_a_changed_paragraph_is_outdated_where_it_went_and_a_removed_one_takes_its_translation_with_it(self):
        article = self.edit_source([TURKISH[1], "Üçüncü paragraf, değişti.", TURKISH[3], "Beşinci paragraf."])
        self.assertEqual(
            self.body_states(article),
            [(RUSSIAN[1], "translated"), (RUSSIAN[2], "outdated"), (RUSSIAN[3], "translated"), ("", "untranslated")],
        )
        self.assertNotIn(RUSSIAN[0], article.body_ru)
        self.assertTrue(units.translation_statuses(article)["ru"].outdated)

    def test_a_translation_changed_in_the_same_write_is_the_editors_and_is_left_as_written(self):
        article = Article.objects.get(pk=self.article.pk)
        article.body_tr = blocks(["Yeni bir paragraf.", *TURKISH])
        article.body_ru = blocks(["Новый абзац.", *RUSSIAN])
        article.save()
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(article.body_ru, blocks(["Новый абзац.", *RUSSIAN]))
        self.assertEqual({state for _target, state in self.body_states(article)}, {"translated"})

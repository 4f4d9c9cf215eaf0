"""What every search backend does, and what the database backends share: the public entries of a language, the
results in pages, the titles suggested as one types, and "did you mean"."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cached_property

from django.db import models

from publishing.languages import language_codes

from ...conf import app_settings
from ..text import SearchTerms


class SearchResults:
    """The results of one search, for a ``Paginator``: how many, and the page asked for, read when needed.

    What a search costs is bounded by ``ARTICLES_SEARCH_RANK_WINDOW`` (the window), not by the archive: one query
    takes the window's worth of matches the index meets first, the most recently written entries (the engine reads
    its index backwards and stops there), each with its rank, computed for those rows only; they are sorted best
    first here, and a page reads its entries by id. A query with fewer matches is ranked whole and counted exactly;
    one with more says "more than" the window (``capped``) and pages through the window's best.
    docs/performance.md has the measurements behind the default.
    """

    def __init__(self, backend: SearchBackend, terms: SearchTerms):
        self.backend = backend
        self.terms = backend.completed(terms) if terms else terms
        self._candidates: list | None = None

    @property
    def candidates(self) -> list:
        """The matching public entries, most recently written first, as ``(pk, rank, published_at, article_id)``:
        at most the window, and one more (which says that there are more)."""
        if self._candidates is None:
            if not self.terms:
                self._candidates = []
            else:
                self._candidates = self._ranked(self.terms)
                if not self._candidates and self.terms.narrowed:
                    # Nothing with the earlier words whole: they may be unfinished too ("russ sanctions"). Only a
                    # search that found nothing pays for the prefixes.
                    self.terms = self.terms.opened()
                    self._candidates = self._ranked(self.terms)
        return self._candidates

    def _ranked(self, terms: SearchTerms) -> list:
        window = app_settings.SEARCH_RANK_WINDOW
        return self.backend.recent_ranked(self.backend.matches(terms), terms, window + 1)

    @cached_property
    def best(self) -> list:
        """The window's candidates, best first."""
        return best_first(self.candidates[: self.count()])

    @property
    def capped(self) -> bool:
        """Whether more entries match than the window holds (the count is then a lower bound)."""
        return len(self.candidates) > app_settings.SEARCH_RANK_WINDOW

    def count(self) -> int:
        return min(len(self.candidates), app_settings.SEARCH_RANK_WINDOW)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        from ...models import SearchEntry

        return entries_in_order(SearchEntry.objects.for_results(), self.best[index])

    def after(self, key: tuple | None, count: int) -> list:
        """The ``count`` best entries that come after ``key``, the ``(rank, published_at, article_id)`` of the last
        one a reader was given (None: from the best), each with its ``rank``: pages that go by key, not by number
        (the read API's)."""
        from ...models import SearchEntry

        rows = self.best if key is None else [row for row in self.best if tuple(row[1:]) < tuple(key)]
        return entries_in_order(SearchEntry.objects.for_results(), rows[:count])


def best_first(candidates: list) -> list:
    """``(pk, rank, published_at, article_id)`` rows best first: the highest rank, ties to the newest, then to the
    highest article id (as ``SearchBackend.ranked`` orders them in the database)."""
    return sorted(candidates, key=lambda row: (row[1], row[2], row[3]), reverse=True)


def entries_in_order(entries: models.QuerySet, rows: list) -> list:
    """The entries of these ``(pk, rank, …)`` rows, read by id in one query, in the rows' order, each with its
    ``rank``."""
    found = {entry.pk: entry for entry in entries.filter(pk__in=[row[0] for row in rows])}
    ordered = []
    for row in rows:
        if entry := found.get(row[0]):
            entry.rank = row[1]
            ordered.append(entry)
    return ordered


class SearchBackend:
    """The search as the pages see it. A backend implements :meth:`match` and :meth:`ranked` (and, if its index
    needs more than the entries' columns, :meth:`articles_indexed`); the rest is shared."""

    suggestion_limit = 8
    suggestion_candidates = 100
    completion_limit = 20

    def match(self, entries: models.QuerySet, terms: SearchTerms, *, titles_only: bool = False) -> models.QuerySet:
        """``entries`` that contain every word and phrase of ``terms`` (in their titles, with ``titles_only``)."""
        raise NotImplementedError

    def ranked(self, matches: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
        """``matches`` (from :meth:`match`) best first, each with a ``rank``; ties newest first, then by id."""
        raise NotImplementedError

    def recent_first(self, matches: models.QuerySet) -> models.QuerySet:
        """``matches`` most recently written first, in the order the engine can read without sorting them all."""
        return matches.order_by("-pk")

    def recent_ranked(self, matches: models.QuerySet, terms: SearchTerms, limit: int) -> list:
        """The ``limit`` most recently written of ``matches`` as ``(pk, rank, published_at, article_id)``, in one
        query that computes the rank of these rows only. Ranking them in a second query asked the index for the
        whole query again: PostgreSQL intersected the ids with every match of its GIN index (146 ms for three common
        words at 100,000 articles), FTS5 ranked every match in the ids' range of rows."""
        ranked = self.recent_first(self.ranked(matches, terms))
        return list(ranked.values_list("pk", "rank", "article__published_at", "article_id")[:limit])

    def prepare_database(self, connection) -> None:
        """Create what this backend's index needs beyond the models' tables, where it is missing (after every
        ``migrate``; it must be cheap when everything exists)."""

    def articles_indexed(self, article_ids: Iterable[int]) -> None:
        """Called after ``articles.search.index`` wrote the entries of these articles, in the same transaction."""

    def index_rewritten(self, connection) -> None:
        """Called after every entry was written anew (``search_index_rebuild``, a migration): compact what the
        rewrite left behind."""

    def matches(self, terms: SearchTerms, *, titles_only: bool = False) -> models.QuerySet:
        """The public entries of ``terms.language`` that match."""
        from ...models import SearchEntry

        return self.match(SearchEntry.objects.public(terms.language), terms, titles_only=titles_only)

    def editors_matches(self, query: str, *, limit: int) -> set[int]:
        """Ids of the articles with a variant in any language, published or not, that matches ``query`` (read by
        each language's rules): the admin's search, through the readers' index instead of a ``LIKE`` over every
        title of the archive. At most ``limit`` matches a language, the most recently written (the engine reads
        its index backwards and stops there), so a word that most articles hold costs what a rare one does: one
        query a language. Of those, the ``limit`` most recently created articles (the highest ids): the changelist
        sends the ids back in each of its queries (its page, its capped count, the years of its date drill-down),
        three times as many with every language's own."""
        from ...models import SearchEntry

        found: set[int] = set()
        for code in language_codes():
            terms = SearchTerms.parse(query, code)
            if terms:
                matches = self.match(SearchEntry.objects.filter(language=code), terms)
                found.update(self.recent_first(matches).values_list("article_id", flat=True)[:limit])
        return set(sorted(found, reverse=True)[:limit])

    def results(self, terms: SearchTerms) -> SearchResults:
        return SearchResults(self, terms)

    def suggest(self, terms: SearchTerms, limit: int | None = None) -> list:
        """Entries whose titles contain every word typed so far (the last one as it is being typed: through its
        completions, ``SearchTerms.for_titles``, or as a prefix), the best of the ``suggestion_candidates`` most
        recently written: what the search box offers as one types. Three queries (the vocabulary's completions,
        the candidates with their titles' stems, the best of them). The best are the titles that are most what
        was typed (``SearchTerms.title_share``), ties newest first, then by id; the engine reads the candidates
        in its index's order and ranks nothing."""
        if not terms:
            return []
        terms = self.completed(terms).for_titles()
        rows = self._title_candidates(terms)
        if not rows and terms.narrowed:  # as the results page does: earlier words may be unfinished too
            terms = terms.opened()
            rows = self._title_candidates(terms)
        candidates = [
            (pk, terms.title_share(stems), published_at, article_id) for pk, stems, published_at, article_id in rows
        ]
        from ...models import SearchEntry

        best = best_first(candidates)[: limit or self.suggestion_limit]
        return entries_in_order(SearchEntry.objects.select_related("article"), best)

    def _title_candidates(self, terms: SearchTerms) -> list:
        matches = self.recent_first(self.matches(terms, titles_only=True))
        rows = matches.values_list("pk", "title_stems", "article__published_at", "article_id")
        return list(rows[: self.suggestion_candidates])

    def completed(self, terms: SearchTerms) -> SearchTerms:
        """``terms`` with the vocabulary's words that complete the last word (``SearchTerms.with_completions``):
        one query, for a last word of three letters or more."""
        from ...models import SearchWord

        word = terms.last_word
        if len(word) < 3:
            return terms
        completions = list(
            SearchWord.objects.filter(language=terms.language, word__gt=word, word__lt=word + "\U0010ffff")
            .order_by("word")
            .values_list("word", flat=True)[: self.completion_limit + 1]
        )
        # All of them, and at least one: with none (a stale or missing vocabulary) the word stays a prefix.
        every = 0 < len(completions) <= self.completion_limit
        return terms.with_completions(completions[: self.completion_limit], every=every)

    def did_you_mean(self, terms: SearchTerms) -> str:
        """A query close to ``terms`` that finds published articles, for a search that found none; "" if there is
        none. Each word not in the language's vocabulary is replaced by the closest word of the vocabulary that
        starts with the same letter and is at most one letter longer or shorter; at most one query per word, and
        one to make sure the corrected query finds something."""
        from ...models import SearchWord

        corrections = {}
        for word in terms.words:
            if len(word) < 3 or word.isdigit():
                continue
            candidates = list(
                SearchWord.objects.filter(
                    language=terms.language,
                    length__range=(len(word) - 1, len(word) + 1),
                    word__gte=word[0],
                    word__lt=word[0] + "\U0010ffff",
                )
                .order_by()
                .values_list("word", flat=True)[: app_settings.SEARCH_SUGGESTION_CANDIDATES]
            )
            if word in candidates:
                continue
            closest = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
            if closest:
                corrections[word] = closest[0]
        if not corrections:
            return ""
        query = terms.replaced(corrections)
        corrected = SearchTerms.parse(query, terms.language)
        if terms.last_word in corrections:  # a word of the vocabulary: whole, not a prefix
            corrected = corrected.last_word_finished()
        return query if self.matches(corrected).exists() else ""

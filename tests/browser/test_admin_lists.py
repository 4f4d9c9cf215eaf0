"""The article list of the admin at 1,280 px, measured in a real Chromium (see ``support.py``): an editor reads
every title in at most two lines, and no column runs under the filters."""
from __future__ import annotations

import pytest
from django.utils import translation

from articles.models import Article

from tests.browser.support import BrowserJourneyTestCase, axe_problems, make_user

# Per row: the title cell's height in lines of its own text, and how far the table's right edge passes the
# filters' left edge (negative: a gap). Line height from the computed style; "normal" taken as 1.2 em.
MEASURE = """() => {
  const filter = document.querySelector('#changelist-filter').getBoundingClientRect();
  const table = document.querySelector('#result_list').getBoundingClientRect();
  const lines = [...document.querySelectorAll('#result_list td.field-display_title, #result_list th.field-display_title')]
    .map(cell => {
      const style = getComputedStyle(cell.querySelector('a') || cell);
      const line = style.lineHeight === 'normal' ? 1.2 * parseFloat(style.fontSize) : parseFloat(style.lineHeight);
      const inner = (cell.querySelector('a') || cell).getBoundingClientRect().height;
      return inner / line;
    });
  const heading = document.querySelector('#content > h1').getBoundingClientRect();
  const tools = document.querySelector('.object-tools').getBoundingClientRect();
  return {lines, overlap: table.right - filter.left, toolsOverHeading: tools.top < heading.bottom,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


@pytest.mark.browser
class ArticleChangelistTests(BrowserJourneyTestCase):
    def test_titles_take_at_most_two_lines_and_no_column_runs_under_the_filters_at_1280_px(self):
        editor = make_user("editor", groups=("Editor",))
        for locale, language in (("en-US", "en"), ("tr-TR", "tr"), ("ru-RU", "ru")):
            with self.subTest(language=language), self.journey(f"article-changelist-{language}"):
                page = self.open_browser(locale=locale)
                self.log_in(page, editor)
                page.goto("/admin/articles/article/")
                measured = page.evaluate(MEASURE)
                self.save_screenshot(page, f"article-changelist-{language}-1280")
                self.assertEqual(len(measured["lines"]), 5, "one title cell per seed article")
                self.assertLessEqual(max(measured["lines"]), 2.1, f"a title takes more than two lines: {measured}")
                self.assertLessEqual(measured["overlap"], 0, "the list's last column runs under the filters")
                self.assertLessEqual(measured["overflow"], 0, "the page is wider than the window")
                self.assertFalse(measured["toolsOverHeading"], "the list's buttons cover its heading")
                self.assertEqual(axe_problems(page), [], f"the article list in {language}")
                # A title cut short on screen is whole in its tooltip.
                tooltips = page.locator("#result_list .changelist-title").evaluate_all("spans => spans.map(s => s.title)")
                with translation.override(language):
                    longest = max((str(article) for article in Article.objects.all()), key=len)
                self.assertIn(longest, tooltips)

"""The plugin's settings (``articles.conf``): documented defaults, and a host's value wherever it is set."""
from django.test import SimpleTestCase, override_settings

from articles.conf import app_settings
from publishing.conf import DEFAULT_RENDITION_WIDTHS
from publishing.conf import app_settings as core_settings


class AppSettingsTests(SimpleTestCase):
    def test_defaults_apply_where_the_host_sets_nothing(self):
        from django.conf import settings

        self.addCleanup(app_settings.forget)  # deleting a setting sends no setting_changed
        self.addCleanup(core_settings.forget)
        with self.settings():
            for name in [name for name in dir(settings) if name.startswith(("ARTICLES_", "PUBLISHING_"))]:
                delattr(settings, name)
            app_settings.forget()
            core_settings.forget()
            self.assertEqual(app_settings.PAGE_SIZE, 10)
            self.assertEqual(app_settings.SIMILAR_LIMIT, 6)
            self.assertEqual(app_settings.FEED_SIZE, 20)
            self.assertEqual(app_settings.PAGE_CACHE_ALIAS, "default")
            self.assertEqual(app_settings.PAGE_CACHE_SECONDS, 600)
            self.assertEqual(app_settings.PUBLISHER_NAME, "")
            self.assertEqual(core_settings.RENDITION_WIDTHS, DEFAULT_RENDITION_WIDTHS)
            self.assertEqual(app_settings.SEARCH_CONFIGS["de"], "german")

    def test_a_changed_setting_is_seen(self):
        with override_settings(ARTICLES_PAGE_SIZE=3, ARTICLES_PAGE_CACHE_SECONDS="0", ARTICLES_PUBLISHER_NAME="X"):
            self.assertEqual(app_settings.PAGE_SIZE, 3)
            self.assertEqual(app_settings.PAGE_CACHE_SECONDS, 0)
            self.assertEqual(app_settings.PUBLISHER_NAME, "X")
        self.assertNotEqual(app_settings.PAGE_SIZE, 3)

    def test_the_core_reads_its_own_prefix(self):
        with override_settings(PUBLISHING_RENDITION_WIDTHS=[640, 320]):
            self.assertEqual(core_settings.RENDITION_WIDTHS, (640, 320))
        self.assertEqual(core_settings.RENDITION_WIDTHS, DEFAULT_RENDITION_WIDTHS)

    def test_the_hosts_search_configurations_are_laid_over_the_default_ones(self):
        with override_settings(ARTICLES_SEARCH_CONFIGS={"de": "german_unaccented", "kk": "simple"}):
            self.assertEqual(app_settings.SEARCH_CONFIGS["de"], "german_unaccented")
            self.assertEqual(app_settings.SEARCH_CONFIGS["kk"], "simple")
            self.assertEqual(app_settings.SEARCH_CONFIGS["tr"], "turkish")

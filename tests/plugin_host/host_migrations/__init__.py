"""The plugin apps' migrations as this host owns them (``MIGRATION_MODULES``): modeltranslation gives every
translated field one column per language of LANGUAGES, so the migrations the plugin ships, made for tr/en/ru, cannot
serve this en/de site. ``manage.py makemigrations publishing articles authors`` writes them here; the test starts empty."""

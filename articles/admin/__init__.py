"""The articles app's admin: articles (``articles``; their change form and its references' formset: ``forms``),
categories and tags (``taxonomy``), the changelist's filters (``filters``), and the translators' dashboard and PO/XLIFF
pages (``translation_files``). Importing the package registers them (Django's admin autodiscovery imports
``articles.admin``)."""
from .articles import ArticleAdmin
from .taxonomy import CategoryAdmin, TagAdmin
from .translation_files import translator_landing

__all__ = ["ArticleAdmin", "CategoryAdmin", "TagAdmin", "translator_landing"]

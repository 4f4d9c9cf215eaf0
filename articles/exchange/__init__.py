"""What comes into and goes out of the articles app as files.

- ``seedtext`` (with ``seedtext_rules``): the old site's plain-text page exports, parsed (no Django import);
- ``importing``: a parsed export written as an article or as a translation of one (``article_import_text``);
- ``files`` and ``checks``: PO and XLIFF files for outside translators, written, read and checked before anything
  is written (``articles.services.translation_file_import`` writes);
- ``backup``: the whole content and its media as one archive, and its restore;
- ``forms``: the admin's "Import from text" form.

The PO/XLIFF names are given here too, as ``articles.exchange.<name>``.
"""
from .checks import ImportPlan, plan_import, text_errors
from .files import (
    FORMAT_CHOICES,
    FORMATS,
    MAX_FILE_BYTES,
    ExportedFile,
    FileUnit,
    TranslationDocument,
    TranslationFileError,
    export_article,
    export_articles,
    file_name,
    read_documents,
)

__all__ = [
    "FORMATS",
    "FORMAT_CHOICES",
    "MAX_FILE_BYTES",
    "ExportedFile",
    "FileUnit",
    "ImportPlan",
    "TranslationDocument",
    "TranslationFileError",
    "export_article",
    "export_articles",
    "file_name",
    "plan_import",
    "read_documents",
    "text_errors",
]

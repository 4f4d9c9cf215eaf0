"""The admin's rich-text editor for bodies and bios: django-prose-editor, loaded without any inline script.

The editor offers only what the server keeps (``publishing.text.ALLOWED_TAGS``): what an editor formats is what
readers get. The server still sanitises every save (``Article.save``, ``Author.save``), so a crafted POST or a
disabled editor changes nothing. Footnote markers such as ``[1]`` are typed and stored as plain text.
"""
from __future__ import annotations

from django import forms
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Script

RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Code": True,
    "Heading": {"levels": [2, 3, 4]},
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "HTML": True,
}


class RichTextEditorWidget(AdminProseEditorWidget):
    """A prose editor in place of the textarea, started by ``publishing/rich-text-editor.js``.

    The package's own media puts an inline ``<script type="importmap">`` on the page, which the Content-Security-
    Policy (``script-src 'self'``) blocks; this media loads one module from the site's static files instead.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, config={"extensions": RICH_TEXT_EXTENSIONS}, preset="configurable")

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                ]
            },
            js=[Script("publishing/rich-text-editor.js", type="module")],
        )


class RichTextAdminMixin:
    """Give the model fields named in ``rich_text_fields`` (and, through modeltranslation, each language's copy of
    them, which keeps the language tabs) the rich-text editor."""

    rich_text_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.rich_text_fields:
            kwargs["widget"] = RichTextEditorWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

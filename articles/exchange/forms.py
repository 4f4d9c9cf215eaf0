"""Forms of the articles app used outside the model admin's own change forms."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .seedtext import MAX_FILE_BYTES


class ImportTextForm(forms.Form):
    """The admin's "Import from text" page: the same choices as the ``import_articles`` command."""

    file = forms.FileField(label=_("Text export"), help_text=_("A plain-text (UTF-8) export of an article page."))
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES)
    translation_of = forms.CharField(
        label=_("Translation of"),
        required=False,
        help_text=_("The slug (in any language) of an existing article whose fields this text fills."),
    )
    title = forms.CharField(
        label=_("Title"), required=False, max_length=300, help_text=_("Only for a file that has no title line.")
    )
    publish = forms.BooleanField(label=_("Publish this language variant"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file without saving"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."), params={"limit": MAX_FILE_BYTES // 2**20}
            )
        return upload

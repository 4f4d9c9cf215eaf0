"""Admin of the authors app: tabbed bio translations, photo preview."""
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from publishing.editing import EditConflictAdminMixin
from publishing.images import IMAGE_FORM_FIELDS, admin_image_preview
from publishing.failures import StorageFailureAdminMixin
from publishing.revisions import RevisionAdminMixin
from publishing.widgets import RichTextAdminMixin
from publishing.workflow.admin import TranslationRolesAdminMixin, TranslationStateFilter

from .models import Author

apps.get_app_config("authors").register_revisions()


@admin.register(Author)
class AuthorAdmin(
    StorageFailureAdminMixin,
    TranslationRolesAdminMixin,
    EditConflictAdminMixin,
    RichTextAdminMixin,
    RevisionAdminMixin,
    TabbedTranslationAdmin,
):
    rich_text_fields = ("bio",)
    formfield_overrides = IMAGE_FORM_FIELDS
    list_display = ("name", "slug", "has_photo", "translation_progress", "articles_link", "updated_at")
    list_filter = (TranslationStateFilter,)
    search_fields = ("given_name", "family_name", "name_key")
    prepopulated_fields = {"slug": ("given_name", "family_name")}
    readonly_fields = ("photo_preview",)
    fields = ("given_name", "family_name", "slug", "photo", "photo_preview", "photo_alt", "bio")

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, author: Author) -> bool:
        return bool(author.photo)

    @admin.display(description=_("articles"))
    def articles_link(self, author: Author) -> str:
        """The article list filtered by this author: that list's sidebar offers only the most published authors,
        so every other one is reached from here, as a tag is from its article count. Nothing where the site has no
        article admin (the articles app is the layer above this one)."""
        try:
            url = reverse("admin:articles_article_changelist")
        except NoReverseMatch:
            return ""
        return format_html('<a href="{}?authors__id__exact={}">{}</a>', url, author.pk, _("View articles"))

    @admin.display(description=_("preview"))
    def photo_preview(self, author: Author):
        return admin_image_preview(author.photo, max_width=160, max_height=160)

"""The article admin: tabbed forms (a tab per language), per-language status columns, bulk publishing, import from
text."""
from __future__ import annotations

import functools
from contextvars import ContextVar

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from publishing.editing import EditConflictAdminMixin
from publishing.images import IMAGE_FORM_FIELDS, admin_image_preview
from publishing.failures import StorageFailureAdminMixin
from publishing.revisions import RevisionAdminMixin, keep_in_revision
from publishing.widgets import RichTextAdminMixin
from publishing.workflow import units as workflow_units
from publishing.workflow.admin import TranslationRolesAdminMixin, TranslationRolesInlineMixin, TranslationStateFilter

from .. import upkeep
from ..exchange.forms import ImportTextForm
from ..exchange.importing import ArticleImportError, article_import_text
from ..models import Article, Reference
from ..search.backends import search_backend
from ..services import article_publish, article_unpublish
from .filters import LanguageStatusFilter, MostUsedAuthorFilter, MostUsedTagFilter, per_language
from .forms import ArticleAdminForm, ReferenceFormSet
from .paging import CappedPaginator
from .translation_files import TranslationExchangeAdminMixin

# Two lines of the list's title column at 1,280 px hold about this many characters.
LIST_TITLE_CHARS = 110
PUBLICATION_SYMBOLS = {"published": "✔", "scheduled": "◷", "complete": "◐", "missing": "✗"}
# Set while a revision is restored (``ArticleAdmin.revision_view``): the restoring save is made even unchanged.
_restoring: ContextVar[bool] = ContextVar("articles_admin_restoring", default=False)

# Before the admins below are built: reversion's admin would otherwise register Article without its tag links.
apps.get_app_config("articles").register_revisions()


class ReferenceInline(TranslationRolesInlineMixin, TranslationTabularInline):
    model = Reference
    formset = ReferenceFormSet
    extra = 0
    fields = ("position", "marker", "text", "url", "accessed_on")
    # A reference is one line of text: three 10-row boxes per row would bury the list. The URL is a plain box (the
    # admin's "Currently: <link> Change:" widget doubles its width): the table fits a 1,280 px window.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
        models.URLField: {"widget": forms.URLInput(attrs={"size": 22})},
        models.PositiveIntegerField: {"widget": forms.NumberInput(attrs={"class": "vIntegerField references__position"})},
    }


@functools.cache
def _cell_labels(language: str | None, _codes: tuple[str, ...]) -> dict:
    """The words of the list's languages cell in the admin's ``language``, translated once: fifty rows of three
    languages looked up some nine hundred translations a page. (``_codes``, the site's languages, is part of the key
    so that a change of ``LANGUAGES``, in a test, is seen.)"""
    with translation.override(language):
        return {
            "languages": [(code, str(name)) for code, name in settings.LANGUAGES],
            "states": {"source": str(_("source")), **{state: str(label) for state, label in workflow_units.STATE_LABELS.items()}},
            "publication": {
                "published": str(_("published")),
                "scheduled": str(_("scheduled")),
                "complete": str(_("complete, not published")),
                "missing": str(_("missing")),
            },
        }


def _publish_action(code: str, name: str, publish: bool):
    def action(modeladmin, request, queryset):
        if publish:
            result = article_publish(articles=queryset, language=code)
        else:
            result = article_unpublish(articles=queryset, language=code)
        if result.changed:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d article changed in %(language)s.",
                    "%(count)d articles changed in %(language)s.",
                    len(result.changed),
                )
                % {"count": len(result.changed), "language": name},
                messages.SUCCESS,
            )
        if result.incomplete:
            modeladmin.message_user(
                request,
                _("Not published in %(language)s, title or body missing: %(titles)s")
                % {"language": name, "titles": ", ".join(str(a) for a in result.incomplete)},
                messages.WARNING,
            )
        if not result.changed and not result.incomplete:
            modeladmin.message_user(request, _("Nothing to change."), messages.INFO)

    action.__name__ = f"{'publish' if publish else 'unpublish'}_{code}"
    description = _("Publish in %(language)s") if publish else _("Unpublish in %(language)s")
    return admin.action(description=description % {"language": name}, permissions=["publish"])(action)


@admin.register(Article)
class ArticleAdmin(
    StorageFailureAdminMixin,
    TranslationExchangeAdminMixin,
    TranslationRolesAdminMixin,
    EditConflictAdminMixin,
    RichTextAdminMixin,
    RevisionAdminMixin,
    TabbedTranslationAdmin,
):
    form = ArticleAdminForm
    lock_object_for_save = True
    # The model's tags are not the form's: the form's own ``tags`` field is set by its save, once and only when it
    # changed (``ArticleAdminForm.save``).
    exclude = ("tags",)
    formfield_overrides = IMAGE_FORM_FIELDS
    rich_text_fields = ("body",)
    inlines = [ReferenceInline]
    list_display = ("display_title", "category", "published_on", "languages", "changed_on")
    list_select_related = ("category",)
    # Counted up to a cap, and no second count of every article for "N total" (``articles.admin.paging``).
    paginator = CappedPaginator
    # Fifty rows a page: each row renders its languages and translation states, about a millisecond a row, and at
    # Django's hundred the rows were most of the changelist's time at any archive size.
    list_per_page = 50
    show_full_result_count = False
    # Facet counts run every filter's query once per choice (75 queries for 13): not offered.
    show_facets = admin.ShowFacets.NEVER
    list_filter = (
        LanguageStatusFilter, TranslationStateFilter, "original_language", "category", MostUsedTagFilter, MostUsedAuthorFilter
    )
    search_fields = (*per_language("title"), "authors__given_name", "authors__family_name")
    date_hierarchy = "published_at"
    autocomplete_fields = ("authors",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("image_preview", "created_at", "updated_at")
    actions = [_publish_action(code, name, publish) for publish in (True, False) for code, name in settings.LANGUAGES]
    fieldsets = (
        (None, {"fields": ("title", "slug", "highlights", "body", "is_published")}),
        (
            _("Publication"),
            {"fields": ("category", "authors", "tags", "published_at", "original_language")},
        ),
        (_("Featured image"), {"fields": ("featured_image", "image_preview", "featured_image_alt")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("title"), ordering="title")
    def display_title(self, article: Article):
        """The title in the admin's language, else in the first language that has one (drafts have gaps). A long
        one is cut at two lines on screen (``translation.css``) and at ``LIST_TITLE_CHARS`` without styles; the
        whole title is the cell's tooltip."""
        title = str(article)
        return format_html(
            '<span class="changelist-title" title="{}">{}</span>', title, Truncator(title).chars(LIST_TITLE_CHARS)
        )

    # Dates as short as they can be read: the titles get the width (the time of day is in the form).
    @admin.display(description=pgettext_lazy("article list column", "published"), ordering="published_at")
    def published_on(self, article: Article) -> str:
        return date_format(timezone.localtime(article.published_at), "SHORT_DATE_FORMAT")

    @admin.display(description=pgettext_lazy("article list column", "changed"), ordering="updated_at")
    def changed_on(self, article: Article) -> str:
        return date_format(timezone.localtime(article.updated_at), "SHORT_DATE_FORMAT")

    @admin.display(description=_("languages"))
    def languages(self, article: Article) -> str:
        """One short line per language, so that the titles keep the width: its translation (units filled of units
        to translate, ⚠ outdated; a link to its translation screen) and whether readers see it (✔ published,
        ◷ scheduled, ◐ complete but not released, ✗ title or body missing)."""
        statuses = getattr(article, "_translation_statuses", None) or workflow_units.translation_statuses(article)
        labels = _cell_labels(translation.get_language(), tuple(code for code, _name in settings.LANGUAGES))
        rows = []
        for code, name in labels["languages"]:
            if article.is_published_in(code):
                publication = "published"
            elif article.is_published_in(code, scheduled=True):
                publication = "scheduled"
            elif article.has_content_in(code):
                publication = "complete"
            else:
                publication = "missing"
            status = statuses[code]
            state = "source" if status.is_source else status.state
            outdated = bool(status.outdated)
            # Each row's texts made here, so that the template, run fifty times a page, fills a few slots.
            rows.append(
                {
                    "element": "span" if status.is_source else "a",
                    "state": state,
                    "outdated": outdated,
                    "title": f"{name}: {labels['states'][state]}"
                    + (f" ⚠ {labels['states'][workflow_units.OUTDATED]}" if outdated else ""),
                    "progress": f"{code.upper()} {status.filled}/{status.total}",
                    "url": None if status.is_source else self.segment_editor_url(article, code),
                    "publication": publication,
                    "publication_title": f"{name}: {labels['publication'][publication]}",
                    "publication_label": labels["publication"][publication],
                    "symbol": PUBLICATION_SYMBOLS[publication],
                }
            )
        return render_to_string(
            "admin/articles/article/languages_cell.html",
            {"rows": rows, "outdated_label": labels["states"][workflow_units.OUTDATED]},
        )

    def view_on_site(self, article: Article) -> str:
        """"View on site" opens the editors' preview, which also shows drafts and unpublished languages."""
        from django.urls import reverse

        return reverse("articles:preview", kwargs={"pk": article.pk})

    def action_checkbox(self, obj):
        """Django's selection box, written directly: rendered through the form widget's templates it took about a
        quarter of a millisecond a row, a tenth of the changelist."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME, obj.pk, format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description=_("preview"))
    def image_preview(self, article: Article):
        return admin_image_preview(article.featured_image, alt=article.featured_image_alt or "")

    def get_search_results(self, request, queryset, search_term):
        """Articles with a variant in any language, draft or published, whose title, text, tags or authors hold
        every word (each also as the start of a longer one, a number only whole), found in the search index.

        Django's own search ran ``LIKE`` over every article's titles and authors: at 100,000 articles it read the
        whole table (0.8 s on SQLite, 2.4 s on PostgreSQL) for a word that few articles hold. The index reads at
        most a capped count's worth of matches, and finds words as readers' search does (stems, case folded per
        language). With more matches than that, the list holds the most recently written of them.
        """
        if not search_term.strip():
            return queryset, False
        # As many matches a language as the changelist counts, and one more: past that it says "More than".
        found = search_backend().editors_matches(search_term, limit=self.paginator.cap + 1)
        return queryset.filter(pk__in=found), False

    def get_queryset(self, request):
        """Each article with its category: the changelist shows it, and the change form's save keeps it when the
        editor leaves it (``ArticleAdminForm``)."""
        return super().get_queryset(request).select_related("category")

    def get_object(self, request, object_id, from_field=None):
        """The article with its authors and tags too: the change form shows them and a save's revision keeps them,
        from this one read (the changelist, which shows neither, does not read them: prefetched there, taggit made a
        manager for each of its fifty rows). A save reads its references as stored too, once for its revision and
        its translation fingerprints, which follow the article's save before the inline saves its rows (and forgets
        them once it has: ``save_formset``)."""
        article = super().get_object(request, object_id, from_field)
        if article is not None:
            saving = ["references"] if request.method == "POST" else []
            models.prefetch_related_objects([article], "authors", "tags", *saving)
        return article

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        written = formset.new_objects or formset.changed_objects or formset.deleted_objects
        if change and formset.model is Reference and written:
            form.instance.refresh_from_db(fields=["references"])  # what ``get_object`` read is no longer stored

    def get_urls(self):
        from django.urls import path

        info = self.opts.app_label, self.opts.model_name
        return [
            path("import-text/", self.admin_site.admin_view(self.import_text_view), name="%s_%s_import_text" % info),
            *super().get_urls(),
        ]

    def import_text_view(self, request):
        """Upload one text export; the importer service writes it whole or reports why it cannot."""
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse
        from django.urls import reverse

        if not self.has_add_permission(request):
            raise PermissionDenied
        outcome = None
        form = ImportTextForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = article_import_text(
                    data=upload.read(),
                    language=form.cleaned_data["language"],
                    source=upload.name,
                    title=form.cleaned_data["title"] or None,
                    translation_of=form.cleaned_data["translation_of"] or None,
                    publish=form.cleaned_data["publish"],
                    dry_run=form.cleaned_data["dry_run"],
                    user=request.user,
                )
            except ArticleImportError as error:
                form.add_error(None, str(error))
            else:
                if not outcome.dry_run:
                    self.message_user(
                        request,
                        _("%(file)s: %(action)s.") % {"file": upload.name, "action": outcome.action},
                        messages.SUCCESS,
                    )
                    for warning in outcome.warnings:
                        self.message_user(request, warning, messages.WARNING)
                    return redirect(reverse("admin:articles_article_change", args=[outcome.article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "outcome": outcome,
            "title": _("Import from text"),
        }
        return TemplateResponse(request, "admin/articles/article/import_text.html", context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The article, its authors, references and tags are saved one after the other: their upkeep (search
        entries, Similar Posts, page cache) runs once, after the last of them. Within the transaction of the save's
        revision (``RevisionAdminMixin``), which a failure anywhere in the save undoes whole: no savepoint of its own."""
        with upkeep.batched(savepoint=False):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """An article whose form changed nothing is not written again: a save would move its "last changed" date,
        and with it its pages, the lists' dates and its search entries, for nothing. Its history still records the
        save, as it records every save; its references (the inline) are saved on their own when they changed. A
        restored revision is always saved (below)."""
        if change and not form.has_changed() and not _restoring.get():
            keep_in_revision(obj)
            return
        super().save_model(request, obj, form, change)

    def revision_view(self, request, *args, **kwargs):
        """Restoring a revision writes the article as it was, then shows the form filled from it: a save of that form
        changes nothing the form can see, and still records the restore (a revision of its own)."""
        token = _restoring.set(True)
        try:
            return super().revision_view(request, *args, **kwargs)
        finally:
            _restoring.reset(token)

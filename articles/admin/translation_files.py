"""The translators' pages of the articles admin: their dashboard (what needs work in their languages, across
articles, bios, tags and categories) and PO/XLIFF export and import of articles.

The rules are the workflow's (``publishing.workflow``); the files are ``articles.exchange``'s; every write goes
through a service (``articles.services.translation_file_import``).
"""
from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from publishing.workflow import queries as workflow_queries
from publishing.workflow import roles as workflow_roles
from publishing.workflow import units as workflow
from publishing.workflow.admin import TranslationStateFilter

from .. import exchange
from ..services import translation_file_import

DASHBOARD_LIMIT = 50
DASHBOARD_SECTIONS = {
    "articles.article": _("Articles"),
    "authors.author": _("Bios"),
    "articles.tag": _("Tags"),
    "articles.category": _("Categories"),
}


class TranslationFileExportForm(forms.Form):
    ids = forms.CharField(widget=forms.HiddenInput)
    language = forms.ChoiceField(label=_("Target language"))
    format = forms.ChoiceField(label=_("File format"), choices=exchange.FORMAT_CHOICES, initial="po")

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, workflow.language_name(code)) for code in languages]


class TranslationFileImportForm(forms.Form):
    file = forms.FileField(
        label=_("Translation file"),
        help_text=_("A PO or XLIFF (1.2 or 2.0) file exported here and filled in, or a zip of such files."),
    )
    language = forms.ChoiceField(label=_("Language of the translation"))
    article = forms.IntegerField(
        label=_("Article number"),
        required=False,
        min_value=1,
        help_text=_("If given, a file for another article is refused."),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file without saving"), required=False)

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, workflow.language_name(code)) for code in languages]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > exchange.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."), params={"limit": exchange.MAX_FILE_BYTES // 2**20}
            )
        return upload


class TranslationExchangeAdminMixin:
    """For the article admin: the translation dashboard, the PO/XLIFF export (an action on the selection) and the
    upload page that imports filled files."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("translations/", self.admin_site.admin_view(self.translation_dashboard_view), name="%s_%s_translations" % info),
            path("translations/export/", self.admin_site.admin_view(self.translation_export_view), name="%s_%s_translation_export" % info),
            path("translations/import/", self.admin_site.admin_view(self.translation_import_view), name="%s_%s_translation_import" % info),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if actions and self.has_view_or_change_permission(request) and workflow_roles.editable_languages(request.user):
            action = export_for_translation
            actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def translation_dashboard_view(self, request):
        """Per language the user may edit: what is missing, unfinished or outdated, newest first."""
        languages = workflow_roles.editable_languages(request.user)
        if not languages or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        sections = [
            {"code": code, "name": workflow.language_name(code), "groups": self._dashboard_groups(request, code)}
            for code in languages
        ]
        context = self._context(request, _("Translation dashboard"), sections=sections, formats=exchange.FORMAT_CHOICES)
        return TemplateResponse(request, "admin/articles/translation_dashboard.html", context)

    def _dashboard_groups(self, request, code: str) -> list[dict]:
        groups = []
        for label, heading in DASHBOARD_SECTIONS.items():
            model = apps.get_model(label)
            model_admin = self.admin_site._registry.get(model)
            if model_admin is None or not model_admin.has_view_or_change_permission(request):
                continue
            queryset = (
                workflow_queries.with_source_fingerprint(model._default_manager.all())
                .filter(workflow_queries.needs_work_q(model, code))
                .order_by("-updated_at", "-pk")
            )
            objects = list(queryset[:DASHBOARD_LIMIT])
            statuses = workflow.translation_statuses_for(objects)
            opts = model._meta
            rows = [
                {
                    "object": obj,
                    "status": statuses[obj.pk][code],
                    "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
                    "translate_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_translate", args=[obj.pk, code]),
                }
                for obj in objects
            ]
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            groups.append(
                {
                    "heading": heading,
                    "rows": rows,
                    "total": queryset.count() if len(objects) == DASHBOARD_LIMIT else len(objects),
                    "more_url": f"{changelist}?{urlencode({TranslationStateFilter.parameter_name: f'todo_{code}'})}",
                    "is_article": label == "articles.article",
                }
            )
        return groups

    def translation_export_view(self, request):
        """The selection's texts as PO or XLIFF for one target language: one file, or a zip of one per article."""
        languages = workflow_roles.editable_languages(request.user)
        if not languages or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        ids = _ids(request.GET.get("ids", ""))
        selected = self.get_queryset(request).filter(pk__in=ids)
        form = TranslationFileExportForm(
            request.GET if "language" in request.GET else None,
            languages=languages,
            initial={"ids": ",".join(str(pk) for pk in ids)},
        )
        if form.is_bound and form.is_valid():
            try:
                exported = exchange.export_articles(
                    selected, language=form.cleaned_data["language"], fmt=form.cleaned_data["format"]
                )
            except ValueError:
                form.add_error(None, _("None of the selected articles can be translated into this language: it is their source language."))
            else:
                response = HttpResponse(exported.content, content_type=exported.content_type)
                response["Content-Disposition"] = f'attachment; filename="{exported.name}"'
                return response
        context = self._context(request, _("Export for translation"), form=form, selected=selected)
        return TemplateResponse(request, "admin/articles/article/translation_export.html", context)

    def translation_import_view(self, request):
        """Upload a filled PO/XLIFF file (or a zip); it is checked whole and imported whole, or refused."""
        languages = workflow_roles.editable_languages(request.user)
        if not languages or not self.has_change_permission(request):
            raise PermissionDenied
        form = TranslationFileImportForm(
            request.POST or None,
            request.FILES or None,
            languages=languages,
            initial={"article": request.GET.get("article"), "language": request.GET.get("language")},
        )
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = translation_file_import(
                    data=upload.read(),
                    name=upload.name,
                    language=form.cleaned_data["language"],
                    user=request.user,
                    article_id=form.cleaned_data["article"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except exchange.TranslationFileError as error:
                for message in error.errors:
                    form.add_error(None, f"{error.source}: {message}")
            else:
                if not result.dry_run:
                    self._report_import(request, result)
                    if len(result.plans) == 1:
                        return redirect(reverse("admin:articles_article_change", args=[result.plans[0].article.pk]))
                    return redirect(reverse("admin:articles_article_translations"))
        context = self._context(request, _("Import a translation file"), form=form, result=result)
        return TemplateResponse(request, "admin/articles/article/translation_import.html", context)

    def _report_import(self, request, result) -> None:
        for plan in result.plans:
            self.message_user(
                request,
                ngettext(
                    "%(file)s: %(count)d text imported into “%(article)s” (%(language)s).",
                    "%(file)s: %(count)d texts imported into “%(article)s” (%(language)s).",
                    len(plan.values),
                )
                % {
                    "file": plan.document.name,
                    "count": len(plan.values),
                    "article": plan.article,
                    "language": workflow.language_name(plan.language),
                },
                messages.SUCCESS,
            )
            if plan.source_changed:
                self.message_user(
                    request,
                    _("%(file)s was made from an older source text (%(units)s): the translation stays marked outdated.")
                    % {"file": plan.document.name, "units": ", ".join(plan.source_changed)},
                    messages.WARNING,
                )
            if plan.needs_review:
                self.message_user(
                    request,
                    _("%(file)s marks %(units)s as needing review (fuzzy): imported, and marked outdated.")
                    % {"file": plan.document.name, "units": ", ".join(plan.needs_review)},
                    messages.WARNING,
                )


def _ids(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip().isascii() and part.strip().isdigit()]


@admin.action(description=_("Export for translation (PO or XLIFF)"))
def export_for_translation(modeladmin, request, queryset):
    url = reverse("admin:articles_article_translation_export")
    return redirect(f"{url}?{urlencode({'ids': ','.join(str(pk) for pk in queryset.values_list('pk', flat=True))})}")


def translator_landing(site: admin.AdminSite):
    """The admin's home page, for the host's ``urls.py`` (before ``site.urls``): translators land on the
    translation dashboard, everyone else on the usual index."""

    def index(request, extra_context=None):
        if workflow_roles.is_translator(request.user):
            return redirect("admin:articles_article_translations")
        return site.index(request, extra_context)

    return site.admin_view(index)

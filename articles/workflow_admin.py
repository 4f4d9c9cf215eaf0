"""The translators' workflow in the admin: per-language roles, the source text beside each field, progress and state
columns and filters, the translation dashboard, and PO/XLIFF export and import.

``articles.workflow`` (and its ``workflow_roles`` and ``workflow_queries``) holds the rules; this module only applies
them to the admin's forms, lists and pages, and the services (``articles.workflow_services``, ``articles.services``)
do every write.
"""
from __future__ import annotations

import copy

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import exchange, workflow, workflow_queries, workflow_roles
from .services import translation_file_import
from .workflow_services import translation_mark_saved, translation_mark_up_to_date

DASHBOARD_LIMIT = 50
DASHBOARD_SECTIONS = {
    "articles.article": _("Articles"),
    "authors.author": _("Bios"),
    "articles.tag": _("Tags"),
    "articles.category": _("Categories"),
}
STYLESHEET = "articles/admin/translation.css"


class SourceTextWidget(forms.Widget):
    """A translator's field with the source-language text beside it, read-only (as stored: markup and footnote
    markers shown as written, so that the translation can keep them)."""

    def __init__(self, widget: forms.Widget, *, source_text: str, source_language: str) -> None:
        super().__init__()
        self.widget = widget
        self.attrs = widget.attrs
        self.source_text = source_text
        self.source_language = source_language

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        clone.widget = copy.deepcopy(self.widget, memo)
        clone.attrs = clone.widget.attrs
        memo[id(self)] = clone
        return clone

    @property
    def is_hidden(self) -> bool:
        return self.widget.is_hidden

    @property
    def needs_multipart_form(self) -> bool:
        return self.widget.needs_multipart_form

    @property
    def media(self) -> forms.Media:
        return self.widget.media + forms.Media(css={"all": [STYLESHEET]})

    def value_from_datadict(self, data, files, name):
        return self.widget.value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return self.widget.value_omitted_from_data(data, files, name)

    def id_for_label(self, id_):
        return self.widget.id_for_label(id_)

    def use_required_attribute(self, initial):
        return self.widget.use_required_attribute(initial)

    def render(self, name, value, attrs=None, renderer=None):
        label = _("Source text (%(language)s)") % {"language": workflow.language_name(self.source_language)}
        return format_html(
            '<div class="translation-pair"><div class="translation-source" lang="{}">'
            '<span class="translation-source__label">{}</span><div class="translation-source__text">{}</div></div>'
            '<div class="translation-target">{}</div></div>',
            self.source_language,
            label,
            self.source_text or "—",
            self.widget.render(name, value, attrs, renderer),
        )


def _keep_languages(fieldsets, model, languages: set[str]) -> list:
    """Fieldsets without the translated fields of languages outside ``languages`` (empty fieldsets dropped)."""

    def keep(name) -> bool:
        language = workflow.field_language(model, name) if isinstance(name, str) else None
        return language is None or language in languages

    result = []
    for title, options in fieldsets:
        fields = []
        for entry in options.get("fields", ()):
            if isinstance(entry, (list, tuple)):
                entry = tuple(name for name in entry if keep(name))
                if entry:
                    fields.append(entry)
            elif keep(entry):
                fields.append(entry)
        if fields:
            result.append((title, {**options, "fields": fields}))
    return result


def _form_model_fields(model) -> list[str]:
    """Every model field a form of ``model`` could carry, without modeltranslation's untranslated originals."""
    originals = set(workflow.translated_fields(model))
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and (field.concrete or field.many_to_many)
        and field.name not in originals
        and not getattr(field, "primary_key", False)
    ]


class TranslationRolesAdminMixin:
    """For the admins of translated models. Editors see everything as before; a translator sees the object with
    only their languages' fields editable, the source text beside each, the shared fields read-only, and no add,
    delete, publish or restore. Fields outside a translator's languages are left out of the form itself, so a
    crafted POST carrying them changes nothing."""

    def _translator_languages(self, request) -> list[str] | None:
        """None for an editor (no limit), else the languages the translator may edit."""
        if workflow_roles.is_editor(request.user):
            return None
        return workflow_roles.editable_languages(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        languages = self._translator_languages(request)
        if languages is None:
            return readonly
        editable = workflow.editable_field_names(self.model, languages)
        return readonly + [name for name in _form_model_fields(self.model) if name not in editable and name not in readonly]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        languages = self._translator_languages(request)
        if languages is None:
            return fieldsets
        return _keep_languages(fieldsets, self.model, set(languages))

    def get_prepopulated_fields(self, request, obj=None):
        prepopulated = super().get_prepopulated_fields(request, obj)
        languages = self._translator_languages(request)
        if languages is None:
            return prepopulated
        editable = workflow.editable_field_names(self.model, languages)
        return {
            target: sources
            for target, sources in prepopulated.items()
            if target in editable and all(source in editable for source in sources)
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        languages = self._translator_languages(request)
        if languages is None:
            return form
        # The server-side guard: whatever the form class declares (a mixin's form may bring declared fields such as
        # the tags back), a translator's form holds no model field outside their languages, so POSTed values for
        # those fields are never read.
        editable = workflow.editable_field_names(self.model, languages)
        for name in set(form.base_fields) & set(_form_model_fields(self.model)) - editable:
            del form.base_fields[name]
        if obj is None:
            return form
        source = workflow.source_language(obj)
        texts = set(workflow.text_fields(self.model))
        for name, field in form.base_fields.items():
            language = workflow.field_language(self.model, name)
            if language is None or language == source:
                continue
            base = self.model._meta.get_field(name).translated_field.name
            if base in texts:
                field.widget = SourceTextWidget(
                    field.widget, source_text=getattr(obj, f"{base}_{source}") or "", source_language=source
                )
        return form

    def has_add_permission(self, request, *args):
        return self._translator_languages(request) is None and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return self._translator_languages(request) is None and super().has_delete_permission(request, obj)

    def has_publish_permission(self, request) -> bool:
        return workflow_roles.is_editor(request.user) and self.has_change_permission(request)

    def revision_view(self, request, *args, **kwargs):
        """Restoring a revision rewrites every field of every language: an editor's decision."""
        if self._translator_languages(request) is not None:
            raise PermissionDenied
        return super().revision_view(request, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        """Saving changed text in a language counts as saving that translation: its outdated flag goes."""
        super().save_related(request, form, formsets, change)
        obj = form.instance
        texts = set(workflow.text_fields(self.model))
        changed = {
            workflow.field_language(self.model, name)
            for name in form.changed_data
            if workflow.field_language(self.model, name)
            and self.model._meta.get_field(name).translated_field.name in texts
        }
        for formset in formsets:
            child_texts = set(workflow.text_fields(formset.model))
            for child_form in formset.forms:
                for name in child_form.changed_data:
                    language = workflow.field_language(formset.model, name)
                    if language and formset.model._meta.get_field(name).translated_field.name in child_texts:
                        changed.add(language)
        for language in sorted(changed - {workflow.source_language(obj)}):
            translation_mark_saved(obj=obj, language=language, user=request.user)

    # --- Lists --------------------------------------------------------------------------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        statuses = workflow.translation_statuses_for(changelist.result_list)
        for obj in changelist.result_list:
            obj._translation_statuses = statuses.get(obj.pk)
        return changelist

    @admin.display(description=_("translations"))
    def translation_progress(self, obj):
        """Per language: units filled of units to translate, the state, and the outdated flag."""
        statuses = getattr(obj, "_translation_statuses", None) or workflow.translation_statuses(obj)
        badges = []
        for code, status in statuses.items():
            state = "source" if status.is_source else status.state
            label = _("source") if status.is_source else status.label
            flag = f" ⚠ {workflow.STATE_LABELS[workflow.OUTDATED]}" if status.outdated else ""
            badges.append(
                (
                    state,
                    " translation-state--outdated" if status.outdated else "",
                    f"{workflow.language_name(code)}: {label}{flag}",
                    code.upper(),
                    f"{status.filled}/{status.total}",
                    flag,
                )
            )
        return format_html_join(
            " ", '<span class="translation-state translation-state--{}{}" title="{}">{} {}{}</span>', badges
        )

    @property
    def media(self):
        return super().media + forms.Media(css={"all": [STYLESHEET]})

    # --- Actions ------------------------------------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        if self.has_change_permission(request):
            for code in workflow_roles.editable_languages(request.user):
                action = _mark_up_to_date_action(code)
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions


def _mark_up_to_date_action(code: str):
    name = workflow.language_name(code)

    def action(modeladmin, request, queryset):
        if code not in workflow_roles.editable_languages(request.user):
            raise PermissionDenied
        changed = translation_mark_up_to_date(objects=queryset, language=code, user=request.user)
        if changed:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d %(language)s translation marked as up to date.",
                    "%(count)d %(language)s translations marked as up to date.",
                    len(changed),
                )
                % {"count": len(changed), "language": name},
                messages.SUCCESS,
            )
        else:
            modeladmin.message_user(request, _("None of them was outdated."), messages.INFO)

    action.__name__ = f"mark_up_to_date_{code}"
    action.short_description = _("Mark the %(language)s translation as up to date") % {"language": name}
    return action


class TranslationStateFilter(admin.SimpleListFilter):
    """Objects by the state of one language's translation (the same rules as the state column, in SQL)."""

    title = _("translation")
    parameter_name = "translation"
    TODO = "todo"

    def lookups(self, request, model_admin):
        has_publishing = any(field.name.startswith("is_published_") for field in model_admin.model._meta.fields)
        choices = []
        for code, name in settings.LANGUAGES:
            for state in (*workflow.STATES, workflow.OUTDATED, self.TODO):
                if state == workflow.PUBLISHED and not has_publishing:
                    continue
                label = _("needs work") if state == self.TODO else workflow.STATE_LABELS[state]
                choices.append((f"{state}_{code}", f"{name}: {label}"))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        state, _sep, code = self.value().rpartition("_")
        if code not in workflow.language_codes():
            return queryset
        if state == self.TODO:
            return workflow_queries.with_source_fingerprint(queryset).filter(workflow_queries.needs_work_q(queryset.model, code))
        if state in (*workflow.STATES, workflow.OUTDATED):
            return workflow_queries.filter_by_state(queryset, code, state)
        return queryset


class TranslationRolesInlineMixin:
    """For an inline of rows whose texts belong to the parent's translation (an article's references): a translator
    edits only their languages' texts, beside the source text, and adds or deletes no row."""

    def _translator_languages(self, request) -> list[str] | None:
        if workflow_roles.is_editor(request.user):
            return None
        return workflow_roles.editable_languages(request.user)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self._translator_languages(request) is None:
            return fields
        texts = [name for name in fields if name in workflow.text_fields(self.model)]
        position = fields.index(texts[0]) if texts else len(fields)
        return [*fields[:position], "source_text", *fields[position:]]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        languages = self._translator_languages(request)
        if languages is None:
            return fieldsets
        return _keep_languages(fieldsets, self.model, set(languages))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        languages = self._translator_languages(request)
        if languages is None:
            return readonly
        editable = workflow.editable_field_names(self.model, languages)
        return [
            *readonly,
            "source_text",
            *[name for name in _form_model_fields(self.model) if name not in editable and name not in readonly],
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(workflow.parent_field_name(self.model))

    def has_add_permission(self, request, obj=None):
        return self._translator_languages(request) is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._translator_languages(request) is None and super().has_delete_permission(request, obj)

    @admin.display(description=_("source text"))
    def source_text(self, obj):
        source = workflow.source_language(getattr(obj, workflow.parent_field_name(self.model)))
        texts = [getattr(obj, f"{name}_{source}") or "" for name in workflow.text_fields(self.model)]
        return " ".join(text for text in texts if text) or "—"


# --- Dashboard, export and import pages ---------------------------------------------------------------------------


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


def _ids(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip().isdigit()]


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

"""The translators' workflow in the admin: per-language roles, the source text beside each field, progress and state
columns and filters, and the "mark as up to date" actions, for any translated model.

``publishing.workflow`` (``units``, ``roles``, ``queries``) holds the rules; this module only applies them to the
admin's forms and lists, and the services (``publishing.units.services``) do every write. The articles app adds
its translation dashboard and PO/XLIFF pages on top (``articles.admin.translation_files``).
"""
from __future__ import annotations

import copy

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from js_asset import Script

from . import queries, roles, units
from .segment_admin import SegmentEditorMixin
from .services import translation_mark_saved, translation_mark_up_to_date

STYLESHEET = "publishing/admin/translation.css"
# One language switch for the whole change form, and names for the controls the admin's widgets leave unnamed.
FORM_SCRIPT = "publishing/admin/form.js"


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
        label = _("Source text (%(language)s)") % {"language": units.language_name(self.source_language)}
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
        language = units.field_language(model, name) if isinstance(name, str) else None
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
    originals = set(units.translated_fields(model))
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and (field.concrete or field.many_to_many)
        and field.name not in originals
        and not getattr(field, "primary_key", False)
    ]


class TranslatorScopeMixin:
    """What a translator's admin forms leave out: the fields of languages outside their role."""

    def _translator_languages(self, request) -> list[str] | None:
        return roles.translator_languages(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        languages = self._translator_languages(request)
        if languages is None:
            return fieldsets
        return _keep_languages(fieldsets, self.model, set(languages))


class TranslationRolesAdminMixin(SegmentEditorMixin, TranslatorScopeMixin):
    """For the admins of translated models. Editors see everything as before; a translator sees the object with
    only their languages' fields editable, the source text beside each, the shared fields read-only, and no add,
    delete, publish or restore; both have the translation screen of each language (``segment_admin``). Fields outside a translator's languages are left out of the form itself, so a
    crafted POST carrying them changes nothing."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        languages = self._translator_languages(request)
        if languages is None:
            return readonly
        editable = units.editable_field_names(self.model, languages)
        return readonly + [name for name in _form_model_fields(self.model) if name not in editable and name not in readonly]

    def get_prepopulated_fields(self, request, obj=None):
        prepopulated = super().get_prepopulated_fields(request, obj)
        languages = self._translator_languages(request)
        if languages is None:
            return prepopulated
        editable = units.editable_field_names(self.model, languages)
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
        editable = units.editable_field_names(self.model, languages)
        for name in set(form.base_fields) & set(_form_model_fields(self.model)) - editable:
            del form.base_fields[name]
        if obj is None:
            return form
        source = units.source_language(obj)
        texts = set(units.text_fields(self.model))
        for name, field in form.base_fields.items():
            language = units.field_language(self.model, name)
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
        return roles.is_editor(request.user) and self.has_change_permission(request)

    def revision_view(self, request, *args, **kwargs):
        """Restoring a revision rewrites every field of every language: an editor's decision."""
        if self._translator_languages(request) is not None:
            raise PermissionDenied
        return super().revision_view(request, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        """Saving changed text in a language counts as saving that translation: its outdated flag goes."""
        super().save_related(request, form, formsets, change)
        obj = form.instance
        texts = set(units.text_fields(self.model))
        changed = {
            units.field_language(self.model, name)
            for name in form.changed_data
            if units.field_language(self.model, name)
            and self.model._meta.get_field(name).translated_field.name in texts
            and _stored_text_changed(form, name)
        }
        for formset in formsets:
            child_texts = set(units.text_fields(formset.model))
            for child_form in formset.forms:
                for name in child_form.changed_data:
                    language = units.field_language(formset.model, name)
                    if (
                        language
                        and formset.model._meta.get_field(name).translated_field.name in child_texts
                        and _stored_text_changed(child_form, name)
                    ):
                        changed.add(language)
        for language in sorted(changed - {units.source_language(obj)}):
            translation_mark_saved(obj=obj, language=language, user=request.user)

    # --- Lists --------------------------------------------------------------------------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        statuses = units.translation_statuses_for(changelist.result_list)
        for obj in changelist.result_list:
            obj._translation_statuses = statuses.get(obj.pk)
        return changelist

    @admin.display(description=_("translations"))
    def translation_progress(self, obj):
        """Per language: units filled of units to translate, the state, and the outdated flag."""
        statuses = getattr(obj, "_translation_statuses", None) or units.translation_statuses(obj)
        badges = []
        for code, status in statuses.items():
            state = "source" if status.is_source else status.state
            label = _("source") if status.is_source else status.label
            flag = f" ⚠ {units.STATE_LABELS[units.OUTDATED]}" if status.outdated else ""
            values = (
                state,
                " translation-state--outdated" if status.outdated else "",
                f"{units.language_name(code)}: {label}{flag}",
                code.upper(),
                f"{status.filled}/{status.total}",
                flag,
            )
            if status.is_source:
                badges.append(format_html('<span class="translation-state translation-state--{}{}" title="{}">{} {}{}</span>', *values))
            else:
                # Each translation opens its translation screen (which checks who may use it).
                badges.append(
                    format_html(
                        '<a class="translation-state translation-state--{}{}" title="{}" href="{}">{} {}{}</a>',
                        *values[:3],
                        self.segment_editor_url(obj, code),
                        *values[3:],
                    )
                )
        return format_html_join(" ", "{}", ((badge,) for badge in badges))

    @property
    def media(self):
        return super().media + forms.Media(css={"all": [STYLESHEET]}, js=[Script(FORM_SCRIPT, type="module")])

    # --- Actions ------------------------------------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        if self.has_change_permission(request):
            for code in roles.editable_languages(request.user):
                action = _mark_up_to_date_action(code)
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions


def _stored_text_changed(form, name: str) -> bool:
    """Whether the save changed the stored text of ``name``: a form reports a field changed when a browser only sent
    it back with other line breaks (CR LF in a textarea) or an editor widget re-serialised the same markup."""
    before = form.initial.get(name) or ""
    after = getattr(form.instance, name, "") or ""
    return " ".join(str(before).split()) != " ".join(str(after).split())


def _mark_up_to_date_action(code: str):
    name = units.language_name(code)

    def action(modeladmin, request, queryset):
        if code not in roles.editable_languages(request.user):
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
            for state in (*units.STATES, units.OUTDATED, self.TODO):
                if state == units.PUBLISHED and not has_publishing:
                    continue
                label = _("needs work") if state == self.TODO else units.STATE_LABELS[state]
                choices.append((f"{state}_{code}", f"{name}: {label}"))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        state, _sep, code = self.value().rpartition("_")
        if code not in units.language_codes():
            return queryset
        if state == self.TODO:
            return queries.with_source_fingerprint(queryset).filter(queries.needs_work_q(queryset.model, code))
        if state in (*units.STATES, units.OUTDATED):
            return queries.filter_by_state(queryset, code, state)
        return queryset


class TranslationRolesInlineMixin(TranslatorScopeMixin):
    """For an inline of rows whose texts belong to the parent's translation (an article's references): a translator
    edits only their languages' texts, beside the source text, and adds or deletes no row."""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self._translator_languages(request) is None:
            return fields
        texts = [name for name in fields if name in units.text_fields(self.model)]
        position = fields.index(texts[0]) if texts else len(fields)
        return [*fields[:position], "source_text", *fields[position:]]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        languages = self._translator_languages(request)
        if languages is None:
            return readonly
        editable = units.editable_field_names(self.model, languages)
        return [
            *readonly,
            "source_text",
            *[name for name in _form_model_fields(self.model) if name not in editable and name not in readonly],
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(units.parent_field_name(self.model))

    def has_add_permission(self, request, obj=None):
        return self._translator_languages(request) is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._translator_languages(request) is None and super().has_delete_permission(request, obj)

    @admin.display(description=_("source text"))
    def source_text(self, obj):
        source = units.source_language(getattr(obj, units.parent_field_name(self.model)))
        texts = [getattr(obj, f"{name}_{source}") or "" for name in units.text_fields(self.model)]
        return " ".join(text for text in texts if text) or "—"


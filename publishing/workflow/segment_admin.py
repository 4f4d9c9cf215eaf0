"""The translation screen: one object, one target language, segment by segment, for any translated model's admin.

Each segment (``publishing.workflow.segments``) shows its source rendered (footnote markers as locked tokens) beside
its target, its state, the translation memory's matches and the glossary terms it contains
(``publishing.workflow.memory``). It is a plain form: without JavaScript a translator fills the boxes and saves
them all at once; ``publishing/segment-editor.js`` turns each box into an inline editor that saves its own segment,
keeps unsaved ones in the browser (``localStorage``) and moves to the next untranslated segment from the keyboard.
Every write goes through ``services.translation_segments_save``; only editors and translators of the language may
open it.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from publishing.models import TranslationState
from publishing.text import FOOTNOTE_MARKER_RE, sanitize_html

from . import memory, roles, segments, units
from .services import SegmentsRefused, translation_segments_save

STATE_LABELS = segments.STATE_LABELS
FIELD_PREFIX, TOKEN_PREFIX = "segment:", "token:"


def rendered_source(segment: segments.Segment):
    """A source segment as readers see it, with each footnote marker a locked token (markup the server keeps,
    sanitised once more before it is marked safe)."""
    text = segment.source
    html = format_html("{}", text) if segment.kind == segments.PLAIN else sanitize_html(text)
    return mark_safe(
        FOOTNOTE_MARKER_RE.sub(
            lambda match: str(format_html('<span class="segment-marker" data-marker="{0}">[{0}]</span>', match["marker"])),
            html,
        )
    )


class SegmentEditorMixin:
    """For the admin of a translated model: ``<id>/translate/<language>/``, the translation screen."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/translate/<str:language>/",
                self.admin_site.admin_view(self.segment_editor_view),
                name="%s_%s_translate" % info,
            ),
            *super().get_urls(),
        ]

    change_form_template = "admin/publishing/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The change form links to the translation screen of each language the user may translate."""
        if obj is not None and obj.pk:
            source = units.source_language(obj)
            context["translation_screens"] = [
                {"code": code, "name": units.language_name(code), "url": self.segment_editor_url(obj, code)}
                for code in roles.editable_languages(request.user)
                if code != source
            ]
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def segment_editor_url(self, obj, language: str) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_translate", args=[obj.pk, language])

    def segment_editor_view(self, request, object_id, language):
        obj = self.get_object(request, object_id)
        if obj is None or language not in units.language_codes():
            raise Http404
        if language not in roles.editable_languages(request.user) or not self.has_change_permission(request, obj):
            raise PermissionDenied
        if language == units.source_language(obj):
            raise Http404
        posted: dict[str, str] = {}
        errors: dict[str, list[str]] = {}
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if request.method == "POST":
            posted = {key[len(FIELD_PREFIX):]: value for key, value in request.POST.items() if key.startswith(FIELD_PREFIX)}
            tokens = {key[len(TOKEN_PREFIX):]: value for key, value in request.POST.items() if key.startswith(TOKEN_PREFIX)}
            try:
                saved = translation_segments_save(obj=obj, language=language, values=posted, tokens=tokens, user=request.user)
            except SegmentsRefused as refused:
                errors = refused.errors
                if wants_json:
                    return JsonResponse(
                        {"ok": False, "errors": {key: [refused.labels.get(key, key), *value] for key, value in errors.items()}},
                        status=400,
                    )
                for key, problems in errors.items():
                    messages.error(request, f"{refused.labels.get(key, key)}: {'; '.join(problems)}")
            else:
                obj = self.get_object(request, object_id)
                if wants_json:
                    context = self._segment_context(request, obj, language)
                    by_id = {segment.id: segment for segment in context["all_segments"]}
                    return JsonResponse(
                        {
                            "ok": True,
                            "saved": saved,
                            "segments": {
                                key: {"token": by_id[key].token, "state": by_id[key].state, "label": str(STATE_LABELS[by_id[key].state])}
                                for key in saved
                                if key in by_id
                            },
                            "progress": context["progress"],
                        }
                    )
                messages.success(
                    request,
                    ngettext("%(count)d segment saved.", "%(count)d segments saved.", len(saved)) % {"count": len(saved)}
                    if saved
                    else _("Nothing changed."),
                )
                return HttpResponseRedirect(request.get_full_path())
        context = self._segment_context(request, obj, language, posted=posted, errors=errors)
        return TemplateResponse(request, "admin/publishing/segment_editor.html", context, status=400 if errors else 200)

    def _segment_context(self, request, obj, language: str, *, posted=None, errors=None) -> dict:
        posted, errors = posted or {}, errors or {}
        source = units.source_language(obj)
        state = TranslationState.objects.for_object(obj).filter(language=language).first()
        groups = segments.unit_segments(obj, language, saved_hashes=state.segment_hashes if state else {})
        all_segments = [segment for group in groups for segment in group.segments]
        matches = memory.matches_for(all_segments, source_language=source, language=language, exclude=obj)
        terms = memory.glossary_terms(source_language=source, language=language)
        rows = [
            {
                "segment": segment,
                "source_html": rendered_source(segment),
                "value": posted.get(segment.id, segment.target),
                "state_label": STATE_LABELS[segment.state],
                "matches": matches.get(segment.id, []),
                "terms": memory.glossary_for(segment.source, terms, source_language=source),
                "errors": errors.get(segment.id, []),
                "field": f"{FIELD_PREFIX}{segment.id}",
                "token_field": f"{TOKEN_PREFIX}{segment.id}",
                "dom_id": "segment-" + segment.id.replace(":", "-"),
            }
            for segment in all_segments
        ]
        done = sum(1 for segment in all_segments if segment.state == segments.TRANSLATED)
        total = len(all_segments)
        progress = {
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 100,
            "outdated": sum(1 for segment in all_segments if segment.state == segments.OUTDATED),
        }
        progress["outdated_label"] = ngettext("%(count)d outdated", "%(count)d outdated", progress["outdated"]) % {
            "count": progress["outdated"]
        }
        opts = self.opts
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": _("Translate “%(object)s” into %(language)s") % {"object": obj, "language": units.language_name(language)},
            "rows": rows,
            "all_segments": all_segments,
            "progress": progress,
            "language": language,
            "language_name": units.language_name(language),
            "source_language": source,
            "source_language_name": units.language_name(source),
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            "other_languages": [
                {"code": code, "name": units.language_name(code), "url": self.segment_editor_url(obj, code)}
                for code in roles.editable_languages(request.user)
                if code not in (language, source)
            ],
            "storage_key": f"{opts.label_lower}:{obj.pk}:{language}",
            "media": self.media,
        }

"""Revisions of articles, authors, tags and categories through django-reversion: who saved, when, what changed.

Every save keeps one: admin forms (``RevisionAdminMixin``), bulk actions and the importer (``revision_for``, used by
the services). An article's revision holds its references and tag links too, so restoring it brings them back as
they were. Editors see the history of an object, compare two revisions language by language, and restore one
(reversion's revision form: the old version is shown in the change form and saving it restores it).
"""
from __future__ import annotations

from contextlib import contextmanager

import reversion
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from .diffing import FieldChange, changes_by_language, changes_summary, field_changes, snapshot


def register(model: type[models.Model], *, follow: tuple[str, ...] = ()) -> None:
    """Keep a revision of ``model`` on every save, with the related rows named in ``follow`` (idempotent).

    Each app registers its own models, before its admin classes are defined: reversion's ``VersionAdmin`` registers
    a model it finds unregistered, without ``follow``.
    """
    if not reversion.is_registered(model):
        reversion.register(model, follow=follow)


@contextmanager
def revision_for(*, user=None, comment: str = ""):
    """Keep a revision of every registered object saved inside the block (nested blocks join the outer one)."""
    with reversion.create_revision():
        if user is not None and getattr(user, "is_authenticated", False):
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
        yield


def keep_initial_revision(obj: models.Model | None) -> bool:
    """Record ``obj`` as it is stored now, when it has no revision yet: the state before its first change.

    Objects loaded from fixtures, restored from a backup or made in a shell have no history; without this the first
    import or translation file that changes one would leave only the changed text in its history, and the original
    could not be restored. Call it before the change's own revision block (inside one it would join that revision
    and record the changed state). Returns whether a revision was made.
    """
    if obj is None or obj.pk is None or not reversion.is_registered(type(obj)):
        return False
    if reversion.is_active():
        raise RuntimeError("keep_initial_revision() inside a revision block would record the changed state")
    if Version.objects.get_for_object(obj).exists():
        return False
    with reversion.create_revision():
        reversion.set_comment(_("Initial version."))
        reversion.add_to_revision(obj)
    return True


def version_snapshot(version: Version) -> dict[str, str]:
    """The editor-visible fields of an object as a revision stored them, many-to-many values included."""
    stored = version._object_version
    model = version._model
    related = {}
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if not through._meta.auto_created:
            # A relation through a model of its own (taggit's tags): its rows are versions of their own in the
            # revision (the registration follows them), not m2m data of the object.
            own, other = _through_fields(through, model, field.related_model)
            links = version.revision.version_set.filter(content_type=ContentType.objects.get_for_model(through))
            ids = [
                link.field_dict[other]
                for link in links
                if str(link.field_dict[own]) == str(version.object_id)
            ]
            related[field.name] = field.related_model._default_manager.filter(pk__in=ids)
        else:
            ids = (stored.m2m_data or {}).get(field.attname, [])
            related[field.name] = field.related_model._default_manager.filter(pk__in=ids)
    return snapshot(stored.object, related=related)


def _through_fields(through: type[models.Model], source: type[models.Model], target: type[models.Model]) -> tuple[str, str]:
    """The attribute names of ``through``'s foreign keys to ``source`` and to ``target`` (``content_object_id``,
    ``tag_id`` for taggit)."""
    keys = [field for field in through._meta.concrete_fields if field.is_relation]
    own = next(field.attname for field in keys if issubclass(source, field.related_model))
    other = next(field.attname for field in keys if issubclass(target, field.related_model))
    return own, other


def version_changes(older: Version | None, newer: Version) -> list[FieldChange]:
    """What ``newer`` changed compared with ``older``; nothing for the first revision, which has no predecessor."""
    if older is None:
        return []
    return field_changes(newer._model, version_snapshot(older), version_snapshot(newer))


def keep_in_revision(obj: models.Model) -> None:
    """Record ``obj`` as it is now in the revision being made: a save that writes nothing (nothing changed) still
    leaves its mark in the history, as every save does."""
    if reversion.is_active() and reversion.is_registered(type(obj)):
        reversion.add_to_revision(obj)


class RevisionAdminMixin(VersionAdmin):
    """django-reversion's admin (revisions of every save, history, restore) plus a language-by-language comparison.

    The project's own change-list templates stay in use; the history lists what each revision changed, per language.
    """

    change_list_template = None
    object_history_template = "admin/publishing/revision_history.html"
    history_latest_first = True

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.revision_compare_view),
                name="%s_%s_revision_compare" % info,
            ),
            *super().get_urls(),
        ]

    def _versions_of(self, request, object_id):
        return list(
            self._reversion_order_version_queryset(
                request, Version.objects.get_for_object_reference(self.model, object_id)
            ).select_related("revision", "revision__user")
        )

    def history_view(self, request, object_id, extra_context=None):
        """The revisions, newest first, each with the fields it changed per language, to compare or restore."""
        object_id = unquote(object_id)
        versions = self._versions_of(request, object_id)
        oldest_first = sorted(versions, key=lambda version: version.pk)
        previous = dict(zip(oldest_first[1:], oldest_first[:-1]))
        revisions = [
            {
                "version": version,
                "changes": changes_summary(version_changes(previous.get(version), version)),
                "is_first": version not in previous,
                "url": reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_revision",
                    args=(quote(version.object_id), version.pk),
                ),
            }
            for version in versions
        ]
        context = {
            "revisions": revisions,
            "compare_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_revision_compare",
                args=(quote(object_id),),
            ),
            **(extra_context or {}),
        }
        return super().history_view(request, quote(object_id), context)

    def revision_compare_view(self, request, object_id):
        """Two revisions side by side: per language, the fields that differ, removed and added words marked."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        versions = {str(version.pk): version for version in self._versions_of(request, object_id)}
        try:
            first, second = versions[request.GET.get("from", "")], versions[request.GET.get("to", "")]
        except KeyError:
            raise Http404(_("Choose two revisions of this object to compare.")) from None
        older, newer = sorted((first, second), key=lambda version: version.pk)
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Compare revisions of %(name)s") % {"name": newer.object_repr},
            "object_id": object_id,
            "older": older,
            "newer": newer,
            "languages": changes_by_language(field_changes(self.model, version_snapshot(older), version_snapshot(newer))),
            "history_url": reverse("%s:%s_%s_history" % info, args=(quote(object_id),)),
            "restore_older_url": reverse("%s:%s_%s_revision" % info, args=(quote(object_id), older.pk)),
            "restore_newer_url": reverse("%s:%s_%s_revision" % info, args=(quote(object_id), newer.pk)),
        }
        return TemplateResponse(request, "admin/publishing/revision_compare.html", context)

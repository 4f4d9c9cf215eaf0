"""No lost work when two editors change the same object: the later, stale save is refused and shown the difference.

Every change form carries the ``updated_at`` of the object as the editor loaded it (a hidden field). On save, the
row is read again under a lock (``select_for_update`` on PostgreSQL; on SQLite the admin's transaction already holds
the database's write lock, ``BEGIN IMMEDIATE``) and compared with that token in the same transaction as the write.
If someone saved in between, the form is refused: nothing of the first save is overwritten, the refused form keeps
everything the second editor typed, and the message lists, per language, the fields in which the saved version and
theirs differ.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import timedelta

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .diffing import changes_by_language, field_changes, form_snapshot, snapshot

EDIT_TOKEN_FIELD = "loaded_version"
# NO KEY: the save's other writes (Similar Posts rows, revisions) check foreign keys to the row with KEY SHARE locks,
# which a plain FOR UPDATE would block; with list maintenance waiting on its own lock, that deadlocked two concurrent
# saves on PostgreSQL.
_LOCK = {"no_key": True}
# Set on a form's instance once its check passed: the row the check read under the lock. Nothing can write that row
# before the save that follows in the same transaction, so it is the stored row the save overwrites.
_CHECKED_ROW = "_edit_checked_row"
# Set on an object the admin read for a save under that lock (``EditConflictAdminMixin.get_object``): the check takes
# it as the stored row instead of reading the row again.
_READ_LOCKED = "_edit_read_locked"
# Set while such an admin reads the object of a save: its queryset takes the lock.
_locking: ContextVar[bool] = ContextVar("publishing_edit_locking", default=False)


def checked_row(instance: models.Model) -> models.Model | None:
    """The stored row of ``instance`` as the edit check just read it under the lock, handed over once: a save's
    upkeep, which needs the row before the save, takes it instead of reading it again (None: read it)."""
    return instance.__dict__.pop(_CHECKED_ROW, None)


def unchanged_since_check(instance: models.Model, names: Iterable[str]) -> set[str]:
    """Of the fields ``names``, those ``instance`` holds as the edit check read them under the lock in this save's
    transaction: a rule the database keeps for the stored row (a unique slug, a foreign key's row) holds for these
    values without a query. Nothing before the check, nor for a save without one."""
    row = instance.__dict__.get(_CHECKED_ROW)
    if row is None:
        return set()
    attnames = {name: instance._meta.get_field(name).attname for name in names}
    return {name for name, attname in attnames.items() if getattr(row, attname) == getattr(instance, attname)}


def edit_token(instance: models.Model) -> str:
    """What identifies the saved state an editor starts from: the time of the last save, to the microsecond (every
    protected model has an ``updated_at`` set on each save; only saved objects are asked)."""
    return instance.updated_at.isoformat()


def last_editor(instance: models.Model):
    """Who made the save that ``instance`` is at: the user of its latest revision (django-reversion), if that revision
    is this save (made within seconds of ``updated_at``; a save outside the admin may have left none), else None."""
    from reversion.models import Version

    version = Version.objects.get_for_object(instance).select_related("revision__user").first()
    if version is None or abs(version.revision.date_created - instance.updated_at) > timedelta(seconds=5):
        return None
    return version.revision.user


class EditConflictForm(forms.ModelForm):
    """Mixed into an admin change form: the hidden edit token and the check, under a row lock, that it is current."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[EDIT_TOKEN_FIELD].initial = edit_token(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:  # an add form: nothing saved yet to be stale against
            return cleaned_data
        model = type(self.instance)
        if self.instance.__dict__.pop(_READ_LOCKED, False):
            # Read for this save under the lock, in its transaction, and not yet changed: the form writes its values
            # into the object only after this check.
            current = copy.copy(self.instance)
        else:
            current = model._default_manager.select_for_update(**_LOCK).filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError(_("Someone deleted this object after you opened it; nothing was saved."), code="deleted")
        if cleaned_data.get(EDIT_TOKEN_FIELD) == edit_token(current):
            setattr(self.instance, _CHECKED_ROW, current)
            return cleaned_data
        changes = field_changes(model, snapshot(current), form_snapshot(model, cleaned_data))
        raise ValidationError(
            render_to_string(
                "admin/publishing/edit_conflict.html",
                {
                    "user": last_editor(current),
                    "when": timezone.localtime(current.updated_at),
                    "verbose_name": model._meta.verbose_name,
                    "languages": changes_by_language(changes),
                },
            ),
            code="stale",
        )


class EditConflictAdminMixin:
    """For a ``ModelAdmin`` of a model with ``updated_at``: refuse stale saves instead of overwriting someone's work."""

    # Whether a save reads its object (``get_object``) under the check's lock, so that the check reads nothing
    # again: one query less per save. Only for an admin whose queryset can be locked (PostgreSQL locks no row of an
    # aggregate, such as the tags' article counts).
    lock_object_for_save = False

    def get_object(self, request, object_id, from_field=None):
        """A save's object, read under the check's lock where ``lock_object_for_save``, within the admin's
        transaction: the check then compares with it (``EditConflictForm.clean``)."""
        if not (
            self.lock_object_for_save
            and request.method == "POST"
            and transaction.get_connection(router.db_for_write(self.model)).in_atomic_block
        ):
            return super().get_object(request, object_id, from_field)
        token = _locking.set(True)
        try:
            obj = super().get_object(request, object_id, from_field)
        finally:
            _locking.reset(token)
        if obj is not None:
            setattr(obj, _READ_LOCKED, True)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # ``of``: the object's own row, not those of what its queryset joins (a category left out is a null side).
        return queryset.select_for_update(**_LOCK, of=("self",)) if _locking.get() else queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form") or self.form
        if not issubclass(base, EditConflictForm):
            kwargs["form"] = type(base.__name__, (EditConflictForm, base), {})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if EDIT_TOKEN_FIELD not in flatten_fieldsets(fieldsets):  # the admin always gives at least one fieldset
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": (*options["fields"], EDIT_TOKEN_FIELD)})
        return fieldsets

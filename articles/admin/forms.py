"""The article change form and the formset of its references inline: what an editor's save validates and writes,
each related row read once (the save's query budget: ``tests/articles/test_admin_scale.py``)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Article, Tag


class ReadRowField(forms.ModelChoiceField):
    """A choice found among rows already read (``rows``, by id: a formset's rows, the form's object's category)
    before asking the database; any other is checked as Django checks it."""

    rows: dict[str, models.Model] = {}

    def __init__(self, *args, rows: dict[str, models.Model] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if rows is not None:
            self.rows = rows

    def to_python(self, value):
        if value not in self.empty_values and str(value) in self.rows:
            return self.rows[str(value)]
        return super().to_python(value)


class ReadRowsField(forms.ModelMultipleChoiceField):
    """Choices that are all among the rows already read (``rows``, by id: the form's object's authors or tags, as
    stored) are not read again to check that they exist; a choice outside them is checked as Django checks it. The
    value is Django's queryset of the choices, left for whoever needs the rows (a save that changes the relation)."""

    rows: dict[str, models.Model] = {}

    def clean(self, value):
        value = self.prepare_value(value)
        if value and isinstance(value, (list, tuple)) and all(str(key) in self.rows for key in value):
            self.run_validators(value)
            return self.queryset.filter(pk__in=value)
        return super().clean(value)


class ReferenceFormSet(BaseInlineFormSet):
    """The article's references read once per save: Django's inline checks the id each row posts back with a query
    of its own (a save of an article with thirty references read them thirty-one times); here each id is found among
    the rows the formset read. An id that is not one of them is checked as Django checks it."""

    @cached_property
    def _rows(self) -> dict[str, models.Model]:
        return {str(row.pk): row for row in self.get_queryset()}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        field = form.fields.get(name)
        if type(field) is forms.ModelChoiceField:
            form.fields[name] = ReadRowField(
                field.queryset, rows=self._rows, initial=field.initial, required=False, widget=field.widget
            )


class ArticleAdminForm(forms.ModelForm):
    """Tags are picked from existing tags with autocomplete instead of typed as a comma-separated string.

    The category, authors and tags the article already has, read with it (``ArticleAdmin.get_queryset`` and
    ``get_object``), are taken as they are when posted back: Django's fields read each relation again to check
    that its rows exist."""

    tags = ReadRowsField(
        label=capfirst(_("tags")),
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
    )

    class Meta:
        model = Article
        fields = "__all__"
        field_classes = {"category": ReadRowField, "authors": ReadRowsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            return
        tags = list(self.instance.tags.all())
        self.initial["tags"] = [tag.pk for tag in tags]
        category = [self.instance.category] if Article.category.is_cached(self.instance) else []
        for name, rows in (("category", category), ("authors", self.initial.get("authors") or ()), ("tags", tags)):
            field = self.fields.get(name)
            if isinstance(field, (ReadRowField, ReadRowsField)):
                field.rows = {str(row.pk): row for row in rows if isinstance(row, models.Model)}

    def save(self, commit=True):
        """The authors and tags are set only when the editor changed them: Django's ``save_m2m`` sets every relation
        of the form, reading its links to compare. (taggit's own save of the tags compared them by name, which never
        equals a translated name: every save removed and re-added every tag, and the upkeep of a retag followed.)"""
        article = super().save(commit=False)
        self.save_m2m = self.save_changed_relations
        if commit:
            article.save()
            self.save_m2m()
        return article

    def save_changed_relations(self) -> None:
        # A translator's form holds neither: theirs stay as they are.
        for relation in Article._meta.many_to_many:
            if relation.name in self.fields and relation.name in self.changed_data:
                getattr(self.instance, relation.name).set(self.cleaned_data.get(relation.name) or [])

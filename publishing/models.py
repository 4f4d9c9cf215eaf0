"""What the shared core stores: the translation state of every translated object, whatever its app."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TranslationStateQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> TranslationStateQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class TranslationState(models.Model):
    """What one language variant of a translatable object was made from: the fingerprint of the source text.

    The row of the object's source language holds the fingerprint of the source as it is now (kept current on every
    save); the row of a translation holds the fingerprint the source had when the translation was last saved. A
    translation whose fingerprint differs from the source's is outdated: the source changed after it was made. Rows
    are written by ``publishing.workflow.services`` only.

    The model also carries the permissions of the translators' roles (``publishing.translate_<language>``, and
    ``publishing.publish_article`` for editors), which concern every translated model alike.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    source_hash = models.CharField(_("source fingerprint"), max_length=64)
    # Per segment (``publishing.workflow.segments``): for the source row the fingerprint of each source segment as
    # it is now, for a translation the one each segment had when its translation was last saved. A translated
    # segment whose fingerprint differs from the source's is outdated: per paragraph, not per field.
    segment_hashes = models.JSONField(_("source fingerprints by segment"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TranslationStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")
        # Made by the articles app before this core app existed: the table keeps its name.
        db_table = "articles_translationstate"
        ordering = ["content_type", "object_id", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language"], name="translation_state_unique"
            )
        ]
        permissions = [
            ("publish_article", "Can publish articles and edit every language and shared field (editor)"),
            *[(f"translate_{code}", f"Can edit the {name} ({code}) texts (translator)") for code, name in settings.LANGUAGES],
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id} [{self.language}]"


class MemoryEntryQuerySet(models.QuerySet):
    def for_pair(self, source: str, target: str) -> MemoryEntryQuerySet:
        return self.filter(source_language=source, language=target)


class MemoryEntry(models.Model):
    """One translated segment anywhere on the site, as the translation memory finds it: its source text (plain, for
    matching) and its translation (as stored, for copying in).

    Kept by ``publishing.workflow.memory`` on every write to a translated object, so looking up matches reads an
    index by language pair and length instead of every object of the archive.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    segment_id = models.CharField(_("segment"), max_length=200)
    source_language = models.CharField(_("source language"), max_length=8, choices=settings.LANGUAGES)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    source_text = models.TextField(_("source text"))
    source_length = models.PositiveIntegerField(_("length of the source text"))
    source_hash = models.CharField(_("source fingerprint"), max_length=64, db_index=True)
    target = models.TextField(_("translation"))
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)

    objects = MemoryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory entries")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["source_language", "language", "source_length"], name="memory_pair_length_idx"),
            models.Index(fields=["content_type", "object_id"], name="memory_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id} [{self.source_language}→{self.language}]"

"""The settings of the plugin's shared core, each with its default, and the way every app of the plugin reads its own.

A host sets any of them in its settings module under the names below (``PUBLISHING_RENDITION_WIDTHS = (…)``);
whatever it leaves out takes the default given here. Each is read from Django's settings the first time it is
asked for, not at import (settings may not be configured yet), and kept: a setting the host leaves out would
otherwise cost a failed lookup on every read, some on every page. ``override_settings`` (tests) sends
``setting_changed``, which forgets what was kept.

Use them as ``from publishing.conf import app_settings`` … ``app_settings.RENDITION_WIDTHS``.
"""
from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed

DEFAULT_RENDITION_WIDTHS = (320, 480, 640, 960, 1280, 1600)


class AppSettings:
    """An app's settings, read under ``prefix`` and kept until a setting with that prefix changes."""

    prefix = ""

    def __init__(self) -> None:
        self._known: dict[str, object] = {}
        setting_changed.connect(self._setting_changed, weak=False, dispatch_uid=f"app-settings-{self.prefix}")

    def _read(self, name: str, default, convert=None):
        try:
            return self._known[name]
        except KeyError:
            value = getattr(settings, self.prefix + name, default)
            value = self._known[name] = convert(value) if convert else value
            return value

    def forget(self) -> None:
        """Read every setting again when next asked (after a setting changed)."""
        self._known.clear()

    def _setting_changed(self, *, setting: str, **kwargs) -> None:
        if setting.startswith(self.prefix):
            self.forget()


class PublishingSettings(AppSettings):
    """The core's settings; the docstring of each says what it changes."""

    prefix = "PUBLISHING_"

    @property
    def RENDITION_WIDTHS(self) -> tuple[int, ...]:
        """``PUBLISHING_RENDITION_WIDTHS`` ((320, 480, 640, 960, 1280, 1600)): the widths in pixels of the
        responsive renditions of uploaded images (never wider than the upload; ``publishing.renditions``)."""
        return self._read("RENDITION_WIDTHS", DEFAULT_RENDITION_WIDTHS, tuple)

    @property
    def MEMORY_MIN_SIMILARITY(self) -> int:
        """``PUBLISHING_MEMORY_MIN_SIMILARITY`` (75): the least similarity, in per cent (RapidFuzz's ratio of the
        plain texts), of a translation-memory match shown beside a segment (``publishing.workflow.memory``)."""
        return self._read("MEMORY_MIN_SIMILARITY", 75, int)

    @property
    def MEMORY_MATCHES(self) -> int:
        """``PUBLISHING_MEMORY_MATCHES`` (3): the most translation-memory matches shown per segment."""
        return self._read("MEMORY_MATCHES", 3, int)

    @property
    def MEMORY_CANDIDATES(self) -> int:
        """``PUBLISHING_MEMORY_CANDIDATES`` (5000): the most memory entries one page of the segment editor scores
        for fuzzy matches (the most recently saved within the length band): what bounds its cost on a large site.
        Exact matches are found by fingerprint whatever this says."""
        return self._read("MEMORY_CANDIDATES", 5000, int)


app_settings = PublishingSettings()

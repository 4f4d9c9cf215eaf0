"""What an editor is told when the media storage fails during a save, instead of a server error.

An upload is written to the storage while the object is saved, inside the change form's transaction. When the
storage refuses it (a full disk, a folder mounted read-only, a remote storage that is unreachable: ``OSError``), the
transaction is rolled back, so nothing of the save is kept, not the text without the image nor the image without
the text, and the editor is sent back to the form with a message that says what happened and that nothing was
saved. The error is logged once per refused save.
"""
from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class StorageFailureAdminMixin:
    """Refuses a save whose upload the storage could not keep; wraps ``add_view`` and ``change_view``, so that the
    whole change form (an app's own ``changeform_view`` and its transaction included) is inside."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except OSError as error:
            return self.storage_failed(request, error)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except OSError as error:
            return self.storage_failed(request, error)

    def storage_failed(self, request, error: OSError):
        if request.method != "POST":
            raise error
        logger.error("A save was refused: the media storage could not store an upload (%s)", error)
        self.message_user(
            request,
            _("The file could not be stored (%(reason)s), so nothing was saved. Please try again later.")
            % {"reason": error.strerror or error.__class__.__name__},
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

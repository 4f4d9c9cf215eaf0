"""Upload rules for featured images and author photos.

The browser's file name and content type are claims; Pillow's reading of the bytes is the fact. Only the four web
formats pass (no other Pillow plugin even parses the file here), a decompression bomb is refused before it is
decoded, the stored copy is re-encoded without its metadata (a phone photo's EXIF carries the GPS position of the
author's home), and stored names are generated so that no user-supplied name reaches the file system.
"""
from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils.html import format_html
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # width × height × frames
MAX_FRAMES = 1_000
# What a re-encoded copy keeps of the original's ``info``: how it looks and moves, nothing about where it was made.
RENDERING_INFO = ("icc_profile", "transparency", "duration", "loop", "background")


def validate_web_image(file) -> None:
    """Refuse anything that is not a readable JPEG, PNG, WebP or GIF within the size and pixel limits.

    A stored file that is missing from storage (a database restored without its media) passes: it was checked when
    it was uploaded, and the article or author it belongs to must stay editable; pages leave the image out
    (``articles_images.responsive_image``).
    """
    try:
        size = file.size
    except FileNotFoundError:
        return
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)d MB."), code="too_large", params={"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        try:
            opened = Image.open(file, formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError as exc:
            raise ValidationError(_("Only JPEG, PNG, WebP and GIF images are accepted."), code="format") from exc
        except Image.DecompressionBombError as exc:
            # Past Pillow's own hard limit the size is not even read out: the reader still learns the limit.
            raise ValidationError(
                _("The image has too many pixels; the limit is %(limit)s."),
                code="too_many_pixels",
                params={"limit": f"{MAX_PIXELS:,}"},
            ) from exc
        with opened as image:
            width, height = image.size
            # Counting frames walks the file's frame headers; an image too large already needs no count.
            frames = (getattr(image, "n_frames", 1) or 1) if width * height <= MAX_PIXELS else 1
            if frames > MAX_FRAMES:
                raise ValidationError(
                    _("The image has too many frames (%(frames)s); the limit is %(limit)s."),
                    code="too_many_frames",
                    params={"frames": f"{frames:,}", "limit": f"{MAX_FRAMES:,}"},
                )
            if width * height * frames > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels (%(pixels)s); the limit is %(limit)s."),
                    code="too_many_pixels",
                    params={"pixels": f"{width}×{height}×{frames}", "limit": f"{MAX_PIXELS:,}"},
                )
            image.verify()
        file.seek(0)
        with Image.open(file, formats=list(ALLOWED_FORMATS)) as image:
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file is not a readable image (it may be corrupt or truncated)."), code="invalid_image"
        ) from exc
    finally:
        if position is not None:
            file.seek(position)


class WebImageFormField(forms.ImageField):
    """The image field of the plugin's admin forms: the web-image rules speak before Django's own check.

    Django's ``forms.ImageField`` opens the upload with Pillow first and calls anything Pillow refuses "not a valid
    image", a decompression bomb past Pillow's hard limit included; run first, :func:`validate_web_image` names the
    rule that was broken (format, size, pixels, frames).
    """

    def to_python(self, data):
        if data and hasattr(data, "seek") and not self.disabled:
            validate_web_image(data)
        return super().to_python(data)


# ``formfield_overrides`` of every admin with an image field.
IMAGE_FORM_FIELDS = {models.ImageField: {"form_class": WebImageFormField}}


def admin_image_preview(field_file, *, alt: str = "", max_width: int = 320, max_height: int = 200):
    """The admin's preview of a stored image, or a word that its file is missing from storage (not a broken image)."""
    if not field_file:
        return "—"
    if not field_file.storage.exists(field_file.name):
        missing = _("The file %(name)s is missing from the media folder: upload the image again or restore the media.")
        return missing % {"name": field_file.name}
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px">', field_file.url, alt, max_width, max_height
    )


def image_without_metadata(file) -> tuple[bytes, str]:
    """The image re-encoded in its own format with its EXIF orientation applied and no EXIF, GPS, XMP or comments.

    Returns the bytes and the extension of the format. ``file`` must have passed :func:`validate_web_image`.
    """
    file.seek(0)
    with Image.open(file, formats=list(ALLOWED_FORMATS)) as image:
        image_format = image.format
        output = io.BytesIO()
        if getattr(image, "n_frames", 1) > 1:
            # Animated GIF/WebP: every frame is re-encoded; orientation tags do not occur in these formats.
            image.info = {key: image.info[key] for key in RENDERING_INFO if key in image.info}
            image.save(output, format=image_format, save_all=True, exif=b"", xmp=b"", comment=b"")
        else:
            upright = ImageOps.exif_transpose(image)
            upright.info = {key: image.info[key] for key in RENDERING_INFO if key in image.info}
            options = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {}
            upright.save(output, format=image_format, exif=b"", xmp=b"", **options)
    file.seek(0)
    return output.getvalue(), ALLOWED_FORMATS[image_format]


def strip_image_metadata(field_file) -> None:
    """Swap a newly uploaded image (an image field's file not yet stored) for its copy without metadata.

    Called from the model's ``save`` so that every way in (admin form, script, importer) stores only the clean
    copy; the copy is named by its real format, so the stored extension is right whatever the upload was called.
    The upload is checked first (:func:`validate_web_image`), so nothing a form would refuse reaches the storage
    even when a script saves without validating. Files already stored are left alone.
    """
    if not field_file or getattr(field_file, "_committed", True):
        return
    validate_web_image(field_file.file)
    data, extension = image_without_metadata(field_file.file)
    field_file.file = ContentFile(data, name=f"image.{extension}")
    field_file.name = f"image.{extension}"


@contextmanager
def stored_only_if_saved(*field_files) -> Iterator[None]:
    """Around a model's save: an upload stored during it is deleted again if the save fails.

    Django stores a new file before it writes the row; on object storage a row that never arrives would leave an
    orphan object in the bucket that nothing points at and no backup lists.
    """
    pending = [field_file for field_file in field_files if field_file and not getattr(field_file, "_committed", True)]
    try:
        yield
    except BaseException:
        for field_file in pending:
            if getattr(field_file, "_committed", False) and field_file.name:
                field_file.storage.delete(field_file.name)
        raise


@deconstructible
class GeneratedImagePath:
    """``upload_to`` that ignores the uploaded name: ``<folder>/<yyyy>/<uuid>.<ext>``, the extension from a safe set."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        from django.utils import timezone

        suffix = PurePosixPath(filename or "").suffix.lower().lstrip(".")
        extension = suffix if suffix in {"jpg", "jpeg", "png", "webp", "gif"} else "img"
        return f"{self.folder}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeneratedImagePath) and other.folder == self.folder

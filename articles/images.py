"""Upload rules for featured images and author photos.

The browser's file name and content type are claims; Pillow's reading of the bytes is the fact. Only the four web
formats pass, a decompression bomb is refused before it is decoded, and stored names are generated so that no
user-supplied name reaches the file system.
"""
from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # width × height × frames


def validate_web_image(file) -> None:
    """Refuse anything that is not a readable JPEG, PNG, WebP or GIF within the size and pixel limits."""
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)d MB."), code="too_large", params={"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("Only JPEG, PNG, WebP and GIF images are accepted."), code="format"
                )
            width, height = image.size
            frames = getattr(image, "n_frames", 1) or 1
            if width * height * frames > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels (%(pixels)s); the limit is %(limit)s."),
                    code="too_many_pixels",
                    params={"pixels": f"{width}×{height}×{frames}", "limit": f"{MAX_PIXELS:,}"},
                )
            image.verify()
        file.seek(0)
        with Image.open(file) as image:
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

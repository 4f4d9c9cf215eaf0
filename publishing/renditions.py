"""Responsive renditions of featured images and author photos, made by django-imagekit once and then only served.

Every upload is offered in several widths (``PUBLISHING_RENDITION_WIDTHS``, never wider than the upload) as WebP and
as a fallback readers without WebP understand: PNG where the upload has transparency, JPEG otherwise. Each
rendition has the EXIF orientation applied and carries no metadata (camera, GPS position, thumbnails).

imagekit names each file after its source and a hash of its recipe and stores it on the uploads' own storage (the
local folder, or the bucket every app server shares), so a rendition is made once for all servers. The list of
renditions of an upload, with their sizes and public URLs, is kept in the shared cache without expiry: serving a
page opens no image and never asks the storage whether a file exists (on a bucket, a request each). The lists are
made after a save by the upkeep task (:func:`renditions_make`); a page that finds none (a flushed cache) makes them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.processors import ResizeToFit
from PIL import Image, ImageOps

from .conf import app_settings

logger = logging.getLogger(__name__)

WEBP = "WEBP"
MIME_TYPES = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
# Part of the cache key: change it when the recipe changes, so that pages stop pointing at the old files.
RECIPE_VERSION = 1
ORIENTATION_TAG = 0x0112
ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height


class ApplyOrientation:
    """A pilkit processor that turns the pixels the way the camera's EXIF orientation says (any format Pillow reads)."""

    def process(self, img: Image.Image) -> Image.Image:
        return ImageOps.exif_transpose(img)


class DropMetadata:
    """A pilkit processor that keeps the pixels and forgets everything else the upload said (EXIF, XMP, comments)."""

    def process(self, img: Image.Image) -> Image.Image:
        kept = {key: img.info[key] for key in ("transparency",) if key in img.info}
        img.info = kept
        return img


class Rendition(ImageSpec):
    """One width of one upload in one format."""

    def __init__(self, source, *, width: int, format: str) -> None:
        self.format = format
        self.processors = [ApplyOrientation(), ResizeToFit(width=width, upscale=False), DropMetadata()]
        self.options = {"optimize": True} if format == "PNG" else {"quality": 82}
        super().__init__(source)


@dataclass(frozen=True)
class RenditionFile:
    url: str
    width: int
    height: int
    mime_type: str


@dataclass(frozen=True)
class RenditionSet:
    """The renditions of one upload: WebP and the fallback format, smallest first, all the same shape."""

    webp: tuple[RenditionFile, ...]
    fallback: tuple[RenditionFile, ...]

    @property
    def largest(self) -> RenditionFile:
        return self.fallback[-1]

    @property
    def fallback_type(self) -> str:
        return self.largest.mime_type

    def srcset(self, files: tuple[RenditionFile, ...]) -> str:
        return ", ".join(f"{file.url} {file.width}w" for file in files)

    @property
    def webp_srcset(self) -> str:
        return self.srcset(self.webp)

    @property
    def fallback_srcset(self) -> str:
        return self.srcset(self.fallback)

    def fallback_for(self, width: int) -> RenditionFile:
        """The smallest fallback rendition at least ``width`` wide, or the largest there is (for ``src``, og:image)."""
        return next((file for file in self.fallback if file.width >= width), self.largest)


def _widths_for(source_width: int) -> list[int]:
    configured = sorted(app_settings.RENDITION_WIDTHS)
    widths = [width for width in configured if width < source_width]
    if source_width <= configured[-1]:
        widths.append(source_width)
    return widths or [source_width]


def _inspect(field_file) -> tuple[int, int, str]:
    """Displayed size of the upload (after EXIF rotation) and the fallback format its pixels call for."""
    # The stored copy, read through the storage: the field's own file object may be a closed upload after a save.
    with field_file.storage.open(field_file.name, "rb") as handle, Image.open(handle) as image:
        has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
        width, height = image.size
        if image.getexif().get(ORIENTATION_TAG, 1) in ROTATED_ORIENTATIONS:
            width, height = height, width
    return width, height, "PNG" if has_alpha else "JPEG"


def _make(field_file, width: int, format: str, height: int) -> RenditionFile:
    cache_file = ImageCacheFile(Rendition(field_file, width=width, format=format))
    cache_file.generate()
    return RenditionFile(
        url=cache_file.storage.url(cache_file.name), width=width, height=height, mime_type=MIME_TYPES[format]
    )


def _cache_key(field_file) -> str:
    return f"articles:renditions:{RECIPE_VERSION}:{field_file.storage.__class__.__name__}:{field_file.name}"


def renditions_of(field_file) -> RenditionSet | None:
    """The renditions of an uploaded image from the cache, made where the cache does not know them; None when the
    upload cannot be read."""
    if not field_file or not field_file.name:
        return None
    known = cache.get(_cache_key(field_file))
    if known is not None:
        return known
    return renditions_make(field_file)


def renditions_make(field_file) -> RenditionSet | None:
    """Make the renditions of an upload that are missing and remember the whole set in the shared cache.

    Stored names never change for a given source and recipe, so the set is kept without expiry (the cache may
    still drop it under memory pressure; the next page then makes it again, finding the files already there).
    """
    if not field_file or not field_file.name:
        return None
    try:
        source_width, source_height, fallback_format = _inspect(field_file)
        files = {WEBP: [], fallback_format: []}
        for width in _widths_for(source_width):
            height = max(1, int(round(source_height * width / source_width)))
            for format in files:
                files[format].append(_make(field_file, width, format, height))
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("No renditions for %s: the file cannot be read.", field_file.name, exc_info=True)
        return None
    renditions = RenditionSet(webp=tuple(files[WEBP]), fallback=tuple(files[fallback_format]))
    cache.set(_cache_key(field_file), renditions, None)
    return renditions

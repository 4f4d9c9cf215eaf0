"""``{% responsive_image %}``: an uploaded image as a ``<picture>`` of its renditions (see ``publishing.renditions``)."""
from __future__ import annotations

from django import template

from publishing.renditions import renditions_of

register = template.Library()


@register.inclusion_tag("articles/includes/picture.html")
def responsive_image(image, alt: str = "", sizes: str = "100vw", *, css_class: str = "", loading: str = "lazy",
                     src_width: int = 960) -> dict:
    """WebP and JPEG/PNG ``srcset`` with ``sizes``, ``width``/``height`` for the layout, ``alt`` always present.

    ``src_width`` picks the fallback ``src`` for browsers without ``srcset``. An unreadable upload degrades to a
    plain ``<img>`` of the original file rather than breaking the page; a file missing from storage (a database
    restored without its media) is left out rather than shown as a broken image.
    """
    renditions = renditions_of(image)
    shown = renditions is not None or (image and image.storage.exists(image.name))
    return {
        "renditions": renditions,
        "src": renditions.fallback_for(src_width) if renditions else None,
        "image": image if shown else None,
        "alt": alt,
        "sizes": sizes,
        "css_class": css_class,
        "loading": loading,
    }

"""What a page says about itself to search engines and link previews: title, description, image, structured data.

Each view puts one ``PageMeta`` in its context as ``page_meta``; the site's ``base.html`` renders it once as the
``<title>``, the description, OpenGraph and Twitter card tags and ``application/ld+json``, next to the canonical
URL and the hreflang alternates the view already gives (``alternate_urls``). One object per page keeps the title
a reader sees and the title a link preview shows from drifting apart.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import icu
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from publishing.renditions import RenditionFile, renditions_of
from publishing.text import plain_text

from ..conf import app_settings

SOCIAL_IMAGE_WIDTH = 1200
DESCRIPTION_WORDS = 40

# JSON inside <script> must not be able to close the element or open a comment: escape the characters that could.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@functools.lru_cache(maxsize=64)
def og_locale(language: str) -> str:
    """The locale OpenGraph's ``og:locale`` names for a language code, which wants a territory with the language:
    the code's own (``en-gb`` → ``en_GB``), else the one CLDR gives as likely through ICU (``tr`` → ``tr_TR``,
    ``en`` → ``en_US``, ``de`` → ``de_DE``, ``pt`` → ``pt_BR``); the code doubled where CLDR knows none."""
    if not language:
        return ""
    locale = to_locale(language)
    language_part, _sep, territory = locale.partition("_")
    if len(territory) == 2:
        return locale
    likely = icu.Locale(locale)
    likely.addLikelySubtags()
    return f"{language_part}_{likely.getCountry() or language_part.upper()}"


def x_default_language(languages: Iterable[str], preferred: str | None = None) -> str | None:
    """The language a page's ``x-default`` alternate points to: ``preferred`` (the article's original language, the
    site's default) where the page exists in it, else the first language it exists in. Pages and the sitemap both
    ask here, so the two never disagree."""
    languages = list(languages)
    if preferred in languages:
        return preferred
    return languages[0] if languages else None


def publisher_name() -> str:
    return app_settings.PUBLISHER_NAME


@dataclass(frozen=True)
class SocialImage:
    url: str  # absolute
    width: int
    height: int
    mime_type: str
    alt: str = ""


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str = ""
    og_type: str = "website"
    image: SocialImage | None = None
    structured_data: dict | None = None
    noindex: bool = False
    published_time: datetime | None = None
    modified_time: datetime | None = None
    author_urls: tuple[str, ...] = ()
    section: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def structured_data_json(self) -> SafeString:
        """The structured data as JSON safe to place inside ``<script type="application/ld+json">``."""
        if not self.structured_data:
            return mark_safe("")
        text = json.dumps(self.structured_data, ensure_ascii=False, separators=(",", ":"))
        return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))


def short_description(markup: str, words: int = DESCRIPTION_WORDS) -> str:
    return Truncator(plain_text(markup)).words(words)


def social_image(image, alt: str, request: HttpRequest) -> SocialImage | None:
    """The rendition of an upload best suited to link previews (about 1200 px wide, JPEG or PNG)."""
    renditions = renditions_of(image)
    if renditions is None:
        return None
    file: RenditionFile = renditions.fallback_for(SOCIAL_IMAGE_WIDTH)
    return SocialImage(
        url=request.build_absolute_uri(file.url),
        width=file.width,
        height=file.height,
        mime_type=file.mime_type,
        alt=alt,
    )


def organization(request: HttpRequest) -> dict | None:
    name = publisher_name()
    if not name:
        return None
    return {"@type": "Organization", "name": name, "url": request.build_absolute_uri(reverse("articles:index"))}


def person(author, request: HttpRequest) -> dict:
    return {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}


def listing_page_meta(title: str, *, description: str = "", request: HttpRequest | None = None) -> PageMeta:
    """A list of articles (home, tag, category, authors): a title and a description; the home names the site."""
    data = None
    if request is not None:
        home = request.build_absolute_uri(reverse("articles:index"))
        data = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": publisher_name() or title,
            "url": home,
            "inLanguage": request.LANGUAGE_CODE,
            "potentialAction": {
                "@type": "SearchAction",
                "target": request.build_absolute_uri(reverse("articles:search")) + "?q={search_term_string}",
                "query-input": "required name=search_term_string",
            },
        }
    return PageMeta(title=title, description=description, structured_data=data)


def article_page_meta(article, *, language: str, request: HttpRequest, authors=None, tags=None) -> PageMeta:
    """An article as ``NewsArticle``: headline, summary, image, dates, authors, section and tags in ``language``.

    ``authors`` and ``tags`` are the article's, when the caller has already read them."""
    url = request.build_absolute_uri(article.url_in(language))
    description = article.summary(language)
    image = social_image(article.featured_image, article.featured_image_alt or article.title, request)
    authors = list(article.authors.all() if authors is None else authors)
    tags = tuple(tag.name for tag in (article.tags.all() if tags is None else tags) if tag.name)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(110),
        "description": description,
        "inLanguage": language,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": [person(author, request) for author in authors],
        "wordCount": article.word_count(language),
    }
    if image:
        data["image"] = [image.url]
    if article.category:
        data["articleSection"] = article.category.name
    if tags:
        data["keywords"] = list(tags)
    if publisher := organization(request):
        data["publisher"] = publisher
    return PageMeta(
        title=article.title,
        description=description,
        og_type="article",
        image=image,
        structured_data=data,
        published_time=article.published_at,
        modified_time=article.updated_at,
        author_urls=tuple(request.build_absolute_uri(author.get_absolute_url()) for author in authors),
        section=article.category.name if article.category else "",
        tags=tags,
    )


def author_page_meta(author, *, bio: str, request: HttpRequest) -> PageMeta:
    """An author's page as ``Person`` (``profile`` for OpenGraph): name, the bio's opening, the photo."""
    description = short_description(bio) or _("Articles by %(name)s.") % {"name": author.name}
    image = social_image(author.photo, author.photo_alt or author.name, request)
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": author.name,
        "givenName": author.given_name,
        "familyName": author.family_name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
        "description": description,
    }
    if image:
        data["image"] = image.url
    if publisher := organization(request):
        data["worksFor"] = publisher
    return PageMeta(title=author.name, description=description, og_type="profile", image=image, structured_data=data)

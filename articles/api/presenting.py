"""What each object looks like in the read API, built from what the pages read (``articles.pages.reading``): plain
data the serializers write out. Addresses are absolute: the site's page in the language asked for (``url``) and the
object in this API (``api_url``)."""
from __future__ import annotations

from django.urls import reverse

from publishing.languages import language_codes, language_name, translated_value
from publishing.renditions import renditions_of
from publishing.translated import slug_url

from ..footnotes import link_footnotes
from ..pages.reading import ArticlePage


class Presenter:
    """Data for one request in one language."""

    def __init__(self, request, language: str) -> None:
        self.request = request
        self.language = language

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def api(self, name: str, language: str | None = None, **kwargs) -> str:
        return self.absolute(reverse(f"articles_api:{name}", kwargs={"language": language or self.language, **kwargs}))

    def articles_of(self, parameter: str, slug: str) -> str:
        return f"{self.api('articles')}?{parameter}={slug}"

    # --- Names of things ---------------------------------------------------------------------------------------

    def collection(self, item, name: str) -> dict:
        """A tag (``name="tag"``) or category (``"category"``) as a link."""
        slug = translated_value(item, "slug", self.language)
        return {
            "id": item.pk,
            "slug": slug,
            "name": translated_value(item, "name", self.language) or "",
            "url": self.absolute(item.url_in(self.language)),
            "api_url": self.api(name, slug=slug),
        }

    def collection_whole(self, item, name: str) -> dict:
        return {**self.collection(item, name), "articles_url": self.articles_of(name, self.collection(item, name)["slug"])}

    def author(self, author) -> dict:
        return {
            "id": author.pk,
            "slug": author.slug,
            "name": author.name,
            "url": self.absolute(slug_url("articles:author", author.slug, self.language)),
            "api_url": self.api("author", slug=author.slug),
        }

    def author_whole(self, author) -> dict:
        bio, bio_language = author.bio_for(self.language)
        return {
            **self.author(author),
            "bio_html": bio,
            "bio_language": bio_language,
            "photo": self.image(author.photo, author.photo_alt),
            "articles_url": self.articles_of("author", author.slug),
        }

    def image(self, field_file, alt: str) -> dict | None:
        renditions = renditions_of(field_file)
        if renditions is None:
            return None

        def files(items) -> list[dict]:
            return [
                {"url": self.absolute(item.url), "width": item.width, "height": item.height, "type": item.mime_type}
                for item in items
            ]

        return {"alt": alt or "", "webp": files(renditions.webp), "fallback": files(renditions.fallback)}

    # --- Articles ----------------------------------------------------------------------------------------------

    def article_link(self, article) -> dict:
        slug = translated_value(article, "slug", self.language)
        return {
            "id": article.pk,
            "slug": slug,
            "title": translated_value(article, "title", self.language),
            "url": self.absolute(article.url_in(self.language)),
            "api_url": self.api("article", slug=slug),
            "published_at": article.published_at,
        }

    def similar(self, article) -> dict:
        return {**self.article_link(article), "shared_tags": article.shared_tags}

    def article_summary(self, article) -> dict:
        """An article in a list: its category and authors come with it (``for_listing``)."""
        return {
            **self.article_link(article),
            "summary": article.summary(self.language),
            "category": self.collection(article.category, "category") if article.category_id else None,
            "authors": [self.author(author) for author in article.authors.all()],
        }

    def article(self, page: ArticlePage) -> dict:
        """An article whole, as its page shows it."""
        article = page.article
        language = self.language
        return {
            **self.article_link(article),
            "language": language,
            "highlights_html": article.highlight_list(language),
            "body_html": link_footnotes(
                translated_value(article, "body", language), {reference.marker for reference in page.references}
            ),
            "references": [
                {
                    "marker": reference.marker,
                    "note_id": reference.note_id,
                    "text_html": translated_value(reference, "text", language) or "",
                    "url": reference.url,
                    "accessed_on": reference.accessed_on,
                }
                for reference in page.references
            ],
            "authors": [self.author_whole(author) for author in page.authors],
            "tags": [self.collection(tag, "tag") for tag in page.tags],
            "category": self.collection(article.category, "category") if article.category_id else None,
            "image": self.image(article.featured_image, translated_value(article, "featured_image_alt", language))
            if article.featured_image
            else None,
            "translations": [
                {
                    "language": code,
                    "name": language_name(code),
                    "url": self.absolute(article.url_in(code)),
                    "api_url": self.api("article", language=code, slug=translated_value(article, "slug", code)),
                }
                for code in language_codes()
                if article.is_published_in(code)
            ],
            "similar": [self.similar(item) for item in page.similar_articles],
            "updated_at": article.updated_at,
            "reading_minutes": article.reading_minutes(language),
        }

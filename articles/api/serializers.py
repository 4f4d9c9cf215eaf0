"""The shapes of the read API's answers. The views build plain data (``presenting``) and these serializers write it
out, so what is sent is exactly what the OpenAPI schema (made from these classes by drf-spectacular) promises."""
from __future__ import annotations

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the language asked for.")
    code = serializers.CharField(help_text="unknown_language, not_found, bad_cursor, missing_query, throttled …")


class LinkSerializer(serializers.Serializer):
    """A category, tag or author as a list or an article names it."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField(help_text="Its page on the site, in this language.")
    api_url = serializers.URLField(help_text="It in this API, in this language.")


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    type = serializers.CharField(help_text="image/webp, image/jpeg or image/png")


class ImageSerializer(serializers.Serializer):
    alt = serializers.CharField(allow_blank=True, help_text="The image described, in this language.")
    webp = RenditionSerializer(many=True, help_text="WebP renditions, smallest first.")
    fallback = RenditionSerializer(many=True, help_text="JPEG (PNG when transparent) renditions, smallest first.")


class AuthorSerializer(LinkSerializer):
    bio_html = serializers.CharField(allow_blank=True, help_text="Sanitised HTML.")
    bio_language = serializers.CharField(
        help_text="The language the bio is in: the source language until it is translated."
    )
    photo = ImageSerializer(allow_null=True)
    articles_url = serializers.URLField(help_text="Their articles in this language, in this API.")


class CollectionSerializer(LinkSerializer):
    """A tag or a category on its own."""

    articles_url = serializers.URLField(help_text="Its articles in this language, in this API.")


class TranslationSerializer(serializers.Serializer):
    language = serializers.CharField()
    name = serializers.CharField(help_text="The language's name, as the site writes it.")
    url = serializers.URLField()
    api_url = serializers.URLField()


class ArticleLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="Its page on the site, in this language.")
    api_url = serializers.URLField(help_text="It whole in this API, in this language.")
    published_at = serializers.DateTimeField()


class SimilarArticleSerializer(ArticleLinkSerializer):
    shared_tags = serializers.IntegerField(help_text="Tags it shares with the article.")


class ArticleSummarySerializer(ArticleLinkSerializer):
    summary = serializers.CharField(allow_blank=True, help_text="Plain text: the first highlight or the opening.")
    category = LinkSerializer(allow_null=True)
    authors = LinkSerializer(many=True)


class ReferenceSerializer(serializers.Serializer):
    marker = serializers.CharField(help_text="As in the text, without brackets: 1, 2, iv …")
    note_id = serializers.CharField(help_text='The anchor the marker links to in body_html ("#fn-1").')
    text_html = serializers.CharField(allow_blank=True, help_text="The source as cited, sanitised inline HTML.")
    url = serializers.CharField(allow_blank=True)
    accessed_on = serializers.DateField(allow_null=True, help_text="The date of access.")


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()
    api_url = serializers.URLField()
    highlights_html = serializers.ListField(child=serializers.CharField(), help_text="Sanitised inline HTML, one each.")
    body_html = serializers.CharField(
        help_text="Sanitised HTML as the page shows it: each footnote marker that has a reference is a link to it."
    )
    references = ReferenceSerializer(many=True)
    authors = AuthorSerializer(many=True)
    tags = LinkSerializer(many=True)
    category = LinkSerializer(allow_null=True)
    image = ImageSerializer(allow_null=True)
    translations = TranslationSerializer(many=True, help_text="Every language it is published in, this one too.")
    similar = SimilarArticleSerializer(many=True, help_text="Its Similar Posts, as its page shows them.")
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    reading_minutes = serializers.IntegerField()


class ArticlePageSerializer(serializers.Serializer):
    results = ArticleSummarySerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last one.")


class SimilarListSerializer(serializers.Serializer):
    results = SimilarArticleSerializer(many=True)


class AuthorListSerializer(serializers.Serializer):
    results = LinkSerializer(many=True, help_text="In the alphabetical order of the language.")


class CollectionListSerializer(serializers.Serializer):
    results = LinkSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last one.")


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    articles_url = serializers.URLField()


class RootSerializer(serializers.Serializer):
    languages = LanguageSerializer(many=True)
    schema_url = serializers.URLField()
    docs_url = serializers.URLField()

"""The search entries, their full-text indexes on PostgreSQL, and entries for the articles that already exist."""
import django.db.models.deletion
from django.db import migrations, models

from articles.search import entry_values
from publishing.text import upper_tr

# PostgreSQL's text-search configuration per language; one partial GIN index each.
SEARCH_CONFIGS = {"tr": "turkish", "en": "english", "ru": "russian"}


def _document(config):
    # Frozen copy of articles.search.search_vector(): the index is only used while the two are the same.
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("highlights", "keywords", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def _indexes():
    from django.contrib.postgres.indexes import GinIndex

    return [
        GinIndex(_document(config), condition=models.Q(language=code), name=f"search_entry_{code}_fts")
        for code, config in SEARCH_CONFIGS.items()
    ]


def add_full_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    SearchEntry = apps.get_model("articles", "SearchEntry")
    for index in _indexes():
        schema_editor.add_index(SearchEntry, index)


def remove_full_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    SearchEntry = apps.get_model("articles", "SearchEntry")
    for index in _indexes():
        schema_editor.remove_index(SearchEntry, index)


def index_existing_articles(apps, schema_editor):
    # Historical models have no taggit manager methods: read the tag links and authors through their own tables.
    from collections import defaultdict

    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    tags_of = defaultdict(list)
    for link in TaggedArticle.objects.select_related("tag"):
        tags_of[link.content_object_id].append(link.tag)
    authors_of = defaultdict(list)
    for link in Article.authors.through.objects.select_related("author"):
        author = link.author
        authors_of[link.article_id].append(
            " ".join(part for part in (author.given_name.strip(), upper_tr(author.family_name.strip())) if part)
        )
    entries = []
    for article in Article.objects.iterator(chunk_size=200):
        for code in SEARCH_CONFIGS:
            title = getattr(article, f"title_{code}") or ""
            body = getattr(article, f"body_{code}") or ""
            if not (title.strip() and body.strip()):
                continue
            values = entry_values(
                language=code,
                title=title,
                highlights=getattr(article, f"highlights_{code}") or "",
                body=body,
                keywords=[getattr(tag, f"name_{code}") or "" for tag in tags_of[article.pk]] + authors_of[article.pk],
            )
            entries.append(SearchEntry(article_id=article.pk, **values))
    SearchEntry.objects.bulk_create(entries, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0001_initial"),
        ("authors", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(choices=[("tr", "Türkçe"), ("en", "English"), ("ru", "Русский")], max_length=8, verbose_name="language")),
                ("title", models.TextField(blank=True, verbose_name="title")),
                ("highlights", models.TextField(blank=True, verbose_name="highlights")),
                ("keywords", models.TextField(blank=True, verbose_name="tags and authors")),
                ("body", models.TextField(blank=True, verbose_name="body")),
                ("title_stems", models.TextField(blank=True, editable=False)),
                ("text_stems", models.TextField(blank=True, editable=False)),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="search_entries", to="articles.article")),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
                "ordering": ["article", "language"],
                "constraints": [models.UniqueConstraint(fields=("article", "language"), name="search_entry_unique")],
            },
        ),
        migrations.RunPython(add_full_text_indexes, remove_full_text_indexes, elidable=False),
        migrations.RunPython(index_existing_articles, migrations.RunPython.noop),
    ]

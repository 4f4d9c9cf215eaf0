"""Every search entry written anew: one for each language variant with a title, drafts without a body included (the
editors' search in the admin reads the index: ``SearchBackend.editors_matches``), and stems without footnote
markers ("[1]" had made every article with a footnote match the word "1").

Readers' searches are unchanged: a variant is public by the publication rule, checked when searching.
"""
from collections import defaultdict

from django.conf import settings
from django.db import migrations

from articles.search import entry_values

BATCH = 500


def rewrite_entries(apps, schema_editor):
    # Historical models have no taggit manager methods: read the tag links and authors through their own tables.
    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    if not Article.objects.exists():
        return
    languages = [code for code, _name in settings.LANGUAGES]
    tags_of = defaultdict(list)
    for link in TaggedArticle.objects.select_related("tag"):
        tags_of[link.content_object_id].append(link.tag)
    authors_of = defaultdict(list)
    for link in Article.authors.through.objects.select_related("author"):
        authors_of[link.article_id].append(f"{link.author.given_name} {link.author.family_name}")
    postgresql = schema_editor.connection.vendor == "postgresql"

    def write(articles):
        entries = []
        for article in articles:
            for code in languages:
                title = getattr(article, f"title_{code}", None) or ""
                if not title.strip():
                    continue
                values = entry_values(
                    language=code,
                    title=title,
                    highlights=getattr(article, f"highlights_{code}", None) or "",
                    body=getattr(article, f"body_{code}", None) or "",
                    keywords=[getattr(tag, f"name_{code}", None) or "" for tag in tags_of[article.pk]]
                    + authors_of[article.pk],
                )
                entries.append(SearchEntry(article_id=article.pk, **values))
        ids = [article.pk for article in articles]
        SearchEntry.objects.filter(article_id__in=ids).delete()
        SearchEntry.objects.bulk_create(entries)
        if postgresql:  # the stored vectors, as the PostgreSQL backend writes them (articles_indexed)
            from django.contrib.postgres.search import SearchVector

            SearchEntry.objects.filter(article_id__in=ids).update(
                document=SearchVector("title_stems", weight="A", config="simple")
                + SearchVector("text_stems", weight="B", config="simple")
            )

    batch = []
    for article in Article.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(article)
        if len(batch) == BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)
    if not postgresql:
        # Compact SQLite's FTS5 index after rewriting every row (``SqliteSearchBackend.index_rewritten``).
        from articles.search.backends.sqlite import OPTIMIZE_INDEX, TABLE

        if TABLE in schema_editor.connection.introspection.table_names():
            schema_editor.execute(OPTIMIZE_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0013_page_stamps"),
        ("authors", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rewrite_entries, migrations.RunPython.noop),
    ]

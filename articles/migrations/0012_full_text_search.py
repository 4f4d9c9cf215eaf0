"""Each database's own full-text engine for the search entries, and the vocabulary "did you mean" corrects from.

SQLite: an FTS5 table over the entries' stems (external content: the stems are not stored twice), kept in step by
triggers on ``articles_searchentry`` and read through the unmanaged model ``SearchEntryIndex``. PostgreSQL: a
stored ``tsvector`` per entry (``document``) with one partial GIN index per language, replacing migration 0002's
expression indexes, which made PostgreSQL parse every matching text again to rank it. The FTS5 table and the GIN
indexes are made after ``migrate`` by the search backend (``articles.upkeep.search_database_prepare``), so that
a host whose migrations are its own gets them too; this migration fills the vectors and the vocabulary.
"""
from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

import articles.models.derived
from articles.search.text import vocabulary_of

LANGUAGES = ("tr", "en", "ru")
OLD_CONFIGS = {"tr": "turkish", "en": "english", "ru": "russian"}  # migration 0002's expression indexes

# The FTS5 table's statements as this migration made it (articles.search.backends.sqlite keeps the current ones).
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS articles_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS articles_searchentry_fts_update",
    "DROP TABLE IF EXISTS articles_searchentry_fts",
]


def _old_indexes():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return [
        GinIndex(
            SearchVector("title", weight="A", config=config)
            + SearchVector("highlights", "keywords", weight="B", config=config)
            + SearchVector("body", weight="C", config=config),
            condition=models.Q(language=code),
            name=f"search_entry_{code}_fts",
        )
        for code, config in OLD_CONFIGS.items()
    ]


def create_index(apps, schema_editor):
    """PostgreSQL: the vectors of the existing entries, in place of 0002's expression indexes. The FTS5 table
    (SQLite) and the GIN indexes (PostgreSQL) are made after ``migrate`` by the search backend
    (``articles.upkeep.search_database_prepare``), for this repository's migrations and a host's own alike."""
    SearchEntry = apps.get_model("articles", "SearchEntry")
    if schema_editor.connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        for index in _old_indexes():
            schema_editor.remove_index(SearchEntry, index)
        SearchEntry.objects.update(
            document=SearchVector("title_stems", weight="A", config="simple")
            + SearchVector("text_stems", weight="B", config="simple")
        )


def drop_index(apps, schema_editor):
    SearchEntry = apps.get_model("articles", "SearchEntry")
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for code in LANGUAGES:
            schema_editor.execute(f"DROP INDEX IF EXISTS search_entry_{code}_document")
        for index in _old_indexes():
            schema_editor.add_index(SearchEntry, index)


def fill_vocabulary(apps, schema_editor):
    SearchEntry = apps.get_model("articles", "SearchEntry")
    SearchWord = apps.get_model("articles", "SearchWord")
    words = defaultdict(set)
    for language, title, highlights, keywords in SearchEntry.objects.values_list(
        "language", "title", "highlights", "keywords"
    ).iterator(chunk_size=500):
        words[language] |= {word[:100] for word in vocabulary_of({"title": title, "highlights": highlights, "keywords": keywords})}
    SearchWord.objects.bulk_create(
        [SearchWord(language=code, word=word, length=len(word)) for code in words for word in sorted(words[code])],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_listing_counts'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntryIndex',
            fields=[
                ('entry', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='index', serialize=False, to='articles.searchentry')),
                ('title_stems', models.TextField()),
                ('text_stems', models.TextField()),
                ('query', models.TextField(db_column='articles_searchentry_fts')),
                ('rank', models.FloatField()),
            ],
            options={
                'verbose_name': 'search index row',
                'verbose_name_plural': 'search index rows',
                'db_table': 'articles_searchentry_fts',
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='searchentry',
            name='document',
            field=articles.models.derived.SearchDocumentField(blank=True, editable=False, null=True),
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=[('tr', 'Türkçe'), ('en', 'English'), ('ru', 'Русский')], max_length=8, verbose_name='language')),
                ('word', models.CharField(max_length=100, verbose_name='word')),
                ('length', models.PositiveSmallIntegerField()),
            ],
            options={
                'verbose_name': 'search word',
                'verbose_name_plural': 'search words',
                'ordering': ['language', 'word'],
                'indexes': [models.Index(fields=['language', 'length', 'word'], name='search_word_length_idx')],
                'constraints': [models.UniqueConstraint(fields=('language', 'word'), name='search_word_unique')],
            },
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
        migrations.RunPython(fill_vocabulary, migrations.RunPython.noop),
    ]

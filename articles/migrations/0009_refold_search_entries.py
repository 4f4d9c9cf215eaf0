"""The search entries of the languages without Turkish casing (here en and ru) written anew.

Their texts were folded by Turkish rules, so "Iran" was stored as "ıran" and an English reader typing "iran" missed
it; they are now folded by Unicode's ("Iran" = "iran", ``articles.search.fold``), and authors are indexed by their
names as written ("Kızılyazı", not "KIZILYAZI"). Turkish entries are unchanged.
"""
from collections import defaultdict

from django.db import migrations

from articles.search import entry_values
from publishing.text import has_turkish_casing

LANGUAGES = ("tr", "en", "ru")
BATCH = 500


def refold_entries(apps, schema_editor):
    # Historical models have no taggit manager methods: read the tag links and authors through their own tables.
    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    languages = [code for code in LANGUAGES if not has_turkish_casing(code)]
    if not SearchEntry.objects.filter(language__in=languages).exists():
        return
    tags_of = defaultdict(list)
    for link in TaggedArticle.objects.select_related("tag"):
        tags_of[link.content_object_id].append(link.tag)
    authors_of = defaultdict(list)
    for link in Article.authors.through.objects.select_related("author"):
        # Names as written (articles.search.index.search_index_update), not in the capitals they are shown in.
        authors_of[link.article_id].append(f"{link.author.given_name} {link.author.family_name}")

    def write(articles):
        entries = []
        for article in articles:
            for code in languages:
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
        SearchEntry.objects.filter(article_id__in=[article.pk for article in articles], language__in=languages).delete()
        SearchEntry.objects.bulk_create(entries)

    batch = []
    for article in Article.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(article)
        if len(batch) == BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0008_delete_translationstate"),
        ("authors", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refold_entries, migrations.RunPython.noop),
    ]

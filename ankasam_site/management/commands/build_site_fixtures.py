"""Rebuild fixtures/*.json from the seed exports and their translations, through the importer itself.

The fixtures are generated, not hand-written: the English seed texts (../shared/seeds or --seeds), the Turkish and
Russian translations in fixtures/texts/{tr,ru}/, the bio translations and the taxonomy in fixtures/texts/*.json.
Run it on an empty scratch database (``make fixtures`` does), so nothing else ends up in the fixtures.
"""
import io
import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from articles.exchange.importing import article_import_text
from articles.models import Article, Category, Tag
from authors.models import Author

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
TEXTS = FIXTURES / "texts"
OUTPUTS = {
    "01_taxonomy.json": ["articles.category", "articles.tag"],
    "02_authors.json": ["authors.author"],
    "03_articles.json": ["articles.article", "articles.reference", "articles.taggedarticle"],
}


class Command(BaseCommand):
    help = "Rebuild fixtures/*.json from the seed exports and fixtures/texts/ (run on an empty scratch database)."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", default=str(Path(settings.BASE_DIR).parent / "shared" / "seeds"))

    def handle(self, *args, seeds, **options):
        if Article.objects.exists() or Tag.objects.exists():
            raise CommandError("the database is not empty; run this on a scratch database (see `make fixtures`)")
        seed_files = sorted(Path(seeds).glob("*.txt"))
        if not seed_files:
            raise CommandError(f"no seed exports in {seeds}")
        taxonomy = json.loads((TEXTS / "taxonomy.json").read_text(encoding="utf-8"))
        bios = {code: json.loads((TEXTS / f"bios_{code}.json").read_text(encoding="utf-8")) for code in ("en", "ru")}

        with transaction.atomic():
            categories = {key: Category.objects.create(**{f"name_{c}": v for c, v in names.items()})
                          for key, names in taxonomy["categories"].items()}
            tags = {key: Tag.objects.create(**{f"name_{c}": v for c, v in names.items()})
                    for key, names in taxonomy["tags"].items()}
            for path in seed_files:
                number = path.name[:3]
                outcome = article_import_text(
                    data=path.read_bytes(), language="en", source=path.name, publish=True,
                    title=bios["en"]["_titles_en"].get(number),
                )
                article = outcome.article
                for code in ("tr", "ru"):
                    translated = TEXTS / code / f"{number}.txt"
                    article_import_text(
                        data=translated.read_bytes(), language=code, source=str(translated), publish=True,
                        translation_of=article.slug_en,
                    )
                article.refresh_from_db()
                spec = taxonomy["articles"][number]
                article.category = categories[spec["category"]]
                article.save()
                article.tags.set([tags[key] for key in spec["tags"]])
                self.stdout.write(f"{path.name}: {article.slug_en} ({', '.join(article.available_languages)})")
            for author in Author.objects.all():
                for code in ("en", "ru"):
                    setattr(author, f"bio_{code}", bios[code][author.name])
                author.save()

        for filename, models in OUTPUTS.items():
            buffer = io.StringIO()
            call_command("dumpdata", *models, indent=1, stdout=buffer)
            data = json.loads(buffer.getvalue())
            for row in data:
                # Timestamps of the build itself carry no information and would make every rebuild a diff.
                for key in ("created_at", "updated_at"):
                    if key in row["fields"]:
                        row["fields"][key] = row["fields"].get("published_at") or "2025-01-01T00:00:00Z"
            (FIXTURES / filename).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote fixtures/{filename} ({len(data)} objects)")

"""Export articles for an outside translator: PO or XLIFF (1.2 or 2.0), one file per article, a zip for several."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.exchange import FORMATS, export_articles
from articles.models import Article
from publishing.languages import language_codes, localized


class Command(BaseCommand):
    help = (
        "Write the translatable texts of articles (found by id or by slug in any language) as a PO or XLIFF file "
        "for one target language: source text, current translation and a note per unit. Several articles give a "
        "zip with one file each."
    )

    def add_arguments(self, parser):
        parser.add_argument("articles", nargs="+", metavar="ARTICLE", help="Article id or slug.")
        parser.add_argument("--language", required=True, choices=language_codes(), help="Target language.")
        parser.add_argument("--format", dest="fmt", default="po", choices=list(FORMATS), help="po (default), xliff12 or xliff20.")
        parser.add_argument("-o", "--output", help="File to write (default: the suggested name, in the current directory).")

    def handle(self, *args, articles, language, fmt, output, **options):
        found = []
        for key in articles:
            query = Q(pk=int(key)) if key.isascii() and key.isdigit() else Q()
            for code in language_codes():
                query |= Q(**{localized("slug", code): key})
            article = Article.objects.filter(query).first()
            if article is None:
                raise CommandError(f"no article has the id or slug {key!r}")
            found.append(article)
        try:
            exported = export_articles(found, language=language, fmt=fmt)
        except ValueError as error:
            raise CommandError(f"nothing to export: {error} (it is the articles' source language)") from error
        target = Path(output or exported.name)
        target.write_bytes(exported.content)
        self.stdout.write(f"{target}: {len(found)} article(s), {FORMATS[fmt][0]}, {language}")

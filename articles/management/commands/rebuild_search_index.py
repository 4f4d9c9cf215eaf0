"""Write every article's search entries anew."""
from django.core.management.base import BaseCommand

from articles.search.index import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the search entries of every article. Saves keep them current on their own; run this after loading "
        "data with signals off (raw SQL, a restored dump) or after the search rules changed."
    )

    def handle(self, *args, **options):
        written = search_index_rebuild()
        self.stdout.write(f"{written} search entries written.")

"""Write the translation memory's index anew."""
from django.core.management.base import BaseCommand

from publishing.workflow.memory import memory_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the translation memory (every translated, up-to-date segment of every translated object). Saves "
        "keep it current on their own; run this after loading data with signals off (fixtures, a restored dump)."
    )

    def handle(self, *args, **options):
        written = memory_rebuild()
        self.stdout.write(f"{written} translation memory entries written.")

from django.core.management.base import BaseCommand

from diseasemaps.search.services import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the site search index from the live content (safe to run at any time)."

    def handle(self, *args, **options):
        count = rebuild_search_index()
        self.stdout.write(f"The search index holds {count} documents.")

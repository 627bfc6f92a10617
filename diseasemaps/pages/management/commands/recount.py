from django.core.management.base import BaseCommand

from diseasemaps.pages.figures import recount_figures


class Command(BaseCommand):
    help = (
        "Count every stored figure again from the rows behind it (each question's posts and "
        "people, each condition's community) and say what was corrected."
    )

    def handle(self, *args, **options):
        corrections = recount_figures()
        for correction in corrections:
            self.stdout.write(f"  corrected {correction}")
        if corrections:
            self.stdout.write(f"Corrected {len(corrections)} stored figures.")
        else:
            self.stdout.write("Every stored figure was right; nothing changed.")

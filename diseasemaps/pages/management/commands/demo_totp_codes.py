from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from diseasemaps.pages.management.commands.load_demo_content import print_totp_codes


class Command(BaseCommand):
    help = "Print the demo staff's current two-factor codes (development only, DEBUG on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo two-factor codes are shown only when DEBUG is on.")
        print_totp_codes(self)

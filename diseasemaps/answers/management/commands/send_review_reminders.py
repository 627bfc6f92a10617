from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from diseasemaps.answers.services import send_review_reminders


class Command(BaseCommand):
    help = (
        "E-mail medical reviewers the answers whose review is overdue or falls due soon. The "
        "workers do this every day by themselves (DISEASEMAPS_PERIODIC_JOBS); this command is "
        "for a one-off run. The e-mails are sent by the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--within-days",
            type=int,
            default=settings.DISEASEMAPS_REVIEW_REMINDER_DAYS,
            help="List answers due within this many days (default: %(default)s).",
        )

    def handle(self, *args, within_days: int, **options):
        sent = send_review_reminders(today=timezone.localdate(), within_days=within_days)
        self.stdout.write(f"Queued {sent} review reminder{'s' if sent != 1 else ''}.")

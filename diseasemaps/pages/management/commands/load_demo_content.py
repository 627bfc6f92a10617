from django.conf import settings
from django.core.management.base import BaseCommand

from diseasemaps.pages.demo import DEMO_STAFF_PASSWORD, demo_totp_codes, load_demo_content


class Command(BaseCommand):
    help = "Load the DFSP demo content: condition, reviewed answer, members and experiences."

    def handle(self, *args, **options):
        with_logins = settings.DEBUG
        if not with_logins:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off: demo staff logins are skipped (no known password is set). "
                    "The content is loaded."
                )
            )
        report = load_demo_content(with_staff_logins=with_logins)
        if report.created:
            for line in report.created:
                self.stdout.write(f"  created {line}")
        else:
            self.stdout.write("Demo content already loaded; nothing changed.")
        if report.logins:
            self.stdout.write(self.style.SUCCESS("\nDemo logins (development only):"))
            for spec in report.logins:
                self.stdout.write(
                    f"  {spec.role:<17} {spec.email}  password: {DEMO_STAFF_PASSWORD}"
                )
            print_totp_codes(self)


def print_totp_codes(command: BaseCommand) -> None:
    """Development only: the demo staff's authenticator secrets and their current codes."""
    if not settings.DEBUG:
        return
    command.stdout.write(
        command.style.SUCCESS("\nTwo-factor codes for the demo staff (valid about 30 s):")
    )
    for spec, secret, code in demo_totp_codes():
        command.stdout.write(f"  {spec.role:<17} code: {code}   secret: {secret}")
    command.stdout.write("  Fresh codes: .venv/bin/python manage.py demo_totp_codes")

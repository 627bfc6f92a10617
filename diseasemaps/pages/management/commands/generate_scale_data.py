import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from diseasemaps.core.pagecache import EVERYTHING, invalidate
from diseasemaps.members.models import User
from diseasemaps.pages.demo import load_demo_content
from diseasemaps.pages.figures import recount_figures
from diseasemaps.pages.scale import SCALE_EMAIL_DOMAIN, generate_scale_data, recount_helpful
from diseasemaps.search.services import rebuild_search_index


class Command(BaseCommand):
    help = (
        "Add synthetic conditions, members and experiences on top of the demo content, for the "
        "benchmark (PostgreSQL only; COPY). Then rebuild every stored figure, the stored pages "
        "and the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conditions", type=int, default=10_000)
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--experiences", type=int, default=1_000_000)
        parser.add_argument(
            "--question-experiences",
            type=int,
            default=20_000,
            help="How many of the experiences go on the DFSP treatment question.",
        )
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale_data loads its rows with PostgreSQL's COPY, and this database is "
                f"{connection.vendor}. Point DATABASE_URL at a PostgreSQL database."
            )
        if any(options[name] < 0 for name in ("conditions", "members", "experiences")):
            raise CommandError("The figures cannot be negative.")
        if options["experiences"] and not options["members"]:
            raise CommandError("Experiences need members to write them: give --members.")
        if User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}").exists():
            self.stdout.write("Scale data is already loaded; nothing changed.")
            return
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:  # a bulk load is no request to be bounded
                cursor.execute("SET LOCAL statement_timeout = 0")
            load_demo_content(with_staff_logins=False)
            report = generate_scale_data(
                conditions=options["conditions"],
                members=options["members"],
                experiences=options["experiences"],
                question_experiences=options["question_experiences"],
                seed=options["seed"],
            )
            loaded = time.monotonic()
            # The rows went in past the services: put right what they would have kept.
            wrong = recount_helpful()
            recount_figures()
        invalidate(EVERYTHING)  # the stored pages: bulk writes send no signal
        documents = rebuild_search_index()
        for name, count in report.created.items():
            self.stdout.write(f"  created {count:,} {name}")
        if wrong:
            self.stderr.write(f"  {wrong} helpful counts did not match their reactions (fixed)")
        self.stdout.write(
            f"Loaded in {loaded - started:.0f} s; counts, pages and search index "
            f"({documents:,} documents) in {time.monotonic() - loaded:.0f} s."
        )

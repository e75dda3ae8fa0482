"""python manage.py seed_demo [--records N] [--seed S] [--if-empty] [--no-link]"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DEMO_PASSWORD, DEMO_USERS, demo_seed
from registry.models import Record


class Command(BaseCommand):
    help = ("Fill the registry with deterministic synthetic demo data, imported through the "
            "importer: agencies' missing-person reports (which open their cases), detention "
            "logs, transfers and a forensic service's remains with realistic variation, "
            "linked once; demo users.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=int, default=5000,
                            help="How many records to create (default 5000).")
        parser.add_argument("--seed", type=int, default=2026,
                            help="Random seed; the same seed gives the same data (default 2026).")
        parser.add_argument("--family-codes", type=int, default=3,
                            help="How many demo cases get a family access code (default 3).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (but print the demo logins) if records exist.")
        parser.add_argument("--no-link", action="store_true",
                            help="Do not run the record linkage after loading the data.")

    def handle(self, *args, records: int, seed: int, family_codes: int, if_empty: bool,
               no_link: bool = False, **options) -> None:
        if if_empty and Record.objects.exists():
            self.stdout.write("The registry already has records; demo data not loaded again.")
            self._print_logins()
            return
        if Record.objects.exists():
            raise CommandError("The registry already has records. Use an empty database "
                               "(or --if-empty to skip).")
        if records < 10:
            raise CommandError("--records must be at least 10.")
        started = time.perf_counter()
        summary = demo_seed(records=records, seed=seed, family_codes=family_codes,
                            link=not no_link)
        elapsed = time.perf_counter() - started
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in summary.seconds.items())
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {summary.records} records imported through the importer, "
            f"{summary.cases} cases opened by their reports in {elapsed:.1f} s ({steps}; "
            f"seed {seed})."))
        if summary.links is not None:
            counts = summary.links
            self.stdout.write(self.style.SUCCESS(
                f"Linkage ({summary.link_label}): {counts.links} automatic links, "
                f"{counts.candidates} candidates for review, {counts.alerts} alerts; "
                f"{summary.approved} \"found\" requests approved by a second reviewer."))
        elif not no_link:
            limit = settings.MATCHING_DEMO_LINK_MAX_RECORDS
            self.stdout.write(f"Linkage skipped: more than {limit} records "
                              "(run `python manage.py relink`).")
        self._print_logins()
        if summary.family_codes:
            self.stdout.write("\nFamily status lookups (folio / access code, shown only now):")
            for folio, code in summary.family_codes:
                self.stdout.write(f"  {folio}  /  {code}")

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}) at "
                          "http://127.0.0.1:8000/cuenta/login/ :")
        for user in DEMO_USERS:
            where = f" ({user.agency_code})" if user.agency_code else ""
            self.stdout.write(f"  {user.username:<16} {user.role}{where}")

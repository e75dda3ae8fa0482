"""python manage.py seed_demo [--records N] [--seed S] [--if-empty] [--no-link]"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DEMO_PASSWORD, DEMO_USERS, demo_seed
from matching.linkage import linkage_link_all_in_process
from matching.models import LinkageModelVersion
from registry.models import Record


class Command(BaseCommand):
    help = ("Fill the registry with deterministic synthetic demo data (agencies, missing-person "
            "reports, detention logs with realistic variation, cases, demo users).")

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
        summary = demo_seed(records=records, seed=seed, family_codes=family_codes)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {summary.records} records, {summary.cases} cases in {elapsed:.1f} s "
            f"(seed {seed})."))
        if not no_link:
            self._link(summary.records)
        self._print_logins()
        if summary.family_codes:
            self.stdout.write("\nFamily status lookups (folio / access code, shown only now):")
            for folio, code in summary.family_codes:
                self.stdout.write(f"  {folio}  /  {code}")

    def _link(self, records: int) -> None:
        """Run the linkage once in-process so the demo shows candidates, people and alerts.

        Above ``MATCHING_DEMO_LINK_MAX_RECORDS`` records that would take too long for a
        demo start; ``manage.py relink`` does it then.
        """
        limit = settings.MATCHING_DEMO_LINK_MAX_RECORDS
        if records > limit:
            self.stdout.write(f"Linkage skipped: more than {limit} records "
                              "(run `python manage.py relink`).")
            return
        started = time.perf_counter()
        version, counts = linkage_link_all_in_process(source=LinkageModelVersion.Source.DEMO,
                                                      min_records=0)
        if version is None:
            self.stdout.write("Linkage skipped: too few records to train a model.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Linkage ({version.label}): {counts.links} automatic links, {counts.candidates} "
            f"candidates for review, {counts.alerts} alerts in "
            f"{time.perf_counter() - started:.1f} s."))

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}) at "
                          "http://127.0.0.1:8000/cuenta/login/ :")
        for user in DEMO_USERS:
            where = f" ({user.agency_code})" if user.agency_code else ""
            self.stdout.write(f"  {user.username:<16} {user.role}{where}")

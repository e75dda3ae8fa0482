"""python manage.py published_entries_rebuild [--due]"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from registry.published import published_entries_rebuild


class Command(BaseCommand):
    help = ("Rebuild the published-entry table (registry/published.py) from the cases and "
            "the redaction policy: after a change of the policy, or to catch up a writer "
            "that did not sync. --due recomputes only the entries whose person turned 18 "
            "since they were stored (nightly on Celery beat).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", action="store_true",
                            help="Only the entries due for review (an 18th birthday passed).")

    def handle(self, *args, due: bool, **options) -> None:
        started = time.monotonic()
        count = published_entries_rebuild(due_only=due)
        self.stdout.write(f"Fichas publicadas al día: {count} "
                          f"({time.monotonic() - started:.1f} s).")

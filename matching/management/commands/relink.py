"""python manage.py relink [--no-train] [--queue Q] [--timeout S]"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.models import RelinkRun
from matching.tasks import relink_run_start


class Command(BaseCommand):
    help = ("Re-run the whole record linkage: train a new model on the stored records (EM, "
            "no labels), then link every blocking partition as a background task, printing "
            "the progress. Human decisions are respected; running it twice changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-train", action="store_true",
                            help="Reuse the latest model version instead of training one.")
        parser.add_argument("--queue", default=None,
                            help="Celery queue for the partition tasks (default queue if unset).")
        parser.add_argument("--timeout", type=float, default=6 * 3600,
                            help="Stop waiting for the workers after this many seconds.")
        parser.add_argument("--poll", type=float, default=2.0,
                            help="Seconds between progress lines while workers run.")

    def handle(self, *args, no_train: bool, queue: str | None, timeout: float, poll: float,
               **options) -> None:
        started = time.monotonic()
        try:
            run = relink_run_start(train=not no_train, queue=queue)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Relink run {run.pk} with model {run.model_version.label}: "
                          f"{run.records_total} records in {run.partitions_total} partitions.")
        last_line = ""
        while True:
            run.refresh_from_db()
            line = (f"  partitions {run.partitions_done}/{run.partitions_total}, "
                    f"pairs {run.pairs}, links {run.links}, candidates {run.candidates}, "
                    f"alerts {run.alerts} [{run.status}]")
            if line != last_line:
                self.stdout.write(line)
                last_line = line
            if run.status != RelinkRun.Status.RUNNING:
                break
            if time.monotonic() - started > timeout:
                raise CommandError(f"Relink run {run.pk} still running after {timeout:.0f} s; "
                                   "the workers go on, progress is on the run.")
            time.sleep(poll)
        if run.status == RelinkRun.Status.FAILED:
            raise CommandError(f"Relink run {run.pk} failed: {run.error_message}")
        self.stdout.write(self.style.SUCCESS(
            f"Relink run {run.pk} done in {time.monotonic() - started:.1f} s."))

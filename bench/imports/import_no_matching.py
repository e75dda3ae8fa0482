"""``manage.py import_records`` with the hand-off to matching replaced by a no-op.

The import's target (issue 3) is parse, validate, normalise and store with provenance
and history; linking the new records (``matching.linkage.match_new_records``, run
after the commit) is the matching engine's work, benchmarked in ``bench/matching*``.
Usage: the arguments of ``import_records``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

import imports.batch  # noqa: E402

handed: list[int] = []
imports.batch.match_new_records = lambda *, record_ids: handed.append(len(record_ids))
call_command("import_records", *sys.argv[1:])
print(f"(matching skipped: {sum(handed)} records would have been handed over)")

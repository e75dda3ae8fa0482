"""The staff area's line of the retention policy (``registry/retention.py``): exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage

from registry.models import AuditEvent
from registry.retention import RetentionOutcome, RetentionRule, retention_applier, retention_audit
from staff.export_files import export_files_older_than


@retention_applier("exports")
def exports_expire(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                   actor: Any) -> RetentionOutcome:
    outcome = RetentionOutcome(rule)
    for name in export_files_older_than(cutoff):
        outcome.count += 1
        outcome.items.append(name)
        if not dry_run:
            default_storage.delete(name)
            retention_audit(rule, actor=actor, action=AuditEvent.Action.DELETE,
                            object_type="staff.export_file", object_id=name.rsplit("/", 1)[1])
    return outcome

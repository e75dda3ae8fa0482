"""Writes of the staff area that belong to no lower app: NGO exports."""

from __future__ import annotations

from typing import Any

from registry.audit import audit_event_record
from registry.models import AuditEvent
from staff.exports import Export


def export_preview(*, filters: Any, k: int | None) -> Any:
    """Count what an export would hold and generalise or suppress (nothing is written)."""
    return Export(filters=filters, k=k).prepare()


def export_start(*, actor: Any, export_format: str, filters: Any, k: int | None, purpose: str,
                 ip_address: str | None = None) -> Any:
    """Prepare an NGO export and audit it (filters, format, row count, k-anonymity).

    The audit row is written before the first byte is streamed, so an export that
    the client abandons halfway is still on record.
    """
    export = Export(filters=filters, k=k).prepare()
    metadata = export.metadata()
    audit_event_record(
        actor=actor, action=AuditEvent.Action.EXPORT, object_type="registry.record",
        purpose=purpose, ip_address=ip_address,
        # The token derives this export's pseudonym key (with PSEUDONYM_KEY, which the
        # log does not hold): the registry can tell which record a row was, no one else.
        details={"format": export_format, "filters": metadata["filtros"],
                 "rows": export.row_count, "k": k, "pseudonym_token": export.key.token,
                 "generalised": metadata["filas_generalizadas"],
                 "suppressed": metadata["filas_suprimidas"], "policy": metadata["politica"]},
    )
    return export

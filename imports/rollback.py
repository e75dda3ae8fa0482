"""Roll back a committed batch: remove what it created, restore what it changed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.batch import CONTENT_FIELDS, PROVENANCE_FIELDS
from imports.models import ImportBatch, ImportStatus
from matching.keyindex import keys_remove
from registry.audit import audit_event_record
from registry.cases import cases_of_batch_remove
from registry.models import Agency, AuditEvent, Record

HistoricalRecord = Record.history.model


@transaction.atomic
def import_batch_rollback(*, batch: ImportBatch, actor: Any, reason: str = "",
                          ip_address: str | None = None) -> ImportBatch:
    """Undo a committed batch: remove the records it created, restore the ones it changed.

    1. Lock the agency (no import of it runs meanwhile) and the batch.
    2. Refuse if any record of the batch changed after it (a later batch or a
       correction): roll those back first.
    3. Delete the cases the batch opened; refused, naming them, if someone worked on
       them since, or if a case opened otherwise rests on one of the batch's records
       (``registry.cases.cases_of_batch_remove``).
    4. Delete created records (their history keeps a "-" row), restore each changed
       record to its version before the batch (a new "~" version), audit. The status
       changes a re-import applied to existing cases stay: they are in the cases'
       legal history, and a prosecutor changes them back if need be.
    """
    Agency.objects.select_for_update().get(pk=batch.agency_id)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.COMMITTED:
        raise ValidationError(_("Solo se puede revertir un lote aplicado."))
    own = dict(HistoricalRecord.objects.filter(import_batch_id=batch.pk,
                                               history_date__gte=batch.created_at)
               .exclude(history_type="-").values_list("id", "history_id"))
    latest = dict(HistoricalRecord.objects.filter(id__in=own).values("id")
                  .annotate(last=Max("history_id")).values_list("id", "last"))
    later = _changed_after(own, latest)
    if later:
        raise ValidationError(_(
            "%(n)s registros del lote cambiaron después (otro lote o una corrección); "
            "revierta primero esos cambios.") % {"n": len(later)})
    created_ids = list(HistoricalRecord.objects.filter(
        import_batch_id=batch.pk, history_type="+", history_id__in=own.values())
        .values_list("id", flat=True))
    updated = {pk: hid for pk, hid in own.items() if pk not in set(created_ids)}
    label = (_("Reversión del lote %(id)s") % {"id": batch.pk})[:100]
    cases = cases_of_batch_remove(import_batch_id=batch.pk, created_report_ids=created_ids,
                                  reason=label)
    _restore_previous_versions(updated, label)
    try:
        for record in Record.objects.filter(pk__in=created_ids).iterator(chunk_size=1000):
            record._change_reason = label
            record.delete()
    except ProtectedError as exc:  # a case opened meanwhile (the check above saw none)
        raise ValidationError(_("No se puede revertir: un registro del lote ya tiene un caso "
                                "abierto a partir de él.")) from exc
    keys_remove(created_ids)  # the linkage index forgets them in the same transaction
    batch.status = ImportStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = actor if getattr(actor, "pk", None) else None
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    audit_event_record(actor=actor, action=AuditEvent.Action.ROLLBACK, target=batch,
                       purpose=reason, ip_address=ip_address,
                       details={"deleted": len(created_ids), "restored": len(updated),
                                "cases_deleted": len(cases)})
    batch.cases_removed = cases
    return batch


def _changed_after(own: dict[int, int], latest: dict[int, int]) -> list[int]:
    """Return the records whose content changed after the batch.

    Matching links records to people (a new version with another ``person``); that is
    not a change of what the agency reported, so it does not block the rollback.
    """
    suspects = {pk: latest[pk] for pk, history_id in own.items() if latest.get(pk) != history_id}
    if not suspects:
        return []
    compared = [*CONTENT_FIELDS, *PROVENANCE_FIELDS, "external_id"]
    versions = {row["history_id"]: row for row in HistoricalRecord.objects.filter(
        history_id__in=[*suspects.values(), *(own[pk] for pk in suspects)]).values(
        "history_id", *compared)}
    return sorted(pk for pk, last in suspects.items()
                  if any(versions[last][name] != versions[own[pk]][name] for name in compared))


def _restore_previous_versions(updated: dict[int, int], label: str) -> None:
    for record_id, history_id in updated.items():
        previous = (HistoricalRecord.objects.filter(id=record_id, history_id__lt=history_id)
                    .order_by("-history_id").first())
        if previous is None:
            continue
        restored = previous.instance
        # Keep matching's later decision about the person; restore what the agency said.
        restored.person_id = Record.objects.filter(pk=record_id).values_list(
            "person_id", flat=True).first()
        restored._change_reason = label
        restored.save()

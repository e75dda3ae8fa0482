"""Writes to the registry's core data. Each function is one transaction with an audit row."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mxnames.text import search_key
from registry.audit import audit_event_record
from registry.bulk import bulk_update_column
from registry.cells import control_character, formula_start
from registry.family import family_notifications_send
from registry.models import (
    FOUND_CASE_STATUSES,
    Alert,
    AuditEvent,
    Case,
    CasePublication,
    CasePublicationDecision,
    CaseStatus,
    CaseStatusChange,
    CaseStatusRequest,
    Record,
    case_public_key,
)
from registry.publication import public_outputs_changed
from registry.redaction import PUBLICATION_LEVEL
from registry.replication import publication_fence_mark

# Fields an operator may correct on a record; provenance and identity of the row
# (agency, external_id, batch, raw values) are never edited by hand.
CORRECTABLE_RECORD_FIELDS = frozenset({
    "given_names", "paternal_surname", "maternal_surname", "aliases", "sex", "birth_date",
    "age", "curp", "nationality", "event_date", "event_state", "event_municipality", "place",
    "authority", "facility", "reason", "description", "age_min", "age_max", "clothing",
    "marks", "address", "reporter_name", "reporter_contact",
})

# Crockford's base32 without I, L, O, U: easy to read aloud and type on a phone.
_ACCESS_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ACCESS_CODE_LENGTH = 12  # 12 * 5 bits = 60 bits of entropy


def record_name_search(record: Record) -> str:
    """Return the accent-folded full name (with aliases) used for search and matching."""
    return search_key(record.given_names, record.paternal_surname, record.maternal_surname,
                      record.aliases)


@transaction.atomic
def record_correct(*, record: Record, changes: dict[str, Any], actor: Any, reason: str,
                   ip_address: str | None = None) -> Record:
    """Apply an operator's correction to a record, keeping the previous version."""
    unknown = set(changes) - CORRECTABLE_RECORD_FIELDS
    if unknown:
        raise ValidationError(_("No se pueden corregir estos campos: %(fields)s")
                              % {"fields": ", ".join(sorted(unknown))})
    _refuse_unsafe_text(changes)
    record = Record.objects.select_for_update().get(pk=record.pk)
    changed = [name for name, value in changes.items() if getattr(record, name) != value]
    if not changed:
        return record
    for name in changed:
        setattr(record, name, changes[name])
    record.name_search = record_name_search(record)
    record.full_clean()
    record._change_reason = reason
    record.save(update_fields=[*changed, "name_search", "updated_at"])
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=record,
                       purpose=reason, ip_address=ip_address, details={"fields": changed})
    return record


def _refuse_unsafe_text(changes: dict[str, Any]) -> None:
    """Refuse what an import would refuse (``registry.cells``): a value that, trimmed,
    starts like a formula, or that holds a control character."""
    errors = {}
    for name, value in changes.items():
        if not isinstance(value, str):
            continue
        control = control_character(value)
        start = formula_start(value)
        if control is not None:
            errors[name] = _("El valor contiene un carácter de control (U+%(code)04X) que no "
                             "es texto.") % {"code": ord(control)}
        elif start is not None:
            errors[name] = _("El valor empieza con «%(char)s»: parece una fórmula (posible "
                             "inyección); corrija el valor.") % {"char": start}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_restore_version(*, record: Record, history_id: int, actor: Any, reason: str) -> Record:
    """Restore a record to one of its earlier versions; the restore is itself a new version.

    What the agency said is restored; the person the record belongs to is not (that
    is matching's decision, undone only through it, so the record's case follows).
    """
    version = record.history.get(history_id=history_id)
    restored = version.instance
    restored.person_id = Record.objects.filter(pk=record.pk).values_list(
        "person_id", flat=True).first()
    restored._change_reason = reason or _("Restauración de la versión %(id)s") % {
        "id": history_id}
    restored.save()
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=restored,
                       purpose=reason, details={"restored_history_id": history_id})
    return restored


@transaction.atomic
def case_status_change(*, case: Case, to_status: str, actor: Any, reason: str,
                       approved_by: Any | None = None) -> CaseStatusChange:
    """Move a case to a legal status and append the change to its history."""
    if to_status not in CaseStatus.values:
        raise ValidationError(_("«%(status)s» no es una situación jurídica válida.")
                              % {"status": to_status})
    if to_status in FOUND_CASE_STATUSES and (approved_by is None or approved_by == actor):
        raise ValidationError(_("Marcar un caso como localizado requiere la aprobación de "
                                "otra persona revisora."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == to_status:
        raise ValidationError(_("El caso ya está en esa situación."))
    change = CaseStatusChange.objects.create(
        case=case, from_status=case.status, to_status=to_status, changed_by=actor,
        approved_by=approved_by, reason=reason,
    )
    case.status = to_status
    case.status_changed_at = change.changed_at
    case._change_reason = reason
    case.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_event_record(actor=actor, action=AuditEvent.Action.STATUS_CHANGE, target=case,
                       purpose=reason,
                       details={"from": change.from_status, "to": to_status})
    transaction.on_commit(partial(_notify_families, case.pk))
    return change


def _notify_families(case_id: int) -> None:
    # After commit: a family is told only of a change that really happened.
    family_notifications_send(case_id=case_id)


def case_public_keys_fill() -> int:
    """Give a public key to every case that has none (after bulk inserts); return how many."""
    missing = list(Case.objects.filter(public_key__isnull=True).values_list("pk", flat=True))
    # Plain (id, key) pairs: Django's bulk_update compiles a CASE WHEN per row.
    return bulk_update_column(Case, "public_key",
                              ((case_id, case_public_key(case_id)) for case_id in missing))


def generate_access_code() -> str:
    """Return a new family access code: 60 random bits as XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(_ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


@transaction.atomic
def case_access_code_issue(*, case: Case, actor: Any) -> str:
    """Issue (or rotate) the family's access code; return the plain code, shown once."""
    code = generate_access_code()
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.access_code_hash = make_password(code)
    case.access_code_issued_at = timezone.now()
    case.save(update_fields=["access_code_hash", "access_code_issued_at", "updated_at"])
    audit_event_record(actor=actor, action=AuditEvent.Action.ACCESS_CODE, target=case,
                       details={"operation": "issue"})
    return code


@transaction.atomic
def case_access_code_revoke(*, case: Case, actor: Any) -> None:
    """Revoke the family's access code: no code opens the case until a new one is issued."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.access_code_hash = ""
    case.access_code_issued_at = None
    case.save(update_fields=["access_code_hash", "access_code_issued_at", "updated_at"])
    audit_event_record(actor=actor, action=AuditEvent.Action.ACCESS_CODE, target=case,
                       details={"operation": "revoke"})


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indique el motivo."))
    return reason


@transaction.atomic
def case_status_update(*, case: Case, to_status: str, actor: Any, reason: str,
                       ip_address: str | None = None) -> CaseStatusChange | CaseStatusRequest:
    """Change a case's status, or, for a "found" status, ask a second reviewer to approve.

    1. ``desaparecida`` / ``no localizada``: applied at once (``case_status_change``).
    2. ``localizada con vida`` / ``sin vida``: stored as a pending request that another
       prosecutor approves (``case_status_request_approve``); only then it applies.
    """
    reason = _reason_required(reason)
    if to_status not in FOUND_CASE_STATUSES:
        return case_status_change(case=case, to_status=to_status, actor=actor, reason=reason)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == to_status:
        raise ValidationError(_("El caso ya está en esa situación."))
    if case.status_requests.filter(outcome=CaseStatusRequest.Outcome.PENDING).exists():
        raise ValidationError(_("Ya hay una solicitud pendiente para este caso."))
    request = CaseStatusRequest.objects.create(case=case, to_status=to_status, reason=reason,
                                               requested_by=actor)
    audit_event_record(actor=actor, action=AuditEvent.Action.STATUS_CHANGE, target=case,
                       purpose=reason, ip_address=ip_address,
                       details={"requested": to_status, "request": request.pk})
    return request


@transaction.atomic
def case_publication_decide(*, case: Case, publication: str, decided_by: str, reason: str,
                            actor: Any, ip_address: str | None = None
                            ) -> CasePublicationDecision:
    """Record the family's decision about publishing its case, and apply it.

    1. Check the decision, who in the family took it and why.
    2. Lock the case. A decision that publishes less than the current one withdraws
       publication: the entry moves to its next public-key version, so that nothing
       downloaded before can be joined to what is published after (and a withheld
       case's old key finds nothing, like a key that never existed).
    3. Store the decision (append-only) and the case's new publication; the case's
       history keeps the previous value.
    4. Audit; after commit, the cached public figures start a new generation, so the
       counts drop at once, and public reads wait for a replica to have the decision.
    What each decision publishes is the redaction policy's to say (``CASE_AUDIENCES``,
    ``CONSENTED_PUBLICATIONS``), not this function's.
    """
    if publication not in CasePublication.values:
        raise ValidationError(_("«%(value)s» no es una decisión de publicación válida.")
                              % {"value": publication})
    decided_by = (decided_by or "").strip()
    if not decided_by:
        raise ValidationError(_("Indique quién de la familia tomó la decisión."))
    reason = _reason_required(reason)
    case = Case.objects.select_for_update().get(pk=case.pk)
    previous = case.publication
    withdrawn = PUBLICATION_LEVEL[publication] < PUBLICATION_LEVEL[previous]
    fields = ["publication", "updated_at"]
    if withdrawn:
        case.public_key_version += 1
        case.public_key = case_public_key(case.pk, case.public_key_version)
        fields += ["public_key_version", "public_key"]
    case.publication = publication
    case._change_reason = reason
    case.save(update_fields=fields)
    decision = CasePublicationDecision.objects.create(
        case=case, publication=publication, previous_publication=previous,
        decided_by=decided_by, reason=reason, recorded_by=actor, key_rotated=withdrawn)
    # Who in the family decided is personal data: it stays on the decision, not in the
    # append-only log.
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=case,
                       purpose=reason, ip_address=ip_address,
                       details={"publication": {"from": previous, "to": publication},
                                "key_rotated": withdrawn, "decision": decision.pk})
    transaction.on_commit(public_outputs_changed)
    # A replica that has not replayed this decision serves no public read (read-your-writes).
    publication_fence_mark()
    return decision


def _lock_pending_request(request: CaseStatusRequest, actor: Any) -> CaseStatusRequest:
    request = CaseStatusRequest.objects.select_for_update().get(pk=request.pk)
    if request.outcome != CaseStatusRequest.Outcome.PENDING:
        raise ValidationError(_("Esta solicitud ya fue revisada."))
    if request.requested_by_id == actor.pk:
        raise ValidationError(_("Otra persona debe revisar su propia solicitud."))
    return request


@transaction.atomic
def case_status_request_approve(*, request: CaseStatusRequest, actor: Any, note: str = "",
                                ip_address: str | None = None) -> CaseStatusChange:
    """Approve another prosecutor's "found" request and apply the status change."""
    request = _lock_pending_request(request, actor)
    change = case_status_change(case=request.case, to_status=request.to_status,
                                actor=request.requested_by, reason=request.reason,
                                approved_by=actor)
    request.outcome = CaseStatusRequest.Outcome.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.status_change = change
    request.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note",
                                "status_change"])
    audit_event_record(actor=actor, action=AuditEvent.Action.DECISION, target=request.case,
                       purpose=note, ip_address=ip_address,
                       details={"request": request.pk, "approved": request.to_status})
    return change


@transaction.atomic
def case_status_request_decline(*, request: CaseStatusRequest, actor: Any, note: str,
                                ip_address: str | None = None) -> CaseStatusRequest:
    """Decline another prosecutor's "found" request; the case keeps its status."""
    note = _reason_required(note)
    request = _lock_pending_request(request, actor)
    request.outcome = CaseStatusRequest.Outcome.DECLINED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
    audit_event_record(actor=actor, action=AuditEvent.Action.DECISION, target=request.case,
                       purpose=note, ip_address=ip_address,
                       details={"request": request.pk, "declined": request.to_status})
    return request


@transaction.atomic
def alert_mark_handled(*, alert: Alert, actor: Any, note: str = "",
                       ip_address: str | None = None) -> Alert:
    """Mark an alert as handled (once); the inbox badge no longer counts it."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.handled_at is not None:
        raise ValidationError(_("Esta alerta ya fue atendida."))
    alert.handled_at = timezone.now()
    alert.handled_by = actor
    alert.handled_note = note
    alert.save(update_fields=["handled_at", "handled_by", "handled_note"])
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=alert,
                       purpose=note, ip_address=ip_address, details={"handled": True})
    return alert


def full_view_log(*, actor: Any, target: Any = None, object_type: str = "", purpose: str = "",
                  ip_address: str | None = None, details: dict[str, Any] | None = None) -> None:
    """Audit that ``actor`` opened the full (unredacted for their role) view of ``target``.

    A list page passes ``object_type`` and the ids it showed in ``details``.
    """
    audit_event_record(actor=actor, action=AuditEvent.Action.VIEW, target=target,
                       object_type=object_type, purpose=purpose, ip_address=ip_address,
                       details=details)

"""The retention policy: how long each kind of data is kept, and what happens then.

How to read the policy (no programming needed)
----------------------------------------------
Each line of ``RETENTION_POLICY`` names a kind of data, how long it is kept (counted
from the moment said in ``counted_from``) and the action taken when that time is over:

    DELETE      the data is removed for good
    ANONYMISE   the row stays (counts, dates, consent) but what identifies a person is
                erased
    UNPUBLISH   the public entry is withdrawn from every public output, through the same
                service as a family's veto (``case_publication_decide`` to "do not
                publish": new public key, counts drop, replicas fenced); staff keep the case
    KEEP        kept at least this long and never removed by this task (the audit log
                is a hash chain: cutting it needs an anchored truncation, not a delete)

``manage.py apply_retention [--dry-run]`` and a daily Celery beat task
(``registry.tasks.retention_apply_task``) apply it. The dry run lists what would change
and changes nothing. Every action is written to the audit log with the rule it applied.

Each app applies the lines about its own data: the registry here, the imports app in
``imports/retention.py``, the staff area in ``staff/retention.py`` (registered when
each app is ready), so that this ground floor
imports no other app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from registry.audit import audit_event_record
from registry.models import (
    OPEN_CASE_STATUSES,
    AuditEvent,
    Case,
    CasePublication,
    CasePublicationDecision,
    CaseStatus,
    FamilySubscription,
)
from registry.services import case_publication_decide

log = logging.getLogger("registro.retencion")


class RetentionAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    UNPUBLISH = "unpublish"
    KEEP = "keep"


@dataclass(frozen=True)
class RetentionRule:
    data: str
    description: str
    period: timedelta
    action: RetentionAction
    counted_from: str


def _days(n: int) -> timedelta:
    return timedelta(days=n)


# fmt: off
RETENTION_POLICY: tuple[RetentionRule, ...] = (
    RetentionRule("source_files", "Archivos originales subidos por las instituciones",
                  _days(90), RetentionAction.DELETE,
                  "el fin del lote (confirmado, revertido, fallido o sólo previsualizado); "
                  "los registros guardados conservan su procedencia: archivo, hoja y fila"),
    RetentionRule("rejected_rows", "Filas rechazadas y observaciones por fila de un lote",
                  _days(365), RetentionAction.DELETE,
                  "el fin del lote; el lote conserva cuántas filas rechazó"),
    RetentionRule("exports", "Exportaciones anonimizadas preparadas en segundo plano",
                  _days(7), RetentionAction.DELETE, "su preparación"),
    RetentionRule("sessions", "Sesiones del personal y de las familias",
                  _days(0), RetentionAction.DELETE, "su vencimiento"),
    RetentionRule("family_subscriptions", "Avisos por correo a familias",
                  _days(30), RetentionAction.ANONYMISE,
                  "la baja, o el cierre del caso; se borra el correo y se conservan las "
                  "fechas y la versión del aviso aceptado"),
    RetentionRule("closed_case_entries", "Fichas públicas de casos cerrados como "
                  "localizada con vida", _days(180), RetentionAction.UNPUBLISH,
                  "el cambio de situación, salvo que la familia pidió mantenerla publicada "
                  "(una decisión de publicar registrada después del cierre)"),
    RetentionRule("audit_events", "Bitácora de auditoría", _days(3653), RetentionAction.KEEP,
                  "el evento; nunca se borra aquí"),
)
# fmt: on
RULES = {rule.data: rule for rule in RETENTION_POLICY}


@dataclass
class RetentionOutcome:
    """What one rule changed (or, in a dry run, would change)."""

    rule: RetentionRule
    count: int = 0
    items: list[str] = field(default_factory=list)   # what was touched, for the listing

    def line(self, *, dry_run: bool) -> str:
        verb = {"delete": "borrar", "anonymise": "anonimizar", "unpublish": "retirar",
                "keep": "conservar"}[self.rule.action]
        prefix = f"se {verb}ía" if dry_run else verb
        listed = f": {', '.join(self.items[:20])}" if self.items else ""
        more = f" (y {len(self.items) - 20} más)" if len(self.items) > 20 else ""
        return f"{self.rule.data}: {prefix} {self.count}{listed}{more}"


Applier = Callable[..., RetentionOutcome]
_APPLIERS: dict[str, Applier] = {}


def retention_applier(data: str) -> Callable[[Applier], Applier]:
    """Register the function that applies the rule ``data`` (one per rule)."""
    if data not in RULES:
        raise ValueError(f"no retention rule named {data!r}; rules: {', '.join(RULES)}")

    def register(applier: Applier) -> Applier:
        _APPLIERS[data] = applier
        return applier

    return register


def retention_audit(rule: RetentionRule, *, actor: Any, action: str, target: Any = None,
                    object_type: str = "", object_id: str = "",
                    details: dict[str, Any] | None = None) -> None:
    """Write the audit row of one retention action, naming its rule."""
    audit_event_record(actor=actor, action=action, target=target, object_type=object_type,
                       object_id=object_id, purpose=f"Retención: {rule.description}",
                       details={"retention_rule": rule.data, "action": str(rule.action),
                                "period_days": rule.period.days, **(details or {})})


def retention_apply(*, dry_run: bool, actor: Any = None,
                    now: datetime | None = None) -> list[RetentionOutcome]:
    """Apply every rule of the policy (or list what would change); return what each did.

    1. For each rule, the cutoff is ``now - period``.
    2. Its applier finds what is older and, unless ``dry_run``, acts and audits each act.
    A rule without an applier (its app not installed) is reported with nothing done.
    """
    now = now or timezone.now()
    outcomes = []
    for rule in RETENTION_POLICY:
        applier = _APPLIERS.get(rule.data)
        if applier is None:
            log.warning("retention rule %s has no applier; nothing done", rule.data)
            outcomes.append(RetentionOutcome(rule))
            continue
        outcome = applier(rule=rule, cutoff=now - rule.period, dry_run=dry_run, actor=actor)
        log.info("retention %s%s", outcome.line(dry_run=dry_run), " (dry run)" if dry_run else "")
        outcomes.append(outcome)
    return outcomes


# --- The registry's own data ---------------------------------------------------------

@retention_applier("sessions")
def _expired_sessions(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                      actor: Any) -> RetentionOutcome:
    expired = Session.objects.filter(expire_date__lt=cutoff)
    count = expired.count()
    if not dry_run and count:
        with transaction.atomic():
            expired.delete()
            # One row for all: a session key is a secret and says nothing to an auditor.
            retention_audit(rule, actor=actor, action=AuditEvent.Action.DELETE,
                            object_type="sessions.session", details={"count": count})
    return RetentionOutcome(rule, count)


@retention_applier("family_subscriptions")
def _ended_subscriptions(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                         actor: Any) -> RetentionOutcome:
    ended = (FamilySubscription.objects.exclude(email="")
             .filter(_ended_q(cutoff)).order_by("id"))
    outcome = RetentionOutcome(rule)
    for subscription in ended.iterator(chunk_size=500):
        outcome.count += 1
        outcome.items.append(f"aviso {subscription.pk}")
        if dry_run:
            continue
        with transaction.atomic():
            subscription.email = ""
            subscription.unsubscribed_at = subscription.unsubscribed_at or timezone.now()
            subscription.save(update_fields=["email", "unsubscribed_at"])
            retention_audit(rule, actor=actor, action=AuditEvent.Action.CHANGE,
                            target=subscription, details={"case": subscription.case_id})
    return outcome


def _ended_q(cutoff: datetime) -> Q:
    closed = ~Q(case__status__in=OPEN_CASE_STATUSES) & Q(case__status_changed_at__lt=cutoff)
    return Q(unsubscribed_at__lt=cutoff) | closed


RETENTION_DECIDED_BY = "Registro: política de conservación"


@retention_applier("closed_case_entries")
def _closed_case_entries(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                         actor: Any) -> RetentionOutcome:
    # The family asked to keep it: a decision to publish recorded after the closing.
    kept_by_family = CasePublicationDecision.objects.filter(
        case=OuterRef("pk"), recorded_at__gt=OuterRef("status_changed_at")).exclude(
        publication=CasePublication.WITHHOLD)
    due = (Case.objects.filter(status=CaseStatus.FOUND_ALIVE, status_changed_at__lt=cutoff)
           .exclude(publication=CasePublication.WITHHOLD).exclude(Exists(kept_by_family))
           .order_by("id"))
    outcome = RetentionOutcome(rule)
    for case in due.iterator(chunk_size=500):
        outcome.count += 1
        outcome.items.append(case.folio)
        if not dry_run:
            case_publication_decide(
                case=case, publication=CasePublication.WITHHOLD,
                decided_by=RETENTION_DECIDED_BY, actor=actor,
                # Short: the case's history keeps it as its change reason (100 characters).
                reason=f"Retención ({rule.data}): {rule.period.days} días tras el cierre")
    return outcome


@retention_applier("audit_events")
def _audit_events_kept(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                       actor: Any) -> RetentionOutcome:
    # Reported, never removed: the count of events older than the period.
    return RetentionOutcome(rule, AuditEvent.objects.filter(occurred_at__lt=cutoff).count())

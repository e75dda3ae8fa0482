"""Write audit events, chained by hash so that tampering shows; anchor the chain.

Each event's hash covers its own content and the previous event's hash; changing
or removing any event breaks every hash after it (``manage.py verify_audit_chain``).
Cutting events off the end leaves a shorter chain that still verifies: signed
checkpoints of the head (``audit_checkpoint_write``, run periodically by
``manage.py audit_checkpoint``), kept where the application's role cannot rewrite
them, make the verification fail when an event they name is gone or changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from registry.keys import require_keys
from registry.models import AuditCheckpoint, AuditEvent

checkpoint_log = logging.getLogger("registry.audit.checkpoint")

GENESIS_HASH = "0" * 64
# Any fixed number: all writers of the audit log take this PostgreSQL advisory lock,
# so two concurrent events cannot both chain onto the same predecessor.
_AUDIT_LOCK_KEY = 7_404_221


def _event_digest(event: AuditEvent) -> str:
    payload = {
        "previous_hash": event.previous_hash,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "ip_address": event.ip_address,
        "details": event.details,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client's address: REMOTE_ADDR, or the one the trusted proxies saw.

    Behind ``TRUSTED_PROXY_HOPS`` reverse proxies (settings), each appends the address
    it received from to X-Forwarded-For, so the client is that many entries from the
    right; anything further left was written by the client and is not believed. With
    a missing or short header the request did not come through the proxies, and
    REMOTE_ADDR is used. Rate limits and the audit log key on this address.
    """
    if request is None:
        return None
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops > 0:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(candidate))
    return request.META.get("REMOTE_ADDR") or None


def current_request() -> HttpRequest | None:
    """Return the request this thread is serving, if any (for audit rows written by signals).

    simple-history's ``HistoryRequestMiddleware`` (settings) already keeps it, to tell
    who made each historical version; the audit log reads the same one rather than
    keeping a second copy. Outside a request (commands, tasks, tests) there is none.
    """
    return getattr(HistoricalRecords.context, "request", None)


def current_actor() -> tuple[Any | None, str | None]:
    """Return the user and client address of the current request, or (None, None)."""
    request = current_request()
    if request is None:
        return None, None
    user = getattr(request, "user", None)
    return (user if user is not None and user.is_authenticated else None), client_ip(request)


def audit_event_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    1. Take the audit lock (PostgreSQL) inside the caller's transaction.
    2. Read the last event's hash.
    3. Hash this event's content with it and insert.
    """
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        last_hash = _locked_chain_head()
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=actor.get_username() if is_user else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=purpose,
            ip_address=ip_address,
            details=details or {},
            previous_hash=last_hash,
        )
        # Hash what the database will give back (JSON round-trip of details).
        event.details = json.loads(json.dumps(event.details, default=str))
        event.event_hash = _event_digest(event)
        event.save(force_insert=True)
    return event


def audit_events_record_many(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append many events at once (bulk writers: a batch's automatic links).

    Each item holds ``audit_event_record``'s keyword arguments (``actor`` a user or
    None, ``action``, ``object_type``, ``object_id``, ``purpose``, ``details``). The
    chain is the same as writing them one by one: one lock, one read of the head,
    hashes chained in order, one multi-row insert.
    """
    if not events:
        return []
    with transaction.atomic():
        last_hash = _locked_chain_head()
        rows = []
        now = timezone.now()
        for item in events:
            actor = item.get("actor")
            is_user = actor is not None and getattr(actor, "is_authenticated", False)
            event = AuditEvent(
                occurred_at=now, actor=actor if is_user else None,
                actor_label=actor.get_username() if is_user else "",
                action=item["action"], object_type=item.get("object_type", ""),
                object_id=item.get("object_id", ""), purpose=item.get("purpose", ""),
                ip_address=item.get("ip_address"),
                details=json.loads(json.dumps(item.get("details") or {}, default=str)),
                previous_hash=last_hash,
            )
            event.event_hash = last_hash = _event_digest(event)
            rows.append(event)
        # Ids in insertion order keep the chain's order (verify_audit_chain reads by id).
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return rows


def _locked_chain_head() -> str:
    """Take the audit lock (PostgreSQL; inside the caller's transaction) and return the
    last event's hash: whoever appends next chains onto it without a race."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    return (AuditEvent.objects.order_by("-id").values_list("event_hash", flat=True).first()
            or GENESIS_HASH)


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_chain_breaks() -> Iterator[ChainBreak]:
    """Yield every place where the stored chain does not verify, oldest first; then every
    checkpoint the log no longer agrees with."""
    expected_previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != expected_previous:
            yield ChainBreak(event.id, "previous hash does not match the event before it")
        if _event_digest(event) != event.event_hash:
            yield ChainBreak(event.id, "content does not match its hash")
        expected_previous = event.event_hash
    yield from audit_checkpoint_breaks(AuditCheckpoint.objects.order_by("id"))


# --- Checkpoints ---------------------------------------------------------------------------

def _checkpoint_key() -> bytes:
    require_keys()
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if configured:
        return configured.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"registry.audit.checkpoint",
                    hashlib.sha256).digest()


def checkpoint_signature(*, last_event_id: int, last_event_hash: str, event_count: int,
                         created_at: str) -> str:
    """Return the HMAC-SHA256 of a checkpoint's fields (``AUDIT_CHECKPOINT_KEY``)."""
    message = f"{last_event_id}:{last_event_hash}:{event_count}:{created_at}".encode()
    return hmac.new(_checkpoint_key(), message, hashlib.sha256).hexdigest()


def audit_checkpoint_write() -> AuditCheckpoint:
    """Write a signed checkpoint of the log's head; also log it (and append it to
    ``AUDIT_CHECKPOINT_FILE`` if set) for a copy outside the database.

    1. Take the audit lock, so the head does not move while it is read.
    2. Read the last event's id and hash and count the events.
    3. Sign them with the time and insert the checkpoint.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        head = AuditEvent.objects.order_by("-id").values_list("id", "event_hash").first()
        last_id, last_hash = head or (0, GENESIS_HASH)
        count = AuditEvent.objects.count()
        created_at = timezone.now()
        checkpoint = AuditCheckpoint(
            created_at=created_at, last_event_id=last_id, last_event_hash=last_hash,
            event_count=count, signature=checkpoint_signature(
                last_event_id=last_id, last_event_hash=last_hash, event_count=count,
                created_at=created_at.isoformat()))
        checkpoint.save(force_insert=True)
    line = json.dumps(checkpoint_as_dict(checkpoint), sort_keys=True)
    checkpoint_log.info("audit checkpoint %s", line)
    path = getattr(settings, "AUDIT_CHECKPOINT_FILE", "")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return checkpoint


def checkpoint_as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {"created_at": checkpoint.created_at.isoformat(),
            "last_event_id": checkpoint.last_event_id,
            "last_event_hash": checkpoint.last_event_hash,
            "event_count": checkpoint.event_count, "signature": checkpoint.signature}


def audit_checkpoint_breaks(checkpoints: Any) -> Iterator[ChainBreak]:
    """Yield what does not agree between the log and each checkpoint (models or dicts,
    such as the lines of ``AUDIT_CHECKPOINT_FILE``).

    A checkpoint must carry a valid signature; the event it names must still be there
    with the same hash; and as many events must stand at or before it as it counted.
    """
    for checkpoint in checkpoints:
        data = checkpoint if isinstance(checkpoint, dict) else checkpoint_as_dict(checkpoint)
        last_id, last_hash = int(data["last_event_id"]), data["last_event_hash"]
        expected = checkpoint_signature(
            last_event_id=last_id, last_event_hash=last_hash,
            event_count=int(data["event_count"]), created_at=data["created_at"])
        if not hmac.compare_digest(expected, str(data["signature"])):
            yield ChainBreak(last_id, f"checkpoint of {data['created_at']} has a bad signature")
            continue
        if last_id == 0:
            continue
        stored = AuditEvent.objects.filter(id=last_id).values_list("event_hash", flat=True)
        found = stored.first()
        if found is None:
            yield ChainBreak(last_id, f"event named by the checkpoint of {data['created_at']} "
                                      "is missing (events cut off the log)")
        elif found != last_hash:
            yield ChainBreak(last_id, f"event named by the checkpoint of {data['created_at']} "
                                      "has another hash")
        elif AuditEvent.objects.filter(id__lte=last_id).count() != int(data["event_count"]):
            yield ChainBreak(last_id, f"the checkpoint of {data['created_at']} counted "
                                      f"{data['event_count']} events up to it")

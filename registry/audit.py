"""Write audit events, chained by hash so that tampering shows.

Each event's hash covers its own content and the previous event's hash; changing
or removing any event breaks every hash after it (``manage.py verify_audit_chain``).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from registry.models import AuditEvent

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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        last_hash = (
            AuditEvent.objects.order_by("-id").values_list("event_hash", flat=True).first()
            or GENESIS_HASH
        )
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


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_chain_breaks() -> Iterator[ChainBreak]:
    """Yield every place where the stored chain does not verify, oldest first."""
    expected_previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != expected_previous:
            yield ChainBreak(event.id, "previous hash does not match the event before it")
        if _event_digest(event) != event.event_hash:
            yield ChainBreak(event.id, "content does not match its hash")
        expected_previous = event.event_hash

"""The family lookup's limits: a guesser is stopped, a family is not.

Counted before any hashing (``registry.ratelimit``), in the shared cache:

1. Per address, across folios: 10 attempts in 15 minutes. A lookup that succeeds is
   taken back, so a search collective helping several families from one computer is
   never locked out by its successes, only by its mistakes.
2. Per folio *and* address: 5 attempts in 15 minutes. Five wrong codes lock that folio
   for the address that typed them, not for the family typing the right code from
   its own phone. A success starts the count afresh.
3. A prosecutor of the case may lift the locks of its folio for every address
   (``family_lookup_limits_reset``, on the case page): the counters are keyed with a
   per-folio generation, which the reset bumps. Audited.

There is no lock per folio for everyone: it would let anyone lock a family out. A
guesser spread over many addresses still meets a 12-character code of 32 symbols
(60 bits) and the per-address limit; each refused window is audited.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from registry.audit import audit_event_record
from registry.models import AuditEvent, Case
from registry.ratelimit import (
    Limit,
    rate_limit_generation,
    rate_limit_generation_bump,
)

FAMILY_LIMIT_PER_IP = Limit("family-ip", attempts=10, window_seconds=15 * 60)
FAMILY_LIMIT_PER_FOLIO = Limit("family-folio-ip", attempts=5, window_seconds=15 * 60)
_GENERATION_SCOPE = "family-folio-generation"


def folio_limit_key(folio: str) -> str:
    """Return the folio as the limits know it: trimmed, spaces collapsed, upper case."""
    return " ".join(folio.split()).upper()


def family_limit_checks(*, folio: str, ip_address: str | None) -> list[tuple[Limit, str]]:
    """Return the (limit, key) pairs one lookup counts against: address, folio+address."""
    ip_key = ip_address or "unknown"
    folio_key = folio_limit_key(folio)
    generation = rate_limit_generation(_GENERATION_SCOPE, folio_key)
    return [(FAMILY_LIMIT_PER_IP, ip_key),
            (FAMILY_LIMIT_PER_FOLIO, f"{generation}:{folio_key}:{ip_key}")]


def family_lookup_limits_reset(*, case: Case, actor: Any, ip_address: str | None = None) -> None:
    """Lift the lookup locks of a case's folio for every address; audit it."""
    rate_limit_generation_bump(_GENERATION_SCOPE, folio_limit_key(case.folio))
    audit_event_record(actor=actor, action=AuditEvent.Action.ACCESS_CODE, target=case,
                       ip_address=ip_address,
                       purpose=_("Desbloqueo de la consulta familiar"),
                       details={"family_lookup_limits": "reset"})

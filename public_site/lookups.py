"""The public site's two audited lookups: a family's case and the detention consultation.

They only read, but every attempt leaves an audit row (through ``registry.audit``)
and counts against a rate limit, so they are kept apart from the plain selectors.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db.models import Q
from django.utils.translation import gettext as _

from mxnames.text import search_key
from public_site.detention import DetentionQuery, detention_lookup
from registry.audit import audit_event_record
from registry.family_limits import family_limit_checks
from registry.models import AuditEvent, Case
from registry.ratelimit import Limit, rate_limit_count, rate_limit_refund, rate_limit_reset

# Checked when the folio is unknown or has no code, so that a wrong folio costs the
# same password-hasher work as a wrong code (no enumeration of folios by timing).
# One per hasher configuration, so it always costs what a current code costs.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    hasher = get_hasher("default")
    key = f"{hasher.algorithm}:{getattr(hasher, 'iterations', '')}"
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = make_password(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[key]

DETENTION_LIMIT_PER_IP = Limit("detention-ip", attempts=20, window_seconds=10 * 60)

_CODE_CHARACTERS = re.compile(r"[^0-9A-Z]")
# Crockford's base32 reads I and L as 1 and O as 0: families copy codes by hand.
_CODE_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


class LookupResult(StrEnum):
    OK = "ok"
    DENIED = "denied"
    LIMITED = "limited"


@dataclass(frozen=True)
class FamilyLookup:
    result: LookupResult
    case: Case | None = None
    retry_minutes: int = 0
    # After a wrong folio or code: attempts left before this address must wait
    # ``retry_minutes`` (the same answer for a wrong folio as for a wrong code).
    remaining: int = 0


def normalise_folio(folio: str) -> str:
    """Return the folio as typed, trimmed, with inner spaces collapsed."""
    return " ".join(folio.split())


def normalise_access_code(code: str) -> str:
    """Return the code as issued (XXXX-XXXX-XXXX) from what a family typed."""
    raw = _CODE_CHARACTERS.sub("", code.upper().translate(_CODE_LOOKALIKES))
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _case_by_folio(folio: str) -> Case | None:
    return (Case.objects.select_related("missing_report__event_state",
                                        "missing_report__agency", "agency")
            .filter(Q(folio=folio) | Q(folio=folio.upper())).first())


def family_case_lookup(*, folio: str, access_code: str,
                       ip_address: str | None) -> FamilyLookup:
    """Open a case with its folio and access code; audit the attempt whatever its result.

    1. Count the attempt against the address and the folio-and-address limits
       (``registry.family_limits``, shared cache) before any hashing; over either,
       answer LIMITED (RateLimitUnavailable fails closed). The first refusal of each
       lockout window is audited, not every one after it.
    2. Check the code against the case's hash, or against a dummy hash when the folio
       is unknown or has no code, so both failures cost the same.
    3. Compare folios in constant time. OK: the folio's count starts afresh and the
       address gets its attempt back. DENIED (the same for both failures): with the
       attempts left before a wait.
    """
    folio = normalise_folio(folio)
    code = normalise_access_code(access_code)
    folio_key = folio.upper()
    checks = family_limit_checks(folio=folio, ip_address=ip_address)
    attempts = rate_limit_count(*checks)
    refused = [attempt for attempt in attempts if not attempt.allowed]
    if refused:
        if any(attempt.first_refusal for attempt in refused):
            _audit_family_lookup(None, LookupResult.LIMITED, ip_address)
        return FamilyLookup(LookupResult.LIMITED,
                            retry_minutes=max(a.limit.minutes for a in refused))

    case = _case_by_folio(folio)
    has_code = case is not None and bool(case.access_code_hash)
    code_ok = check_password(code, case.access_code_hash if has_code else _dummy_hash())
    stored_folio = case.folio.upper() if case is not None else ""
    folio_ok = hmac.compare_digest(stored_folio.encode(), folio_key.encode())
    if code_ok and folio_ok and has_code:
        (ip_limit, ip_key), (folio_limit, folio_limit_key) = checks
        rate_limit_reset(folio_limit, folio_limit_key)
        rate_limit_refund(ip_limit, ip_key)
        _audit_family_lookup(case, LookupResult.OK, ip_address)
        return FamilyLookup(LookupResult.OK, case=case)
    _audit_family_lookup(case, LookupResult.DENIED, ip_address)
    tightest = min(attempts, key=lambda a: a.limit.attempts - a.count)
    return FamilyLookup(LookupResult.DENIED, retry_minutes=tightest.limit.minutes,
                        remaining=tightest.limit.attempts - tightest.count)


def _audit_family_lookup(case: Case | None, result: LookupResult,
                         ip_address: str | None) -> None:
    audit_event_record(
        actor=None, action=AuditEvent.Action.FAMILY_LOOKUP, object_type="registry.case",
        object_id=str(case.pk) if case is not None else "", ip_address=ip_address,
        purpose=_("Consulta familiar del estado del caso"), details={"result": str(result)},
    )


@dataclass(frozen=True)
class DetentionLookup:
    result: LookupResult
    matches: tuple[dict, ...] = ()
    retry_minutes: int = 0


def detention_lookup_perform(*, query: DetentionQuery,
                             ip_address: str | None) -> DetentionLookup:
    """Answer the public detention consultation for one specific name; audit it."""
    ip_key = ip_address or "unknown"
    (attempt,) = rate_limit_count((DETENTION_LIMIT_PER_IP, ip_key))
    if not attempt.allowed:
        if attempt.first_refusal:
            audit_event_record(actor=None, action=AuditEvent.Action.DETENTION_LOOKUP,
                               ip_address=ip_address, details={"result": "limited"})
        return DetentionLookup(LookupResult.LIMITED,
                               retry_minutes=DETENTION_LIMIT_PER_IP.minutes)
    matches = detention_lookup(query)
    audit_event_record(
        actor=None, action=AuditEvent.Action.DETENTION_LOOKUP, ip_address=ip_address,
        purpose=_("Consulta pública de detención"),
        details={"result": "ok", "query": search_key(query.given_names, query.paternal_surname,
                                                     query.maternal_surname),
                 "age": query.age, "matches": len(matches)},
    )
    return DetentionLookup(LookupResult.OK, matches=tuple(matches))

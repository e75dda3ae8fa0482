"""Fixed-window rate limits in the shared cache, checked before any expensive work.

A limit counts *attempts*, not failures, and counts them before the password hasher
runs: counting failures afterwards would let a burst of parallel requests each pay
for a hash check before the first failure is recorded.

The counters must live in a cache shared by every server process (Redis in
production: ``REDIS_URL``); with ``RATE_LIMIT_REQUIRE_SHARED_CACHE`` on (the default
outside debug mode) a per-process cache is refused, and any cache error refuses the
request too: the limiter fails closed.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


class RateLimitUnavailable(Exception):
    """The shared counter store cannot be used: refuse the request (fail closed)."""


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` in ``window_seconds``; then locked until the window ends."""

    scope: str
    attempts: int
    window_seconds: int

    @property
    def minutes(self) -> int:
        return max(1, self.window_seconds // 60)


def _cache():
    alias = getattr(settings, "RATE_LIMIT_CACHE", "default")
    backend = settings.CACHES[alias]["BACKEND"]
    if getattr(settings, "RATE_LIMIT_REQUIRE_SHARED_CACHE", True) and backend in _LOCAL_BACKENDS:
        raise RateLimitUnavailable(f"cache {alias!r} is per-process ({backend})")
    return caches[alias]


def _counter_key(limit: Limit, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"ratelimit:{limit.scope}:{digest}"


def rate_limit_attempt(limit: Limit, key: str) -> bool:
    """Count one attempt under ``key``; return True if it is within the limit.

    Raises RateLimitUnavailable if the counter cannot be kept (fail closed).
    """
    counter = _counter_key(limit, key)
    try:
        store = _cache()
        store.add(counter, 0, timeout=limit.window_seconds)
        try:
            count = store.incr(counter)
        except ValueError:  # expired between add() and incr()
            store.set(counter, 1, timeout=limit.window_seconds)
            count = 1
    except RateLimitUnavailable:
        raise
    except Exception as exc:  # any cache failure must refuse, not allow
        raise RateLimitUnavailable(str(exc)) from exc
    return count <= limit.attempts


def rate_limit_reset(limit: Limit, key: str) -> None:
    """Forget the attempts under ``key`` (after a successful family lookup)."""
    # A stale counter only delays the family; it must not turn a success into an error.
    with contextlib.suppress(Exception):
        _cache().delete(_counter_key(limit, key))


def rate_limit_first_refusal(limit: Limit, key: str) -> bool:
    """Return True for the first refusal under ``key`` in the current window.

    Refusals are audited once per window and key: an attacker hammering a locked folio
    must not be able to flood the audit log, whose hash chain serialises every writer.
    """
    marker = _counter_key(limit, key) + ":refused"
    try:
        return bool(_cache().add(marker, 1, timeout=limit.window_seconds))
    except Exception:  # an unknown state audits: better one row too many than none
        return True

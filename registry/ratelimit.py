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
from django.core.cache.backends.redis import RedisCache

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


@dataclass(frozen=True)
class Attempt:
    """The outcome of counting one attempt against one limit."""

    limit: Limit
    key: str
    count: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit.attempts

    @property
    def first_refusal(self) -> bool:
        # Exactly one request per window sees this count, however many run at once:
        # refusals are audited once per window and key, so that an attacker hammering
        # a locked folio cannot flood the audit log (its hash chain serialises writers).
        return self.count == self.limit.attempts + 1


def rate_limit_count(*checks: tuple[Limit, str]) -> list[Attempt]:
    """Count one attempt under each (limit, key) and return the counts, in order.

    On Redis every counter is created (with its window) and incremented in one round
    trip. Raises RateLimitUnavailable if the counters cannot be kept (fail closed).
    """
    try:
        store = _cache()
        if isinstance(store, RedisCache):
            counts = _redis_counts(store, checks)
        else:
            counts = [_generic_count(store, limit, key) for limit, key in checks]
    except RateLimitUnavailable:
        raise
    except Exception as exc:  # any cache failure must refuse, not allow
        raise RateLimitUnavailable(str(exc)) from exc
    return [Attempt(limit, key, count) for (limit, key), count in zip(checks, counts,
                                                                       strict=True)]


def _redis_counts(store: RedisCache, checks: tuple[tuple[Limit, str], ...]) -> list[int]:
    client = store._cache.get_client(write=True)
    pipeline = client.pipeline(transaction=False)
    for limit, key in checks:
        name = store.make_and_validate_key(_counter_key(limit, key))
        pipeline.set(name, 0, ex=limit.window_seconds, nx=True)
        pipeline.incr(name)
    replies = pipeline.execute()
    return [int(count) for count in replies[1::2]]


def _generic_count(store, limit: Limit, key: str) -> int:
    counter = _counter_key(limit, key)
    store.add(counter, 0, timeout=limit.window_seconds)
    try:
        return store.incr(counter)
    except ValueError:  # expired between add() and incr()
        store.set(counter, 1, timeout=limit.window_seconds)
        return 1


def rate_limit_refund(limit: Limit, key: str) -> None:
    """Take back one counted attempt under ``key`` (a lookup that succeeded)."""
    with contextlib.suppress(Exception):  # as for a reset: never turn a success into an error
        _cache().decr(_counter_key(limit, key))


def rate_limit_generation(scope: str, key: str) -> int:
    """Return the generation of ``key`` in ``scope`` (0 until it is bumped): counters keyed
    with it start afresh when it is bumped (``rate_limit_generation_bump``)."""
    try:
        return int(_cache().get(_counter_key(Limit(scope, 0, 0), key), 0))
    except RateLimitUnavailable:
        raise
    except Exception as exc:
        raise RateLimitUnavailable(str(exc)) from exc


def rate_limit_generation_bump(scope: str, key: str) -> None:
    """Start every counter keyed with this generation afresh (kept without expiry)."""
    store = _cache()
    name = _counter_key(Limit(scope, 0, 0), key)
    store.add(name, 0, timeout=None)
    store.incr(name)


def rate_limit_reset(limit: Limit, key: str) -> None:
    """Forget the attempts under ``key`` (after a successful family lookup)."""
    # A stale counter only delays the family; it must not turn a success into an error.
    with contextlib.suppress(Exception):
        _cache().delete(_counter_key(limit, key))

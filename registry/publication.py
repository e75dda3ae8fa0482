"""Which generation of the public outputs is current.

A publication decision changes what the public may receive (``registry.redaction``'s
``CASE_AUDIENCES``). Outputs that are cached (the public statistics) key their cache on
this generation, so that a family's veto takes the case out of the cached counts at
once instead of when the cache expires. The generation lives in the shared cache
(Redis in production); without one each process has its own and a cached figure waits
for its expiry there.
"""

from __future__ import annotations

from django.core.cache import cache

_GENERATION_KEY = "registry:public-outputs:generation"


def public_outputs_generation() -> int:
    """Return the current generation (0 until the first decision after a cache reset)."""
    return int(cache.get(_GENERATION_KEY) or 0)


def public_outputs_changed() -> None:
    """Start a new generation: cached public figures are computed again."""
    cache.add(_GENERATION_KEY, 0, timeout=None)
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(_GENERATION_KEY, 1, timeout=None)

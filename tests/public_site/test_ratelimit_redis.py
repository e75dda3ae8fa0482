"""The rate limits on the real shared cache (Redis), as production runs them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from registry.ratelimit import (
    Limit,
    RateLimitUnavailable,
    rate_limit_count,
    rate_limit_reset,
)

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"
LIMIT = Limit("test-scope", attempts=3, window_seconds=120)
OTHER = Limit("test-other", attempts=1, window_seconds=60)


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {**settings.CACHES, "ratelimit-test": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": "t"}}
    settings.RATE_LIMIT_CACHE = "ratelimit-test"
    settings.RATE_LIMIT_REQUIRE_SHARED_CACHE = True
    store = caches["ratelimit-test"]
    store.clear()
    yield store
    store.clear()  # Django drops the cache connections itself when CACHES is restored


def test_counts_every_limit_in_one_call_and_sets_the_window(redis_cache):
    for expected in (1, 2, 3, 4):
        first, second = rate_limit_count((LIMIT, "10.0.0.1"), (OTHER, "FOLIO-1"))
        assert (first.count, second.count) == (expected, expected)
    assert first.allowed is False and second.allowed is False
    client = redis_cache._cache.get_client(write=True)
    keys = client.keys("t:*ratelimit:test-scope:*")
    assert len(keys) == 1
    assert 0 < client.ttl(keys[0]) <= LIMIT.window_seconds
    # The counter is an integer Django's cache reads back as such.
    assert redis_cache.get(keys[0].decode().split(":", 2)[2]) == 4


def test_exactly_one_request_is_the_first_refusal_under_concurrency(redis_cache):
    def attempt(_index):
        (result,) = rate_limit_count((LIMIT, "10.0.0.2"))
        return result

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(40)))
    assert sum(result.allowed for result in results) == LIMIT.attempts
    assert sum(result.first_refusal for result in results) == 1
    assert sorted(result.count for result in results) == list(range(1, 41))


def test_reset_forgets_the_attempts_of_one_key_only(redis_cache):
    for _ in range(3):
        rate_limit_count((LIMIT, "A"), (LIMIT, "B"))
    rate_limit_reset(LIMIT, "A")
    first, second = rate_limit_count((LIMIT, "A"), (LIMIT, "B"))
    assert (first.count, second.count) == (1, 4)


def test_an_unreachable_redis_refuses(settings, redis_cache):
    settings.CACHES = {**settings.CACHES, "ratelimit-down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.RATE_LIMIT_CACHE = "ratelimit-down"
    with pytest.raises(RateLimitUnavailable):
        rate_limit_count((LIMIT, "10.0.0.3"))

"""Fixtures of the public-site tests: a clean cache (rate limits) and a canary world."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.canaries import seed_canary_world


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return seed_canary_world()

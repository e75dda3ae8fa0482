"""The publication fence: a veto makes public reads wait for a replica to replay it.

The replica itself (streaming, paused replay, stopped server) is exercised by the
topology's smoke test (``python -m ops.topology smoke``, a CI step); these tests cover
what the primary's side writes and how the router reads it.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from registry import replication
from registry.models import CasePublication
from registry.services import case_publication_decide


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replication, "replica_configured", lambda: True)
    cache.delete(replication.PUBLICATION_FENCE_KEY)
    yield
    cache.delete(replication.PUBLICATION_FENCE_KEY)


def test_a_veto_sets_the_fence_at_the_primarys_wal_position_after_commit(
        postgres_only, with_replica, case_a, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_publication_decide(case=case_a, publication=CasePublication.WITHHOLD,
                                decided_by="madre", reason="Por seguridad", actor=reviewer)
    fence = replication.publication_fence()
    assert fence is not None and fence > 0


def test_without_a_replica_no_fence_is_set(case_a, reviewer, django_capture_on_commit_callbacks):
    cache.delete(replication.PUBLICATION_FENCE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        case_publication_decide(case=case_a, publication=CasePublication.WITHHOLD,
                                decided_by="madre", reason="Por seguridad", actor=reviewer)
    assert replication.publication_fence() is None


@pytest.mark.parametrize(("text", "number"), [("0/0", 0), ("0/1", 1), ("1/0", 1 << 32),
                                              ("16/B374D848", (0x16 << 32) + 0xB374D848)])
def test_wal_positions_compare_as_numbers(text, number):
    assert replication.lsn_to_int(text) == number

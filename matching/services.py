"""Writes of the matching app: what happens to records once they are stored."""

from __future__ import annotations

from collections.abc import Sequence


def match_new_records(*, record_ids: Sequence[int]) -> None:
    """Match newly stored records against the registry (called once per committed batch).

    The incremental matcher plugs in here; until it does, nothing happens.
    """
    return None

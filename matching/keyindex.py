"""The blocking-key index in the database: every process finds candidates in one place.

A record's blocking keys (one per pass and orientation of the model's blocking rules,
a stable 64-bit hash of its prepared features) live in ``matching_blockingkey``.

* ``keys_refresh(record_ids)``: write (or rewrite) the keys of those records in place:
  an added record gains its keys, a changed one's are replaced, a deleted one's go.
* ``keys_catch_up()``: the same for every record changed since the index's watermark
  (edits that did not go through linkage); builds the whole table once when the
  blocking rules change, in chunks.
* ``candidate_ids(cores)``: the stored records sharing a key with any of ``cores``; a
  block holding more than ``blocking.MAX_BLOCK`` rows is read as the ``WINDOW``
  rows on either side of the new record in name order (``sort_key``), never whole.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from matching.adapter import _CORE_COLUMNS, _core_from_row, core_records
from matching.blocking import MAX_BLOCK, WINDOW, BlockingRules
from matching.models import BlockingIndexState, BlockingKey, KeyedRecord
from matching.records import column_values, prepare_columns
from registry.bulk import bulk_insert_rows
from registry.models import Record

logger = logging.getLogger("matching")

Orientation = tuple[tuple[str, ...], tuple[str, ...]]  # (query features, stored features)
CHUNK = 5000
_SORT_ALPHABET = {c: i + 1 for i, c in enumerate("abcdefghijklmnopqrstuvwxyzñ ")}


def orientations(rules: BlockingRules) -> list[Orientation]:
    """Return the passes as (query features, stored features), as ``IncrementalIndex``."""
    found: list[Orientation] = []
    for rule in rules:
        found.append((rule.left_features, rule.right_features))
        if not rule.symmetric:
            found.append((rule.right_features, rule.left_features))
    return found


def signature(rules: BlockingRules) -> str:
    text = repr(orientations(rules)).encode()
    return hashlib.sha256(text).hexdigest()[:64]


def _hash(values: tuple) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, values)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _sort_key(paternal: str, maternal: str, given: str) -> int:
    """Return an order-preserving integer of the name's first 11 letters (base 30)."""
    text = f"{paternal} {maternal} {given}"[:11].ljust(11)
    value = 0
    for char in text:
        value = value * 30 + _SORT_ALPHABET.get(char, 29)
    return value


def _prepared(cores: Sequence[dict[str, Any]]) -> dict[str, list]:
    columns = prepare_columns(list(cores))
    return {name: list(column_values(values)) for name, values in columns.items()}


def record_keys(cores: Sequence[dict[str, Any]], rules: BlockingRules, *, side: int
                ) -> list[tuple[int, int, int, int]]:
    """Return (record id, orientation, key, sort key) of every present key of ``cores``.

    ``side`` 1: the keys a stored record is found under; 0: the keys a new record looks up.
    """
    if not cores:
        return []
    columns = _prepared(cores)
    ids = [int(core["record_id"]) for core in cores]
    sorts = [_sort_key(p, m, g) for p, m, g in zip(columns["paternal"], columns["maternal"],
                                                  columns["given"], strict=True)]
    rows = []
    for number, pair in enumerate(orientations(rules)):
        features = pair[side]
        for row, values in enumerate(zip(*(columns[f] for f in features), strict=True)):
            if all(values):  # "" and 0 mean missing: no key
                rows.append((ids[row], number, _hash(values), sorts[row]))
    return rows


def _state(rules: BlockingRules) -> BlockingIndexState:
    state = BlockingIndexState.objects.order_by("pk").first()
    if state is None or state.signature != signature(rules):
        return _build(rules)
    return state


def _build(rules: BlockingRules) -> BlockingIndexState:
    """(Re)build the whole table for ``rules``: once per change of the blocking passes."""
    started = time.perf_counter()
    read_from = timezone.now() - timedelta(seconds=settings.MATCHING_INDEX_WATERMARK_LAG_SECONDS)
    with transaction.atomic():
        BlockingKey.objects.all().delete()
        KeyedRecord.objects.all().delete()
        BlockingIndexState.objects.all().delete()
        count, chunk = 0, []
        rows = Record.objects.order_by().values(*_CORE_COLUMNS, "updated_at")
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                _insert_rows(chunk, rules)
                count, chunk = count + len(chunk), []
        _insert_rows(chunk, rules)
        count += len(chunk)
        state = BlockingIndexState.objects.create(signature=signature(rules),
                                                  watermark=read_from, records=count)
    logger.info("matching: blocking-key index of %s records built in %.1f s", count,
                time.perf_counter() - started)
    return state


def _insert_rows(rows: list[dict[str, Any]], rules: BlockingRules) -> None:
    stamps = [(row["pk"], row.pop("updated_at")) for row in rows]
    _insert(record_keys([_core_from_row(row) for row in rows], rules, side=1))
    _stamp(stamps)


def _stamp(stamps: list[tuple[int, Any]]) -> None:
    # Upsert: two processes may re-key the same record at once (a web request, a task).
    KeyedRecord.objects.bulk_create(
        [KeyedRecord(record_id=pk, stamp=stamp) for pk, stamp in stamps], batch_size=2000,
        update_conflicts=True, unique_fields=["record_id"], update_fields=["stamp"])


def _insert(rows: list[tuple[int, int, int, int]]) -> None:
    bulk_insert_rows(BlockingKey, ("record_id", "orientation", "key", "sort_key"), rows)


def keys_refresh(record_ids: Iterable[int], rules: BlockingRules) -> int:
    """Rewrite the keys of ``record_ids`` from their stored values (in place; no rebuild).

    A record that no longer exists loses its keys. Return the records indexed.
    """
    _state(rules)
    ids = sorted({int(pk) for pk in record_ids})
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        stamps = dict(Record.objects.filter(pk__in=chunk).values_list("pk", "updated_at"))
        cores = list(core_records(Record.objects.filter(pk__in=chunk)))
        with transaction.atomic():
            BlockingKey.objects.filter(record_id__in=chunk).delete()
            KeyedRecord.objects.filter(record_id__in=chunk).delete()
            _insert(record_keys(cores, rules, side=1))
            _stamp([(int(core["record_id"]), stamps[int(core["record_id"])])
                    for core in cores if int(core["record_id"]) in stamps])
        done += len(cores)
    return done


def keys_catch_up(rules: BlockingRules, *, skip: Iterable[int] = ()) -> int:
    """Re-key every record changed since the watermark (edits made outside linkage).

    ``skip``: records the caller keys itself (a batch being linked).
    """
    # The window trails by the lag so rows of a transaction that committed late are
    # seen; a record keyed at its current version (KeyedRecord.stamp) is skipped, so a
    # call reads only what really changed.
    state = _state(rules)
    read_from = timezone.now() - timedelta(seconds=settings.MATCHING_INDEX_WATERMARK_LAG_SECONDS)
    changed = Record.objects.order_by()
    if state.watermark is not None:
        changed = changed.filter(updated_at__gte=state.watermark)
    stamps = dict(changed.values_list("pk", "updated_at"))
    keyed = {}
    ids_all = sorted(stamps)
    for start in range(0, len(ids_all), CHUNK):
        keyed.update(KeyedRecord.objects.filter(record_id__in=ids_all[start:start + CHUNK])
                     .values_list("record_id", "stamp"))
    skipped = set(skip)
    ids = [pk for pk, stamp in stamps.items() if keyed.get(pk) != stamp and pk not in skipped]
    done = keys_refresh(ids, rules) if ids else 0
    if state.watermark is None or read_from > state.watermark:
        BlockingIndexState.objects.filter(pk=state.pk).update(watermark=read_from)
    return done


def keys_remove(record_ids: Iterable[int]) -> None:
    """Drop the keys of deleted records (a rolled-back batch)."""
    ids = sorted({int(pk) for pk in record_ids})
    for start in range(0, len(ids), CHUNK):
        BlockingKey.objects.filter(record_id__in=ids[start:start + CHUNK]).delete()
        KeyedRecord.objects.filter(record_id__in=ids[start:start + CHUNK]).delete()


def _values(pairs: Sequence[tuple[int, int]]) -> tuple[str, list[int]]:
    # Row values: one indexed probe per (orientation, key) on PostgreSQL and SQLite alike.
    return ", ".join(["(%s, %s)"] * len(pairs)), [v for pair in pairs for v in pair]


def _block_sizes(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    if not pairs:
        return {}
    values, params = _values(pairs)
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT orientation, key, COUNT(*) FROM {table} "  # noqa: S608
                       f"WHERE (orientation, key) IN (VALUES {values}) "
                       "GROUP BY orientation, key", params)
        return {(o, k): n for o, k, n in cursor.fetchall()}


def _members(pairs: Sequence[tuple[int, int]]) -> list[int]:
    if not pairs:
        return []
    values, params = _values(pairs)
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT record_id FROM {table} "  # noqa: S608
                       f"WHERE (orientation, key) IN (VALUES {values})", params)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class CandidateReport:
    keys: int = 0
    capped_blocks: int = 0
    largest_block: int = 0
    candidates: int = 0


def candidate_ids(cores: Sequence[dict[str, Any]], rules: BlockingRules, *,
                  max_block: int = MAX_BLOCK, window: int = WINDOW
                  ) -> tuple[set[int], CandidateReport]:
    """Return the ids of stored records sharing a blocking key with any of ``cores``.

    A block larger than ``max_block`` is read as the ``window`` rows before and after
    each distinct name position of the new records in it (two indexed range reads),
    so the cost per new record is bounded whatever the data.
    """
    report = CandidateReport()
    wanted: dict[tuple[int, int], set[int]] = defaultdict(set)  # (orientation, key) -> sorts
    for _, orientation, key, sort in record_keys(cores, rules, side=0):
        wanted[(orientation, key)].add(sort)
    report.keys = len(wanted)
    found: set[int] = set()
    keys = sorted(wanted)
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        sizes = _block_sizes(chunk)
        small = [pair for pair in chunk if 0 < sizes.get(pair, 0) <= max_block]
        found.update(_members(small))
        for (orientation, key), n in sizes.items():
            report.largest_block = max(report.largest_block, n)
            if n <= max_block:
                continue
            report.capped_blocks += 1
            block = BlockingKey.objects.filter(orientation=orientation, key=key)
            for sort in sorted(wanted[(orientation, key)]):
                below = block.filter(sort_key__lte=sort).order_by("-sort_key", "-record_id")
                above = block.filter(sort_key__gt=sort).order_by("sort_key", "record_id")
                found.update(below.values_list("record_id", flat=True)[:window])
                found.update(above.values_list("record_id", flat=True)[:window])
    report.candidates = len(found)
    return found, report

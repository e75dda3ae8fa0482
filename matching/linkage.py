"""Linkage in the registry: match new records, train models, re-link everything.

Each function reads records through the adapter, scores them with the pure core and
applies the pairs (``adapter.PairDecider``: links through ``matching.services``,
review candidates, alerts). Enqueuing background work is ``matching.tasks``'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import adapter, bulk, keyindex
from matching.models import LinkageModelVersion, RelinkRun
from registry.audit import audit_event_record
from registry.models import AuditEvent, Record


def match_new_records(*, record_ids: Sequence[int], batch: bool | None = None,
                      progress: bulk.Progress | None = None) -> adapter.LinkageCounts | None:
    """Match newly stored records against the registry (called once per committed batch).

    1. Take the latest trained model; on a registry without one, train one from the
       stored records if there are enough (else log it and stop).
    2. At least ``MATCHING_BATCH_MIN_RECORDS`` records (or ``batch=True``): the batch
       path (``matching.bulk``: the core's batch linker against candidates from the
       shared key index, outcomes written in bulk). Fewer: each record against the
       stored records sharing a key with it (the same index), applied pair by pair by
       ``matching.adapter.PairDecider``. Both follow one policy (a test holds them equal).
    """
    record_ids = [int(pk) for pk in record_ids]
    if not record_ids:
        return None
    version = _model_version_or_bootstrap()
    if version is None:
        return None
    if batch is None:
        batch = len(record_ids) >= settings.MATCHING_BATCH_MIN_RECORDS
    if batch:
        found = bulk.batch_pairs(version, record_ids, progress=progress)
        counts = bulk.BulkDecider(version, progress=progress).apply(found.pairs)
        counts.capped_blocks = found.capped_blocks
        adapter.logger.info("matching: %s new records (batch path, %s capped blocks, largest "
                            "%s), %s", len(record_ids), found.capped_blocks,
                            found.largest_block, counts.as_dict())
        return counts
    pairs = bulk.indexed_pairs(version, record_ids)
    if progress:
        progress("matching", len(record_ids), len(record_ids))
    counts = adapter.PairDecider(version).apply(pairs)
    adapter.logger.info("matching: %s new records, %s", len(record_ids), counts.as_dict())
    return counts


def _model_version_or_bootstrap() -> LinkageModelVersion | None:
    version = adapter.latest_model_version()
    if version is not None:
        return version
    adapter.logger.info("matching: no trained model yet; trying to train one from the "
                        "stored records")
    outcome = adapter.linkage_model_fit(source=LinkageModelVersion.Source.BOOTSTRAP)
    return outcome.version if outcome else None


def linkage_model_train(*, source: str, actor: Any = None,
                        min_records: int | None = None) -> LinkageModelVersion | None:
    """Train a new model version on the stored records (EM, no labels) and audit it.

    Return None when there are too few records (see ``MATCHING_MIN_TRAINING_RECORDS``).
    """
    outcome = adapter.linkage_model_fit(source=source, actor=actor, min_records=min_records)
    if outcome is None:
        return None
    _audit_training(outcome.version, actor)
    return outcome.version


def _audit_training(version: LinkageModelVersion, actor: Any) -> None:
    audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=version,
                       purpose=_("Entrenamiento del modelo de vinculación"),
                       details={"records": version.records_count,
                                "upper_threshold": version.upper_threshold,
                                "lower_threshold": version.lower_threshold})


def linkage_link_all_in_process(*, source: str, actor: Any = None,
                                min_records: int | None = None
                                ) -> tuple[LinkageModelVersion | None, adapter.LinkageCounts]:
    """Train a model on the stored records and apply every pair of that run, in-process.

    For the demo and small registries: one batch linkage instead of partitioned tasks.
    """
    outcome = adapter.linkage_model_fit(source=source, actor=actor, min_records=min_records)
    if outcome is None:
        return None, adapter.LinkageCounts()
    _audit_training(outcome.version, actor)
    counts = adapter.PairDecider(outcome.version).apply(adapter.pairs_from_result(outcome.result))
    return outcome.version, counts


@dataclass(frozen=True)
class RelinkPartition:
    key: str
    record_ids: list[int]


def relink_run_prepare(*, actor: Any = None, train: bool = True
                       ) -> tuple[RelinkRun, list[RelinkPartition]]:
    """Create a re-linkage run and return it with its partitions (tasks not yet sent).

    1. Train a new model version on the stored data (or, with ``train=False``, take
       the latest one).
    2. Partition the records by the first letter of the phonetic paternal surname:
       every blocking pass that compares surnames keeps a true pair in one partition.
    """
    version = linkage_model_train(source=LinkageModelVersion.Source.RELINK, actor=actor) \
        if train else adapter.latest_model_version()
    if version is None:
        raise ValidationError(_("No hay un modelo de vinculación ni registros suficientes "
                                "para entrenarlo."))
    # The key index for this model's passes, once, before the tasks read it in parallel.
    keyindex.keys_catch_up(adapter.load_model(version).blocking_rules)
    groups: dict[str, list[int]] = {}
    rows = Record.objects.order_by("pk").values_list("pk", "paternal_surname")
    for pk, paternal_surname in rows.iterator(chunk_size=10000):
        groups.setdefault(adapter.partition_key(paternal_surname), []).append(pk)
    partitions = [RelinkPartition(key, ids) for key, ids in sorted(groups.items())]
    with transaction.atomic():
        run = RelinkRun.objects.create(
            model_version=version, partition_key="phonetic_paternal_initial",
            partitions_total=len(partitions), records_total=sum(len(p.record_ids)
                                                                for p in partitions),
            requested_by=actor)
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=run,
                           purpose=_("Revinculación completa"),
                           details={"model_version": version.label,
                                    "partitions": len(partitions)})
    if not partitions:
        _relink_run_finish_if_complete(run.pk)
    return run, partitions


def relink_partition_run(*, run_id: int, key: str, record_ids: Sequence[int]
                         ) -> adapter.LinkageCounts:
    """Link the records of one partition with the run's model and record the progress.

    1. Score the partition's records with the run's model (no training) against each
       other and against every stored record sharing a blocking key with them, in any
       partition (the key index: a misspelt first letter, swapped surnames or no
       paternal surname no longer hide a pair).
    2. Apply them (``PairDecider``: decisions respected, nothing duplicated, safe when
       two partitions' tasks meet the same pair).
    3. Add the counts to the run; the last partition marks the run done.
    """
    run = RelinkRun.objects.select_related("model_version").get(pk=run_id)
    try:
        found = bulk.batch_pairs(run.model_version, record_ids, refresh_keys=False)
        counts = adapter.PairDecider(run.model_version).apply(found.pairs)
    except Exception as error:
        RelinkRun.objects.filter(pk=run_id).update(
            status=RelinkRun.Status.FAILED, finished_at=timezone.now(),
            error_message=f"{key}: {error!r}"[:2000])
        raise
    RelinkRun.objects.filter(pk=run_id).update(
        partitions_done=F("partitions_done") + 1, pairs=F("pairs") + counts.pairs,
        links=F("links") + counts.links, candidates=F("candidates") + counts.candidates,
        alerts=F("alerts") + counts.alerts)
    _relink_run_finish_if_complete(run_id)
    return counts


def _relink_run_finish_if_complete(run_id: int) -> None:
    RelinkRun.objects.filter(pk=run_id, status=RelinkRun.Status.RUNNING,
                             partitions_done=F("partitions_total")).update(
        status=RelinkRun.Status.DONE, finished_at=timezone.now())

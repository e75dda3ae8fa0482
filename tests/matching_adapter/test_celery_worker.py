"""A real Celery worker on the real Redis broker (database 4) runs a relink's partitions."""

from __future__ import annotations

import pytest

from matching.linkage import relink_run_prepare
from matching.models import RelinkRun
from registry.models import Alert, RecordKind
from tests import factories
from tests.celery_worker import celery_worker
from tests.matching_adapter.conftest import person_fields, record, twin_of

BROKER = "redis://127.0.0.1:6379/4"


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_links_every_partition_of_a_relink_run(postgres_only, model_version,
                                                        agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    case = factories.CaseFactory(agency=agency_a, missing_report=report)
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    other = person_fields(given_names="Jesús", paternal_surname="Villalobos",
                          maternal_surname="Arce", sex="H")
    record(RecordKind.MISSING_REPORT, agency_a, **other)
    record(RecordKind.DETENTION, agency_police, **other)
    run, partitions = relink_run_prepare(train=False)
    assert len(partitions) == 2

    with celery_worker(broker=BROKER, queue_prefix="matching-test") as worker:
        for partition in partitions:
            worker.send("matching.tasks.relink_partition", run.pk, partition.key,
                        partition.record_ids)
        finished = worker.wait_for(_finished(run))

    assert finished.status == RelinkRun.Status.DONE, finished.error_message
    assert finished.partitions_done == 2 and finished.links == 2
    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id == detention.person_id is not None
    assert Alert.objects.get().case == case


def _finished(run: RelinkRun):
    def check() -> RelinkRun | None:
        run.refresh_from_db()
        return run if run.status != RelinkRun.Status.RUNNING else None

    return check

"""A real Celery worker on the real Redis broker (database 4) runs a relink's partitions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from matching.models import RelinkRun
from matching.services import relink_run_prepare
from registry.models import Alert, RecordKind
from tests import factories
from tests.matching_adapter.conftest import person_fields, record, twin_of

ROOT = Path(__file__).resolve().parents[2]
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

    queue = f"matching-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": BROKER,
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"
                           + connection.settings_dict["NAME"]}
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sender = Celery(broker=BROKER)
    try:
        for partition in partitions:
            sender.send_task("matching.tasks.relink_partition",
                             args=[run.pk, partition.key, partition.record_ids], queue=queue)
        finished = _wait_until_finished(run, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        sender.close()

    assert finished.status == RelinkRun.Status.DONE, finished.error_message
    assert finished.partitions_done == 2 and finished.links == 2
    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id == detention.person_id is not None
    assert Alert.objects.get().case == case


def _wait_until_finished(run: RelinkRun, worker) -> RelinkRun:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.stderr.read().decode()
        run.refresh_from_db()
        if run.status != RelinkRun.Status.RUNNING:
            return run
        time.sleep(0.2)
    raise AssertionError(f"the worker did not finish the run: {run}")

"""A real Celery worker on the real Redis broker imports a file end to end."""

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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from imports.models import ImportBatch
from imports.services import import_batch_create
from registry.models import Record
from tests.imports.files import csv_bytes, detention_rows

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/1"


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_previews_and_commits_a_batch(postgres_only, agency_a, owner, media_root):
    batch = import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                                upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(500))),
                                file_name="d.csv")
    queue = f"imports-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_DEBUG": "true", "MEDIA_ROOT": str(media_root),
           "CELERY_BROKER_URL": BROKER,
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"
                           + connection.settings_dict["NAME"]}
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sender = Celery(broker=BROKER)
    try:
        sender.send_task("imports.tasks.run_import_batch", args=[batch.pk, True], queue=queue)
        assert _wait_for(batch, ImportBatch.Status.PREVIEWED, worker).rows_created == 500
        assert not Record.objects.exists()

        sender.send_task("imports.tasks.run_import_batch", args=[batch.pk, False], queue=queue)
        committed = _wait_for(batch, ImportBatch.Status.COMMITTED, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        sender.close()

    assert committed.rows_created == 500
    assert Record.objects.filter(agency=agency_a, import_batch=batch).count() == 500


def _wait_for(batch: ImportBatch, status: str, worker) -> ImportBatch:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.stderr.read().decode()
        batch.refresh_from_db()
        if batch.status == status:
            return batch
        assert batch.status != ImportBatch.Status.FAILED, batch.error_message
        time.sleep(0.2)
    raise AssertionError(f"the worker did not reach {status}; batch is {batch.status}")

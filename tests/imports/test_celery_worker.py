"""A real Celery worker on the real Redis (or RabbitMQ) broker imports a file end to end."""

from __future__ import annotations

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.intake import import_batch_create
from imports.models import ImportBatch
from registry.models import Record
from tests.celery_worker import celery_worker
from tests.imports.files import csv_bytes, detention_rows

BROKER = "redis://127.0.0.1:6379/1"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def _rabbitmq_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_previews_and_commits_a_batch(postgres_only, agency_a, owner, media_root):
    batch = import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                                upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(500))),
                                file_name="d.csv")
    with celery_worker(broker=BROKER, queue_prefix="imports-test",
                       extra_env={"MEDIA_ROOT": str(media_root)}) as worker:
        worker.send("imports.tasks.run_import_batch", batch.pk, True)
        assert worker.wait_for(_reached(batch, ImportBatch.Status.PREVIEWED)).rows_created == 500
        assert not Record.objects.exists()

        worker.send("imports.tasks.run_import_batch", batch.pk, False)
        committed = worker.wait_for(_reached(batch, ImportBatch.Status.COMMITTED))

    assert committed.rows_created == 500
    assert Record.objects.filter(agency=agency_a, import_batch=batch).count() == 500


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_on_rabbitmq_commits_a_batch(postgres_only, agency_a, owner, media_root):
    """The same task through RabbitMQ (AMQP) instead of Redis: either broker works."""
    if not _rabbitmq_running():
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    batch = import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                                upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(50))),
                                file_name="d.csv")
    with celery_worker(broker=RABBITMQ, queue_prefix="imports-amqp",
                       extra_env={"MEDIA_ROOT": str(media_root)}) as worker:
        worker.send("imports.tasks.run_import_batch", batch.pk, False)
        committed = worker.wait_for(_reached(batch, ImportBatch.Status.COMMITTED))
    assert committed.rows_created == 50


def _reached(batch: ImportBatch, status: str):
    def check() -> ImportBatch | None:
        batch.refresh_from_db()
        assert batch.status != ImportBatch.Status.FAILED, batch.error_message
        return batch if batch.status == status else None

    return check

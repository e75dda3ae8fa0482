"""A batch commits whole or not at all: errors, a killed process, concurrent imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections

from imports import batch as importer
from imports import progress
from imports.intake import import_batch_create
from imports.models import ImportBatch, RejectedRow, RowIssue
from imports.progress import import_batch_reap_if_dead
from imports.readers import ImportFileError
from imports.services import import_batch_commit
from registry.models import Record
from tests.imports.files import csv_bytes, detention_row, detention_rows

ROOT = Path(__file__).resolve().parents[2]


def _fail_on_second_chunk(monkeypatch, error):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    original = importer.BatchImporter._store_accepted
    calls = []

    def flaky(self, accepted):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return original(self, accepted)

    monkeypatch.setattr(importer.BatchImporter, "_store_accepted", flaky)


@pytest.mark.parametrize("error", [RuntimeError("fallo"), IntegrityError("llave duplicada")])
def test_an_error_mid_way_leaves_no_partial_batch(import_file, agency_a, monkeypatch, error):
    _fail_on_second_chunk(monkeypatch, error)
    rows = [*detention_rows(5), detention_row(9, **{"SEXO": "?"})]

    with pytest.raises(type(error)):
        import_file(agency_a, csv_bytes(rows))

    assert not Record.objects.exists()
    assert not Record.history.exists()
    assert not RejectedRow.objects.exists() and not RowIssue.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert "no se guardó nada" in batch.error_message


def test_a_file_refused_late_leaves_nothing(import_file, agency_a, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    rows = [*detention_rows(6), detention_row(7, **{"NOMBRE(S)": "x" * 20_000})]

    with pytest.raises(ImportFileError):
        import_file(agency_a, csv_bytes(rows))

    assert not Record.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_import_mid_way_leaves_nothing_and_the_batch_failed(
        postgres_only, agency_a, tmp_path, media_root):
    path = tmp_path / "grande.csv"
    path.write_bytes(csv_bytes(detention_rows(60_000)))
    env = {**os.environ, "DJANGO_DEBUG": "true", "MEDIA_ROOT": str(media_root),
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"
                           + connection.settings_dict["NAME"]}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "import_records", str(path), "--agency", agency_a.code,
         "--kind", "detention"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        batch = _wait_for_progress(process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the server notices the closed socket and aborts the transaction
    assert not Record.objects.filter(agency=agency_a).exists()
    assert not Record.history.filter(agency_id=agency_a.pk).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING and batch.progress_rows > 0
    assert import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.FAILED


def _wait_for_progress(process) -> ImportBatch:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        batch = ImportBatch.objects.filter(progress_rows__gt=0).first()
        if batch is not None:
            return batch
        time.sleep(0.05)
    raise AssertionError("the import never reported progress")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_import_is_not_reaped(postgres_only, agency_a, owner):
    batch = ImportBatch.objects.create(agency=agency_a, record_kind="detention",
                                       status=ImportBatch.Status.RUNNING)
    holder = connections.create_connection("default")
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)",
                       [progress.RUNNING_LOCK_NAMESPACE, batch.pk])
    try:
        assert import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.RUNNING
    finally:
        holder.close()
    # PostgreSQL frees the lock when the closed session's backend exits, which on a
    # loaded machine takes a moment after the client hangs up.
    deadline = time.monotonic() + 10
    while (import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.RUNNING
           and time.monotonic() < deadline):
        time.sleep(0.1)
    assert import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.FAILED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_imports_of_one_agency_do_not_duplicate(postgres_only, agency_a, owner):
    content = csv_bytes(detention_rows(3000))
    batches = [import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                                   upload=SimpleUploadedFile("a.csv", content),
                                   file_name="a.csv") for _ in range(2)]
    barrier, errors = threading.Barrier(2), []

    def run(batch):
        try:
            barrier.wait()
            import_batch_commit(batch=batch, actor=owner)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Record.objects.filter(agency=agency_a).count() == 3000
    results = sorted((b.rows_created, b.rows_unchanged)
                     for b in ImportBatch.objects.filter(pk__in=[b.pk for b in batches]))
    assert results == [(0, 3000), (3000, 0)]


def test_a_task_delivered_twice_does_not_run_the_batch_again(import_file, agency_a, owner):
    batch = import_file(agency_a, csv_bytes(detention_rows(2)))
    # A redelivered task starts while the first run's result is already committed.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)

    again = import_batch_commit(batch=batch, actor=owner)

    assert again.status == ImportBatch.Status.COMMITTED
    assert (again.rows_created, again.rows_unchanged) == (2, 0)
    assert Record.objects.filter(agency=agency_a).count() == 2


def test_a_silent_running_batch_is_reaped_and_a_live_one_is_not(agency_a, import_file,
                                                                 monkeypatch):
    from django.core.cache import cache
    from django.utils import timezone

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL tells the living by its advisory lock (tested above)")
    old = timezone.now() - progress.STALE_AFTER * 2
    batch = ImportBatch.objects.create(agency=agency_a, record_kind="detention",
                                       status=ImportBatch.Status.RUNNING, heartbeat_at=old)
    cache.set(progress.progress_cache_key(batch) + ":alive", True)
    assert import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.RUNNING

    cache.delete(progress.progress_cache_key(batch) + ":alive")
    assert import_batch_reap_if_dead(batch=batch).status == ImportBatch.Status.FAILED

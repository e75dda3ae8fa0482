"""The hand-off to matching: the import commits and answers, linkage runs after it (a
Celery task; in-process without a broker) with its progress on the batch; a linkage
failure never undoes or hides a committed import, and the linkage can be retried."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from imports.intake import import_batch_create
from imports.models import ImportBatch, LinkageStatus
from imports.services import import_batch_commit
from registry.models import AuditEvent, Record
from tests.imports.files import csv_bytes, detention_rows


def _commit(agency, owner, captured):
    batch = import_batch_create(agency=agency, record_kind="detention", actor=owner,
                                upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(5))),
                                file_name="d.csv")
    with captured(execute=True):
        import_batch_commit(batch=batch, actor=owner)
    batch.refresh_from_db()
    return batch


def test_a_matching_failure_leaves_the_committed_batch_and_the_linkage_retryable(
        agency_a, owner, media_root, monkeypatch, django_capture_on_commit_callbacks,
        caplog, client):
    def broken_matcher(*, record_ids, progress=None):
        raise RuntimeError("matching engine down")

    monkeypatch.setattr("imports.linking.match_new_records", broken_matcher)
    batch = _commit(agency_a, owner, django_capture_on_commit_callbacks)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert Record.objects.filter(import_batch=batch).count() == 5
    assert batch.linkage_status == LinkageStatus.FAILED
    assert "matching engine down" in batch.linkage_error
    assert "matching engine down" in caplog.text
    client.force_login(owner)
    page = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "Reintentar la vinculación" in page

    seen = []

    def working_matcher(*, record_ids, progress=None):
        seen.extend(record_ids)
        progress("writing", len(record_ids), len(record_ids))

    monkeypatch.setattr("imports.linking.match_new_records", working_matcher)
    response = client.post(reverse("imports:batch_relink", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.linkage_status == LinkageStatus.DONE
    assert sorted(seen) == sorted(Record.objects.filter(import_batch=batch)
                                  .values_list("pk", flat=True))
    assert (batch.linkage_done, batch.linkage_total) == (5, 5)
    assert AuditEvent.objects.filter(object_type="imports.importbatch",
                                     purpose="Reintento de la vinculación del lote").exists()
    page = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "Terminada" in page and "Reintentar la vinculación" not in page


def test_the_linkage_runs_after_the_commit_and_reports_on_the_batch(
        agency_a, owner, media_root, django_capture_on_commit_callbacks):
    batch = _commit(agency_a, owner, django_capture_on_commit_callbacks)
    # No trained model and too few records to train one: linkage runs and finds nothing.
    assert batch.linkage_status == LinkageStatus.DONE
    assert batch.linkage_finished_at is not None


def test_import_records_links_after_the_import_and_says_what_linkage_did(
        agency_a, tmp_path, capsys):
    path = tmp_path / "detenciones.csv"
    path.write_bytes(csv_bytes(detention_rows(3)))
    call_command("import_records", str(path), "--agency", agency_a.code, "--kind", "detention")
    out = capsys.readouterr().out
    assert "Vinculación: 0 vínculos automáticos" in out
    batch = ImportBatch.objects.get()
    assert batch.linkage_status == LinkageStatus.DONE

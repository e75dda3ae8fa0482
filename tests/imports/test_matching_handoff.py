"""The hand-off to matching: a matching failure never undoes or hides a committed import."""

from django.core.files.uploadedfile import SimpleUploadedFile

from imports.intake import import_batch_create
from imports.models import ImportBatch
from imports.services import import_batch_commit
from registry.models import Record
from tests.imports.files import csv_bytes, detention_rows


def test_a_matching_failure_leaves_the_committed_batch(agency_a, owner, media_root, monkeypatch,
                                                        django_capture_on_commit_callbacks,
                                                        caplog):
    def broken_matcher(*, record_ids):
        raise RuntimeError("matching engine down")

    monkeypatch.setattr("imports.batch.match_new_records", broken_matcher)
    batch = import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                                upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(5))),
                                file_name="d.csv")
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_commit(batch=batch, actor=owner)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Record.objects.filter(import_batch=batch).count() == 5
    assert "matching engine down" in caplog.text

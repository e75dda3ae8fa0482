from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.intake import import_batch_create
from imports.services import import_batch_commit, import_batch_preview
from registry.models import RecordKind


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def import_file(owner):
    """Create a batch from bytes and preview or commit it, as the owner."""

    def run(agency, content: bytes, name: str = "detenciones.csv", *, dry_run: bool = False,
            kind: str = RecordKind.DETENTION, sheet: str = "", mapping=None, actor=None,
            sex_codes: str = ""):
        batch = import_batch_create(
            agency=agency, record_kind=kind, upload=SimpleUploadedFile(name, content),
            file_name=name, actor=actor or owner, sheet=sheet, mapping=mapping,
            sex_codes=sex_codes)
        service = import_batch_preview if dry_run else import_batch_commit
        return service(batch=batch, actor=actor or owner)

    return run

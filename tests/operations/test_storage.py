"""Uploads through Django's file storage: the local disk by default, S3-compatible storage
(moto's server on loopback standing in for the object store) when configured."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imports.intake import import_batch_create
from imports.services import import_batch_commit
from registry.models import RecordKind
from registry.retention import retention_apply
from tests.imports.files import csv_bytes, detention_rows


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """An S3-compatible server (moto) on a loopback port, for this module only."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    bucket = "registro-pruebas"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="prueba", aws_secret_access_key="prueba")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": s3_server, "region_name": "us-east-1",
            "access_key": "prueba", "secret_key": "prueba", "location": "registro",
            "default_acl": "private", "file_overwrite": False}}}
    yield client, bucket
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def _import(agency, owner):
    batch = import_batch_create(
        agency=agency, record_kind=RecordKind.DETENTION, actor=owner,
        upload=SimpleUploadedFile("detenciones.csv", csv_bytes(detention_rows(3))),
        file_name="detenciones.csv")
    return import_batch_commit(batch=batch, actor=owner)


def test_the_embedded_default_stores_uploads_under_media_root(agency_a, owner, settings,
                                                              tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    batch = _import(agency_a, owner)
    assert batch.rows_created == 3
    assert (tmp_path / "media" / batch.stored_file).is_file()
    assert Path(default_storage.path(batch.stored_file)).is_relative_to(tmp_path)


def test_on_s3_the_upload_lives_in_the_bucket_and_any_worker_can_run_it(
        agency_a, owner, s3_storage, tmp_path, settings, django_capture_on_commit_callbacks):
    client, bucket = s3_storage
    settings.MEDIA_ROOT = str(tmp_path / "nothing-here")
    batch = _import(agency_a, owner)
    assert batch.rows_created == 3
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"registro/{batch.stored_file}"]
    assert not (tmp_path / "nothing-here").exists()  # nothing on the local disk
    # The retention policy deletes it from the bucket.
    with (time_machine.travel(timezone.now() + timedelta(days=91), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        retention_apply(dry_run=False)
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []

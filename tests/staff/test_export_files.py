"""NGO exports prepared in the background (a Celery task), kept in the file storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from registry import roles
from registry.models import AuditEvent
from registry.redaction import Audience
from registry.retention import retention_apply
from staff.export_files import export_files_for
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def analyst(db):
    return UserFactory(username="analista_ong", role=roles.NGO_ANALYST)


def _prepare(client, export_format: str = "csv"):
    # Confirmed after the preview, without k-anonymity (these tests are about the files;
    # tests/staff/test_ngo_export_privacy.py about k = 5 and the preview).
    response = client.post(reverse("export_form"), {
        "format": export_format, "purpose": "Informe anual", "background": "on",
        "confirm": "1", "k_anonymity": "1"})
    assert response.status_code == 302
    return response


def test_a_background_export_is_listed_and_downloaded_by_its_author_only(client, analyst):
    """Journey: an analyst asks for a large export, comes back, downloads it."""
    world = seed_canary_world()
    client.force_login(analyst)
    _prepare(client)  # no broker in tests: the task runs at once
    page = client.get(reverse("export_form")).content.decode()
    [prepared] = export_files_for(analyst)
    link = reverse("export_file_download", args=[prepared.name])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfregistro,tipo,")
    assert_no_canaries(body, world, Audience.NGO)
    actions = list(AuditEvent.objects.filter(actor=analyst, action=AuditEvent.Action.EXPORT)
                   .values_list("object_type", flat=True))
    assert actions == ["staff.export_file", "registry.record"]  # newest first

    other = UserFactory(username="otra_ong", role=roles.NGO_ANALYST)
    client.force_login(other)
    assert client.get(link).status_code == 404
    assert prepared.name not in client.get(reverse("export_form")).content.decode()


@pytest.mark.parametrize("export_format", ["xlsx", "json"])
def test_every_format_can_be_prepared(client, analyst, export_format):
    seed_canary_world()
    client.force_login(analyst)
    _prepare(client, export_format)
    [prepared] = export_files_for(analyst)
    assert prepared.extension == export_format
    assert client.get(reverse("export_file_download", args=[prepared.name])).status_code == 200


def test_names_outside_the_users_folder_are_not_served(client, analyst):
    client.force_login(analyst)
    for name in ("../1/" + "a" * 32 + ".csv", "a" * 32 + ".txt", "x.csv"):
        assert client.get(f"/trabajo/exportar/archivos/{name}").status_code == 404


def test_prepared_exports_are_deleted_after_a_week(client, analyst, media_root):
    seed_canary_world()
    client.force_login(analyst)
    _prepare(client)
    assert len(export_files_for(analyst)) == 1
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        retention_apply(dry_run=False)
    assert len(export_files_for(analyst)) == 1
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        [outcome] = [o for o in retention_apply(dry_run=False) if o.rule.data == "exports"]
    assert outcome.count == 2  # the CSV and its notes
    assert export_files_for(analyst) == []
    assert AuditEvent.objects.filter(purpose__startswith="Retención",
                                     object_type="staff.export_file").count() == 2

"""The import pages: upload, preview, confirm, history, reports, roll back, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from imports.models import ImportBatch
from registry.models import AuditEvent, Record
from tests.factories import ImportBatchFactory
from tests.imports.files import csv_bytes, detention_row, detention_rows


def _upload(client, agency, content, name="detenciones.csv", kind="detention"):
    return client.post(reverse("imports:batch_upload"), {
        "agency": agency.pk, "record_kind": kind, "file": SimpleUploadedFile(name, content),
    })


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_upload_previews_then_confirm_commits(owner_client, agency_a):
    response = _upload(owner_client, agency_a, csv_bytes(detention_rows(3)))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert not Record.objects.exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Vista previa" in page and "Confirmar e importar" in page and "DET-000002" in page

    owner_client.post(reverse("imports:batch_commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Record.objects.filter(agency=agency_a).count() == 3


def test_a_bad_file_gets_a_form_error_not_a_500(owner_client, agency_a):
    response = _upload(owner_client, agency_a, b"\x00\x01\x02binario", "datos.csv")

    assert response.status_code == 400
    assert "no es un texto CSV" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_operator_cannot_import_into_another_agency(client, outsider, agency_a):
    client.force_login(outsider)

    response = _upload(client, agency_a, csv_bytes(detention_rows(1)))

    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_the_outsider_cannot_see_the_batches_of_another_agency(client, outsider, agency_a,
                                                                import_file):
    batch = import_file(agency_a, csv_bytes(detention_rows(1)))
    client.force_login(outsider)

    history = client.get(reverse("imports:batch_list")).content.decode()
    assert batch.file_name not in history
    for name in ("batch_detail", "batch_progress"):
        assert client.get(reverse(f"imports:{name}",
                                  args=[batch.pk])).status_code == 404
    for what in ("errores", "rechazadas"):
        url = reverse("imports:batch_report", args=[batch.pk, what, "csv"])
        assert client.get(url).status_code == 404
    assert client.post(reverse("imports:batch_commit", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:batch_rollback", args=[batch.pk]),
                       {"reason": "x"}).status_code == 404
    assert Record.objects.filter(agency=agency_a).count() == 1


def test_a_user_who_operates_no_agency_gets_404(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("imports:batch_list")).status_code == 404
    assert client.get(reverse("imports:batch_upload")).status_code == 404


def test_history_lists_each_batch_with_its_counts(owner_client, agency_a, import_file,
                                                  django_assert_max_num_queries):
    for _ in range(3):
        ImportBatchFactory(agency=agency_a, file_sha256="ab" * 32)
    import_file(agency_a, csv_bytes(detention_rows(2)))

    with django_assert_max_num_queries(8):
        page = owner_client.get(reverse("imports:batch_list")).content.decode()

    assert page.count("detenciones.csv") == 1 and page.count("registro.csv") == 3
    assert "operadora_a" in page and "abababababab" in page


def test_the_row_error_report_as_csv_and_xlsx(owner_client, agency_a, import_file):
    rows = [*detention_rows(1), detention_row(2, **{"FECHA DE DETENCIÓN": "31/02/2024"}),
            detention_row(3, **{"APELLIDO MATERNO": "=1+1"})]
    batch = import_file(agency_a, csv_bytes(rows))

    response = owner_client.get(reverse("imports:batch_report", args=[batch.pk, "errores", "csv"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["fila", "hoja", "columna", "valor", "gravedad", "mensaje"]
    assert lines[1][:5] == ["3", "", "FECHA DE DETENCIÓN", "31/02/2024", "Error"]
    assert "imposible" in lines[1][5]
    assert lines[2][3] == "'=1+1"  # never a live formula in the report

    response = owner_client.get(reverse("imports:batch_report",
                                        args=[batch.pk, "errores", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:4] == ["3", None, "FECHA DE DETENCIÓN", "31/02/2024"]
    assert values[2][3] == "'=1+1" and sheet["D3"].data_type == "s"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_rejected_rows_can_be_corrected_and_resubmitted(owner_client, agency_a, import_file):
    rows = [*detention_rows(1), detention_row(2, **{"SEXO": "?"})]
    batch = import_file(agency_a, csv_bytes(rows))
    response = owner_client.get(reverse("imports:batch_report",
                                        args=[batch.pk, "rechazadas", "csv"]))
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][-2:] == ["FILA_ORIGINAL", "ERRORES"] and table[1][-2] == "3"

    table[1][table[0].index("SEXO")] = "H"
    corrected = csv_bytes([row[:-1] for row in table])
    response = owner_client.post(
        reverse("imports:batch_upload") + f"?corrige={batch.pk}",
        {"agency": agency_a.pk, "record_kind": "detention",
         "file": SimpleUploadedFile("corregido.csv", corrected)})
    fix = ImportBatch.objects.exclude(pk=batch.pk).get()
    owner_client.post(reverse("imports:batch_commit", args=[fix.pk]))

    assert Record.objects.get(external_id="DET-000002").sex == "H"
    assert batch.rejected_rows.get().resolved_by == fix


def test_rollback_from_the_batch_page(owner_client, agency_a, import_file):
    batch = import_file(agency_a, csv_bytes(detention_rows(2)))

    owner_client.post(reverse("imports:batch_rollback", args=[batch.pk]),
                      {"reason": "Se cargó el mes equivocado"})

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK
    assert not Record.objects.filter(agency=agency_a).exists()


def test_progress_is_reported_as_json(owner_client, agency_a, import_file):
    batch = import_file(agency_a, csv_bytes(detention_rows(2)))

    data = owner_client.get(reverse("imports:batch_progress", args=[batch.pk])).json()

    assert data["finished"] and data["rows"] == 2 and data["percent"] == 100


def test_staff_home_links_to_imports_for_operators_only(client, owner, reviewer):
    client.force_login(owner)
    assert reverse("imports:batch_list") in client.get(reverse("staff_home")).content.decode()
    client.force_login(reviewer)
    assert reverse("imports:batch_list") not in client.get(reverse("staff_home")).content.decode()


def test_a_running_batch_shows_a_progress_bar_and_a_failed_one_its_error(owner_client,
                                                                         agency_a):
    # A live importer's heartbeat is recent (else the page would reap it as dead).
    running = ImportBatchFactory(agency=agency_a, status=ImportBatch.Status.RUNNING,
                                 progress_rows=1500, rows_total=0, heartbeat_at=timezone.now())
    failed = ImportBatchFactory(agency=agency_a, status=ImportBatch.Status.FAILED,
                                error_message="El archivo está vacío.")

    page = owner_client.get(reverse("imports:batch_detail", args=[running.pk])).content.decode()
    assert "<progress" in page
    assert any(f"{rows} filas procesadas" in page for rows in ("1,500", "1500", "1\xa0500"))
    page = owner_client.get(reverse("imports:batch_detail", args=[failed.pk])).content.decode()
    assert "El archivo está vacío." in page and "<progress" not in page

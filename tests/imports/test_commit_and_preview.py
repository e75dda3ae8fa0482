"""Committing a batch: nothing lost, provenance and history, preview equals commit, idempotent."""

from __future__ import annotations

import pytest

from imports.models import ImportBatch, RejectedRow
from registry.models import Record
from tests.imports.files import DETENTION_HEADER, csv_bytes, detention_row, detention_rows


def test_every_row_is_stored_with_provenance_or_rejected_with_reasons(import_file, agency_a):
    rows = [*detention_rows(3), detention_row(4, **{"FECHA DE DETENCIÓN": "31/02/2024"})]

    batch = import_file(agency_a, csv_bytes(rows))

    assert batch.status == ImportBatch.Status.COMMITTED
    assert (batch.rows_total, batch.rows_created, batch.rows_rejected) == (4, 3, 1)
    record = Record.objects.get(agency=agency_a, external_id="DET-000001")
    assert record.import_batch == batch
    assert record.source_file == "detenciones.csv"
    assert record.source_row == 2
    assert record.raw_values["LUGAR DE RECLUSIÓN"] == "Puente Grande"
    assert record.given_names == "José Ángel"
    assert record.name_search == "jose angel muñoz perez1"
    assert record.event_state_id == "14" and record.event_municipality_id == "14039"
    rejected = RejectedRow.objects.get(batch=batch)
    assert rejected.row_number == 5
    assert rejected.raw_values["FECHA DE DETENCIÓN"] == "31/02/2024"
    assert "imposible" in rejected.errors[0]["message"]


def test_every_stored_record_has_its_history_row(import_file, agency_a, owner):
    batch = import_file(agency_a, csv_bytes(detention_rows(2)))

    record = Record.objects.get(agency=agency_a, external_id="DET-000002")
    version = record.history.get()
    assert version.history_type == "+"
    assert version.import_batch_id == batch.pk
    assert version.history_user == owner
    assert version.given_names == "José Ángel"


def test_preview_stores_nothing_and_equals_the_commit(import_file, agency_a):
    import_file(agency_a, csv_bytes(detention_rows(2)))
    rows = [*detention_rows(4), detention_row(9, **{"SEXO": "Q"})]
    rows[1] = detention_row(1, **{"AUTORIDAD": "Guardia Nacional"})
    content = csv_bytes(rows)

    preview = import_file(agency_a, content, dry_run=True)
    assert Record.objects.filter(agency=agency_a).count() == 2
    committed = import_file(agency_a, content)

    counts = ("rows_total", "rows_created", "rows_updated", "rows_unchanged", "rows_rejected")
    assert preview.status == ImportBatch.Status.PREVIEWED
    assert [getattr(preview, c) for c in counts] == [getattr(committed, c) for c in counts]
    assert [getattr(committed, c) for c in counts] == [5, 2, 1, 1, 1]


def test_reimporting_the_same_file_changes_nothing_and_says_so(import_file, agency_a):
    content = csv_bytes(detention_rows(3))
    import_file(agency_a, content)

    again = import_file(agency_a, content)

    assert (again.rows_unchanged, again.rows_created, again.rows_updated) == (3, 0, 0)
    record = Record.objects.get(agency=agency_a, external_id="DET-000001")
    assert record.history.count() == 1
    assert Record.objects.filter(agency=agency_a).count() == 3


def test_a_changed_row_creates_a_new_version(import_file, agency_a):
    first = import_file(agency_a, csv_bytes(detention_rows(2)))
    rows = detention_rows(2)
    rows[2] = detention_row(2, **{"LUGAR DE RECLUSIÓN": "CEFERESO 2"})

    second = import_file(agency_a, csv_bytes(rows), "detenciones-2.csv")

    assert (second.rows_updated, second.rows_unchanged) == (1, 1)
    record = Record.objects.get(agency=agency_a, external_id="DET-000002")
    assert record.facility == "CEFERESO 2"
    assert record.import_batch == second
    versions = list(record.history.order_by("history_id"))
    assert [v.facility for v in versions] == ["Puente Grande", "CEFERESO 2"]
    assert [v.import_batch_id for v in versions] == [first.pk, second.pk]
    assert versions[-1].history_type == "~"


def test_rows_without_folio_get_a_stable_fingerprint(import_file, agency_a):
    header = [h for h in DETENTION_HEADER if h != "FOLIO"]
    rows = [header] + [detention_row(n)[1:] for n in (1, 2)]
    import_file(agency_a, csv_bytes(rows))
    rows[1][1] = rows[1][1].upper()  # same person, capitalised differently

    again = import_file(agency_a, csv_bytes(rows))

    assert again.rows_created == 0
    ids = list(Record.objects.filter(agency=agency_a).values_list("external_id", flat=True))
    assert len(ids) == 2 and all(i.startswith("huella-") for i in ids)


def test_duplicate_ids_inside_one_file_are_reported(import_file, agency_a):
    rows = [*detention_rows(2), detention_row(1, **{"NOMBRE(S)": "Otro"})]

    batch = import_file(agency_a, csv_bytes(rows))

    assert (batch.rows_created, batch.rows_rejected) == (2, 1)
    issue = batch.issues.get()
    assert issue.row_number == 4 and "fila 2" in issue.message


def test_unmapped_columns_are_kept_in_the_raw_values(import_file, agency_a):
    rows = detention_rows(1)
    rows[0].append("NÚMERO DE CELDA")
    rows[1].append("C-14")

    batch = import_file(agency_a, csv_bytes(rows))

    record = Record.objects.get(agency=agency_a)
    assert record.raw_values["NÚMERO DE CELDA"] == "C-14"
    assert batch.preview["unmapped"] == ["NÚMERO DE CELDA"]


def test_new_and_changed_records_are_handed_to_matching_after_commit(
        import_file, agency_a, monkeypatch, django_capture_on_commit_callbacks):
    handed = []
    monkeypatch.setattr("imports.linking.match_new_records",
                        lambda *, record_ids, progress=None: handed.append(sorted(record_ids)))

    with django_capture_on_commit_callbacks(execute=True):
        import_file(agency_a, csv_bytes(detention_rows(2)))

    assert handed == [sorted(Record.objects.filter(agency=agency_a).values_list("pk", flat=True))]


@pytest.mark.parametrize("dry_run", [True, False])
def test_counts_always_add_up(import_file, agency_a, dry_run):
    rows = [*detention_rows(3), detention_row(2), detention_row(7, **{"SEXO": "Z"}),
            detention_row(8, **{"ENTIDAD": "Atlántida"})]

    batch = import_file(agency_a, csv_bytes(rows), dry_run=dry_run)

    assert batch.rows_total == 6
    assert batch.rows_total == (batch.rows_created + batch.rows_updated + batch.rows_unchanged
                                + batch.rows_rejected)


def test_duplicates_are_found_across_chunks(import_file, agency_a, monkeypatch):
    from imports import batch as importer
    from imports import seen

    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    monkeypatch.setattr(seen, "MAX_RUNS", 2)
    rows = [*detention_rows(12), detention_row(2), detention_row(11), detention_row(5),
            detention_row(5)]

    batch = import_file(agency_a, csv_bytes(rows))

    assert (batch.rows_created, batch.rows_rejected) == (12, 4)
    messages = {issue.row_number: issue.message for issue in batch.issues.all()}
    assert "fila 3" in messages[14] and "fila 12" in messages[15]
    assert "fila 6" in messages[16] and "fila 6" in messages[17]

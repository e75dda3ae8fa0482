"""PostgreSQL's set-based import path stores exactly what the portable path stores.

The same sequence of files goes into one agency through the staged path (COPY into a
TEMP table, compare and write in SQL) and into another through the portable path
(compare in Python, bulk_create / bulk_update): counts, preview samples, records and
every history version must be the same.
"""

from __future__ import annotations

import pytest

from imports import batch as importer
from imports.models import ImportBatch
from registry.models import Record
from tests.imports.files import DETENTION_HEADER, csv_bytes, detention_row, detention_rows

pytestmark = pytest.mark.postgres_only

COUNTS = ("rows_total", "rows_created", "rows_updated", "rows_unchanged", "rows_rejected",
          "rows_warned")
IGNORED = {"id", "agency", "import_batch", "created_at", "updated_at", "person"}
COMPARED = [f.attname for f in Record._meta.concrete_fields if f.name not in IGNORED]


def _without(rows: list[list[str]], *columns: str) -> list[list[str]]:
    keep = [i for i, header in enumerate(rows[0]) if header not in columns]
    return [[row[i] for i in keep if i < len(row)] for row in rows]


def _files() -> list[tuple[str, bytes]]:
    first = detention_rows(5)
    first[3] = first[3][:7]  # a short row: only the cells given are raw values
    first[4] = [*first[4], "celda extra"]  # a long row: an extra unnamed column
    first.append(detention_row(6, **{"CURP": "XXXX"}))  # kept with a warning
    first.append(detention_row(7, **{"SEXO": "?"}))  # rejected

    second = detention_rows(6)
    second[1] = detention_row(1, **{"LUGAR DE RECLUSIÓN": "CEFERESO 2"})  # changed
    second[2] = detention_row(2, **{"APELLIDO MATERNO": "Ruiz"})  # name changed
    second[6] = detention_row(6, **{"CURP": "XXXX"})  # unchanged

    # Without the second surname and the state: stored values stay, the state comes
    # from the municipality's code when there is one.
    third = _without([DETENTION_HEADER, *(detention_row(n, **{"MUNICIPIO": "14039"})
                                          for n in (1, 2, 8))], "APELLIDO MATERNO", "ENTIDAD")
    third[1][1] = "Josefa"
    third.append(_without([DETENTION_HEADER, detention_row(3, **{"MUNICIPIO": ""})],
                          "APELLIDO MATERNO", "ENTIDAD")[1])
    return [("uno.csv", csv_bytes(first)), ("dos.csv", csv_bytes(second)),
            ("dos.csv", csv_bytes(second)), ("tres.csv", csv_bytes(third)),
            ("tres.csv", csv_bytes(third))]


def _stored(agency) -> dict[str, dict]:
    return {record["external_id"]: record for record in
            Record.objects.filter(agency=agency).values(*COMPARED)}


def _versions(agency) -> dict[str, list[tuple]]:
    versions: dict[str, list[tuple]] = {}
    for version in Record.history.filter(agency_id=agency.pk).order_by("history_id").values(
            "external_id", "history_type", "history_change_reason", *COMPARED):
        versions.setdefault(version["external_id"], []).append(
            tuple(sorted((k, str(v)) for k, v in version.items()
                         if k not in ("history_change_reason",))))
    return versions


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_set_based_path_stores_what_the_portable_path_stores(
        import_file, agency_a, agency_b, monkeypatch, dry_run):
    for name, content in _files():
        monkeypatch.setattr(importer, "SET_BASED_ON_POSTGRES", True)
        staged = import_file(agency_a, content, name, dry_run=dry_run)
        monkeypatch.setattr(importer, "SET_BASED_ON_POSTGRES", False)
        portable = import_file(agency_b, content, name, dry_run=dry_run)

        assert [getattr(staged, c) for c in COUNTS] == [getattr(portable, c) for c in COUNTS]
        assert staged.preview == portable.preview
        assert _stored(agency_a) == _stored(agency_b)
        assert _versions(agency_a) == _versions(agency_b)
    if dry_run:
        assert not Record.objects.exists()
        return
    assert len(_stored(agency_a)) == 7


def test_the_raw_values_of_short_and_long_rows_are_the_cells_given(import_file, agency_a):
    rows = detention_rows(3)
    rows[1] = rows[1][:3]
    rows[2] = [*rows[2], "celda extra"]

    import_file(agency_a, csv_bytes(rows))
    again = import_file(agency_a, csv_bytes(rows))

    short = Record.objects.get(external_id="DET-000001").raw_values
    assert list(short) == DETENTION_HEADER[:3]
    long = Record.objects.get(external_id="DET-000002").raw_values
    assert long["columna_13"] == "celda extra" and len(long) == 13
    assert (again.rows_unchanged, again.rows_updated) == (3, 0)


def test_a_file_without_a_name_column_keeps_the_stored_part_in_the_name_key(
        import_file, agency_a):
    import_file(agency_a, csv_bytes(detention_rows(1)))
    rows = _without(detention_rows(1), "APELLIDO MATERNO")
    rows[1][1] = "Josefa"

    batch = import_file(agency_a, csv_bytes(rows))

    record = Record.objects.get(external_id="DET-000001")
    assert batch.rows_updated == 1
    assert (record.given_names, record.maternal_surname) == ("Josefa", "Pérez1")
    assert record.name_search == "josefa muñoz perez1"
    assert batch.preview["updated"][0]["name"] == "Josefa Muñoz Pérez1"
    assert [v.history_type for v in record.history.order_by("history_id")] == ["+", "~"]


def test_a_database_error_in_the_staging_worker_fails_the_batch_and_stores_nothing(
        import_file, agency_a, monkeypatch):
    from django.db import DatabaseError

    from imports import writers

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    original = writers.PostgresStage._load_chunk
    calls = []

    def flaky(self, buffer):
        calls.append(1)
        if len(calls) == 2:
            raise DatabaseError("fallo del servidor")
        return original(self, buffer)

    monkeypatch.setattr(writers.PostgresStage, "_load_chunk", flaky)

    with pytest.raises(DatabaseError):
        import_file(agency_a, csv_bytes(detention_rows(7)))

    assert not Record.objects.exists() and not Record.history.exists()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED


def test_cells_with_backslashes_tabs_and_line_breaks_are_stored_as_given(
        import_file, agency_a, agency_b, monkeypatch):
    # The stage is loaded in COPY's text format, where these characters are escapes.
    rows = detention_rows(4)
    rows[1] = detention_row(1, **{"NOMBRE(S)": "\\N", "AUTORIDAD": "C:\\penal\\N"})
    rows[2] = detention_row(2, **{"LUGAR DE RECLUSIÓN": "Penal\tNorte",
                                  "AUTORIDAD": "línea\nnueva\r\nfin"})
    rows[3] = detention_row(3, **{"CURP": "", "AUTORIDAD": "\\."})
    content = csv_bytes(rows)

    staged = import_file(agency_a, content)
    monkeypatch.setattr(importer, "SET_BASED_ON_POSTGRES", False)
    import_file(agency_b, content)
    monkeypatch.setattr(importer, "SET_BASED_ON_POSTGRES", True)
    again = import_file(agency_a, content)

    assert staged.rows_created == 4 and again.rows_unchanged == 4
    assert _stored(agency_a) == _stored(agency_b)
    first = Record.objects.get(agency=agency_a, external_id="DET-000001")
    assert first.given_names == "\\N" and first.raw_values["NOMBRE(S)"] == "\\N"
    assert first.authority == "C:\\penal\\N"
    second = Record.objects.get(agency=agency_a, external_id="DET-000002")
    assert second.facility == "Penal\tNorte"
    assert second.raw_values["AUTORIDAD"] == "línea\nnueva\r\nfin"
    assert Record.objects.get(agency=agency_a, external_id="DET-000003").authority == "\\."


@pytest.mark.parametrize("set_based", [True, False])
def test_the_records_created_or_changed_are_handed_to_matching(
        import_file, agency_a, monkeypatch, django_capture_on_commit_callbacks, set_based):
    monkeypatch.setattr(importer, "SET_BASED_ON_POSTGRES", set_based)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    handed: list[list[int]] = []
    monkeypatch.setattr("imports.linking.match_new_records",
                        lambda *, record_ids, progress=None: handed.append(sorted(record_ids)))
    changed = detention_rows(6)
    changed[3] = detention_row(3, **{"LUGAR DE RECLUSIÓN": "CEFERESO 2"})

    with django_capture_on_commit_callbacks(execute=True):
        import_file(agency_a, csv_bytes(detention_rows(5)))
    with django_capture_on_commit_callbacks(execute=True):
        import_file(agency_a, csv_bytes(changed))

    ids = dict(Record.objects.filter(agency=agency_a).values_list("external_id", "pk"))
    assert handed == [sorted(ids[f"DET-00000{n}"] for n in range(1, 6)),
                      sorted([ids["DET-000003"], ids["DET-000006"]])]

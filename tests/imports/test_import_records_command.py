"""The import_records management command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportBatch
from imports.services import column_mapping_save
from registry.models import Record
from tests.imports.files import csv_bytes, detention_rows


@pytest.fixture
def detention_file(tmp_path):
    path = tmp_path / "detenciones.csv"
    path.write_bytes(csv_bytes(detention_rows(3)))
    return path


def test_dry_run_then_import_then_reimport(agency_a, detention_file, capsys):
    call_command("import_records", str(detention_file), "--agency", agency_a.code,
                 "--kind", "detention", "--dry-run")
    assert "3 nuevos" in capsys.readouterr().out and not Record.objects.exists()

    call_command("import_records", str(detention_file), "--agency", agency_a.code,
                 "--kind", "detention")
    assert Record.objects.filter(agency=agency_a).count() == 3

    call_command("import_records", str(detention_file), "--agency", agency_a.code,
                 "--kind", "detention")
    assert "no cambió nada" in capsys.readouterr().out
    assert ImportBatch.objects.filter(source=ImportBatch.Source.COMMAND).count() == 3


def test_a_saved_mapping_names_the_agencys_own_headers(agency_a, owner, tmp_path):
    column_mapping_save(agency=agency_a, name="sistema-penitenciario", actor=owner,
                        columns={"NO. INTERNO": "external_id", "NOMBRE COMPLETO": "given_names",
                                 "CENTRO": "facility"})
    path = tmp_path / "internos.csv"
    path.write_bytes(csv_bytes([["NO. INTERNO", "NOMBRE COMPLETO", "CENTRO", "PABELLON"],
                                ["I-77", "Pedro Páramo", "Cereso Colima", "B"]]))

    call_command("import_records", str(path), "--agency", agency_a.code, "--kind", "detention",
                 "--mapping", "sistema-penitenciario")

    record = Record.objects.get(agency=agency_a)
    assert (record.external_id, record.given_names, record.facility) == \
        ("I-77", "Pedro Páramo", "Cereso Colima")
    assert record.raw_values["PABELLON"] == "B"


def test_a_bad_file_is_a_command_error_in_spanish(agency_a, tmp_path):
    path = tmp_path / "vacio.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="vacío"):
        call_command("import_records", str(path), "--agency", agency_a.code,
                     "--kind", "detention")


def test_an_unknown_agency_or_mapping_is_a_command_error(agency_a, detention_file):
    with pytest.raises(CommandError, match="institución"):
        call_command("import_records", str(detention_file), "--agency", "nadie",
                     "--kind", "detention")
    with pytest.raises(CommandError, match="correspondencia"):
        call_command("import_records", str(detention_file), "--agency", agency_a.code,
                     "--kind", "detention", "--mapping", "nada")

"""Normalisation and validation of rows: dates, ages, sex codes, CURP, INEGI catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.models import Record
from tests.imports.files import csv_bytes

HEADER = ["FOLIO", "NOMBRE", "PRIMER APELLIDO", "SEGUNDO APELLIDO", "SEXO",
          "FECHA DE NACIMIENTO", "EDAD", "CURP", "ESTADO", "MUNICIPIO", "FECHA DE DETENCION"]


def _row(**values: str) -> list[str]:
    base = {"FOLIO": "X-1", "NOMBRE": "Ana", "PRIMER APELLIDO": "Ruiz"}
    base.update(values)
    return [base.get(h, "") for h in HEADER]


def _import_one(import_file, agency, **values):
    batch = import_file(agency, csv_bytes([HEADER, _row(**values)]))
    record = Record.objects.filter(agency=agency, external_id="X-1").first()
    return batch, record


@pytest.mark.parametrize(("text", "expected"), [
    ("03/04/1990", dt.date(1990, 4, 3)),
    ("3/4/1990", dt.date(1990, 4, 3)),
    ("03-04-1990", dt.date(1990, 4, 3)),
    ("1990-04-03", dt.date(1990, 4, 3)),
    ("1990-04-03 00:00:00", dt.date(1990, 4, 3)),
    ("03-04-75", dt.date(1975, 4, 3)),  # 2075 is in the future: only 1975 is possible
])
def test_dates_in_mexican_and_iso_formats(import_file, agency_a, text, expected):
    _batch, record = _import_one(import_file, agency_a, **{"FECHA DE NACIMIENTO": text})

    assert record.birth_date == expected


def test_an_ambiguous_two_digit_year_is_flagged_never_guessed(import_file, agency_a):
    batch, record = _import_one(import_file, agency_a, **{"FECHA DE NACIMIENTO": "03-04-05"})

    assert record.birth_date is None
    assert record.raw_values["FECHA DE NACIMIENTO"] == "03-04-05"
    issue = batch.issues.get()
    assert issue.severity == "warning" and "ambiguo" in issue.message


def test_a_number_in_a_csv_date_column_is_flagged_as_a_possible_serial(import_file, agency_a):
    batch, record = _import_one(import_file, agency_a, **{"FECHA DE DETENCION": "45424"})

    assert record.event_date is None
    assert "serie de Excel" in batch.issues.get().message


@pytest.mark.parametrize(("text", "message"), [
    ("31/02/2020", "imposible"),
    ("05/13/2020", "imposible"),
    ("01/01/2999", "futuro"),
    ("01/01/1850", "1900"),
    ("ayer", "no reconocido"),
])
def test_impossible_dates_reject_the_row(import_file, agency_a, text, message):
    batch, record = _import_one(import_file, agency_a, **{"FECHA DE DETENCION": text})

    assert record is None and batch.rows_rejected == 1
    assert message in batch.rejected_rows.get().errors[0]["message"]


def test_age_is_accepted_when_there_is_no_birth_date(import_file, agency_a):
    _batch, record = _import_one(import_file, agency_a, EDAD="34 años")

    assert record.age == 34 and record.birth_date is None


@pytest.mark.parametrize("age", ["-3", "200", "treinta"])
def test_an_impossible_age_rejects_the_row(import_file, agency_a, age):
    batch, record = _import_one(import_file, agency_a, EDAD=age)

    assert record is None and "Edad" in batch.rejected_rows.get().errors[0]["message"]


@pytest.mark.parametrize(("code", "sex"), [
    ("H", "H"), ("Hombre", "H"), ("MASCULINO", "H"), ("masc.", "H"),
    ("F", "M"), ("Mujer", "M"), ("Femenino", "M"), ("", ""), ("X", "X"),
])
def test_sex_codes(import_file, agency_a, code, sex):
    _batch, record = _import_one(import_file, agency_a, SEXO=code)

    assert record.sex == sex


@pytest.mark.parametrize(("sex_codes", "sex"), [("HM", "M"), ("MF", "H")])
def test_a_lone_m_reads_as_the_batch_says(import_file, agency_a, sex_codes, sex):
    batch = import_file(agency_a, csv_bytes([HEADER, _row(SEXO="M")]), sex_codes=sex_codes)
    record = Record.objects.get(agency=agency_a, external_id="X-1")

    assert (batch.sex_codes, record.sex) == (sex_codes, sex)


def test_an_unknown_sex_code_rejects_the_row(import_file, agency_a):
    batch, record = _import_one(import_file, agency_a, SEXO="Q")

    assert record is None and "Sexo" in batch.rejected_rows.get().errors[0]["message"]


def test_a_valid_curp_is_stored_without_warning(import_file, agency_a):
    # HEGG560427MVZRRL04: the check digit 4 was worked out by hand (sum 2246 -> 10 - 6).
    batch, record = _import_one(import_file, agency_a, CURP="hegg560427mvzrrl04")

    assert record.curp == "HEGG560427MVZRRL04"
    assert not batch.issues.exists()


@pytest.mark.parametrize(("curp", "message"), [
    ("HEGG560427MVZRRL05", "dígito verificador"),
    ("HEGG5604", "formato"),
])
def test_an_invalid_curp_is_a_warning_and_the_value_is_kept(import_file, agency_a, curp,
                                                            message):
    batch, record = _import_one(import_file, agency_a, CURP=curp)

    assert record is not None and record.raw_values["CURP"] == curp
    assert record.curp == curp
    issue = batch.issues.get()
    assert issue.severity == "warning" and message in issue.message


@pytest.mark.parametrize(("state", "municipality", "codes"), [
    ("Jalisco", "Guadalajara", ("14", "14039")),
    ("JAL", "guadalajara", ("14", "14039")),
    ("14", "039", ("14", "14039")),
    ("Ciudad de México", "Coyoacán", ("09", "09003")),
    ("Edo. Méx.", "Ecatepec de Morelos", ("15", "15033")),
    ("", "14039", ("14", "14039")),
])
def test_states_and_municipalities_by_name_abbreviation_or_code(import_file, agency_a, state,
                                                               municipality, codes):
    _batch, record = _import_one(import_file, agency_a, ESTADO=state, MUNICIPIO=municipality)

    assert (record.event_state_id, record.event_municipality_id) == codes


@pytest.mark.parametrize(("state", "municipality"), [("Atlantis", ""), ("Jalisco", "Gotham")])
def test_unknown_places_reject_the_row(import_file, agency_a, state, municipality):
    batch, record = _import_one(import_file, agency_a, ESTADO=state, MUNICIPIO=municipality)

    assert record is None and "INEGI" in batch.rejected_rows.get().errors[0]["message"]


def test_names_are_trimmed_and_kept_as_given_with_a_normalised_form(import_file, agency_a):
    _batch, record = _import_one(import_file, agency_a, NOMBRE="  MARÍA  de los Ángeles ",
                                 **{"PRIMER APELLIDO": "O'Brien-Núñez"})

    assert record.given_names == "MARÍA  de los Ángeles"
    assert record.name_search == "maria de los angeles o brien nuñez"


def test_a_row_without_any_name_is_rejected(import_file, agency_a):
    batch, record = _import_one(import_file, agency_a, NOMBRE="", **{"PRIMER APELLIDO": ""})

    assert record is None and "nombre" in batch.rejected_rows.get().errors[0]["message"]

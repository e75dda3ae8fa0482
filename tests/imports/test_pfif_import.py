"""PFIF import: persons and notes of another PFIF repository become records of the
importing agency through the normal importer, with the same row-level errors (issue 15, 8).
"""

import pytest
from django.urls import reverse

from imports.readers import ImportFileError
from registry.models import Record
from tests.canaries import seed_canary_world

PFIF = """<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>otro.example.org/p.1</pfif:person_record_id>
    <pfif:source_date>2024-05-12T10:00:00Z</pfif:source_date>
    <pfif:full_name>Rosa Luna Sol</pfif:full_name>
    <pfif:given_name>Rosa</pfif:given_name>
    <pfif:family_name>Luna</pfif:family_name>
    <pfif:description>Cicatriz en la ceja</pfif:description>
    <pfif:sex>female</pfif:sex>
    <pfif:date_of_birth>1990-04-03</pfif:date_of_birth>
    <pfif:home_city>Zapopan</pfif:home_city>
    <pfif:note>
      <pfif:note_record_id>otro.example.org/n.1</pfif:note_record_id>
      <pfif:author_name>Familia</pfif:author_name>
      <pfif:source_date>2024-05-13T10:00:00Z</pfif:source_date>
      <pfif:status>believed_missing</pfif:status>
      <pfif:last_known_location>Mercado de Abastos</pfif:last_known_location>
      <pfif:text>Salió a trabajar y no volvió.</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>otro.example.org/p.2</pfif:person_record_id>
    <pfif:source_date>2024-05-12T10:00:00Z</pfif:source_date>
    <pfif:full_name>Iván Sol</pfif:full_name>
    <pfif:given_name>Iván</pfif:given_name>
    <pfif:family_name>Sol</pfif:family_name>
    <pfif:date_of_birth>31/02/2020</pfif:date_of_birth>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>otro.example.org/n.2</pfif:note_record_id>
    <pfif:person_record_id>otro.example.org/p.2</pfif:person_record_id>
    <pfif:author_name>Colectivo</pfif:author_name>
    <pfif:source_date>2024-05-14T10:00:00Z</pfif:source_date>
    <pfif:text>Visto en la central de autobuses.</pfif:text>
  </pfif:note>
</pfif:pfif>
"""


def test_persons_become_records_of_the_importing_agency(import_file, agency_b):
    batch = import_file(agency_b, PFIF.encode(), "otro-repositorio.xml",
                        kind="missing_report")

    assert (batch.rows_total, batch.rows_created, batch.rows_rejected) == (2, 1, 1)
    record = Record.objects.get(agency=agency_b)
    assert record.external_id == "otro.example.org/p.1"
    assert (record.given_names, record.paternal_surname, record.sex) == ("Rosa", "Luna", "M")
    assert record.birth_date.isoformat() == "1990-04-03"
    assert record.description == "Cicatriz en la ceja"
    assert record.place == "Mercado de Abastos"
    assert "Salió a trabajar" in record.raw_values["PFIF NOTAS"]
    # The same row-level error a CSV gets for an impossible date.
    rejected = batch.rejected_rows.get()
    assert rejected.row_number == 2
    assert "imposible" in rejected.errors[0]["message"]
    assert "central de autobuses" in rejected.raw_values["PFIF NOTAS"]  # a loose note


def test_the_registrys_own_pfif_export_imports_back(client, import_file, agency_b):
    world = seed_canary_world()
    body = b"".join(client.get(reverse("public_site:open_data_pfif")).streaming_content)
    batch = import_file(agency_b, body, "fichas-pfif-1.4.xml", kind="missing_report")
    assert batch.rows_created == 1 and batch.rows_rejected == 0
    record = Record.objects.get(agency=agency_b)
    assert record.external_id.endswith(world.case.public_key)


@pytest.mark.parametrize(("content", "message"), [
    (b"<?xml version='1.0'?><otra><cosa/></otra>", "PFIF"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><pfif:pfif "
     b"xmlns:pfif='http://zesty.ca/pfif/1.4'/>", "DTD"),
    (b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'><pfif:person>", "XML"),
])
def test_what_is_not_pfif_is_refused_whole(import_file, agency_b, content, message):
    with pytest.raises(ImportFileError, match=message):
        import_file(agency_b, content, "datos.xml", kind="missing_report")
    assert not Record.objects.exists()

"""NGO exports: redacted CSV, XLSX and JSON with filters, safe cells, audit, k-anonymity."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import cells, roles
from registry.models import AuditEvent
from registry.redaction import Audience
from staff import exports
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import CaseFactory, RecordFactory, UserFactory, state


@pytest.fixture
def analyst(db):
    return UserFactory(username="analista_ong", role=roles.NGO_ANALYST)


def _download(client, **params):
    # k = 1 (no k-anonymity) unless a test says otherwise: these tests are about the
    # columns; tests/staff/test_ngo_export_privacy.py is about the default k = 5.
    data = {"format": "csv", "purpose": "Informe anual", "k_anonymity": 1, "confirm": "1",
            **params}
    response = client.post(reverse("export_form"), data)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


COLUMN_OF_HEADER = {header: column for column, (header, _meaning) in exports.HEADERS.items()}


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    """The rows keyed by the internal column names (the file's headers are Spanish)."""
    assert body.startswith(b"\xef\xbb\xbf"), "CSV without BOM: Excel misreads the accents"
    rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return [{COLUMN_OF_HEADER[header]: value for header, value in row.items()} for row in rows]


def _notes(client, **params) -> str:
    data = {"format": "csv", "purpose": "Informe anual", "k_anonymity": 1, "confirm": "1",
            "notes": "1", **params}
    response = client.post(reverse("export_form"), data)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_csv_export_is_redacted_and_documents_the_policy(client, analyst):
    world = seed_canary_world()
    client.force_login(analyst)
    body = _download(client)
    assert_no_canaries(body, world, Audience.NGO)
    text = body.decode("utf-8-sig")
    assert text.startswith(",".join(exports.HEADER_ROW) + "\r\n") and "#" not in text
    notes = _notes(client)
    assert 'politica,"registry.redaction' in notes and "\r\nfecha," in notes
    assert "\r\nrango_edad,\"Rango de edad" in notes  # the data dictionary
    rows = _csv_rows(body)
    assert len(rows) == 3  # the report, the detention and the remains
    assert "given_names" not in rows[0]  # names are never exported
    assert "age_min" not in rows[0] and "clothing" not in rows[0]  # nor remains' details
    assert rows[0]["id"] != str(world.missing_report.pk)  # pseudonymous key


@pytest.mark.parametrize("export_format", ["json", "xlsx"])
def test_json_and_xlsx_exports_leak_no_canaries(client, analyst, export_format):
    world = seed_canary_world()
    client.force_login(analyst)
    body = _download(client, format=export_format)
    if export_format == "xlsx":
        rows = exports.read_xlsx(io.BytesIO(body))
        assert rows[0] == list(exports.HEADER_ROW)
        assert len(rows) == 4
        body = json.dumps(rows)
    else:
        records = json.loads(body)
        assert len(records) == 3 and list(records[0]) == list(exports.HEADER_ROW)
    assert_no_canaries(body, world, Audience.NGO)


def test_formula_injection_is_neutralised_in_csv_and_xlsx(client, analyst):
    RecordFactory(kind="detention", authority='=HYPERLINK("http://x.example","clic")',
                  facility="@SUM(1+1)")
    client.force_login(analyst)
    row = _csv_rows(_download(client))[0]
    assert row["authority"] == "'" + '=HYPERLINK("http://x.example","clic")'
    assert row["facility"] == "'@SUM(1+1)"

    from openpyxl import load_workbook
    body = _download(client, format="xlsx")
    sheet = load_workbook(io.BytesIO(body))["datos"]
    authority = sheet.cell(row=2, column=exports.COLUMNS.index("authority") + 1)
    assert authority.data_type == "s"
    assert authority.value.startswith("'=")
    assert exports.read_xlsx(io.BytesIO(body))[1][exports.COLUMNS.index("authority")] == \
        '=HYPERLINK("http://x.example","clic")'


def test_control_characters_and_long_text_neither_crash_nor_change(client, analyst):
    nasty = "Reclusorio\x01 Norte\x1b\r\n\x00" + "x" * 40_000 + "_x0041_"
    RecordFactory(kind="detention", facility=nasty[:20].replace("\x00", ""), authority="ok")
    client.force_login(analyst)
    body = _download(client, format="xlsx")  # must not raise IllegalCharacterError
    rows = exports.read_xlsx(io.BytesIO(body))
    assert rows[1][exports.COLUMNS.index("facility")] == nasty[:20].replace("\x00", "")
    # The writer itself keeps text beyond Excel's 32,767-character cell limit.
    stored = exports.read_xlsx(exports.write_xlsx(["texto"], [[nasty]], []))
    assert stored[1] == [nasty]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_round_trips_through_xlsx(text):
    assert exports.read_xlsx(exports.write_xlsx(["texto"], [[text]], []))[1] == [text]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_round_trips_through_csv(text):
    line = exports.csv_line([text, "fin"])
    written = next(csv.reader(io.StringIO(line, newline="")))
    assert [cells.unneutralise(cell) for cell in written] == [text, "fin"]
    assert not written[0].lstrip().startswith(cells.FORMULA_TRIGGERS)


@given(st.text(alphabet=st.sampled_from("=+-@\t\r\n \x00'ab_x0F"), max_size=12))
def test_no_cell_starts_with_a_formula_trigger(text):
    assert not cells.neutralise(text).lstrip().startswith(cells.FORMULA_TRIGGERS)
    assert not cells.xlsx_encode_parts(text)[0].lstrip().startswith(cells.FORMULA_TRIGGERS)


def test_filters_by_state_kind_dates_and_status(client, analyst):
    jalisco = state("14")
    keep = CaseFactory(missing_report__event_state=jalisco,
                       missing_report__event_date=date(2024, 3, 1)).missing_report
    CaseFactory(missing_report__event_state=jalisco, missing_report__event_date=date(2024, 3, 2),
                status="localizada_con_vida")
    CaseFactory(missing_report__event_state=jalisco, missing_report__event_date=date(2022, 1, 1))
    CaseFactory(missing_report__event_date=date(2024, 3, 1))  # CDMX
    RecordFactory(kind="detention", event_state=jalisco, event_date=date(2024, 3, 1))
    client.force_login(analyst)
    rows = _csv_rows(_download(client, state="14", kind="missing_report", status="desaparecida",
                               date_from="2024-01", date_to="2024-12"))
    assert len(rows) == 1
    assert rows[0]["event_date"] == "2024-03"  # month only for NGOs
    assert rows[0]["case_status"] == "Desaparecida"
    assert keep.pk not in [row["id"] for row in rows]


def test_every_export_is_audited_with_filters_and_row_count(client, analyst):
    RecordFactory.create_batch(3, kind="detention")
    client.force_login(analyst)
    _download(client, format="json", kind="detention", purpose="Estudio de detenciones")
    event = AuditEvent.objects.get(action="export")
    assert event.actor == analyst
    assert event.purpose == "Estudio de detenciones"
    assert event.details["rows"] == 3
    assert event.details["filters"] == {"kind": "detention"}
    assert event.details["format"] == "json"


@pytest.mark.parametrize("role", [None, roles.PROSECUTOR, roles.AGENCY_OPERATOR])
def test_only_ngo_analysts_and_admins_may_export(db, client, role):
    user = UserFactory(username=f"sin_exportar_{role}", role=role)
    client.force_login(user)
    assert client.get(reverse("export_form")).status_code == 404
    assert client.post(reverse("export_form"), {"format": "csv", "purpose": "x"}
                       ).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_outsider_cannot_export(client, outsider):
    client.force_login(outsider)
    assert client.post(reverse("export_form"), {"format": "csv", "purpose": "x"}
                       ).status_code == 404


def test_k_anonymity_generalises_then_suppresses_small_groups(client, analyst):
    municipality_a = "09015"  # Cuauhtémoc
    for day in range(1, 4):  # three alike: a group of 3
        RecordFactory(kind="detention", sex="H", age=30, birth_date=None,
                      event_municipality_id=municipality_a, event_date=date(2024, 5, day))
    # Two in other months of 2024, same municipality: alone by month, together by year → 2.
    RecordFactory(kind="detention", sex="M", age=41, birth_date=None,
                  event_municipality_id=municipality_a, event_date=date(2024, 6, 1))
    RecordFactory(kind="detention", sex="M", age=42, birth_date=None,
                  event_municipality_id="09016", event_date=date(2024, 8, 1))
    # One unique person: suppressed.
    RecordFactory(kind="detention", sex="X", age=80, birth_date=None,
                  event_municipality_id=municipality_a, event_date=date(2020, 1, 1))
    client.force_login(analyst)
    body = _download(client, k_anonymity=2)
    rows = _csv_rows(body)
    assert len(rows) == 5
    generalised = [row for row in rows if row["event_date"] == "2024"]
    assert len(generalised) == 2
    assert {row["event_municipality"] for row in generalised} == {"Ciudad de México"}
    notes = _notes(client, k_anonymity=2)
    assert "filas_generalizadas,2" in notes and "filas_suprimidas,1" in notes
    event = AuditEvent.objects.get(action="export")
    assert (event.details["generalised"], event.details["suppressed"]) == (2, 1)


def test_filters_never_use_a_field_ngos_cannot_see_exactly(db):
    from registry.redaction import CASE_POLICY, filterable_fields

    assert set(exports.FILTERED_RECORD_FIELDS) <= filterable_fields("registry.record",
                                                                    Audience.NGO)
    assert CASE_POLICY["status"][Audience.NGO].is_unconditional_show()
    assert "event_date" not in filterable_fields("registry.record", Audience.NGO)


def test_the_date_filter_works_by_whole_months(client, analyst):
    early = RecordFactory(kind="detention", event_date=date(2024, 5, 2))
    late = RecordFactory(kind="detention", event_date=date(2024, 5, 30))
    RecordFactory(kind="detention", event_date=date(2024, 6, 1))
    client.force_login(analyst)
    # A day-precise window inside May must not tell the 2nd from the 30th.
    narrow = _csv_rows(_download(client, date_from="2024-05-15", date_to="2024-05-16"))
    assert len(narrow) == 2
    assert {row["event_date"] for row in narrow} == {"2024-05"}
    assert {early.pk, late.pk}  # both May records, told apart only by their pseudonyms

"""PostgreSQL: a batch's foreign keys are checked once a chunk, with the triggers' guarantees.

``imports.writers.ForeignKeyCheck`` writes with ``session_replication_role = replica``
(no per-row foreign-key trigger) after locking the referenced rows itself. Each test
runs both ways (``USE_SET_BASED_FOREIGN_KEYS`` on and off) where the outcome must be
the same: same records, a value missing from the catalogue fails the batch and stores
nothing, the referenced catalogue rows stay locked until the batch ends.
"""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from django.db import IntegrityError, connection

from imports import batch as importer
from imports import validation, writers
from imports.models import ImportBatch
from registry.models import Record, RecordKind
from tests.imports.files import csv_bytes, detention_row, detention_rows

pytestmark = pytest.mark.postgres_only

BOTH_WAYS = pytest.mark.parametrize("set_based", [True, False], ids=["set-based", "triggers"])
COMPARED = [f.attname for f in Record._meta.concrete_fields
            if f.name not in ("id", "agency", "import_batch", "created_at", "updated_at")]


@pytest.fixture
def checks(monkeypatch):
    """Count the set-based checks (one a written chunk) and write in chunks of two rows."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    made = []
    original = writers.ForeignKeyCheck.before_writes

    def counted(self, cursor):
        made.append(1)
        return original(self, cursor)

    monkeypatch.setattr(writers.ForeignKeyCheck, "before_writes", counted)
    return made


def _stored(agency) -> list[tuple]:
    return sorted(tuple(values) for values in
                  Record.objects.filter(agency=agency).values_list(*COMPARED))


def test_the_set_based_check_stores_what_the_triggers_store(
        import_file, agency_a, agency_b, monkeypatch, checks):
    first = detention_rows(5)
    changed = detention_rows(6)
    changed[2] = detention_row(2, **{"MUNICIPIO": "Zapopan"})
    for agency, set_based in ((agency_a, True), (agency_b, False)):
        monkeypatch.setattr(writers, "USE_SET_BASED_FOREIGN_KEYS", set_based)
        import_file(agency, csv_bytes(first))
        batch = import_file(agency, csv_bytes(changed))
        assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (1, 1, 4)

    assert _stored(agency_a) == _stored(agency_b)
    # Set-based: 3 chunks of the first file, then the chunks with a change or a new row.
    assert len(checks) == 5
    assert Record.objects.get(agency=agency_a, external_id="DET-000002").event_municipality_id \
        == "14120"


@BOTH_WAYS
def test_a_code_missing_from_the_catalogue_fails_the_batch_and_stores_nothing(
        import_file, agency_a, monkeypatch, checks, set_based):
    monkeypatch.setattr(writers, "USE_SET_BASED_FOREIGN_KEYS", set_based)
    # As if validation let through a municipality the catalogue does not have.
    monkeypatch.setattr(validation, "_municipality",
                        lambda state, text: "14999" if text == "Tonalá" else f"{state}039")
    rows = detention_rows(5)
    rows[4] = detention_row(4, **{"MUNICIPIO": "Tonalá"})

    with pytest.raises((IntegrityError, psycopg2.IntegrityError)):
        import_file(agency_a, csv_bytes(rows))

    assert not Record.objects.exists() and not Record.history.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert len(checks) == (2 if set_based else 0)  # the second chunk held the bad code


@BOTH_WAYS
def test_the_catalogue_rows_used_stay_locked_until_the_batch_ends(
        import_file, agency_a, monkeypatch, set_based):
    monkeypatch.setattr(writers, "USE_SET_BASED_FOREIGN_KEYS", set_based)
    original = writers.PostgresStage._load_chunk
    probes = []

    def then_probe(self, buffer):
        original(self, buffer)
        probes.append(_try_to_lock("registry_municipality", "code", "14039"))

    monkeypatch.setattr(writers.PostgresStage, "_load_chunk", then_probe)

    import_file(agency_a, csv_bytes(detention_rows(3)))

    # Another session cannot lock Guadalajara to delete or re-key it mid-batch.
    assert probes == ["locked"]


def test_a_role_that_may_not_skip_the_triggers_imports_the_same_way(
        import_file, agency_a, checks):
    role = f"registry_test_importer_{uuid.uuid4().hex[:12]}"
    # Created, granted and dropped inside the test's transaction: nothing outlives it.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        batch = import_file(agency_a, csv_bytes(detention_rows(3)))
        assert batch.rows_created == 3 and not checks  # the triggers did the checking

        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
            cursor.execute(f"SET ROLE {role}")
        batch = import_file(agency_a, csv_bytes(detention_rows(3, start=4)))
        assert batch.rows_created == 3 and len(checks) == 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert Record.objects.filter(agency=agency_a).count() == 6


def _try_to_lock(table: str, column: str, value: str) -> str:
    """From another session: can this row be locked for a delete right now?"""
    settings = connection.settings_dict
    other = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"],
                             password=settings["PASSWORD"], host=settings["HOST"],
                             port=settings["PORT"] or 5432)
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR UPDATE NOWAIT",  # noqa: S608
                           [value])
            return "free"
    except psycopg2.errors.LockNotAvailable:
        return "locked"
    finally:
        other.close()


@BOTH_WAYS
def test_the_words_of_imported_missing_persons_reach_the_search_vocabulary(
        import_file, agency_a, monkeypatch, checks, set_based):
    # The vocabulary's trigger must fire in replica mode too (registry migration 0009).
    monkeypatch.setattr(writers, "USE_SET_BASED_FOREIGN_KEYS", set_based)
    rows = detention_rows(2)
    rows[1] = detention_row(1, **{"NOMBRE(S)": "Xóchitl Itzel", "APELLIDO PATERNO": "Quetzal"})

    import_file(agency_a, csv_bytes(rows), kind=RecordKind.MISSING_REPORT)

    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM public_name_word WHERE word = ANY(%s) ORDER BY word",
                       [["itzel", "quetzal", "xochitl"]])
        assert [word for (word,) in cursor.fetchall()] == ["itzel", "quetzal", "xochitl"]
    assert len(checks) == (1 if set_based else 0)

"""Migrations 0014-0015: the consent flag becomes the family's publication decision.

Consent meant "publish with the name"; no consent meant an entry without name (and
nothing else hidden), which is exactly "publish without name". Case rows and their
history rows both migrate, and the migration runs backwards too.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0013_record_kinds_forensic_alert_kind")]
AFTER = [("registry", "0015_case_publication_decision")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def _latest_schema_after():
    # The test leaves the schema at 0015; every later migration (agency contacts…) must be
    # back for the tests that follow, or they meet missing columns.
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_consent_becomes_a_publication_decision_and_back(_latest_schema_after):
    apps = _migrate(BEFORE)
    Agency = apps.get_model("registry", "Agency")
    Record = apps.get_model("registry", "Record")
    Case = apps.get_model("registry", "Case")
    HistoricalCase = apps.get_model("registry", "HistoricalCase")
    agency = Agency.objects.create(code="fge-mig", name="Fiscalía", kind="prosecutor")
    cases = {}
    for folio, consent in (("CON", True), ("SIN", False)):
        report = Record.objects.create(kind="missing_report", agency=agency,
                                       external_id=folio)
        case = Case.objects.create(folio=folio, agency=agency, missing_report=report,
                                   publication_consent=consent, public_key=f"k-{folio}")
        HistoricalCase.objects.create(
            id=case.pk, folio=folio, agency_id=agency.pk, missing_report_id=report.pk,
            status="desaparecida", status_changed_at=case.status_changed_at,
            publication_consent=consent, investigation_notes="", created_at=case.created_at,
            updated_at=case.updated_at, history_date=case.created_at, history_type="+")
        cases[folio] = case.pk

    apps = _migrate(AFTER)
    Case = apps.get_model("registry", "Case")
    HistoricalCase = apps.get_model("registry", "HistoricalCase")
    assert dict(Case.objects.values_list("folio", "publication")) == {
        "CON": "publicar", "SIN": "sin_nombre"}
    assert dict(HistoricalCase.objects.values_list("folio", "publication")) == {
        "CON": "publicar", "SIN": "sin_nombre"}
    assert set(Case.objects.values_list("public_key_version", flat=True)) == {0}
    assert set(Case.objects.values_list("public_key", flat=True)) == {"k-CON", "k-SIN"}
    Case.objects.filter(folio="SIN").update(publication="no_publicar")

    apps = _migrate(BEFORE)  # backwards: only "publish" was consent
    Case = apps.get_model("registry", "Case")
    assert dict(Case.objects.values_list("folio", "publication_consent")) == {
        "CON": True, "SIN": False}
    _migrate(AFTER)
    # Leave the database as every later test expects it: every migration applied.
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes("registry"))

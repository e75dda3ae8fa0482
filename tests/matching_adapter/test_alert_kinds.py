"""A remains or located record matching an open case raises an alert of its own kind,
remains with the highest priority; the migration gives existing alerts their kind."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction

from matching.linkage import match_new_records
from registry.models import ALERT_PRIORITY, Alert, AlertKind, RecordKind
from tests import factories
from tests.matching_adapter.conftest import person_fields, record, twin_of


@pytest.fixture
def forensic(db):
    return factories.AgencyFactory(code="semefo-cdmx", name="Servicio Médico Forense",
                                   kind="forensic")


@pytest.mark.parametrize("kind", [RecordKind.UNIDENTIFIED_REMAINS, RecordKind.LOCATED,
                                  RecordKind.DETENTION, RecordKind.RELEASE_TRANSFER])
def test_each_kind_raises_an_alert_of_its_own_kind(model_version, agency_a, forensic, kind):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    case = factories.CaseFactory(agency=agency_a, missing_report=report)
    found = record(kind, forensic, **twin_of())

    match_new_records(record_ids=[found.pk])

    alert = Alert.objects.get()
    assert (alert.case, alert.record, alert.kind) == (case, found, kind)
    assert alert.priority == ALERT_PRIORITY[AlertKind(kind)]


def test_remains_come_first(model_version, agency_a, forensic, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    factories.CaseFactory(agency=agency_a, missing_report=report)
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    remains = record(RecordKind.UNIDENTIFIED_REMAINS, forensic,
                     **person_fields(given_names="", paternal_surname="", maternal_surname=""),
                     age_min=30, age_max=40)
    match_new_records(record_ids=[detention.pk])
    alert = Alert.objects.get()
    # Remains that match the case (here by hand, as a reviewer would confirm them).
    Alert.objects.create(case=alert.case, record=remains,
                         **Alert.kind_and_priority(remains.kind))

    ordered = list(Alert.objects.order_by("-priority", "-created_at")
                   .values_list("kind", flat=True))
    assert ordered == [AlertKind.UNIDENTIFIED_REMAINS, AlertKind.DETENTION]
    assert max(ALERT_PRIORITY, key=ALERT_PRIORITY.get) == AlertKind.UNIDENTIFIED_REMAINS


def test_the_database_refuses_a_priority_that_is_not_its_kinds(agency_a):
    case = factories.CaseFactory(agency=agency_a)
    detention = factories.RecordFactory(kind="detention")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(case=case, record=detention, kind=AlertKind.DETENTION, priority=4)


def test_the_migration_gives_existing_alerts_the_kind_of_their_record(agency_a, forensic):
    case = factories.CaseFactory(agency=agency_a)
    remains = factories.RecordFactory(agency=forensic, kind="unidentified_remains")
    alert = Alert.objects.create(case=case, record=remains)  # as alerts were stored before
    assert (alert.kind, alert.priority) == ("detention", 3)
    backfill = import_module("registry.migrations.0013_record_kinds_forensic_alert_kind")

    backfill.alert_kind_from_record(django_apps, None)

    alert.refresh_from_db()
    assert (alert.kind, alert.priority) == ("unidentified_remains", 4)

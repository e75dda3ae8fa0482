"""manage.py relink: partitions as tasks, progress on the run, idempotent, trains a model."""

from __future__ import annotations

import io

from django.core.management import call_command

from matching.models import LinkageModelVersion, MergeDecision, RelinkRun
from registry.models import Alert, MatchCandidate, Person, Record, RecordKind
from tests import factories
from tests.matching_adapter.conftest import (
    cousin_of,
    person_fields,
    record,
    store_synthetic,
    twin_of,
)


def _relink(*args: str) -> str:
    out = io.StringIO()
    call_command("relink", *args, "--poll", "0", stdout=out)
    return out.getvalue()


def _state() -> tuple:
    return (
        sorted(MatchCandidate.objects.values_list("record_left", "record_right", "decision",
                                                  "probability")),
        sorted(Record.objects.values_list("pk", "person")),
        Person.objects.count(), MergeDecision.objects.count(),
        sorted(Alert.objects.values_list("case", "record")),
    )


def _stored_people(agency_a, agency_police) -> None:
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    factories.CaseFactory(agency=agency_a, missing_report=report)
    record(RecordKind.DETENTION, agency_police, **twin_of())
    record(RecordKind.LOCATED, agency_police, **cousin_of(sex=""))
    other = person_fields(given_names="Jesús", paternal_surname="Villalobos",
                          maternal_surname="Arce", sex="H")
    record(RecordKind.MISSING_REPORT, agency_a, **other)
    record(RecordKind.DETENTION, agency_police, **{**other, "maternal_surname": "Arze"})


def test_relink_links_every_partition_and_reports_progress(model_version, agency_a,
                                                           agency_police):
    _stored_people(agency_a, agency_police)

    output = _relink("--no-train")

    run = RelinkRun.objects.get()
    assert run.status == RelinkRun.Status.DONE and run.finished_at is not None
    assert run.model_version == model_version
    assert run.partitions_total == 2 == run.partitions_done  # "k" (Quintero), "b" (Villalobos)
    assert run.records_total == 5
    assert run.links >= 2 and run.alerts == 2  # the twin's and the cousin's
    assert f"partitions 2/2, pairs {run.pairs}, links {run.links}" in output
    assert "done" in output
    assert Person.objects.filter(merged_into__isnull=True).count() == 2


def test_relink_twice_creates_nothing_new(model_version, agency_a, agency_police):
    _stored_people(agency_a, agency_police)
    _relink("--no-train")
    after_first = _state()

    _relink("--no-train")

    assert _state() == after_first
    second = RelinkRun.objects.order_by("-id").first()
    assert (second.links, second.candidates, second.alerts) == (0, 0, 0)


def test_relink_trains_and_saves_a_new_model_version_from_the_stored_records(
        db, settings, agency_a):
    settings.MATCHING_MIN_TRAINING_RECORDS = 500
    store_synthetic(agency_a, 600)

    _relink()

    version = LinkageModelVersion.objects.get()
    assert version.source == LinkageModelVersion.Source.RELINK
    assert version.records_count == 600
    assert 0 < version.lower_threshold <= version.upper_threshold <= 1
    assert version.model_json["upper_threshold"] == version.upper_threshold
    assert RelinkRun.objects.get().model_version == version
    assert MatchCandidate.objects.filter(model_version=version.label).exists()


def test_relink_without_a_model_or_enough_records_says_so(db, agency_a):
    record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    try:
        _relink()
    except Exception as error:  # CommandError
        assert "No hay un modelo de vinculación" in str(error)
    else:
        raise AssertionError("relink ran without a model")
    assert not RelinkRun.objects.exists()


def test_relink_links_a_pair_whose_records_fall_in_different_partitions(
        model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    # The paternal surname misspelt in its first letter: another partition ("k" / "g").
    detention = record(RecordKind.DETENTION, agency_police,
                       **twin_of(paternal_surname="Guintero"))

    _relink("--no-train")

    assert RelinkRun.objects.get().partitions_total == 2
    assert MatchCandidate.objects.filter(record_left=report, record_right=detention).exists()

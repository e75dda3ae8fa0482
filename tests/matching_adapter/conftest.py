"""A trained model for the adapter's tests, and records that it scores in known bands.

The model is trained once per session with EM on a synthetic population (no labels),
as ``relink`` would train it; each test stores it as a ``LinkageModelVersion`` with
fixed thresholds: link at or above 0.999999, review from 0.5. The example records
below are chosen so that, with any sensible model:

* ``twin_of(record)`` (same names, birth date, place) links: odds above 10^6;
* ``cousin_of(record)`` (nickname, birth year off by one, no maternal surname) goes to
  review: clearly similar, far from certain.

``test_the_examples_fall_in_their_bands`` checks both against the core, so a change of
the core that moves them fails there first, with a message, not somewhere obscure.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.synthetic import generate_linkage_dataset
from matching import adapter
from matching.linker import Linker
from matching.models import LinkageModelVersion
from tests import factories

UPPER, LOWER = 0.999999, 0.5


@lru_cache(maxsize=1)
def trained_model_json() -> dict:
    left, right = generate_linkage_dataset(seed=11, n_left=1200, n_right=1200, overlap=0.5)
    records = [{
        "record_id": r.record_id, "given_names": r.given_names,
        "paternal_surname": r.paternal_surname, "maternal_surname": r.maternal_surname,
        "aliases": r.aliases, "sex": r.sex, "birth_date": r.birth_date, "age": r.age,
        "id_number": r.curp, "state": r.state_code, "municipality": r.municipality_code,
        "address": r.address, "event_date": r.event_date,
    } for r in left + right]
    model = Linker().dedupe(records).model
    model.upper_threshold, model.lower_threshold = UPPER, LOWER
    return model.to_json()


@pytest.fixture(autouse=True)
def _fresh_matching_caches():
    # Each test has its own database rows; never reuse another test's index.
    adapter.index_cache.clear()
    adapter.forget_loaded_models()
    yield
    adapter.index_cache.clear()
    adapter.forget_loaded_models()


@pytest.fixture
def model_version(db) -> LinkageModelVersion:
    return LinkageModelVersion.objects.create(
        model_json=trained_model_json(), source=LinkageModelVersion.Source.RELINK,
        records_count=2400, upper_threshold=UPPER, lower_threshold=LOWER)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def agency_police(db):
    return factories.AgencyFactory(code="ssc-cdmx", name="Secretaría de Seguridad Ciudadana",
                                   kind="police", state=factories.state("09"))


def person_fields(**overrides) -> dict:
    """Return the identity of one made-up person (CDMX, Benito Juárez)."""
    fields = {
        "given_names": "Rosa María", "paternal_surname": "Quintero",
        "maternal_surname": "Balderas", "sex": "M", "birth_date": datetime.date(1990, 5, 17),
        "curp": "", "event_state": factories.state("09"), "event_municipality_id": "09014",
        "event_date": datetime.date(2025, 1, 10), "address": "",
    }
    fields.update(overrides)
    return fields


def twin_of(**overrides) -> dict:
    return person_fields(event_date=datetime.date(2025, 3, 2), **overrides)


def cousin_of(**overrides) -> dict:
    return person_fields(given_names="Rosa", maternal_surname="",
                         birth_date=datetime.date(1991, 5, 17), **overrides)


def store_synthetic(agency, count: int) -> None:
    """Store ``count`` synthetic records (reports and detentions of a made-up population)."""
    from registry.models import Record, RecordKind

    left, right = generate_linkage_dataset(seed=5, n_left=count // 2,
                                           n_right=count - count // 2, overlap=0.5)
    Record.objects.bulk_create([Record(
        kind=RecordKind.MISSING_REPORT, agency=agency, external_id=f"S-{r.record_id}",
        given_names=r.given_names, paternal_surname=r.paternal_surname,
        maternal_surname=r.maternal_surname, sex=r.sex, birth_date=r.birth_date, age=r.age,
        curp=r.curp, event_state_id=r.state_code, event_date=r.event_date,
    ) for r in left + right])


def record(kind: str, agency, **fields):
    """Store one record with matching identity fields (the factory fills the rest)."""
    return factories.RecordFactory(kind=kind, agency=agency, **fields)


@pytest.fixture
def import_detentions(owner, django_capture_on_commit_callbacks):
    """Import a detention CSV through the imports app; matching runs on commit."""
    from imports.intake import import_batch_create
    from imports.services import import_batch_commit

    def run(agency, content: bytes, actor=None):
        batch = import_batch_create(
            agency=agency, record_kind="detention", upload=SimpleUploadedFile("d.csv", content),
            file_name="d.csv", actor=actor or owner)
        with django_capture_on_commit_callbacks(execute=True):
            return import_batch_commit(batch=batch, actor=actor or owner)

    return run

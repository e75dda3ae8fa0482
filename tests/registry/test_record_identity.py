import pytest
from django.db import IntegrityError, transaction

from registry.models import Record
from tests.factories import AgencyFactory, RecordFactory


def test_external_id_is_unique_per_agency(agency_a):
    RecordFactory(agency=agency_a, external_id="DET-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordFactory(agency=agency_a, external_id="DET-001")


def test_two_agencies_may_use_the_same_external_id(agency_a, agency_b):
    RecordFactory(agency=agency_a, external_id="DET-001")
    RecordFactory(agency=agency_b, external_id="DET-001")
    assert Record.objects.filter(external_id="DET-001").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("external_id", ""), ("kind", "rumor"), ("sex", "Z"), ("age", 190)],
)
def test_database_refuses_invalid_values(db, field, value):
    agency = AgencyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordFactory(agency=agency, **{field: value})

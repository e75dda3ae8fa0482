"""Prepared statements of the public search (PostgreSQL): planned once, safe, renewed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from public_site.entries import PublicFilters
from public_site.prepared import prepared_fetchall
from public_site.selectors import public_search
from tests.factories import CaseFactory

pytestmark = pytest.mark.postgres_only


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def _make_cases() -> None:
    for given in ("Guadalupe", "Guadalupe", "Rocío"):
        CaseFactory(publication_consent=True, missing_report__given_names=given,
                    missing_report__paternal_surname="Xicoténcatl",
                    missing_report__maternal_surname="Núñez",
                    missing_report__birth_date=date(1980, 2, 1),
                    missing_report__event_date=date(2024, 3, 5))


@pytest.fixture
def cases(db, postgres_only):
    _make_cases()


def test_the_search_prepares_its_statements_once_and_gives_the_same_answer(cases):
    first = public_search(text="guadalupe xicotencatl", filters=PublicFilters())
    prepared = _prepared_names()
    assert any(name.startswith("public_") for name in prepared)
    second = public_search(text="guadalupe xicotencatl", filters=PublicFilters())
    assert _prepared_names() == prepared  # nothing prepared again
    assert [e.key for e in first.entries] == [e.key for e in second.entries]
    assert first.total == 2


def test_a_new_connection_prepares_them_again(transactional_db, postgres_only):
    _make_cases()
    before = public_search(text="rocio nunez", filters=PublicFilters())
    connection.close()
    after = public_search(text="rocio nunez", filters=PublicFilters())
    assert [e.key for e in before.entries] == [e.key for e in after.entries]
    assert after.total == 1


def test_parameters_are_values_never_sql(db, postgres_only):
    hostile = "x'); DROP TABLE registry_record; --%s %%"
    assert prepared_fetchall("SELECT $1::text, length($1::text)", ["text"], [hostile]) == [
        (hostile, len(hostile))]

"""Shared fixtures: the three kinds of user every permission test talks about.

- ``owner``: operator of agency A (``agency_a``), who loaded the records.
- ``reviewer``: a prosecutor assigned to a case of agency A, with the right to review.
- ``outsider``: a logged-in user of agency B who must see nothing of agency A.
"""

from __future__ import annotations

import pytest
from django.db import connection

from registry import roles
from tests import factories


@pytest.fixture
def agency_a(db):
    return factories.AgencyFactory(code="fge-cdmx", name="Fiscalía General de Justicia CDMX")


@pytest.fixture
def agency_b(db):
    return factories.AgencyFactory(code="ssp-jal", name="Secretaría de Seguridad de Jalisco",
                                   kind="police", state=factories.state("14"))


@pytest.fixture
def owner(agency_a):
    return factories.operator_of(agency_a, username="operadora_a")


@pytest.fixture
def case_a(agency_a):
    return factories.CaseFactory(agency=agency_a)


@pytest.fixture
def reviewer(case_a):
    return factories.prosecutor_for(case_a, username="fiscal_a")


@pytest.fixture
def outsider(agency_b):
    return factories.operator_of(agency_b, username="operador_b")


@pytest.fixture
def administrator(db):
    return factories.UserFactory(username="admin_registro", role=roles.ADMINISTRATOR)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("exercises a PostgreSQL-only feature")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s per user on this machine; tests need hashing, not its cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Django fixtures: the three kinds of user every permission test talks about.

- ``owner``: operator of agency A (``agency_a``), who loaded the records.
- ``reviewer``: a prosecutor assigned to a case of agency A, with the right to review.
- ``outsider``: a logged-in user of agency B who must see nothing of agency A.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection

from public_site import search_sql
from registry import roles
from registry.models import State
from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let Django empty the audit tables of the throw-away test database between tests.

    The audit log refuses TRUNCATE (registry migration 0017) unless the database says
    ``registry.allow_audit_truncate = on``; Django's flush after a transactional test
    is a TRUNCATE. Set on this test database only, never on a real one.
    """
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        cursor.execute(f'ALTER DATABASE "{name}" SET registry.allow_audit_truncate = \'on\'')
        cursor.execute("SET registry.allow_audit_truncate = 'on'")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Make sure the data migrations' rows (INEGI catalogue, role groups) are there.

    A transactional test ends with a flush of every table, which also empties what
    migrations loaded; tests that come after it would otherwise find no states.
    """
    if "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    if not State.objects.exists():
        load_catalogue = import_module("registry.migrations.0002_load_inegi_catalogue")
        load_catalogue.load_catalogue(django_apps, None)
    roles.role_groups_ensure()


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
def _no_bootstrap_training(settings):
    # A registry without a trained model trains one on its first large import. The
    # imports tests load thousands of rows of one repeated name (one giant block), which
    # makes that training slow and is not what they test; matching tests lower this.
    settings.MATCHING_MIN_TRAINING_RECORDS = 10**9


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs ~0.3 s per user on this machine; tests need hashing, not its cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_search_vocabulary():
    # The public search keeps each searched word's close vocabulary words for minutes
    # (public_site.search_sql); every test starts from its own database's vocabulary.
    search_sql.similar_words_forget()
    yield
    search_sql.similar_words_forget()

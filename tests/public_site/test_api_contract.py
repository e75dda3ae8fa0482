"""The OpenAPI schema is the contract: Schemathesis checks every operation against it.

Requests are generated from the served schema (``/api/v1/esquema/``), positive (valid
by the schema: must be accepted) and negative (invalid: must be refused with a 4xx),
and sent to the WSGI application in-process, on the test database. Every response must
be documented (status, content type, body schema) and no answer may be a 5xx. The
number of examples is bounded (``API_CONTRACT_EXAMPLES``, default 30 an operation) so
the suite stays fast; raise it to hunt (``API_CONTRACT_EXAMPLES=1000``).

One exception, said here and in the schema's text: the import API refuses a payload
whose records name no column it knows (the columns are an agency's headers, matched
forgiving accents, case and spacing: not something JSON Schema can state), whose keys
hold a NUL (``propertyNames`` is not part of OpenAPI 3.0), or whose sex column holds
only "M" without ``sex_codes`` (a judgement over all the values). For that operation a
400 to schema-valid data is accepted only with one of those three messages.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CheckContext
from schemathesis.specs.openapi.checks import positive_data_acceptance

from public_site import lookups
from registry.ratelimit import Limit
from tests.factories import CaseFactory, RecordFactory

EXAMPLES = int(os.environ.get("API_CONTRACT_EXAMPLES", "30"))


# Loaded once, through the WSGI application, as a client would (no database needed).
# (Not schemathesis.pytest.from_fixture: its lazy loading does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/esquema/", get_wsgi_application())


@pytest.fixture
def registry_for_contract(db, settings, monkeypatch):
    """A registry with a few public entries and limits generous enough to test behind."""
    settings.RATE_LIMIT_REQUIRE_SHARED_CACHE = False
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        dict.fromkeys(("public_read", "public_lookup", "import_api"),
                                      "100000/minute"))
    monkeypatch.setattr(lookups, "DETENTION_LIMIT_PER_IP",
                        Limit("detention-ip", attempts=100_000, window_seconds=600))
    cache.clear()
    for _ in range(3):
        CaseFactory(publication_consent=True)
    RecordFactory(kind="detention", given_names="Rosa", paternal_surname="Luna")
    # Schemathesis calls the WSGI application itself, whose end of request would close
    # the test's database connection (in its transaction); Django's test client
    # disconnects the same handler.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(owner):
    return {"Authorization": f"Token {Token.objects.create(user=owner).key}"}


def _import_refusal_is_the_documented_one(ctx: CheckContext, response, case) -> bool | None:
    if response.status_code == 400 and case.meta.generation.mode.is_positive:
        assert any(reason in response.text for reason in ("encabezados", "(NUL)", "sexo")), \
            response.text
        return True
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, registry_for_contract, token_header):
    if case.operation.path.startswith("/importaciones/"):
        case.call_and_validate(headers=token_header,
                               excluded_checks=[positive_data_acceptance],
                               additional_checks=[_import_refusal_is_the_documented_one])
    else:
        case.call_and_validate()

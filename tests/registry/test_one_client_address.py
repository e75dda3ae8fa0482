"""One notion of the client's address for every limit and the audit log.

The site's own limits and the audit log read the address through
``registry.audit.client_ip`` (``TRUSTED_PROXY_HOPS``); the API's throttles must read
the same address, so that a forged ``X-Forwarded-For`` buys nothing.
"""

from __future__ import annotations

import random

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from registry.models import AuditEvent


@pytest.fixture
def tight_rates(settings):
    """Three requests a minute in every API scope (the rates are read at import time)."""
    cache.clear()
    rates = dict.fromkeys(api_settings.DEFAULT_THROTTLE_RATES, "3/minute")
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    yield
    SimpleRateThrottle.THROTTLE_RATES = original
    cache.clear()


def _forged() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


@pytest.mark.parametrize("hops", [0, 1])
def test_a_forged_forwarded_for_does_not_escape_the_public_api_limit(db, settings, tight_rates,
                                                                     hops):
    settings.TRUSTED_PROXY_HOPS = hops
    api = APIClient()
    # The client writes whatever it likes on the left; with one proxy of ours, the proxy
    # appends the address it really saw (always the same here).
    codes = [api.get(reverse("api:statistics"), REMOTE_ADDR="10.0.0.5",
                     HTTP_X_FORWARDED_FOR=f"{_forged()}, 203.0.113.9" if hops else _forged()
                     ).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_behind_a_proxy_two_clients_are_two_clients(db, settings, tight_rates):
    settings.TRUSTED_PROXY_HOPS = 1
    api = APIClient()
    for _ in range(3):
        api.get(reverse("api:statistics"), REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = api.get(reverse("api:statistics"), REMOTE_ADDR="10.0.0.5",
                    HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 200


def test_the_detention_lookup_audits_the_address_it_throttles(db, settings, tight_rates):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.RATE_LIMIT_REQUIRE_SHARED_CACHE = False
    api = APIClient()
    response = api.post(reverse("api:detention_lookup"),
                        {"given_names": "Ana", "paternal_surname": "Pérez"}, format="json",
                        REMOTE_ADDR="10.0.0.5",
                        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="detention_lookup").ip_address == "203.0.113.9"


def test_the_agency_import_api_is_rate_limited_per_account(owner, agency_a, tight_rates):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    payload = {"agency": agency_a.code, "kind": "detention", "dry_run": True,
               "records": [{"FOLIO": "T-1", "NOMBRE(S)": "Rosa", "APELLIDO PATERNO": "Luna"}]}
    codes = [client.post("/importaciones/api/lotes/", payload, format="json",
                         HTTP_X_FORWARDED_FOR=_forged()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]

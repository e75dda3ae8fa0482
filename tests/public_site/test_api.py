"""Public JSON API: open, throttled, redacted, documented by an OpenAPI schema."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from registry.redaction import Audience
from tests.canaries import assert_no_canaries


@pytest.fixture
def api():
    return APIClient()


def test_search_endpoint_is_open_paginated_and_redacted(api, world):
    response = api.get(reverse("api:entry_list"), {"q": "canarygiven1", "estado": "09"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["results"][0]["clave"] == world.case.public_key
    assert data["results"][0]["nombre"] == "Canarygiven1"
    assert_no_canaries(response.content, world, Audience.PUBLIC)


def test_api_rejects_filters_outside_the_allow_list(api, world):
    response = api.get(reverse("api:entry_list"), {"sexo": "Z"})
    assert response.status_code == 400
    ignored = api.get(reverse("api:entry_list"), {"curp": "CNRY1HDFXXX0", "ordering": "curp"})
    assert ignored.json()["count"] == 1  # unknown parameters filter nothing


def test_entry_endpoint_and_404(api, world):
    response = api.get(reverse("api:entry_detail", args=[world.case.public_key]))
    assert response.status_code == 200
    assert response.json()["url"].endswith(f"/ficha/{world.case.public_key}/")
    assert_no_canaries(response.content, world, Audience.PUBLIC)
    missing = api.get(reverse("api:entry_detail", args=[world.case.folio]))
    assert missing.status_code == 404
    assert_no_canaries(missing.content, world, Audience.PUBLIC)


def test_statistics_endpoint(api, world):
    response = api.get(reverse("api:statistics"))
    assert response.status_code == 200 and response.json()["total"] == 1
    assert_no_canaries(response.content, world, Audience.PUBLIC)


def test_detention_lookup_endpoint(api, world):
    url = reverse("api:detention_lookup")
    response = api.post(url, {"given_names": "Canarygiven2",
                              "paternal_surname": "Canarypaternal2"}, format="json")
    assert response.status_code == 200
    assert response.json()["encontrado"] is True
    assert response.json()["registros"][0]["autoridad"] == "CanaryAuthority2"
    assert response["Cache-Control"] == "no-store"
    # The answer echoes the name asked ("consulta"); nothing else of the record's name.
    answer = response.json()
    assert answer.pop("consulta") == "Canarygiven2 Canarypaternal2"
    assert_no_canaries(json.dumps(answer, ensure_ascii=False), world, Audience.PUBLIC)
    assert api.post(url, {"given_names": "C*", "paternal_surname": "X"},
                    format="json").status_code == 400


def test_public_endpoints_are_throttled(api, world, settings):
    cache.clear()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"public_read": "3/minute"}
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.throttling import SimpleRateThrottle

    # Kept, not re-read from api_settings on the way out: by then they are the 3/minute
    # of this test's settings, and every later API test of the process would get 429s.
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [api.get(reverse("api:statistics")).status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]


def test_openapi_schema_is_served_and_documents_the_public_endpoints(api, db):
    response = api.get(reverse("api_schema"))
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/publico/fichas/", "/api/v1/publico/estadisticas/",
                 "/api/v1/publico/detenciones/consulta/"):
        assert path in body

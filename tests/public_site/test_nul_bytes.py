"""NUL bytes and garbage in paths and query strings: 404 or 400, never 500 (issue 15, 3).

PostgreSQL refuses a NUL in a query; every path converter and query parameter that
reaches the database must stop it first.
"""

import pytest
from django.test import Client

NOT_FOUND = ["/ficha/%00/", "/api/v1/publico/fichas/%00/", "/ficha/abc%00def/",
             "/api/v1/publico/fichas/%FF%FE/", "/ficha/" + "a" * 300 + "/"]
ANY_PAGE = [
    "/buscar/?q=%00", "/buscar/?estado=%00", "/buscar/?municipio=%00", "/buscar/?desde=%00",
    "/buscar/?pagina=%00", "/buscar/?orden=%00", "/api/v1/publico/fichas/?q=%00",
    "/api/v1/publico/fichas/?pagina=%00", "/api/v1/publico/fichas/?municipio=%00",
    "/familias/avisos/baja/%00/", "/api/v1/esquema/?format=%00", "/cuenta/login/?next=%00",
    "/trabajo/casos/?q=%00&estado=%00&situacion=%00&pagina=%00", "/trabajo/revision/?pagina=%00",
    "/importaciones/?pagina=%00", "/trabajo/institucion/registros/?pagina=%00",
    "/trabajo/alertas/?pagina=%00",
]


@pytest.mark.parametrize("path", NOT_FOUND)
def test_a_key_that_cannot_be_a_key_is_404(db, path):
    assert Client(raise_request_exception=False).get(path).status_code == 404


@pytest.mark.parametrize("path", ANY_PAGE)
def test_nul_in_a_query_string_never_gives_500(db, administrator, path):
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    assert client.get(path).status_code < 500


@pytest.mark.parametrize(("path", "data"), [
    ("/familias/", {"folio": "\x00", "codigo": "\x00"}),
    ("/detenciones/", {"given_names": "a\x00", "paternal_surname": "b"}),
    ("/cuenta/login/", {"username": "\x00", "password": "x"}),
])
def test_nul_in_a_form_never_gives_500(db, settings, path, data):
    settings.RATE_LIMIT_REQUIRE_SHARED_CACHE = False
    assert Client(raise_request_exception=False).post(path, data).status_code < 500


def test_nul_in_the_api_lookup_is_400(db):
    response = Client(raise_request_exception=False).post(
        "/api/v1/publico/detenciones/consulta/",
        {"given_names": "a\x00", "paternal_surname": "b"}, content_type="application/json")
    assert response.status_code == 400

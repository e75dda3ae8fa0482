"""Security headers, CSRF on public forms, canary-free error pages."""

import pytest
from django.test import Client
from django.urls import reverse

from registry.redaction import Audience
from tests.canaries import assert_no_canaries

PAGES = ["public_site:home", "public_site:search", "public_site:statistics",
         "public_site:detention_lookup", "public_site:family_lookup", "public_site:open_data"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_send_csp_and_deny_framing(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "style=" not in response.content.decode()  # no inline style under the CSP
    assert len(response.content) < 200_000
    assert_no_canaries(response.content, world, Audience.PUBLIC)


@pytest.mark.parametrize("name", ["public_site:detention_lookup", "public_site:family_lookup"])
def test_lookup_forms_require_csrf(db, name):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse(name), {"folio": "X", "access_code": "Y"})
    assert response.status_code == 403


def test_server_error_page_leaks_nothing(world, settings):
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "Ocurrió un error" in body
    assert_no_canaries(body, world, Audience.PUBLIC)


def test_hsts_is_on_in_production_settings():
    import subprocess
    import sys

    code = ("import os; os.environ.update(SECRET_KEY='x'*50, DJANGO_DEBUG='false'); "
            "import django; from django.conf import settings; "
            "os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
            "print(settings.SECURE_HSTS_SECONDS, settings.RATE_LIMIT_REQUIRE_SHARED_CACHE)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                            check=True).stdout.split()
    assert int(output[0]) >= 31_536_000 and output[1] == "True"


def test_staff_and_public_pages_allow_no_inline_code(client, db):
    for path in ("/cuenta/login/", "/buscar/", "/importaciones/", "/trabajo/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
    assert "Content-Security-Policy" not in client.get("/admin/login/")

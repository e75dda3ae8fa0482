"""Liveness, readiness, metrics and JSON logs of a web process."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from django.urls import reverse

from config import health
from tests.celery_worker import ROOT


def test_liveness_answers_without_touching_the_database(client):
    # No database fixture: any query would raise here.
    response = client.get(reverse("health_live"))
    assert response.status_code == 200
    assert response.json() == {"estado": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readiness_checks_database_cache_and_broker(db, client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    assert response.json() == {"estado": "ok", "comprobaciones": {
        "base_de_datos": "ok", "cache": "ok", "broker": "ok"}}


def test_readiness_is_503_when_the_broker_is_unreachable_and_says_only_which(
        db, client, settings, caplog, monkeypatch):
    monkeypatch.setattr(health, "BROKER_TIMEOUT_SECONDS", 0.5)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.ERROR, logger="registro.salud"):
        response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["comprobaciones"]["broker"] == "falla"
    assert body["comprobaciones"]["base_de_datos"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # the reason is in the log only
    assert "broker" in caplog.text


def test_readiness_is_503_when_the_database_fails(db, client, monkeypatch):
    def broken() -> None:
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "base_de_datos", broken)
    response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    assert response.json()["comprobaciones"]["base_de_datos"] == "falla"


def test_probes_are_not_redirected_to_https():
    from django.conf import settings

    assert r"^salud/" in settings.SECURE_REDIRECT_EXEMPT


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = None
    assert client.get(reverse("metrics")).status_code == 404


def test_metrics_need_the_bearer_token(db, client, settings):
    settings.METRICS_TOKEN = "un-token-de-prueba"
    assert client.get(reverse("metrics")).status_code == 401
    assert client.get(reverse("metrics"),
                      headers={"Authorization": "Bearer otro"}).status_code == 401
    client.get(reverse("health_live"))
    response = client.get(reverse("metrics"),
                          headers={"Authorization": "Bearer un-token-de-prueba"})
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.mark.parametrize("value", ["xml", "JSONN"])
def test_a_malformed_log_format_stops_the_process(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; "
         "django.setup()"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
             "DJANGO_DEBUG": "true", "LOG_FORMAT": value})
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of text, json" in result.stderr


def test_json_logs_are_one_object_per_line():
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('registro.prueba').warning('hola %s', 'mundo')")
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
             "DJANGO_DEBUG": "true", "LOG_FORMAT": "json"})
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hola mundo"
    assert line["level"] == "WARNING"
    assert line["logger"] == "registro.prueba"
    assert "time" in line

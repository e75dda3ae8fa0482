"""Login: every login and failed login is audited; repeated failures lock the account out."""

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from registry.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_a_login_is_audited_with_ip(client, reviewer):
    response = _login(client, "fiscal_a", DEFAULT_PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == reviewer and event.ip_address == "203.0.113.7"


def test_a_failed_login_is_audited_without_the_password(client, reviewer):
    _login(client, "fiscal_a", "contraseña-equivocada")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.details["username"] == "fiscal_a"
    assert "equivocada" not in str(event.details)


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_after_repeated_failures_even_the_right_password_is_refused(client, reviewer):
    for _ in range(3):
        _login(client, "fiscal_a", "mal")
    response = _login(client, "fiscal_a", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="login").exists()
    # The lockout sits in the backend: other login paths are closed too.
    assert authenticate(None, username="fiscal_a", password=DEFAULT_PASSWORD) is None


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lockout_is_per_username_and_ends_when_the_window_does(client, reviewer, owner):
    for _ in range(3):
        _login(client, "fiscal_a", "mal")
    assert _login(client, "operadora_a", DEFAULT_PASSWORD).status_code == 302
    cache.clear()  # the window has passed
    client.logout()
    assert _login(client, "fiscal_a", DEFAULT_PASSWORD).status_code == 302


@override_settings(LOGIN_IP_FAILURE_LIMIT=4)
def test_one_address_trying_many_usernames_is_locked_out(client, reviewer):
    for n in range(4):
        _login(client, f"usuario_inventado_{n}", "mal", ip="198.51.100.9")
    assert _login(client, "fiscal_a", DEFAULT_PASSWORD, ip="198.51.100.9").status_code == 200
    assert _login(client, "fiscal_a", DEFAULT_PASSWORD, ip="192.0.2.1").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_count(client, reviewer):
    for _ in range(2):
        _login(client, "fiscal_a", "mal")
    assert _login(client, "fiscal_a", DEFAULT_PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "fiscal_a", "mal")
    assert _login(client, "fiscal_a", DEFAULT_PASSWORD).status_code == 302


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 8
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE

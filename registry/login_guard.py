"""Login rate limiting and lockout, and the audit of every login and failed login.

After ``LOGIN_FAILURE_LIMIT`` failed attempts for one username (or
``LOGIN_IP_FAILURE_LIMIT`` from one address) within ``LOGIN_LOCKOUT_SECONDS``, every
further attempt is refused *before the password is checked*, until the window ends.
Counters live in the cache, which production points at Redis so that every process
shares them. The lockout sits in the authentication backend, so it covers the staff
login, the admin login and any other caller of ``authenticate()``.

Django's ``user_logged_in`` / ``user_login_failed`` signals are the only hook for
logins made by Django's own views, hence the two receivers at the end (connected in
``RegistryConfig.ready``); they only count and audit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registry.audit import audit_event_record, client_ip
from registry.models import AuditEvent


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _username_key(username: str) -> str:
    digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:user:{digest}"


def _ip_key(ip: str | None) -> str | None:
    return f"login-failures:ip:{ip}" if ip else None


def _count(key: str | None) -> int:
    return int(cache.get(key, 0)) if key else 0


def _bump(key: str | None) -> None:
    if key is None:
        return
    window = _limit("LOGIN_LOCKOUT_SECONDS", 15 * 60)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def is_locked_out(*, username: str, ip: str | None) -> bool:
    """Return True if this username or this address has failed too often recently."""
    return (_count(_username_key(username)) >= _limit("LOGIN_FAILURE_LIMIT", 5)
            or _count(_ip_key(ip)) >= _limit("LOGIN_IP_FAILURE_LIMIT", 20))


def login_failure_record(*, username: str, request: HttpRequest | None) -> None:
    """Count a failed attempt against the username and the address, and audit it."""
    ip = client_ip(request)
    _bump(_username_key(username))
    _bump(_ip_key(ip))
    audit_event_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED,
                       object_type="registry.user", ip_address=ip,
                       details={"username": (username or "")[:150],
                                "locked_out": is_locked_out(username=username, ip=ip)})


def login_success_record(*, user: Any, request: HttpRequest | None) -> None:
    """Clear the username's failures and audit the login."""
    cache.delete(_username_key(user.get_username()))
    audit_event_record(actor=user, action=AuditEvent.Action.LOGIN, target=user,
                       ip_address=client_ip(request))


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing to even check the password while locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if is_locked_out(username=username or "", ip=client_ip(request)):
            # PermissionDenied stops authenticate() from trying other backends.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


class LockoutAwareAuthenticationForm(auth_forms.AuthenticationForm):
    """The login form, saying plainly when the account or address is locked out."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # Django's stock sentence ("Por favor introduzca… ambos campos pueden ser
        # estrictos…") reads as a machine's; this says the same plainly.
        "invalid_login": _("Usuario o contraseña incorrectos. Revise que las mayúsculas y "
                           "minúsculas sean las correctas e intente de nuevo."),
        "locked_out": _("Demasiados intentos fallidos. Espere unos minutos antes de "
                        "intentarlo de nuevo."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if is_locked_out(username=username, ip=client_ip(self.request)):
            # Still counted and audited: an attacker who keeps trying stays locked out.
            login_failure_record(username=username, request=self.request)
            raise ValidationError(self.error_messages["locked_out"], code="locked_out")
        return super().clean()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    login_success_record(user=user, request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username") or ""
    login_failure_record(username=username, request=request)

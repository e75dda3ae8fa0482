"""Refuse to serve, work or derive pseudonyms without the deployment's keys.

Settings leave ``SECRET_KEY`` empty when it is not configured (outside debug), so
that offline commands such as ``makemigrations`` still run; everything that would
use the key calls ``require_keys()`` first and stops with a clear message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_MESSAGE = (
    "SECRET_KEY is not set. Set it (or SECRET_KEY_FILE) in production, "
    "or set DJANGO_DEBUG=true for local development."
)


def require_keys() -> None:
    """Raise ImproperlyConfigured unless SECRET_KEY and PSEUDONYM_KEY are set."""
    try:
        # Django itself raises on reading an empty SECRET_KEY; say what to do instead.
        configured = bool(settings.SECRET_KEY) and bool(settings.PSEUDONYM_KEY)
    except ImproperlyConfigured:
        configured = False
    if not configured:
        raise ImproperlyConfigured(MISSING_KEY_MESSAGE)

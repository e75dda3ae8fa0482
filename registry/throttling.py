"""The API's rate limits (Django REST framework throttles), keyed like every other limit.

DRF's own throttles identify a client by the whole ``X-Forwarded-For`` header unless
``NUM_PROXIES`` is set, so random values in a forged header escaped the limit. These
read the address the way the site's own limits and the audit log do
(``registry.audit.client_ip``, ``TRUSTED_PROXY_HOPS``): one notion of the client.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from registry.audit import client_ip


class ClientAddressThrottle(SimpleRateThrottle):
    """Count requests per client address (``client_ip``), in the scope's rate."""

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountThrottle(ClientAddressThrottle):
    """Count an authenticated account's requests, wherever they come from; an anonymous
    request (refused anyway) by its address."""

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{user.pk}"}
        return super().get_cache_key(request, view)

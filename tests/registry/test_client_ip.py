"""The client address behind trusted reverse proxies (rate limits and audit key on it)."""

from __future__ import annotations

from django.test import RequestFactory

from registry.audit import client_ip


def request(remote: str = "10.0.0.9", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request(forwarded="203.0.113.7")) == "10.0.0.9"


def test_one_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    # The client forged the first entry; our proxy appended the real one.
    assert client_ip(request(forwarded="198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_two_proxies_count_from_the_right(settings):
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request(forwarded="1.2.3.4, 203.0.113.7, 10.1.1.1")) == "203.0.113.7"


def test_a_short_or_garbled_header_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request(forwarded="203.0.113.7")) == "10.0.0.9"
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request(forwarded="not-an-address")) == "10.0.0.9"
    assert client_ip(request()) == "10.0.0.9"


def test_ipv6_is_normalised(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request(forwarded="2001:DB8::0001")) == "2001:db8::1"

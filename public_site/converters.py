"""Path converters of the public URLs: only what a key can be reaches a query.

A ``<str:…>`` segment takes anything, a NUL byte included, which PostgreSQL refuses
in a query (a 500). A public key is the case's pseudonym: at most 20 letters and
digits (``registry.models.case_public_key``); anything else is a 404 before any query.
"""

from __future__ import annotations


class PublicKeyConverter:
    regex = "[0-9A-Za-z]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value

"""CURP format and check digit (RENAPO), kept small and local to imports.

The 18th character is a check digit over the first 17: each character's value in
the alphabet ``0-9 A-N Ñ O-Z`` times its weight (18 down to 2), summed; the digit
is ``(10 - sum % 10) % 10``.
"""

from __future__ import annotations

import re

_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUES = {char: index for index, char in enumerate(_ALPHABET)}
_STATES = ("AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|"
           "TS|TL|VZ|YN|ZS|NE")
CURP_PATTERN = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[HMX]"
    rf"({_STATES})[B-DF-HJ-NP-TV-ZÑ]{{3}}[0-9A-Z][0-9]$"
)


def curp_check_digit(first_17: str) -> int:
    """Return the check digit of the first 17 characters of a CURP."""
    total = sum(_VALUES[char] * (18 - position) for position, char in enumerate(first_17))
    return (10 - total % 10) % 10


def curp_problem(curp: str) -> str | None:
    """Return ``None`` for a valid CURP, else ``"format"`` or ``"check_digit"``."""
    if not CURP_PATTERN.match(curp):
        return "format"
    if curp_check_digit(curp[:17]) != int(curp[17]):
        return "check_digit"
    return None

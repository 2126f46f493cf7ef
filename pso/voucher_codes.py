"""Voucher codes: unguessable, easy to read aloud, and typo-proof.

A code is 19 random symbols (95 bits from `secrets`) plus one check symbol, from
Crockford's base32 alphabet (no I, L, O or U, so nothing looks alike), printed in groups
of four: `7K3M-Q9XD-2HFA-8RWT-BN4C`. The check symbol is Luhn mod 32, which catches every
single wrong symbol and nearly every swap of neighbours, so a mistyped code is refused
before the database is asked.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)  # 32
RANDOM_SYMBOLS = 19
LENGTH = RANDOM_SYMBOLS + 1
GROUP = 4
_VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
# What people type for what they see (Crockford): O is zero, I and L are one.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _luhn_sum(symbols: str, first_factor: int) -> int:
    total, factor = 0, first_factor
    for symbol in reversed(symbols):
        addend = factor * _VALUE[symbol]
        total += addend // N + addend % N
        factor = 3 - factor  # 2, 1, 2, 1, ...
    return total


def check_symbol(payload: str) -> str:
    return ALPHABET[(N - _luhn_sum(payload, 2) % N) % N]


def new_code() -> str:
    """A fresh canonical code (20 symbols, no dashes)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return payload + check_symbol(payload)


def normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be a valid code."""
    if len(text) > 64:
        return None
    code = text.upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(code) != LENGTH or any(symbol not in _VALUE for symbol in code):
        return None
    if _luhn_sum(code, 1) % N != 0:
        return None
    return code


def display(code: str) -> str:
    """`7K3MQ9XD…` -> `7K3M-Q9XD-…`: how a code is shown and printed."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))

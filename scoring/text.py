"""What user text and number text may contain: one rule for every input that reaches a
page, a PDF or a CSV (scoring is the lowest layer, so pso and certificates use it too).

- Refused in every text: C0 and C1 control characters, DEL, the line and paragraph
  separators U+2028/2029, bidi embeddings, overrides and isolates (U+202A–202E,
  U+2066–2069), the invisible direction marks (U+200E/200F, U+061C), a byte-order mark and
  lone surrogates. A name like `Evil\\u202eVB kciR\\u202c B.V.` would otherwise print as
  something other than the register shows.
- Single-line texts (names, references, titles) also refuse tab, line feed and carriage
  return; multi-line texts (reasons) keep those three.
- Numbers as text follow the documented pattern `^-?\\d+(\\.\\d+)?$` with ASCII digits only:
  no `1_000`, no Arabic-Indic digits, no exponent, no spaces.
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_SURROGATES = "\ud800-\udfff"
UNSAFE_MULTILINE = re.compile(f"[{_UNSAFE}{_SURROGATES}]")
UNSAFE_LINE = re.compile(f"[\t\n\r{_UNSAFE}{_SURROGATES}]")
DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"  # as documented in the OpenAPI schemas

UNSAFE_REASON = "Mag geen stuurtekens of tekens voor de schrijfrichting bevatten."
# The example reads the same in Dutch and in JSON notation (forms take "12,5", the API "12.5").
NUMBER_REASON = "Moet een getal zijn, zoals 40."


def dutch_number(value: object) -> str:
    """A bound in a message, in Dutch notation: 10000000 -> "10.000.000", 0.5 -> "0,5"."""
    whole, _, fraction = str(value).partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    text = sign + ".".join([digits, *groups])
    return f"{text},{fraction}" if fraction else text


def unsafe_text(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a character no page, PDF or CSV may print."""
    return (UNSAFE_MULTILINE if multiline else UNSAFE_LINE).search(value) is not None


def is_decimal_text(value: str) -> bool:
    return DECIMAL_TEXT.fullmatch(value) is not None

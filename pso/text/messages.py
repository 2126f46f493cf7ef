"""Dutch wording for validation messages (users are Dutch public servants and HR staff).

Two libraries report invalid input in English: pydantic (bodies) and msgspec (Litestar's
path and query parameters, some bodies). Every message becomes one Dutch sentence with a
capital and a full stop, the one style of all our error texts (tests/wording.py); numbers are
written the Dutch way (10.000.000, 12,5).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pso.text.identifiers import KVK_RE, KVK_REASON, MUNICIPALITY_RE, MUNICIPALITY_REASON
from scoring.text import dutch_number

_NUMBER = r"(?:Decimal\(')?(-?\d+(?:\.\d+)?)(?:'\))?"  # pydantic writes Decimal('1000')


def _n(match: re.Match[str]) -> str:
    return dutch_number(match.group(1))


# What a pattern asks for, said in words (the patterns our parameters use).
_PATTERN_WORDS = {KVK_RE.pattern: KVK_REASON, MUNICIPALITY_RE.pattern: MUNICIPALITY_REASON}

_TYPE_WORDS = {
    "int": "Moet een geheel getal zijn.",
    "float": "Moet een getal zijn.",
    "decimal": "Moet een getal zijn.",
    "str": "Moet tekst zijn.",
    "bool": "Moet true of false zijn.",
    "object": "Moet een object zijn.",
    "array": "Moet een lijst zijn.",
    "date": "Geen geldige datum (JJJJ-MM-DD).",
    "datetime": "Geen geldig tijdstip.",
}

_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # pydantic
    (re.compile(r"^Field required$"), "Dit veld is verplicht."),
    (re.compile(r"^Extra inputs are not permitted$"), "Onbekend veld."),
    (re.compile(r"^Input should be (('[^']*'(, | or )?)+)$"),
     lambda m: "Kies een van: " + m.group(1).replace(" or ", ", ") + "."),
    (re.compile(r"^String should have at least 1 character$"), "Mag niet leeg zijn."),
    (re.compile(r"^String should have at least (\d+) characters$"),
     lambda m: f"Minstens {_n(m)} tekens."),
    (re.compile(r"^String should have at most (\d+) characters?$"),
     lambda m: f"Hoogstens {_n(m)} tekens."),
    (re.compile(r"^(?:List|Value) should have at most (\d+) items?.*$"),
     lambda m: f"Hoogstens {_n(m)} toegestaan."),
    (re.compile(r"^(?:List|Value) should have at least 1 item.*$"), "Geef er minstens één op."),
    (re.compile(r"^(?:List|Value) should have at least (\d+) items.*$"),
     lambda m: f"Geef er minstens {_n(m)} op."),
    (re.compile(rf"^Input should be greater than or equal to {_NUMBER}$"),
     lambda m: f"Moet minstens {_n(m)} zijn."),
    (re.compile(rf"^Input should be greater than {_NUMBER}$"),
     lambda m: f"Moet groter zijn dan {_n(m)}."),
    (re.compile(rf"^Input should be less than or equal to {_NUMBER}$"),
     lambda m: f"Mag hoogstens {_n(m)} zijn."),
    (re.compile(rf"^Input should be less than {_NUMBER}$"),
     lambda m: f"Moet kleiner zijn dan {_n(m)}."),
    (re.compile(r"^Input should be a valid integer.*$"), "Moet een geheel getal zijn."),
    (re.compile(r"^Input should be a valid (number|decimal).*$"), "Moet een getal zijn."),
    (re.compile(r"^Decimal input should have no more than (\d+) decimal places?$"),
     r"Hoogstens \1 decimalen."),
    (re.compile(r"^Decimal input should have no more than (\d+) digits?.*$"),
     "Het getal heeft te veel cijfers."),
    (re.compile(r"^Input should be a finite number$"), "Moet een eindig getal zijn."),
    (re.compile(r"^Input should be a valid string$"), "Moet tekst zijn."),
    (re.compile(r"^Input should be a valid boolean.*$"), "Moet true of false zijn."),
    (re.compile(r"^Input should be a valid date.*(day|month) value is outside expected range"),
     "Deze datum bestaat niet."),
    (re.compile(r"^Input should be a valid date.*$"), "Geen geldige datum (JJJJ-MM-DD)."),
    (re.compile(r"^Input should be a valid datetime.*$"), "Geen geldig tijdstip."),
    (re.compile(r"^Input should be a valid (list|array).*$"), "Moet een lijst zijn."),
    (re.compile(r"^Input should be a valid dictionary.*$"), "Moet een object zijn."),
    (re.compile(r"^String should match pattern '(.*)'$"),
     lambda m: _PATTERN_WORDS.get(m.group(1), "Heeft niet de juiste vorm.")),
    (re.compile(r"^Value error, (.*)$"), r"\1"),
    (re.compile(r"^Assertion failed, (.*)$"), r"\1"),
    # msgspec (Litestar's parameters)
    (re.compile(r"^Object missing required field `[^`]*`.*$"), "Dit veld is verplicht."),
    (re.compile(r"^Expected `(\w+)`, got `\w+`.*$"),
     lambda m: _TYPE_WORDS.get(m.group(1), "Heeft het verkeerde type.")),
    (re.compile(rf"^Expected `\w+` >= {_NUMBER}.*$"), lambda m: f"Moet minstens {_n(m)} zijn."),
    (re.compile(rf"^Expected `\w+` > {_NUMBER}.*$"), lambda m: f"Moet groter zijn dan {_n(m)}."),
    (re.compile(rf"^Expected `\w+` <= {_NUMBER}.*$"), lambda m: f"Mag hoogstens {_n(m)} zijn."),
    (re.compile(rf"^Expected `\w+` < {_NUMBER}.*$"), lambda m: f"Moet kleiner zijn dan {_n(m)}."),
    (re.compile(r"^Expected `str` of length >= 1.*$"), "Mag niet leeg zijn."),
    (re.compile(r"^Expected `str` of length >= (\d+).*$"), lambda m: f"Minstens {_n(m)} tekens."),
    (re.compile(r"^Expected `str` of length <= (\d+).*$"), lambda m: f"Hoogstens {_n(m)} tekens."),
    (re.compile(r"^Expected `str` matching regex '(.*)'.*$"),
     lambda m: _PATTERN_WORDS.get(m.group(1), "Heeft niet de juiste vorm.")),
    (re.compile(r"^Expected `array` of length <= (\d+).*$"),
     lambda m: f"Hoogstens {_n(m)} toegestaan."),
    (re.compile(r"^Invalid enum value.*$"), "Onbekende waarde."),
    (re.compile(r"^Invalid RFC3339 encoded date.*$"), "Geen geldige datum (JJJJ-MM-DD)."),
    (re.compile(r"^Invalid RFC3339 encoded datetime.*$"), "Geen geldig tijdstip."),
    (re.compile(r"^Datetimes provided to dates should have zero time.*$"),
     "Geen geldige datum (JJJJ-MM-DD)."),
    (re.compile(r"^Unsupported type: .*$"), "Heeft het verkeerde type."),
]


def dutch(message: str) -> str:
    for pattern, replacement in _PATTERNS:
        if found := pattern.match(message):
            return replacement(found) if callable(replacement) else found.expand(replacement)
    return message


def field_name(key: str | None) -> str:
    """'employees.3.hoursPerWeek' -> 'employees[3].hoursPerWeek'."""
    if not key:
        return "body"
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", key)

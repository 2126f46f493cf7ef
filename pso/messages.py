"""Dutch wording for validation messages (users are Dutch public servants and HR staff)."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Field required$"), "Dit veld is verplicht."),
    (re.compile(r"^Extra inputs are not permitted$"), "Onbekend veld."),
    (re.compile(r"^Input should be (('[^']*'(, | or )?)+)$"), r"Kies een van: \1."),
    (re.compile(r"^String should have at least 1 character$"), "Mag niet leeg zijn."),
    (re.compile(r"^String should have at least (\d+) characters$"), r"Minstens \1 tekens."),
    (re.compile(r"^String should have at most (\d+) characters?$"), r"Hoogstens \1 tekens."),
    (re.compile(r"^List should have at most (\d+) items?.*$"), r"Hoogstens \1."),
    (re.compile(r"^List should have at least 1 item.*$"), "Geef er minstens één op."),
    (re.compile(r"^List should have at least (\d+) items.*$"), r"Geef er minstens \1 op."),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), r"Moet minstens \1 zijn."),
    (re.compile(r"^Input should be greater than (.+)$"), r"Moet groter zijn dan \1."),
    (re.compile(r"^Input should be less than or equal to (.+)$"), r"Mag hoogstens \1 zijn."),
    (re.compile(r"^Input should be less than (.+)$"), r"Moet kleiner zijn dan \1."),
    (re.compile(r"^Input should be a valid integer.*$"), "Geen geldig geheel getal."),
    (re.compile(r"^Input should be a valid (number|decimal).*$"), "Geen geldig getal."),
    (re.compile(r"^Decimal input should have no more than (\d+) decimal places?$"),
     r"Hoogstens \1 decimalen."),
    (re.compile(r"^Input should be a finite number$"), "Moet een eindig getal zijn."),
    (re.compile(r"^Input should be a valid string$"), "Moet tekst zijn."),
    (re.compile(r"^Input should be a valid boolean.*$"), "Moet true of false zijn."),
    (re.compile(r"^Input should be a valid date.*$"), "Geen geldige datum (JJJJ-MM-DD)."),
    (re.compile(r"^Input should be a valid datetime.*$"), "Geen geldig tijdstip."),
    (re.compile(r"^Input should be a valid (list|array).*$"), "Moet een lijst zijn."),
    (re.compile(r"^Input should be a valid dictionary.*$"), "Moet een object zijn."),
    (re.compile(r"^String should match pattern .*$"), "Heeft niet de juiste vorm."),
    (re.compile(r"^Value error, (.*)$"), r"\1"),
    (re.compile(r"^Assertion failed, (.*)$"), r"\1"),
]


def dutch(message: str) -> str:
    for pattern, replacement in _PATTERNS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def field_name(key: str | None) -> str:
    """'employees.3.hoursPerWeek' -> 'employees[3].hoursPerWeek'."""
    if not key:
        return "body"
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", key)

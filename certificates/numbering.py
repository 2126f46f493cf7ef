"""Public certificate numbers: PSO-YYYY-NNNNNN (sequence per year, 6 digits, zero padded).

The sequence itself is allocated by the database (pso/); this module only formats and parses.
"""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"PSO-([0-9]{4})-([0-9]{6})")  # ASCII only: \d matches other scripts
MAX_SEQUENCE = 999_999


def format_number(year: int, sequence: int) -> str:
    """`format_number(2026, 123) == "PSO-2026-000123"`; sequence 1..999999."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence out of range: {sequence}")
    return f"PSO-{year:04d}-{sequence:06d}"


def parse_number(number: str) -> tuple[int, int]:
    """ "PSO-2026-000123" -> (2026, 123). Strict: raises ValueError on anything else."""
    match = NUMBER_RE.fullmatch(number) if isinstance(number, str) else None
    if match is None:
        raise ValueError(f"not a certificate number: {number!r}")
    year, sequence = int(match[1]), int(match[2])
    if year < 1000 or sequence < 1:
        raise ValueError(f"not a certificate number: {number!r}")
    return year, sequence


def is_valid_number(number: str) -> bool:
    try:
        parse_number(number)
    except ValueError:
        return False
    return True


def normalize_number(text: str) -> str:
    """Lenient form for search boxes: " pso-2026-000123 " -> "PSO-2026-000123" (not validated)."""
    return text.strip().upper()

"""Dutch notation in user input (forms, spreadsheets) turned into the engine's notation.

Only notation is translated here: "12,5" -> "12.5", "31-01-2025" -> "2025-01-31". What is
not recognised is passed on unchanged, so the scoring engine names the error with its own
wording and no rule is checked twice.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")

YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
NO = {"nee", "n", "no", "false", "onwaar", "0", ""}


def number_text(value: str, *, money: bool = False) -> str:
    """'12,5' -> '12.5'; '€ 1.234,56' -> '1234.56'; with money=True '1.234' -> '1234'."""
    text = _SPACES.sub("", value)
    if money:
        text = text.removeprefix("€").removeprefix("EUR").removeprefix("eur")
    text = text.removesuffix("%")
    if "," in text and "." in text:
        # The separator that comes last is the decimal one; the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if text.count(",") == 1:
        return text.replace(",", ".")
    if money and _THOUSANDS.match(text):
        # "1.500" on a Dutch money field means fifteen hundred euro.
        return text.replace(".", "")
    return text


def date_text(value: str) -> str:
    """'31-01-2025', '31/1/2025' or '2025-1-31' -> '2025-01-31'; other text unchanged."""
    text = value.strip()
    if m := _DMY.match(text):
        day, month, year = m.groups()
    elif m := _YMD.match(text):
        year, month, day = m.groups()
    else:
        return text
    return f"{year}-{int(month):02d}-{int(day):02d}"


def yes_no(value: str) -> bool | None:
    """'ja'/'nee' (and true/false, 1/0, x/empty) -> bool; None when not recognised."""
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None

"""Dates inside running text written the Dutch way."""

from __future__ import annotations

import re
from datetime import date

from certificates.formatting import dutch_date

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in(text: str | None) -> str:
    """ISO dates inside a sentence (the engine's explanation) written the Dutch way."""
    def dutch(m: re.Match[str]) -> str:
        try:
            return dutch_date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]
    return _ISO_DAY.sub(dutch, text or "")

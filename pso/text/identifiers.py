"""Formats of the public identifiers the service accepts, and their pydantic types."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

KVK_RE = re.compile(r"^[0-9]{8}$")
MUNICIPALITY_RE = re.compile(r"^GM[0-9]{4}$")
BODY_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")  # a certifying body's short code
KVK_REASON = "Een KvK-nummer bestaat uit precies 8 cijfers."
MUNICIPALITY_REASON = "Een gemeentecode is 'GM' gevolgd door 4 cijfers, zoals GM0200."


def check_kvk(value: str) -> str:
    if not KVK_RE.match(value):
        raise ValueError(KVK_REASON)
    return value


def check_municipality_code(value: str) -> str:
    value = value.upper()
    if not MUNICIPALITY_RE.match(value):
        raise ValueError(MUNICIPALITY_REASON)
    return value


KvkNumber = Annotated[str, AfterValidator(check_kvk)]
MunicipalityCode = Annotated[str, AfterValidator(check_municipality_code)]

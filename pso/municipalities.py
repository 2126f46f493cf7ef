"""Names of Dutch municipalities by CBS code (GM0363 → Amsterdam), a lookup only.

The list is package data (pso/data/municipalities.json: its `source` says where it comes
from and how to renew it after a herindeling). Unknown codes show as the code itself.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def names() -> dict[str, str]:
    text = resources.files("pso.data").joinpath("municipalities.json").read_text("utf-8")
    return json.loads(text)["municipalities"]


def name_of(code: str | None) -> str | None:
    if not code:
        return None
    return names().get(code, code)

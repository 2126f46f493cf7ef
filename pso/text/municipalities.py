"""Dutch municipalities by CBS code (GM0363 → Amsterdam): the names people read and choose.

The list is versioned package data (pso/data/municipalities.json: `source` says where it
comes from and how to renew it after a herindeling, `valid_from` the year). Municipalities
that merged away stay in `former`, so stored codes keep a name. People type or pick names;
the API keeps codes (public contract). Unknown codes show as the code itself.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from pso.text.search import fold


@cache
def _data() -> dict[str, Any]:
    text = resources.files("pso.data").joinpath("municipalities.json").read_text("utf-8")
    return json.loads(text)


def names() -> dict[str, str]:
    """The current municipalities, code → name."""
    return _data()["municipalities"]


@cache
def choices() -> dict[str, str]:
    """Code → name in alphabetical order of the name, for a form's list."""
    return dict(sorted(names().items(), key=lambda item: fold(item[1]).lstrip("'")))


def name_of(code: str | None) -> str | None:
    if not code:
        return None
    former = _data()["former"].get(code)
    return names().get(code) or (former["name"] if former else code)


@cache
def _by_name() -> dict[str, list[str]]:
    """Folded name (and alias, and a name without its "(NH.)") → codes."""
    found: dict[str, list[str]] = {}
    for code, name in names().items():
        for key in {fold(name), fold(re.sub(r"\s*\(.*\)$", "", name))}:
            found.setdefault(key, []).append(code)
    for alias, code in _data()["aliases"].items():
        if code not in found.setdefault(fold(alias), []):
            found[fold(alias)].append(code)
    return found


def _quoted(codes: list[str]) -> str:
    parts = [names()[c] for c in codes]
    return ", ".join(parts[:-1]) + " of " + parts[-1]


def find(text: str) -> tuple[str | None, str | None]:
    """The code of a typed name or code, else the Dutch reason it is not one."""
    typed = text.strip()
    if re.fullmatch(r"(?i)GM\d{4}", typed):
        code = typed.upper()
        if code in names():
            return code, None
        former = _data()["former"].get(code)
        if former:
            return None, (f"De gemeente {former['name']} bestaat niet meer; kies "
                          f"{names()[former['merged_into']]}.")
        return None, f"Er is geen gemeente met code {code}."
    codes = _by_name().get(fold(typed), [])
    if len(codes) == 1:
        return codes[0], None
    if codes:
        return None, f"Er zijn meer gemeenten {typed}: kies {_quoted(codes)}."
    close = difflib.get_close_matches(fold(typed), _by_name(), n=1, cutoff=0.75)
    hint = f" Bedoelt u {names()[_by_name()[close[0]][0]]}?" if close else ""
    return None, f"De gemeente '{typed}' kennen wij niet.{hint}"


def chosen(text: str) -> tuple[str, str | None]:
    """A form's one municipality (a name, or the code its list posts): the code, or "" and
    the reason."""
    if not text.strip():
        return "", "Kies een gemeente."
    code, reason = find(text)
    return (code, None) if code else ("", reason)


def find_all(text: str) -> tuple[list[str], list[str]]:
    """Codes of the names in a list ("Apeldoorn, Zutphen"; commas, semicolons or lines
    between them) and the reasons for the parts that are no municipality. Parts are joined
    again where a name has a comma of its own (Nuenen, Gerwen en Nederwetten)."""
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    codes: list[str] = []
    reasons: list[str] = []
    i = 0
    while i < len(parts):
        for size in (3, 2):
            joined = ", ".join(parts[i:i + size])
            if i + size <= len(parts) and fold(joined) in _by_name():
                code, _ = find(joined)
                if code:
                    codes.append(code)
                    i += size
                    break
        else:
            code, reason = find(parts[i])
            if code:
                codes.append(code)
            elif reason:
                reasons.append(reason)
            i += 1
    return list(dict.fromkeys(codes)), reasons


def listed(codes: list[str]) -> str:
    """"Apeldoorn, Zutphen": the names of codes, for a form or a sentence."""
    return ", ".join(name_of(c) or c for c in codes)

"""Valuation models (SPEC §8.1): a versioned table of bouwblokken, loaded from data and checked.

A model is JSON: `id`, `name`, `source`, `validFrom`, `fullTimeHours` (the week a value per
year assumes), optional `notes` (what the service assumed where the publication is silent)
and `blocks`. Every block has a `code`, a Dutch `label` and a `kind`:

- `placement`: `value` per year at `fullTimeHours`; `countsForMonths` (null: always);
- `apprenticeship`: `value` per learning year; optional `countsForMonths`;
- `work_experience`: `value` per month;
- `purchase`: `sharePct` of the invoice value excl. VAT;
- `activity`: `value` per hour;
- `bonus`: `value` per year, added to a placement (bonuses stack).

`build()` refuses a model with any fault and names the block: the packaged files are checked
on load, and a buyer's own model (later) goes through the same check, so its Dutch reasons
are ready for a 400.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

KINDS = ("placement", "apprenticeship", "work_experience", "purchase", "activity", "bonus")
KIND_LABELS = {
    "placement": "Plaatsing", "apprenticeship": "Leerwerktraject",
    "work_experience": "Werkervaringsplek", "purchase": "Inkoop", "activity": "Activiteit",
    "bonus": "Bonus bij een plaatsing",
}
WINDOWED = ("placement", "apprenticeship")
MAX_VALUE = Decimal(10) ** 9
MAX_MONTHS = 1200
_MODEL_KEYS = {"id", "name", "source", "validFrom", "fullTimeHours", "notes", "blocks"}
_BLOCK_KEYS = {"code", "label", "kind", "value", "sharePct", "countsForMonths"}


class ModelError(ValueError):
    """A model breaks the rules. `errors` lists {"name", "reason"} (Dutch); the message names
    the model and each block at fault."""

    def __init__(self, model_id: str, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__(f"Waarderingsmodel {model_id}: "
                         + " ".join(e["reason"] for e in errors))


@dataclass(frozen=True, slots=True)
class Block:
    code: str
    label: str
    kind: str
    value: Decimal  # per year, learning year, month or hour; for a purchase the share in %
    counts_for_months: int | None = None  # None: counts always


@dataclass(frozen=True, slots=True)
class ValuationModel:
    id: str
    name: str
    source: str
    valid_from: date
    full_time_hours: Decimal
    blocks: dict[str, Block]
    notes: tuple[str, ...] = ()

    def block(self, code: str) -> Block | None:
        return self.blocks.get(code)


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None  # floats refused: a value is data, written as a decimal string
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _text(raw: Any, longest: int) -> bool:
    return isinstance(raw, str) and 0 < len(raw.strip()) <= longest


def _block(raw: Any, n: int, seen: set[str]) -> tuple[Block | None, list[dict[str, str]]]:
    where = f"blocks[{n}]"
    if not isinstance(raw, dict):
        return None, [{"name": where, "reason": f"Bouwblok {n + 1} is geen tabelregel."}]
    code = raw.get("code")
    named = f"Bouwblok '{code}'" if _text(code, 40) else f"Bouwblok {n + 1}"
    errors: list[dict[str, str]] = []

    def fault(field: str, reason: str) -> None:
        errors.append({"name": f"{where}.{field}", "reason": f"{named}: {reason}"})

    for key in sorted(set(raw) - _BLOCK_KEYS):
        fault(key, f"onbekend gegeven '{key}'.")
    if not _text(code, 40):
        fault("code", "de code ontbreekt of is langer dan 40 tekens.")
    elif code in seen:
        fault("code", "deze code staat al eerder in het model.")
    if not _text(raw.get("label"), 200):
        fault("label", "de omschrijving ontbreekt of is langer dan 200 tekens.")
    kind = raw.get("kind")
    if kind not in KINDS:
        fault("kind", f"onbekende soort '{kind}'.")
        return None, errors
    field = "sharePct" if kind == "purchase" else "value"
    other = "value" if kind == "purchase" else "sharePct"
    if other in raw:
        fault(other, f"'{other}' hoort niet bij deze soort.")
    value = _decimal(raw.get(field))
    if value is None:
        fault(field, "de waarde ontbreekt of is geen getal (schrijf het als tekst, "
                     "bijvoorbeeld \"30000\").")
    elif value < 0:
        fault(field, "de waarde mag niet negatief zijn.")
    elif value > (100 if kind == "purchase" else MAX_VALUE):
        fault(field, "het aandeel is hoogstens 100 procent." if kind == "purchase"
              else "de waarde is te groot.")
    months = raw.get("countsForMonths")
    if months is not None:
        if kind not in WINDOWED:
            fault("countsForMonths", "een telperiode hoort alleen bij een plaatsing of een "
                                     "leerwerktraject.")
        elif isinstance(months, bool) or not isinstance(months, int) \
                or not 0 < months <= MAX_MONTHS:
            fault("countsForMonths", "de telperiode is een heel aantal maanden, "
                                     f"hoogstens {MAX_MONTHS}.")
    if errors or value is None or not isinstance(code, str):  # (the last two are errors too)
        return None, errors
    seen.add(code)
    return Block(code.strip(), raw["label"].strip(), kind, value, months), []


def build(data: Any) -> ValuationModel:
    """Turn the JSON of one model into a checked ValuationModel, or raise ModelError."""
    if not isinstance(data, dict):
        raise ModelError("?", [{"name": "", "reason": "Een model is een JSON-object."}])
    model_id = str(data.get("id")) if _text(data.get("id"), 60) else "?"
    errors: list[dict[str, str]] = []
    for key in sorted(set(data) - _MODEL_KEYS):
        errors.append({"name": key, "reason": f"Onbekend gegeven '{key}'."})
    for key, what, longest in (("id", "Het id", 60), ("name", "De naam", 200),
                               ("source", "De bron", 1000)):
        if not _text(data.get(key), longest):
            errors.append({"name": key, "reason": f"{what} ontbreekt of is langer dan "
                           f"{longest} tekens."})
    try:
        valid_from = date.fromisoformat(str(data.get("validFrom")))
    except ValueError:
        valid_from = None
        errors.append({"name": "validFrom", "reason": "De ingangsdatum ontbreekt of is geen "
                       "datum (JJJJ-MM-DD)."})
    hours = _decimal(data.get("fullTimeHours"))
    if hours is None or not 0 < hours <= 80:
        errors.append({"name": "fullTimeHours", "reason": "De uren van een volledige werkweek "
                       "moeten groter dan 0 en hoogstens 80 zijn."})
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(_text(n, 1000) for n in notes):
        errors.append({"name": "notes", "reason": "De toelichting is een lijst van teksten."})
    raw_blocks = data.get("blocks")
    blocks: dict[str, Block] = {}
    if not isinstance(raw_blocks, list) or not raw_blocks:
        errors.append({"name": "blocks", "reason": "Een model heeft minstens één bouwblok."})
    else:
        seen: set[str] = set()
        for n, raw in enumerate(raw_blocks):
            block, faults = _block(raw, n, seen)
            errors += faults
            if block is not None:
                blocks[block.code] = block
    if errors or valid_from is None or hours is None:  # (the last two are errors too)
        raise ModelError(model_id, errors)
    return ValuationModel(
        id=data["id"].strip(), name=data["name"].strip(), source=data["source"].strip(),
        valid_from=valid_from, full_time_hours=hours, blocks=blocks,
        notes=tuple(n.strip() for n in notes))


def model_json(model: ValuationModel) -> dict[str, Any]:
    """The JSON shape `build()` reads (a contract stores its model this way)."""
    blocks = []
    for b in model.blocks.values():
        item: dict[str, Any] = {"code": b.code, "label": b.label, "kind": b.kind}
        item["sharePct" if b.kind == "purchase" else "value"] = str(b.value)
        if b.kind in WINDOWED:
            item["countsForMonths"] = b.counts_for_months
        blocks.append(item)
    return {"id": model.id, "name": model.name, "source": model.source,
            "validFrom": model.valid_from.isoformat(), "fullTimeHours": str(model.full_time_hours),
            "notes": list(model.notes), "blocks": blocks}


@cache
def packaged_models() -> dict[str, ValuationModel]:
    """Every model shipped in sroi/models, by id (loaded and checked once per process)."""
    out: dict[str, ValuationModel] = {}
    folder = resources.files("sroi.models")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            model = build(json.loads(entry.read_text(encoding="utf-8")))
        except ModelError as exc:
            raise ModelError(entry.name, exc.errors) from None
        if model.id in out:
            raise ModelError(entry.name, [{"name": "id", "reason": f"Het id {model.id} "
                                           "bestaat al."}])
        out[model.id] = model
    return out


def packaged_model(model_id: str) -> ValuationModel | None:
    return packaged_models().get(model_id)

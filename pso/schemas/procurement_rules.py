"""Rules that span fields, checked on the raw request body.

They run next to pydantic's own field checks (see AllErrors), so one 400 lists every
field error at once: duplicate bidders, a percentage above 100 in percentage mode, a
certificate number together with a declared rung, consortium members.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError, model_validator

from pso.errors import InvalidInput
from pso.procurement.evaluation import MAX_BIDS, POLICY_KEYS
from pso.schemas.base import ApiInput, invalid_params
from scoring.text import is_decimal_text


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    if isinstance(raw, str) and not is_decimal_text(raw):
        return None  # the field check names it
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def policy_errors(policy: Any, prefix: str) -> list[dict[str, str]]:
    values = policy.get("values") if isinstance(policy, dict) else None
    if not isinstance(values, dict):
        return []
    percentage = policy.get("mode") == "percentage"
    errors = []
    for key, raw in values.items():
        name = f"{prefix}.values.{key}"
        if key not in POLICY_KEYS:
            errors.append({"name": name, "reason": "Onbekende trede; kies uit "
                           + ", ".join(POLICY_KEYS) + "."})
        elif percentage and (value := _number(raw)) is not None and value > 100:
            errors.append({"name": name, "reason": "Een percentage ligt tussen 0 en 100."})
    return errors


def one_source(item: dict[str, Any], name: str) -> list[dict[str, str]]:
    if item.get("certificateNumber") is not None and item.get("declaredRung") is not None:
        return [{"name": f"{name}.declaredRung",
                 "reason": "Geef een certificaatnummer of een opgegeven trede, niet beide."}]
    return []


def _kvk(item: Any) -> str | None:
    value = item.get("kvk") if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else None


def bid_errors(bids: Any) -> list[dict[str, str]]:
    if not isinstance(bids, list) or len(bids) > MAX_BIDS:
        return []
    errors: list[dict[str, str]] = []
    first: dict[str, int] = {}
    for i, bid in enumerate(bids):
        if not isinstance(bid, dict):
            continue
        kvk = _kvk(bid)
        if kvk is not None:
            if kvk in first:
                errors.append({"name": f"bids[{i}].kvk", "reason": f"KvK-nummer {kvk[:8]} heeft "
                               f"al een inschrijving (inschrijving {first[kvk] + 1}): één per "
                               "inschrijver."})
            else:
                first[kvk] = i
        if "declaredRung" in bid:
            errors += one_source(bid, f"bids[{i}]")
        members = bid.get("consortium")
        if not isinstance(members, list):
            continue
        name = f"bids[{i}]"
        if bid.get("certificateNumber") is not None or bid.get("declaredRung") is not None:
            errors.append({"name": f"{name}.consortium", "reason": "Bij een combinatie staan "
                           "certificaatnummer of trede per lid in consortium, niet bij de bieding."})
        kvks = [_kvk(m) for m in members]
        if members and kvk is not None and kvk not in kvks:
            errors.append({"name": f"{name}.consortium", "reason": "De combinatie moet alle "
                           "leden bevatten, ook de penvoerder (het KvK-nummer van de bieding)."})
        seen: set[str] = set()
        for k, (member, member_kvk) in enumerate(zip(members, kvks)):
            if member_kvk is not None and member_kvk in seen:
                errors.append({"name": f"{name}.consortium[{k}].kvk",
                               "reason": "Dit lid staat al in de combinatie."})
            seen.add(member_kvk or "")
            if isinstance(member, dict):
                errors += one_source(member, f"{name}.consortium[{k}]")
    return errors


class AllErrors(ApiInput):
    """Top-level request bodies: pydantic's field errors and the raw-body rules in one 400.

    Only for the outermost model: a nested one would raise before its siblings are checked."""

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _all_errors(cls, data: Any, handler: Any) -> Any:
        extra = cls.rule_errors(data) if isinstance(data, dict) else []
        try:
            model = handler(data)
        except ValidationError as exc:
            if not extra:
                raise
            raise InvalidInput(_merge(invalid_params(exc), extra)) from None
        if extra:
            raise InvalidInput(extra)
        return model


def _merge(found: list[dict[str, str]], rules: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rules' wording wins where both name the same field (it says more)."""
    names = {p["name"] for p in rules}
    found = [{**p, "name": p["name"].removesuffix(".[key]")} for p in found]
    return [p for p in found if p["name"] not in names] + rules

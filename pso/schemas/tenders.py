"""Request models of a tender: open it, award it."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import (
    Field,
)

from pso.clock import today
from pso.schemas.procurement import PolicyIn, ShortText, Text
from pso.schemas.procurement_rules import AllErrors, policy_errors


class TenderIn(AllErrors):
    title: Text = Field(description="Omschrijving van de opdracht")
    reference: ShortText = Field(description="Eigen kenmerk van de aanbesteding")
    deadline: date = Field(description="Sluitingsdatum: inschrijven kan tot en met deze dag")
    policy: PolicyIn

    @staticmethod
    def rule_errors(data: dict[str, Any]) -> list[dict[str, str]]:
        errors = policy_errors(data.get("policy"), "policy")
        try:
            if date.fromisoformat(str(data.get("deadline"))) < today():
                errors.append({"name": "deadline",
                               "reason": "De sluitingsdatum mag niet in het verleden liggen."})
        except ValueError:
            pass
        return errors


class AwardIn(AllErrors):
    bidder: ShortText = Field(description="KvK-nummer van de winnende inschrijving (of een "
                              "naam die in deze aanbesteding uniek is)")
    contract_start: date = Field(description="Eerste dag van het contract")
    contract_end: date = Field(description="Laatste dag van het contract")

    @staticmethod
    def rule_errors(data: dict[str, Any]) -> list[dict[str, str]]:
        try:
            start = date.fromisoformat(str(data.get("contractStart")))
            end = date.fromisoformat(str(data.get("contractEnd")))
        except ValueError:
            return []
        if end < start:
            return [{"name": "contractEnd",
                     "reason": "Het einde van het contract ligt vóór het begin."}]
        return []

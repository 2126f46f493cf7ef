"""JSON shapes of policies, bids, register facts and rankings (camelCase, money as strings).

Used for the API answers and for the stored snapshot of a decided evaluation, so a stored
evaluation reads back exactly as it was sent the day it was decided.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pso.procurement.evaluation import POLICY_KEYS, Bid, Fact, Member, Policy, Ranked


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "mode": policy.mode,
        "values": {key: money(policy.value(key)) for key in POLICY_KEYS},
        "penaltyFactor": f"{policy.penalty_factor.normalize():f}",
    }


def policy_from_json(data: dict[str, Any]) -> Policy:
    return Policy(data["mode"], {k: Decimal(v) for k, v in data["values"].items()},
                  Decimal(data["penaltyFactor"]))


def member_json(member: Member) -> dict[str, Any]:
    return {"kvk": member.kvk, "certificateNumber": member.certificate_number,
            "declaredRung": member.declared_rung}


def member_from_json(data: dict[str, Any]) -> Member:
    return Member(data["kvk"], data.get("certificateNumber"), data.get("declaredRung"))


def ranked_json(result: Ranked) -> dict[str, Any]:
    return {
        "position": result.position,
        "submissionOrder": result.order,
        "bidder": result.bidder,
        "kvk": result.kvk,
        "price": money(result.price),
        "certificateNumber": result.certificate_number,
        "rung": result.rung,
        "pso30Plus": result.pso30_plus,
        "verified": result.verified,
        "appliedFrom": result.applied_from,
        "appliedValue": money(result.applied_value),
        "advantage": money(result.advantage),
        "fictitiousPrice": money(result.fictitious_price),
        "penaltyIfNotMaintained": money(result.penalty_if_not_maintained),
        "notes": result.notes,
        "members": [
            {"kvk": m.kvk, "certificateNumber": m.certificate_number, "rung": m.rung,
             "verified": m.verified, "pso30Plus": m.pso30_plus, "notes": m.notes}
            for m in result.members
        ],
    }


def fact_json(fact: Fact) -> dict[str, Any]:
    return {"number": fact.number, "kind": fact.kind, "rung": fact.rung, "kvk": fact.kvk,
            "status": fact.status, "validFrom": fact.valid_from.isoformat(),
            "validUntil": fact.valid_until.isoformat(), "otherKvks": list(fact.other_kvks)}


def fact_from_json(data: dict[str, Any]) -> Fact:
    return Fact(data["number"], data["kind"], data["rung"], data["kvk"], data["status"],
                date.fromisoformat(data["validFrom"]), date.fromisoformat(data["validUntil"]),
                tuple(data.get("otherKvks") or ()))


def bid_from_row(bidder: str, kvk: str, price: Decimal, certificate_number: str | None,
                 declared_rung: str | None, consortium: list[dict[str, Any]] | None) -> Bid:
    return Bid(bidder, kvk, price, certificate_number, declared_rung,
               tuple(member_from_json(m) for m in consortium or ()))

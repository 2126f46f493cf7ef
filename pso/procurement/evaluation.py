"""Fictitious discount (gunnen op waarde, SPEC §4): rung per bid, advantage, ranking.

Pure: the caller passes the register facts per certificate number (status already judged
on the tender deadline), so the same inputs always give the same ranking, and a stored
evaluation can be reproduced from its stored facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from certificates.formatting import dutch_date, rung_label
from pso.procurement.money import cents, percent_of
from scoring.enums import RUNGS

POLICY_KEYS = ("aspirant", "basistrede", "trede1", "trede2", "trede3", "pso30plus")
MODES = ("percentage", "amount")
DEFAULT_PENALTY_FACTOR = Decimal("1.5")
MAX_BIDS = 10_000

STATUS_TEXT = {
    "expired": "verlopen",
    "suspended": "geschorst",
    "revoked": "ingetrokken",
    "superseded": "vervangen door een nieuwer certificaat",
    "not_yet_valid": "nog niet geldig",
}


@dataclass(frozen=True, slots=True)
class Policy:
    mode: str  # "percentage" | "amount"
    values: Mapping[str, Decimal]  # per POLICY_KEYS; missing -> 0
    penalty_factor: Decimal = DEFAULT_PENALTY_FACTOR

    def value(self, key: str) -> Decimal:
        return self.values.get(key) or Decimal(0)


@dataclass(frozen=True, slots=True)
class Member:
    kvk: str
    certificate_number: str | None = None
    declared_rung: str | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    bidder: str
    kvk: str
    price: Decimal
    certificate_number: str | None = None
    declared_rung: str | None = None
    consortium: tuple[Member, ...] = ()  # all members, the lead included


@dataclass(frozen=True, slots=True)
class Fact:
    """What the register said about one certificate, judged on the deadline."""

    number: str
    kind: str  # "ladder" | "pso30plus"
    rung: str
    kvk: str
    status: str  # certificates.lifecycle status on the deadline
    valid_from: date
    valid_until: date
    # The subsidiaries the certificate was issued for (its own frozen list, SPEC §7.2):
    # their KvK numbers find the certificate too; ones added to the organisation later not.
    other_kvks: tuple[str, ...] = ()

    def belongs_to(self, kvk: str) -> bool:
        return kvk == self.kvk or kvk in self.other_kvks


@dataclass(slots=True)  # pragma: no mutate: ReplaceTrueWithFalse (slots: memory only)
class MemberResult:
    kvk: str
    certificate_number: str | None
    rung: str
    verified: bool
    pso30_plus: bool
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)  # pragma: no mutate: ReplaceTrueWithFalse (slots: memory only)
class Ranked:
    position: int
    order: int  # submission order, 1-based
    bidder: str
    kvk: str
    price: Decimal
    certificate_number: str | None
    rung: str
    pso30_plus: bool
    verified: bool
    applied_from: str  # the policy key whose value applied ("none" when nothing did)
    applied_value: Decimal
    advantage: Decimal
    fictitious_price: Decimal
    penalty_if_not_maintained: Decimal
    notes: list[str]
    members: list[MemberResult]


def pso30_holders(facts: Iterable[Fact]) -> set[str]:
    """KvK numbers holding a PSO 30+ certificate that is valid on the deadline."""
    return {k for f in facts if f.kind == "pso30plus" and f.status == "valid"  # pragma: no mutate: Eq_GtE (sorts last)
            for k in (f.kvk, *f.other_kvks)}


def member_rung(member: Member, deadline: date, facts: Mapping[str, Fact],
                holders: set[str], moment: str = "de sluitingsdatum") -> MemberResult:
    """Rung of one company: its own certificate valid on the deadline, else `none` and why.

    `moment` names the day in the notes (a tender deadline, or the SROI tender date)."""
    number = member.certificate_number
    result = MemberResult(member.kvk, number, "none", True, member.kvk in holders)
    if member.declared_rung is not None:
        result.rung, result.verified = member.declared_rung, False
        result.notes.append(
            f"{rung_label(member.declared_rung)} opgegeven door de inschrijver "
            "(certificaat uit een ander register); niet geverifieerd."
        )
    elif number is None:
        result.notes.append("Geen certificaatnummer opgegeven.")
    elif (fact := facts.get(number)) is None:
        result.notes.append(f"Certificaat {number} staat niet in het PSO-register.")
    elif not fact.belongs_to(member.kvk):
        result.notes.append(
            f"Certificaat {number} hoort bij KvK-nummer {fact.kvk}, niet bij {member.kvk}."
        )
    elif fact.status != "valid":
        why = STATUS_TEXT.get(fact.status, fact.status)
        if fact.status == "not_yet_valid":
            why += f" (geldig vanaf {dutch_date(fact.valid_from)})"
        elif fact.status == "expired":  # pragma: no mutate: Eq_LtE (the first of those left)
            why += f" (geldig tot en met {dutch_date(fact.valid_until)})"
        result.notes.append(f"Certificaat {number} was op {moment} "
                            f"{dutch_date(deadline)} {why}.")
    else:
        result.rung = fact.rung
        if fact.kind == "pso30plus":
            result.pso30_plus = True
    return result


def _lowest(members: Sequence[MemberResult]) -> str:
    return min((m.rung for m in members), key=RUNGS.index)


def advantage_of(policy: Policy, key: str, price: Decimal) -> tuple[Decimal, Decimal]:
    """(policy value, advantage in euro) for one policy key."""
    value = policy.value(key) if key != "none" else Decimal(0)
    if policy.mode == "percentage":
        return value, percent_of(price, value)
    return value, cents(min(value, price))  # a fixed amount never exceeds the price


def evaluate_bid(order: int, bid: Bid, policy: Policy, deadline: date,
                 facts: Mapping[str, Fact], holders: set[str]) -> Ranked:
    if bid.consortium:
        members = [member_rung(m, deadline, facts, holders) for m in bid.consortium]
        rung = _lowest(members)
        pso30 = all(m.pso30_plus for m in members)
        verified = all(m.verified for m in members)
        notes = [f"Lid {m.kvk}: {note}" for m in members for note in m.notes]
        notes.append(f"Combinatie van {len(members)} leden: de laagste trede telt "
                     f"({rung_label(rung)}).")
    else:
        alone = member_rung(Member(bid.kvk, bid.certificate_number, bid.declared_rung),
                            deadline, facts, holders)
        members, notes = [], alone.notes
        rung, pso30, verified = alone.rung, alone.pso30_plus, alone.verified
    key = rung
    value, advantage = advantage_of(policy, rung, bid.price)
    if pso30:
        extra_value, extra = advantage_of(policy, "pso30plus", bid.price)
        notes.append("PSO 30+ geldig op de sluitingsdatum; de hoogste waarde van trede en "
                     "PSO 30+ telt.")
        if extra > advantage:
            key, value, advantage = "pso30plus", extra_value, extra
    if policy.mode == "amount" and value > bid.price:
        notes.append("Het voordeel is begrensd op de inschrijfprijs.")
    return Ranked(
        position=0, order=order, bidder=bid.bidder, kvk=bid.kvk, price=bid.price,
        certificate_number=None if bid.consortium else bid.certificate_number,
        rung=rung, pso30_plus=pso30, verified=verified,
        applied_from=key, applied_value=value, advantage=advantage,
        fictitious_price=bid.price - advantage,
        penalty_if_not_maintained=cents(advantage * policy.penalty_factor),
        notes=notes, members=members,
    )


def rank(policy: Policy, deadline: date, bids: Sequence[Bid],
         facts: Mapping[str, Fact]) -> list[Ranked]:
    """Rank ascending by fictitious price; ties by lower real price, then submission order."""
    holders = pso30_holders(facts.values())
    results = [evaluate_bid(i, bid, policy, deadline, facts, holders)
               for i, bid in enumerate(bids, start=1)]
    results.sort(key=lambda r: (r.fictitious_price, r.price, r.order))
    for position, result in enumerate(results, start=1):
        result.position = position
    return results


def certificate_numbers(bids: Sequence[Bid]) -> set[str]:
    """Every certificate number the bids refer to (members included), for one register query."""
    numbers = {b.certificate_number for b in bids if b.certificate_number}
    numbers.update(m.certificate_number for b in bids for m in b.consortium
                   if m.certificate_number)
    return numbers


def bidder_kvks(bids: Sequence[Bid]) -> set[str]:
    """Every company in the bids: their PSO 30+ certificates are looked up by KvK."""
    kvks = {b.kvk for b in bids}
    kvks.update(m.kvk for b in bids for m in b.consortium)
    return kvks

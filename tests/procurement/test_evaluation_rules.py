"""The rules of fictitious discount and social return at their edges (pso/procurement), on the
pure functions, found by mutation testing (docs/testing.md): which certificate counts, the
higher of rung and PSO 30+, the cap of a fixed amount, the order of ties, the obligation's cap
and the expiry warning."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal

import pytest

from pso.procurement.evaluation import Bid, Fact, Member, Policy, pso30_holders, rank
from pso.procurement.sroi import SroiRequest, calculate

DEADLINE = date(2026, 6, 1)
D = Decimal


def fact(
    number: str,
    kvk: str,
    rung: str = "trede2",
    *,
    kind: str = "ladder",
    status: str = "valid",
    other_kvks: tuple[str, ...] = (),
) -> Fact:
    return Fact(number, kind, rung, kvk, status, date(2025, 1, 1), date(2027, 12, 31), other_kvks)


def test_only_a_valid_pso30plus_certificate_makes_its_companies_holders() -> None:
    facts = [
        fact("A", "1", kind="pso30plus", other_kvks=("2",)),
        fact("B", "3", kind="pso30plus", status="expired"),
        fact("C", "4"),
    ]
    assert pso30_holders(facts) == {"1", "2"}


def test_the_higher_of_rung_and_pso30plus_applies_and_a_tie_keeps_the_rung() -> None:
    facts = {"L": fact("L", "1", "trede2"), "P": fact("P", "1", "none", kind="pso30plus")}
    bid = Bid("Een", "1", D(1000), certificate_number="L")
    for pso30, applied in ((D(5), "trede2"), (D(6), "pso30plus")):
        policy = Policy("percentage", {"trede2": D(5), "pso30plus": pso30})
        [result] = rank(policy, DEADLINE, [bid], facts)
        assert (result.applied_from, result.pso30_plus) == (applied, True)


def test_a_fixed_amount_is_capped_at_the_price_and_the_cap_is_noted() -> None:
    facts = {"L": fact("L", "1", "trede1")}
    for value, advantage, noted in ((D(100), D(100), False), (D(101), D(100), True)):
        policy = Policy("amount", {"trede1": value})
        [result] = rank(policy, DEADLINE, [Bid("Een", "1", D(100), "L")], facts)
        assert (result.advantage, result.fictitious_price) == (advantage, D(100) - advantage)
        assert ("Het voordeel is begrensd op de inschrijfprijs." in result.notes) is noted
        assert result.penalty_if_not_maintained == D("1.5") * advantage


def test_ties_go_to_the_lower_real_price_then_to_the_earlier_bid() -> None:
    facts = {"L": fact("L", "2", "trede1")}
    policy = Policy("amount", {"trede1": D(10)})
    bids = [
        Bid("Laat", "9", D(90)),
        Bid("Vroeg", "8", D(90)),
        Bid("Gecertificeerd", "2", D(100), "L"),
    ]
    # All three come to 90: the certified bid's real price is higher, then submission order.
    ranked = rank(policy, DEADLINE, [bids[1], bids[0], bids[2]], facts)
    assert [(r.position, r.bidder) for r in ranked] == [
        (1, "Vroeg"),
        (2, "Laat"),
        (3, "Gecertificeerd"),
    ]


def test_a_consortium_counts_its_lowest_rung_and_pso30plus_only_when_every_member_holds_it() -> (
    None
):
    facts = {
        "A": fact("A", "1", "trede3"),
        "B": fact("B", "2", "trede1"),
        "P": fact("P", "1", "none", kind="pso30plus"),
    }
    bid = Bid("Combi", "1", D(100), consortium=(Member("1", "A"), Member("2", "B")))
    policy = Policy("percentage", {"trede1": D(1), "trede3": D(3), "pso30plus": D(9)})
    [result] = rank(policy, DEADLINE, [bid], facts)
    assert (result.rung, result.pso30_plus, result.applied_from) == ("trede1", False, "trede1")


def test_a_certificate_counts_only_for_its_own_company_and_when_valid() -> None:
    facts = {"A": fact("A", "1", other_kvks=("5",)), "X": fact("X", "2", status="suspended")}
    policy = Policy("percentage", {"trede2": D(5)})
    bids = [
        Bid("Dochter", "5", D(100), "A"),
        Bid("Ander", "3", D(100), "A"),
        Bid("Geschorst", "2", D(100), "X"),
    ]
    rungs = {r.bidder: r.rung for r in rank(policy, DEADLINE, bids, facts)}
    assert rungs == {"Dochter": "trede2", "Ander": "none", "Geschorst": "none"}


REQUEST = SroiRequest(
    contract_value=D(100_000), kvk="1", tender_date=DEADLINE, contract_end=date(2027, 12, 31)
)


def test_social_return_obligation_is_capped_only_above_the_cap() -> None:
    assert calculate(replace(REQUEST, cap=D(5000)), {}).capped is False  # exactly the cap
    capped = calculate(replace(REQUEST, cap=D(4999)), {})
    assert (capped.obligation, capped.capped) == (D(4999), True)
    below = calculate(replace(REQUEST, cap=D(6000)), {})  # a cap above it changes nothing
    assert (below.obligation, below.capped) == (D(5000), False)


def test_social_return_warns_only_when_the_certificate_ends_before_the_contract() -> None:
    facts = {"A": fact("A", "1", "trede1")}  # valid until 31 December 2027
    request = replace(REQUEST, certificate_number="A", reductions={"trede1": D(20)})
    same_day = calculate(request, facts)
    assert (same_day.warnings, same_day.reduction, same_day.remaining_obligation) == (
        [],
        D(1000),
        D(4000),
    )
    later = calculate(replace(request, contract_end=date(2028, 1, 1)), facts)
    assert len(later.warnings) == 1 and "verloopt op" in later.warnings[0]


def test_social_return_reduction_follows_the_rung_and_none_gets_nothing() -> None:
    reductions = {"basistrede": D(10), "trede1": D(20), "none": D(99)}
    facts = {"B": fact("B", "1", "basistrede"), "T": fact("T", "1", "trede1")}
    for number, pct in (("B", D(10)), ("T", D(20)), (None, D(0))):
        result = calculate(
            replace(REQUEST, certificate_number=number, reductions=reductions), facts
        )
        assert (result.reduction_pct, result.reduction) == (pct, D(5000) * pct / 100)


def test_the_inputs_of_an_evaluation_cannot_change_once_made() -> None:
    # A decided evaluation is reproduced from its stored inputs: nothing may alter them.
    inputs = (
        (Policy("amount", {}), "mode"),
        (Member("1"), "kvk"),
        (Bid("Een", "1", D(100)), "price"),
        (fact("A", "1"), "status"),
    )
    for made, name in inputs:
        with pytest.raises(FrozenInstanceError):
            setattr(made, name, None)

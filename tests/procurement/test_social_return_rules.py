"""Social return's database-free rules (pso/procurement/social_return.py) and the stored
shapes of register facts and bids (pso/procurement/serialize.py), found by mutation testing
(docs/testing.md): which terms go together, what a pseudonym may look like, and facts and
consortia stored before a field existed."""

from __future__ import annotations

from datetime import date

import pytest

from pso.procurement.evaluation import Fact, Member
from pso.procurement.serialize import bid_from_row, fact_from_json, fact_json
from pso.procurement.social_return import combination_errors, pseudonym_ok

NONE = {
    "fixed": False,
    "rate": False,
    "cap": False,
    "rule": "penalty",
    "factor": False,
    "percentage": False,
}


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({}, []),
        ({"rate": True, "cap": True}, []),
        ({"fixed": True}, []),
        ({"fixed": True, "rate": True}, ["fixedAmount"]),
        ({"fixed": True, "cap": True}, ["fixedAmount"]),
        ({"factor": True}, []),  # a factor with a penalty
        ({"percentage": True}, ["settlement.percentage"]),  # a percentage with a penalty
        ({"rule": "buyout", "percentage": True}, []),
        ({"rule": "buyout"}, ["settlement.percentage"]),
        ({"rule": "buyout", "percentage": True, "factor": True}, ["settlement.factor"]),
        ({"rule": "none", "percentage": True, "factor": True}, []),
        # Raw bodies: any other text is no rule at all (`==`, not an ordering).
        ({"rule": "afkoop"}, []),
        ({"rule": "afkoop", "percentage": True, "factor": True}, []),
        ({"rule": "zz", "percentage": True}, []),
    ],
)
def test_which_terms_go_together(given: dict, named: list[str]) -> None:
    assert [e["name"] for e in combination_errors(**{**NONE, **given})] == named


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("K-17", True),
        ("7", True),
        ("a" * 19 + "1", True),
        ("12345678", True),
        ("Kees", False),
        ("", False),
        ("a" * 20 + "1", False),
        ("K 17", False),
        ("123456789", False),
        ("K-123456789", False),
        (17, False),
        (None, False),
    ],
)
def test_a_pseudonym_is_a_short_code_with_a_digit_and_never_nine_digits(value, ok: bool) -> None:
    assert pseudonym_ok(value) is ok


def test_a_fact_stored_before_other_kvks_existed_reads_back_without_them() -> None:
    fact = Fact(
        "PSO-1",
        "ladder",
        "trede1",
        "12345678",
        "valid",
        date(2026, 1, 1),
        date(2028, 12, 31),
        ("87654321",),
    )
    assert fact_from_json(fact_json(fact)) == fact
    for old in ({}, {"otherKvks": None}):
        data = {k: v for k, v in fact_json(fact).items() if k != "otherKvks"} | old
        assert fact_from_json(data).other_kvks == ()


def test_a_bid_row_without_a_consortium_has_no_members() -> None:
    alone = bid_from_row("Een", "12345678", 100, "PSO-1", None, None)
    assert alone.consortium == ()
    combi = bid_from_row(
        "Twee", "1", 100, None, None, [{"kvk": "1"}, {"kvk": "2", "declaredRung": "trede1"}]
    )
    assert combi.consortium == (Member("1"), Member("2", None, "trede1"))

"""The fictitious-discount and SROI arithmetic, against tables computed by hand.

Pure: the register facts are given as data (what the register said on the deadline), so
every rule of SPEC §4 is checked without a database. The API tests repeat the decisive
cases with real certificates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from pso.procurement.evaluation import Bid, Fact, Member, Policy, rank
from pso.procurement.money import cents
from pso.procurement.sroi import SroiRequest, calculate

DEADLINE = date(2026, 3, 1)
FROM, UNTIL = date(2025, 1, 1), date(2026, 12, 31)


def fact(number: str, kvk: str, rung: str, status: str = "valid", kind: str = "ladder",
         valid_from: date = FROM, valid_until: date = UNTIL) -> Fact:
    return Fact(number, kind, rung, kvk, status, valid_from, valid_until)


def table(results) -> list[tuple]:
    return [(r.position, r.bidder, r.rung, str(r.advantage), str(r.fictitious_price),
             str(r.penalty_if_not_maintained)) for r in results]


PCT = Policy("percentage", {"aspirant": D(1), "basistrede": D(2), "trede1": D(3),
                            "trede2": D(5), "trede3": D(7), "pso30plus": D(10)})


def test_rounding_is_half_up_to_cents() -> None:
    assert cents(D("2.345")) == D("2.35")
    assert cents(D("2.344999")) == D("2.34")
    assert cents(D("-2.345")) == D("-2.35")  # half away from zero, never banker's rounding
    assert cents(D("4950.025")) == D("4950.03")


def test_percentage_mode_five_bids() -> None:
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede1"),
        "PSO-2025-000003": fact("PSO-2025-000003", "33333333", "trede3"),
        "PSO-2025-000004": fact("PSO-2025-000004", "33333333", "trede3", kind="pso30plus"),
        "PSO-2025-000005": fact("PSO-2025-000005", "55555555", "trede3"),
        "PSO-2025-000006": fact("PSO-2025-000006", "66666666", "basistrede"),
    }
    bids = [
        Bid("Alfa", "11111111", D("100000.00"), "PSO-2025-000001"),
        Bid("Bravo", "22222222", D("98500.00")),
        Bid("Charlie", "33333333", D("101234.57"), "PSO-2025-000003"),
        Bid("Delta", "44444444", D("99999.99"), declared_rung="trede2"),
        Bid("Echo", "55555555", D("97000.00"), consortium=(
            Member("55555555", "PSO-2025-000005"), Member("66666666", "PSO-2025-000006"))),
    ]
    # Alfa    trede1 3 %:  100000.00 × 3 / 100 = 3000.00; fictitious 97000.00; ×1.5 = 4500.00
    # Bravo   none:         0.00; fictitious 98500.00
    # Charlie trede3 7 % or PSO 30+ 10 % -> 10 %: 101234.57 × 0.10 = 10123.457 -> 10123.46;
    #         fictitious 91111.11; penalty 10123.46 × 1.5 = 15185.19
    # Delta   declared trede2 5 %: 99999.99 × 0.05 = 4999.9995 -> 5000.00; 94999.99; 7500.00
    # Echo    members trede3 and basistrede -> basistrede 2 %: 97000.00 × 0.02 = 1940.00;
    #         fictitious 95060.00; penalty 2910.00
    results = rank(PCT, DEADLINE, bids, facts)
    assert table(results) == [
        (1, "Charlie", "trede3", "10123.46", "91111.11", "15185.19"),
        (2, "Delta", "trede2", "5000.00", "94999.99", "7500.00"),
        (3, "Echo", "basistrede", "1940.00", "95060.00", "2910.00"),
        (4, "Alfa", "trede1", "3000.00", "97000.00", "4500.00"),
        (5, "Bravo", "none", "0.00", "98500.00", "0.00"),
    ]
    by_name = {r.bidder: r for r in results}
    assert by_name["Charlie"].pso30_plus and by_name["Charlie"].applied_from == "pso30plus"
    assert by_name["Delta"].verified is False and "niet geverifieerd" in by_name["Delta"].notes[0]
    assert all(by_name[n].verified for n in ("Alfa", "Bravo", "Charlie", "Echo"))
    assert by_name["Bravo"].notes == ["Geen certificaatnummer opgegeven."]
    assert [m.rung for m in by_name["Echo"].members] == ["trede3", "basistrede"]
    assert by_name["Echo"].certificate_number is None
    assert [r.order for r in results] == [3, 4, 5, 1, 2]


def test_amount_mode_fixed_advantage_never_above_the_price() -> None:
    policy = Policy("amount", {"trede2": D("5000.00"), "trede3": D("7500.00"),
                               "pso30plus": D("6000.00")}, D(2))
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede2"),
        "PSO-2025-000002": fact("PSO-2025-000002", "22222222", "trede3"),
        "PSO-2025-000003": fact("PSO-2025-000003", "22222222", "trede3", kind="pso30plus"),
        "PSO-2025-000004": fact("PSO-2025-000004", "33333333", "trede3"),
    }
    bids = [
        Bid("Groot", "11111111", D("50000.00"), "PSO-2025-000001"),
        Bid("Dertig", "22222222", D("52000.00"), "PSO-2025-000002"),
        Bid("Klein", "33333333", D("4000.50"), "PSO-2025-000004"),
        Bid("Zonder", "44444444", D("47000.00")),
    ]
    # Groot  trede2: 5000.00; 50000.00 - 5000.00 = 45000.00; penalty × 2 = 10000.00
    # Dertig trede3 7500.00 beats PSO 30+ 6000.00: 52000.00 - 7500.00 = 44500.00; 15000.00
    # Klein  trede3 7500.00 capped at the price 4000.50: fictitious 0.00; penalty 8001.00
    # Zonder none: 47000.00
    results = rank(policy, DEADLINE, bids, facts)
    assert table(results) == [
        (1, "Klein", "trede3", "4000.50", "0.00", "8001.00"),
        (2, "Dertig", "trede3", "7500.00", "44500.00", "15000.00"),
        (3, "Groot", "trede2", "5000.00", "45000.00", "10000.00"),
        (4, "Zonder", "none", "0.00", "47000.00", "0.00"),
    ]
    assert results[1].applied_from == "trede3" and results[1].pso30_plus
    assert "begrensd op de inschrijfprijs" in " ".join(results[0].notes)


def test_ties_lower_real_price_then_submission_order() -> None:
    policy = Policy("amount", {"trede1": D("1000.00"), "trede2": D("2000.00")})
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede2"),
        "PSO-2025-000002": fact("PSO-2025-000002", "22222222", "trede1"),
    }
    bids = [
        Bid("Eerste", "33333333", D("9000.00")),                     # 9000.00 - 0
        Bid("Tweede", "11111111", D("11000.00"), "PSO-2025-000001"),  # 11000.00 - 2000.00
        Bid("Derde", "22222222", D("10000.00"), "PSO-2025-000002"),   # 10000.00 - 1000.00
        Bid("Vierde", "44444444", D("9000.00")),                     # 9000.00 - 0
    ]
    # All four at fictitious 9000.00. Lower real price first: Eerste and Vierde (9000.00),
    # in submission order; then Derde (10000.00); then Tweede (11000.00).
    results = rank(policy, DEADLINE, bids, facts)
    assert [(r.position, r.bidder, str(r.fictitious_price)) for r in results] == [
        (1, "Eerste", "9000.00"), (2, "Vierde", "9000.00"), (3, "Derde", "9000.00"),
        (4, "Tweede", "9000.00"),
    ]


def test_consortium_takes_its_lowest_member_and_every_member_is_checked() -> None:
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede3"),
        "PSO-2025-000002": fact("PSO-2025-000002", "22222222", "trede2"),
        "PSO-2025-000003": fact("PSO-2025-000003", "33333333", "trede3", status="revoked"),
    }
    both = Bid("Combi", "11111111", D("1000.00"), consortium=(
        Member("11111111", "PSO-2025-000001"), Member("22222222", "PSO-2025-000002")))
    revoked_member = Bid("Combi 2", "44444444", D("1000.00"), consortium=(
        Member("44444444", declared_rung="trede3"), Member("33333333", "PSO-2025-000003")))
    # Combi: min(trede3, trede2) = trede2 -> 5 % of 1000.00 = 50.00 -> 950.00
    # Combi 2: declared trede3 and a revoked member -> none, 0.00; not verified
    results = rank(PCT, DEADLINE, [both, revoked_member], facts)
    assert table(results) == [
        (1, "Combi", "trede2", "50.00", "950.00", "75.00"),
        (2, "Combi 2", "none", "0.00", "1000.00", "0.00"),
    ]
    assert results[1].verified is False
    assert any("Lid 33333333: Certificaat PSO-2025-000003" in n and "ingetrokken" in n
               for n in results[1].notes)


def test_pso30plus_counts_only_when_every_member_holds_one() -> None:
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede3"),
        "PSO-2025-000002": fact("PSO-2025-000002", "11111111", "trede3", kind="pso30plus"),
        "PSO-2025-000003": fact("PSO-2025-000003", "22222222", "trede3"),
        "PSO-2025-000004": fact("PSO-2025-000004", "22222222", "trede3", kind="pso30plus",
                                status="suspended"),
    }
    alone = Bid("Alleen", "11111111", D("200.00"), "PSO-2025-000001")
    combi = Bid("Combi", "22222222", D("200.00"), consortium=(
        Member("22222222", "PSO-2025-000003"), Member("11111111", "PSO-2025-000001")))
    # Alleen: max(trede3 7 %, PSO 30+ 10 %) = 10 % of 200.00 = 20.00 -> 180.00
    # Combi: 22222222's PSO 30+ is suspended -> no 30+; trede3 7 % = 14.00 -> 186.00
    results = rank(PCT, DEADLINE, [combi, alone], facts)
    assert table(results) == [
        (1, "Alleen", "trede3", "20.00", "180.00", "30.00"),
        (2, "Combi", "trede3", "14.00", "186.00", "21.00"),
    ]
    assert [r.pso30_plus for r in results] == [True, False]


def test_pso30plus_value_lower_than_the_rung_value_leaves_the_rung() -> None:
    policy = Policy("percentage", {"trede3": D(8), "pso30plus": D(6)})
    facts = {"PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede3"),
             "PSO-2025-000002": fact("PSO-2025-000002", "11111111", "trede3", kind="pso30plus")}
    # better of 8 % and 6 %: 8 % of 1234.56 = 98.7648 -> 98.76
    [result] = rank(policy, DEADLINE, [Bid("X", "11111111", D("1234.56"), "PSO-2025-000001")],
                    facts)
    assert (result.applied_from, str(result.advantage), result.pso30_plus) == ("trede3", "98.76",
                                                                              True)


def test_certificates_not_valid_on_the_deadline_give_none_with_the_reason() -> None:
    later = date(2026, 4, 1)
    facts = {
        "PSO-2026-000001": fact("PSO-2026-000001", "11111111", "trede3", "not_yet_valid",
                                valid_from=later),
        "PSO-2026-000002": fact("PSO-2026-000002", "22222222", "trede3", "revoked"),
        "PSO-2026-000003": fact("PSO-2026-000003", "33333333", "trede3", "suspended"),
        "PSO-2026-000004": fact("PSO-2026-000004", "44444444", "trede3", "expired",
                                valid_until=date(2026, 2, 28)),
        "PSO-2026-000005": fact("PSO-2026-000005", "55555555", "trede3", "superseded"),
        "PSO-2026-000006": fact("PSO-2026-000006", "99999999", "trede3"),
    }
    bids = [Bid(f"B{i}", f"{i}" * 8, D("100.00"), f"PSO-2026-00000{i}") for i in range(1, 6)]
    bids += [Bid("Ander", "66666666", D("100.00"), "PSO-2026-000006"),
             Bid("Onbekend", "77777777", D("100.00"), "PSO-2026-000999")]
    results = rank(PCT, DEADLINE, bids, facts)
    assert {r.rung for r in results} == {"none"}
    notes = {r.bidder: r.notes[0] for r in results}
    assert notes["B1"] == ("Certificaat PSO-2026-000001 was op de sluitingsdatum 1 maart 2026 "
                           "nog niet geldig (geldig vanaf 1 april 2026).")
    assert "ingetrokken" in notes["B2"] and "geschorst" in notes["B3"]
    assert "verlopen (geldig tot en met 28 februari 2026)" in notes["B4"]
    assert "vervangen door een nieuwer certificaat" in notes["B5"]
    assert notes["Ander"] == ("Certificaat PSO-2026-000006 hoort bij KvK-nummer 99999999, "
                              "niet bij 66666666.")
    assert notes["Onbekend"] == "Certificaat PSO-2026-000999 staat niet in het PSO-register."
    # All at 100.00: ties broken by submission order.
    assert [r.bidder for r in results] == [b.bidder for b in bids]


def test_penalty_factor_and_money_stay_decimal() -> None:
    policy = Policy("percentage", {"trede1": D("3.33")}, D("1.25"))
    facts = {"PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede1")}
    [r] = rank(policy, DEADLINE, [Bid("X", "11111111", D("0.10"), "PSO-2025-000001")], facts)
    # 0.10 × 3.33 / 100 = 0.00333 -> 0.00; nothing to lose
    assert (r.advantage, r.fictitious_price, r.penalty_if_not_maintained) == (
        D("0.00"), D("0.10"), D("0.00"))
    [r] = rank(policy, DEADLINE, [Bid("X", "11111111", D("333333.33"), "PSO-2025-000001")],
               facts)
    # 333333.33 × 3.33 / 100 = 11099.999889 -> 11100.00; × 1.25 = 13875.00
    assert (str(r.advantage), str(r.fictitious_price), str(r.penalty_if_not_maintained)) == (
        "11100.00", "322233.33", "13875.00")
    assert all(isinstance(v, D) for v in (r.advantage, r.fictitious_price, r.price))


def sroi(**kw) -> SroiRequest:
    base = {"contract_value": D("1234567.89"), "kvk": "11111111",
            "tender_date": date(2026, 3, 1), "contract_end": date(2027, 6, 30),
            "reductions": {"trede2": D(100), "trede1": D(50)}}
    return SroiRequest(**{**base, **kw})


def test_sroi_obligation_reduction_and_cap() -> None:
    facts = {"PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede1",
                                     valid_until=date(2027, 12, 31))}
    # 1234567.89 × 5 / 100 = 61728.3945 -> 61728.39; trede1 50 % -> 30864.195 -> 30864.20;
    # remaining 61728.39 - 30864.20 = 30864.19
    result = calculate(sroi(certificate_number="PSO-2025-000001"), facts)
    assert (str(result.obligation), result.rung, str(result.reduction),
            str(result.remaining_obligation), result.warnings) == (
        "61728.39", "trede1", "30864.20", "30864.19", [])
    # capped at 50000.00: trede2 100 % -> nothing remains; not verified
    result = calculate(sroi(cap=D("50000.00"), declared_rung="trede2"), {})
    assert (str(result.obligation), result.capped, str(result.remaining_obligation),
            result.verified) == ("50000.00", True, "0.00", False)
    assert "niet geverifieerd" in result.warnings[0]
    # rate 2.5 %: 30864.19725 -> 30864.20; trede3 has no reduction set -> 0 %
    facts = {"PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede3",
                                     valid_until=date(2027, 12, 31))}
    result = calculate(sroi(rate_pct=D("2.5"), certificate_number="PSO-2025-000001"), facts)
    assert (str(result.obligation), str(result.reduction_pct), str(result.reduction)) == (
        "30864.20", "0", "0.00")


def test_sroi_warnings() -> None:
    facts = {
        "PSO-2025-000001": fact("PSO-2025-000001", "11111111", "trede2",
                                valid_until=date(2027, 1, 31)),
        "PSO-2025-000002": fact("PSO-2025-000002", "11111111", "trede2", "revoked"),
        "PSO-2025-000003": fact("PSO-2025-000003", "22222222", "trede2"),
    }
    expiring = calculate(sroi(certificate_number="PSO-2025-000001"), facts)
    assert expiring.rung == "trede2" and str(expiring.remaining_obligation) == "0.00"
    assert expiring.warnings == [(
        "Certificaat PSO-2025-000001 verloopt op 31 januari 2027, vóór het einde van het "
        "contract op 30 juni 2027. De korting geldt alleen zolang er een geldig certificaat "
        "is; vraag tijdig om een vervolgcertificaat.")]
    revoked = calculate(sroi(certificate_number="PSO-2025-000002"), facts)
    assert revoked.rung == "none" and str(revoked.remaining_obligation) == "61728.39"
    assert revoked.warnings == [("Certificaat PSO-2025-000002 was op de aanbestedingsdatum "
                                 "1 maart 2026 ingetrokken.")]
    other = calculate(sroi(certificate_number="PSO-2025-000003"), facts)
    assert other.rung == "none" and "hoort bij KvK-nummer 22222222" in other.warnings[0]

"""Real certificates for the procurement tests, issued through the approval flow."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pso.clock import today
from tests.factories import organization, submission

# staff and size per rung (20 FTE unless said): see tests/factories.submission
RUNG_STAFF = {"basistrede": (1, 20), "trede1": (1, 16), "trede2": (2, 20), "trede3": (3, 20),
              "trede3+30": (7, 20)}


async def tokens(make_token) -> dict[str, dict[str, str]]:
    return {
        "admin": await make_token("admin"),
        "auditor": await make_token("auditor"),
        "reviewer": await make_token("auditor"),
        "procurement": await make_token("procurement"),
        "other_procurement": await make_token("procurement"),
        "company": await make_token("company", kvk="10000001"),
        "municipality": await make_token("municipality", municipality_code="GM0363"),
    }


async def certify(client, headers: dict[str, dict[str, str]], kvk: str, rung: str,
                  valid_from: date | None = None, name: str | None = None) -> list[dict[str, Any]]:
    """Register the organisation if new, then apply and approve: the issued certificates
    (ladder first, then PSO 30+ for "trede3+30")."""
    admin = headers["admin"]
    known = await client.get(f"/api/v1/organizations/{kvk}", headers=admin)
    if known.status_code == 404:
        created = await client.post("/api/v1/organizations", json=organization(kvk, name),
                                    headers=admin)
        assert created.status_code == 201, created.text
    staff, fte = RUNG_STAFF[rung]
    draft = await client.post(f"/api/v1/organizations/{kvk}/assessments",
                              json={"submission": submission(staff, total_fte=fte)}, headers=admin)
    assert draft.status_code == 201, draft.text
    aid = draft.json()["id"]
    submitted = await client.post(f"/api/v1/assessments/{aid}/submit", headers=admin)
    assert submitted.status_code == 200, submitted.text
    # Reviewed by one auditor, decided by another (separate decision, SPEC §7.3).
    reviewed = await client.post(f"/api/v1/assessments/{aid}/review", headers=headers["reviewer"])
    assert reviewed.status_code == 200, reviewed.text
    completed = await client.post(f"/api/v1/assessments/{aid}/review-completed",
                                  headers=headers["reviewer"])
    assert completed.status_code == 200, completed.text
    decision: dict[str, Any] = {"outcome": "approved"}
    if valid_from is not None:
        decision["validFrom"] = valid_from.isoformat()
    decided = await client.post(f"/api/v1/assessments/{aid}/decision", json=decision,
                                headers=headers["auditor"])
    assert decided.status_code == 200, decided.text
    return decided.json()["certificates"]


async def number(client, headers, kvk: str, rung: str, **kw) -> str:
    return (await certify(client, headers, kvk, rung, **kw))[0]["number"]


def days(n: int) -> date:
    return today() + timedelta(days=n)


# The 5-bid tender of the issue, computed by hand. Percentages per rung; PSO 30+ 10 %.
POLICY = {"mode": "percentage",
          "values": {"aspirant": "1", "basistrede": "2", "trede1": "3", "trede2": "5",
                     "trede3": "7", "pso30plus": "10"}}


async def five_bids(client, headers) -> list[dict[str, Any]]:
    """Alfa trede1; Bravo no certificate; Charlie trede3 with PSO 30+; Delta declared
    trede2 (another register); Echo a consortium of a trede3 and a basistrede company."""
    alfa = await number(client, headers, "10000001", "trede1", name="Alfa Bouw B.V.")
    charlie = await number(client, headers, "10000003", "trede3+30", name="Charlie Groen")
    echo = await number(client, headers, "10000005", "trede3", name="Echo Infra")
    foxtrot = await number(client, headers, "10000006", "basistrede", name="Foxtrot Werk")
    return [
        {"bidder": "Alfa Bouw B.V.", "kvk": "10000001", "price": "100000.00",
         "certificateNumber": alfa},
        {"bidder": "Bravo Wegen", "kvk": "10000002", "price": "98500"},
        {"bidder": "Charlie Groen", "kvk": "10000003", "price": "101234.57",
         "certificateNumber": charlie},
        {"bidder": "Delta Schoon", "kvk": "10000004", "price": 99999.99, "declaredRung": "trede2"},
        {"bidder": "Combinatie Echo-Foxtrot", "kvk": "10000005", "price": "97000.00",
         "consortium": [{"kvk": "10000005", "certificateNumber": echo},
                        {"kvk": "10000006", "certificateNumber": foxtrot}]},
    ]


# position, bidder, rung, pso30Plus, verified, advantage, fictitiousPrice, penalty
#   Charlie: max(7 %, 10 %) of 101234.57 = 10123.457 -> 10123.46; 91111.11; × 1.5 = 15185.19
#   Delta:   5 % of 99999.99 = 4999.9995 -> 5000.00; 94999.99; 7500.00 (declared)
#   Echo:    lowest of trede3 and basistrede -> 2 % of 97000.00 = 1940.00; 95060.00; 2910.00
#   Alfa:    3 % of 100000.00 = 3000.00; 97000.00; 4500.00
#   Bravo:   none; 98500.00
EXPECTED = [
    (1, "Charlie Groen", "trede3", True, True, "10123.46", "91111.11", "15185.19"),
    (2, "Delta Schoon", "trede2", False, False, "5000.00", "94999.99", "7500.00"),
    (3, "Combinatie Echo-Foxtrot", "basistrede", False, True, "1940.00", "95060.00", "2910.00"),
    (4, "Alfa Bouw B.V.", "trede1", False, True, "3000.00", "97000.00", "4500.00"),
    (5, "Bravo Wegen", "none", False, True, "0.00", "98500.00", "0.00"),
]


def summary(ranking: list[dict[str, Any]]) -> list[tuple]:
    return [(r["position"], r["bidder"], r["rung"], r["pso30Plus"], r["verified"],
             r["advantage"], r["fictitiousPrice"], r["penaltyIfNotMaintained"])
            for r in ranking]

"""Test data builders shared by the API tests."""

from __future__ import annotations

from typing import Any


def submission(full_time_staff: int, *, total_fte: int = 20, quality: bool = True,
               year: int = 2025, **extra: Any) -> dict[str, Any]:
    """`full_time_staff` Wajong employees, full time all year, in an organisation of
    `total_fte` FTE. With 20 FTE: 1 -> 5 % (basistrede), 2 -> 10 % (trede2),
    3 -> 15 % (trede3), 7 -> 35 % (trede3 and PSO 30+)."""
    return {
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "totalFte": str(total_fte),
        "employees": [
            {"reference": f"mw-{i:03d}", "startingPosition": "wajong", "contractType": "regular",
             "hoursPerWeek": 40, "employmentStart": f"{year - 1}-01-01"}
            for i in range(full_time_staff)
        ],
        "purchases": [],
        "quality": {"suitableWork": quality, "integration": True, "development": True,
                    "guidance": True},
        **extra,
    }


def organization(kvk: str, name: str | None = None, code: str = "GM0363") -> dict[str, str]:
    return {"kvk": kvk, "name": name or f"Organisatie {kvk}", "municipalityCode": code,
            "kind": "company"}


async def issue_certificate(client: Any, make_token: Any, kvk: str = "11223344",
                            staff: int = 2, **decision: Any) -> str:
    """Register an organisation, apply, submit, review and approve over the API; returns the number
    of the ladder certificate."""
    admin, company = await make_token("admin"), await make_token("company", kvk=kvk)
    auditor = await make_token("auditor")
    response = await client.post("/api/v1/organizations", json=organization(kvk), headers=admin)
    assert response.status_code == 201, response.text
    response = await client.post(f"/api/v1/organizations/{kvk}/assessments",
                                 json={"submission": submission(staff)}, headers=company)
    assert response.status_code == 201, response.text
    assessment_id = response.json()["id"]
    response = await client.post(f"/api/v1/assessments/{assessment_id}/submit", headers=company)
    assert response.status_code == 200, response.text
    # Reviewed by one auditor, decided by another (SPEC §7.3).
    reviewer = await make_token("auditor")
    response = await client.post(f"/api/v1/assessments/{assessment_id}/review", headers=reviewer)
    assert response.status_code == 200, response.text
    response = await client.post(f"/api/v1/assessments/{assessment_id}/review-completed",
                                 headers=reviewer)
    assert response.status_code == 200, response.text
    response = await client.post(f"/api/v1/assessments/{assessment_id}/decision",
                                 json={"outcome": "approved", **decision}, headers=auditor)
    assert response.status_code == 200, response.text
    return response.json()["certificates"][0]["number"]

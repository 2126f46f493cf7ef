"""Municipal subsidy vouchers through the API: a scheme run end to end, the budget worked
out by hand, eligibility rules, the role and tenant matrix, bad input and idempotency."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import event

from pso import clock
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows
from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

TODAY = date(2026, 6, 15)
HERE, NEIGHBOUR, ELSEWHERE = "GM0200", "GM0203", "GM0363"
A, B, C, D = "10000001", "10000002", "10000003", "10000004"
FAR, UNKNOWN = "10000009", "19999999"
SCHEME = {
    "title": "Voucher PSO-certificering MKB 2026",
    "municipalityCode": HERE,
    "voucherAmount": "1500.00",
    "budget": "4500.00",
    "applicationOpensOn": "2026-01-01",
    "applicationClosesOn": "2026-12-31",
    "voucherValidityDays": 90,
    "maxFte": "249.99",
    "eligibleMunicipalityCodes": [HERE, NEIGHBOUR],
}


@pytest.fixture
def day(monkeypatch):
    """The service's today; tests move it with day.set(...)."""

    class Day:
        value = TODAY

        def set(self, value: date) -> None:
            self.value = value

    current = Day()
    monkeypatch.setattr(clock, "today", lambda: current.value)
    return current


@pytest.fixture
async def actors(client, make_token, day) -> dict[str, dict[str, str]]:
    tokens = {
        "municipality": await make_token("municipality", municipality_code=HERE),
        "other_municipality": await make_token("municipality", municipality_code=ELSEWHERE),
        "admin": await make_token("admin"),
        "auditor": await make_token("auditor"),
        "reviewer": await make_token("auditor"),
        "procurement": await make_token("procurement"),
        "company_a": await make_token("company", kvk=A),
        "company_b": await make_token("company", kvk=B),
    }
    for kvk, code in ((A, HERE), (B, NEIGHBOUR), (C, HERE), (D, HERE), (FAR, ELSEWHERE)):
        name = 'Groen & "Schoon" <B.V.>' if kvk == A else f"=HYPERLINK(\"x\") {kvk}"
        response = await client.post(
            "/api/v1/organizations", json=organization(kvk, name, code), headers=tokens["admin"]
        )
        assert response.status_code == 201, response.text
    return tokens


async def create_scheme(client, actors, **changes) -> dict:
    response = await client.post(
        "/api/v1/voucher-schemes", json={**SCHEME, **changes}, headers=actors["municipality"]
    )
    assert response.status_code == 201, response.text
    return response.json()


async def issue(client, headers, scheme_id: int, kvk: str, fte: str = "10", **kw):
    return await client.post(
        f"/api/v1/voucher-schemes/{scheme_id}/vouchers", json={"kvk": kvk, "fte": fte},
        headers=headers, **kw,
    )


async def issued(client, headers, scheme_id: int, kvk: str, fte: str = "10") -> dict:
    response = await issue(client, headers, scheme_id, kvk, fte)
    assert response.status_code == 201, response.text
    return response.json()


async def figures(client, actors, scheme_id: int) -> dict:
    response = await client.get(f"/api/v1/voucher-schemes/{scheme_id}", headers=actors["municipality"])
    assert response.status_code == 200, response.text
    body = response.json()
    # requested/refused only appear on schemes that require approval (when not zero)
    counts = {f"n_{status}": n for status, n in body["counts"].items()
              if n or status not in ("requested", "refused")}
    return {k: body[k] for k in ("committed", "redeemed", "available")} | counts


async def certified(client, actors, kvk: str) -> tuple[int, str]:
    """An approved assessment of `kvk` and its certificate number: proof for a redemption."""
    headers = actors["company_a"] if kvk == A else actors["company_b"]
    draft = await client.post(f"/api/v1/organizations/{kvk}/assessments",
                              json={"submission": submission(2)}, headers=headers)
    assert draft.status_code == 201, draft.text
    aid = draft.json()["id"]
    assert (await client.post(f"/api/v1/assessments/{aid}/submit", headers=headers)).status_code == 200
    assert (await client.post(f"/api/v1/assessments/{aid}/review",
                              headers=actors["reviewer"])).status_code == 200
    assert (await client.post(f"/api/v1/assessments/{aid}/review-completed",
                              headers=actors["reviewer"])).status_code == 200
    decided = await client.post(f"/api/v1/assessments/{aid}/decision",
                                json={"outcome": "approved"}, headers=actors["auditor"])
    assert decided.status_code == 200, decided.text
    return aid, decided.json()["certificates"][0]["number"]


def redemption(invoice: str, **proof) -> dict:
    return {"invoiceAmount": invoice, **proof}


# --- a scheme run end to end ---------------------------------------------------------


async def test_scheme_end_to_end(client, actors, day) -> None:
    mun = actors["municipality"]
    scheme = await create_scheme(client, actors)
    sid = scheme["id"]
    assert scheme["voucherAmount"] == "1500.00" and scheme["budget"] == "4500.00"
    assert scheme["applicationOpen"] is True
    assert await figures(client, actors, sid) == {
        "committed": "0.00", "redeemed": "0.00", "available": "4500.00",
        "n_issued": 0, "n_redeemed": 0, "n_cancelled": 0, "n_expired": 0,
    }

    # Issued by the municipality, and by a company for itself.
    va = await issued(client, mun, sid, A, "12.5")
    assert va["schemeId"] == sid and va["kvk"] == A and va["amount"] == "1500.00"
    assert va["status"] == "issued" and va["issuedOn"] == "2026-06-15"
    assert va["expiresOn"] == "2026-09-12"  # 90 days, the day of issue included
    assert va["fte"] == "12.50"
    vb = await issued(client, actors["company_b"], sid, B, "249.99")  # maxFte is inclusive
    vc = await issued(client, mun, sid, C)
    assert len({va["code"], vb["code"], vc["code"]}) == 3
    assert await figures(client, actors, sid) == {
        "committed": "4500.00", "redeemed": "0.00", "available": "0.00",
        "n_issued": 3, "n_redeemed": 0, "n_cancelled": 0, "n_expired": 0,
    }

    # Full: the fourth is refused, with the figures that explain why.
    full = assert_problem(await issue(client, mun, sid, D), 409, "budget-exhausted")
    assert full["available"] == "0.00" and full["voucherAmount"] == "1500.00"

    # Redeemed for less than the voucher: only the invoice is paid, the rest returns.
    aid_a, _ = await certified(client, actors, A)
    redeemed_a = await client.post(f"/api/v1/vouchers/{va['code']}/redemption",
                                   json=redemption("1000", assessmentId=aid_a),
                                   headers=actors["auditor"])
    assert redeemed_a.status_code == 200, redeemed_a.text
    body = redeemed_a.json()
    assert body["code"] == va["code"] and body["status"] == "redeemed"
    assert body["redeemedAmount"] == "1000.00" and body["invoiceAmount"] == "1000.00"
    assert body["assessmentId"] == aid_a and body["redeemedOn"] == "2026-06-15"
    assert await figures(client, actors, sid) == {
        "committed": "4000.00", "redeemed": "1000.00", "available": "500.00",
        "n_issued": 2, "n_redeemed": 1, "n_cancelled": 0, "n_expired": 0,
    }
    assert_problem(await issue(client, mun, sid, D), 409, "budget-exhausted")  # 500 < 1500

    # Redeemed for more than the voucher (by the municipality): the voucher amount is paid.
    _, number_b = await certified(client, actors, B)
    redeemed_b = await client.post(f"/api/v1/vouchers/{vb['code']}/redemption",
                                    json=redemption("2345.67", certificateNumber=number_b),
                                    headers=mun)
    assert redeemed_b.status_code == 200, redeemed_b.text
    assert redeemed_b.json()["redeemedAmount"] == "1500.00"
    assert redeemed_b.json()["invoiceAmount"] == "2345.67"
    assert redeemed_b.json()["certificateNumber"] == number_b

    # Cancelled: its amount is available again at once.
    cancelled = await client.post(f"/api/v1/vouchers/{vc['code']}/cancellation",
                                  json={"reason": "Dubbele aanvraag"}, headers=mun)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellationReason"] == "Dubbele aanvraag"
    assert await figures(client, actors, sid) == {
        "committed": "2500.00", "redeemed": "2500.00", "available": "2000.00",
        "n_issued": 0, "n_redeemed": 2, "n_cancelled": 1, "n_expired": 0,
    }
    vd = await issued(client, mun, sid, D)
    assert await figures(client, actors, sid) == {
        "committed": "4000.00", "redeemed": "2500.00", "available": "500.00",
        "n_issued": 1, "n_redeemed": 2, "n_cancelled": 1, "n_expired": 0,
    }

    # Wrong state: each refusal is its own problem type, and changes nothing.
    again = await client.post(f"/api/v1/vouchers/{va['code']}/redemption",
                              json=redemption("1000", assessmentId=aid_a), headers=actors["auditor"])
    assert_problem(again, 409, "voucher-already-redeemed")
    assert_problem(await client.post(f"/api/v1/vouchers/{vc['code']}/redemption",
                                     json=redemption("10", assessmentId=aid_a), headers=mun),
                   409, "voucher-cancelled")
    assert_problem(await client.post(f"/api/v1/vouchers/{va['code']}/cancellation", headers=mun),
                   409, "voucher-already-redeemed")
    assert_problem(await client.post(f"/api/v1/vouchers/{vc['code']}/cancellation", headers=mun),
                   409, "voucher-cancelled")

    # Expiry follows the date: valid through expiresOn, expired the day after.
    day.set(date(2026, 9, 12))
    got = await client.get(f"/api/v1/vouchers/{vd['code']}", headers=mun)
    assert got.json()["status"] == "issued"
    day.set(date(2026, 9, 13))
    got = await client.get(f"/api/v1/vouchers/{vd['code']}", headers=actors["auditor"])
    assert got.json()["status"] == "expired"
    assert await figures(client, actors, sid) == {
        "committed": "2500.00", "redeemed": "2500.00", "available": "2000.00",
        "n_issued": 0, "n_redeemed": 2, "n_cancelled": 1, "n_expired": 1,
    }
    late = await client.post(f"/api/v1/vouchers/{vd['code']}/redemption",
                             json=redemption("100", assessmentId=aid_a), headers=mun)
    assert_problem(late, 409, "voucher-expired")
    assert_problem(await client.post(f"/api/v1/vouchers/{vd['code']}/cancellation", headers=mun),
                   409, "voucher-expired")

    # Every change is in the audit log.
    log = await client.get("/api/v1/audit-events", params={"pageSize": 200},
                           headers=actors["admin"])
    actions = [e["action"] for e in log.json()["items"]]
    assert actions.count("voucher_scheme.created") == 1
    assert actions.count("voucher.issued") == 4
    assert actions.count("voucher.redeemed") == 2
    assert actions.count("voucher.cancelled") == 1
    trail = await client.get("/api/v1/audit-events",
                             params={"entityType": "voucher", "entityId": va["code"]},
                             headers=actors["admin"])
    assert [e["action"] for e in trail.json()["items"]] == ["voucher.redeemed", "voucher.issued"]

    # The municipality's lists: its schemes, the vouchers (filterable) and the CSV.
    schemes = (await client.get("/api/v1/voucher-schemes", headers=mun)).json()["items"]
    assert [s["id"] for s in schemes] == [sid] and schemes[0]["available"] == "2000.00"
    listed = await client.get(f"/api/v1/voucher-schemes/{sid}/vouchers", headers=mun)
    assert [v["status"] for v in listed.json()["items"]] == [
        "redeemed", "redeemed", "cancelled", "expired"]
    only = await client.get(f"/api/v1/voucher-schemes/{sid}/vouchers",
                            params={"status": "expired"}, headers=mun)
    assert [v["code"] for v in only.json()["items"]] == [vd["code"]]
    assert only.json()["total"] == 1

    for url, params in ((f"/api/v1/voucher-schemes/{sid}/vouchers.csv", {}),
                        (f"/api/v1/voucher-schemes/{sid}/vouchers", {"format": "csv"})):
        export = await client.get(url, params=params, headers=mun)
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("text/csv")
        assert "attachment" in export.headers["content-disposition"]
        raw = export.content
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:6] == ["Vouchercode", "KvK-nummer", "Organisatie", "Gemeente organisatie",
                               "Fte", "Bedrag"]
        by_code = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
        assert len(by_code) == 4
        row_a, row_b = by_code[va["code"]], by_code[vb["code"]]
        assert row_a["Bedrag"] == "1500,00" and row_a["Uitbetaald"] == "1000,00"
        assert row_a["Fte"] == "12,50" and row_a["Status"] == "verzilverd"
        assert row_b["Factuurbedrag"] == "2345,67" and row_b["Uitbetaald"] == "1500,00"
        assert by_code[vd["code"]]["Status"] == "verlopen"
        assert by_code[vc["code"]]["Reden intrekking"] == "Dubbele aanvraag"
        # A name that looks like a formula is defused for spreadsheets.
        assert by_code[vc["code"]]["Organisatie"].startswith("'=HYPERLINK")


async def test_voucher_pdf_holds_the_record_and_only_its_own_url(client, actors, settings) -> None:
    scheme = await create_scheme(client, actors)
    voucher = await issued(client, actors["municipality"], scheme["id"], A)
    other = await issued(client, actors["municipality"], scheme["id"], C)
    response = await client.get(f"/api/v1/vouchers/{voucher['code']}/pdf",
                                headers=actors["company_a"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Subsidievoucher", voucher["code"], "€ 1.500,00", 'Groen & "Schoon" <B.V.>',
                     "KvK-nummer 10000001", "15 juni 2026", "12 september 2026", "uitgegeven",
                     "Voucher PSO-certificering MKB 2026",
                     f"{settings.public_url}/vouchers/{voucher['code']}"):
        assert expected in text, expected
    assert other["code"] not in text
    links = [a["/A"]["/URI"] for a in (r.get_object() for r in reader.pages[0].get("/Annots", []))
             if "/A" in a]
    assert links == [f"{settings.public_url}/vouchers/{voucher['code']}"]
    for who in ("municipality", "auditor"):
        assert (await client.get(f"/api/v1/vouchers/{voucher['code']}/pdf",
                                 headers=actors[who])).status_code == 200


# --- eligibility ---------------------------------------------------------------------


async def test_eligibility_rules_each_have_their_own_problem(client, actors, day, session_maker) -> None:
    mun = actors["municipality"]
    sid = (await create_scheme(client, actors, budget="1500.00"))["id"]
    await issued(client, mun, sid, A)
    events = await count_rows(session_maker, "audit_events")
    cases = [
        (UNKNOWN, "10", "organization-unknown"),
        (FAR, "10", "municipality-not-eligible"),
        (C, "250", "fte-above-maximum"),
        (A, "10", "voucher-already-issued"),
        (C, "249.99", "budget-exhausted"),  # inclusive maxFte: the size passes, money does not
    ]
    for kvk, fte, slug in cases:
        body = assert_problem(await issue(client, mun, sid, kvk, fte), 409, slug)
        assert body["detail"]
    day.set(date(2025, 12, 31))
    assert_problem(await issue(client, mun, sid, C), 409, "application-window-not-open")
    day.set(date(2027, 1, 1))
    assert_problem(await issue(client, mun, sid, C), 409, "application-window-closed")
    assert await count_rows(session_maker, "vouchers") == 1
    assert await count_rows(session_maker, "audit_events") == events


async def test_window_edges_are_inclusive(client, actors, day) -> None:
    sid = (await create_scheme(client, actors))["id"]
    day.set(date(2026, 1, 1))
    assert (await issue(client, actors["municipality"], sid, A)).status_code == 201
    day.set(date(2026, 12, 31))
    assert (await issue(client, actors["municipality"], sid, C)).status_code == 201


# --- roles and tenants ---------------------------------------------------------------


async def test_roles_and_tenants(client, actors) -> None:
    mun, other = actors["municipality"], actors["other_municipality"]
    sid = (await create_scheme(client, actors))["id"]
    code = (await issued(client, mun, sid, A))["code"]
    scheme_urls = [f"/api/v1/voucher-schemes/{sid}", f"/api/v1/voucher-schemes/{sid}/vouchers",
                   f"/api/v1/voucher-schemes/{sid}/vouchers.csv"]
    voucher_urls = [f"/api/v1/vouchers/{code}", f"/api/v1/vouchers/{code}/pdf"]
    redeem = (f"/api/v1/vouchers/{code}/redemption", redemption("10", assessmentId=1))
    cancel = (f"/api/v1/vouchers/{code}/cancellation", {})
    create = ("/api/v1/voucher-schemes", SCHEME)
    issue_ = (f"/api/v1/voucher-schemes/{sid}/vouchers", {"kvk": C, "fte": "1"})

    # Anonymous: 401 everywhere.
    for url in [*scheme_urls, *voucher_urls, "/api/v1/voucher-schemes"]:
        assert_problem(await client.get(url), 401, "unauthorized")
    for url, body in (redeem, cancel, create, issue_):
        assert_problem(await client.post(url, json=body), 401, "unauthorized")

    # Wrong role: 403.
    assert_problem(await client.post(create[0], json=create[1], headers=actors["company_a"]), 403)
    assert_problem(await client.post(create[0], json=create[1], headers=actors["admin"]), 403)
    for url in scheme_urls:
        assert_problem(await client.get(url, headers=actors["company_a"]), 403)
        assert_problem(await client.get(url, headers=actors["auditor"]), 403)
    for who in ("auditor", "admin", "procurement"):
        assert_problem(await client.post(issue_[0], json=issue_[1], headers=actors[who]), 403)
    for who in ("admin", "procurement"):
        for url in voucher_urls:
            assert_problem(await client.get(url, headers=actors[who]), 403)
    for who in ("company_a", "admin"):
        assert_problem(await client.post(redeem[0], json=redeem[1], headers=actors[who]), 403)
    for who in ("company_a", "auditor", "admin"):
        assert_problem(await client.post(cancel[0], headers=actors[who]), 403)

    # Another municipality: it cannot create a scheme for this one (403: it names a party
    # that is not its own), nor learn that its schemes or vouchers exist (404, one rule for
    # every object of another party: services/access.py).
    assert_problem(await client.post(create[0], json=create[1], headers=other), 403)
    for url in scheme_urls:
        assert_problem(await client.get(url, headers=other), 404)
    assert_problem(await client.post(issue_[0], json=issue_[1], headers=other), 404)
    assert (await client.get("/api/v1/voucher-schemes", headers=other)).json()["items"] == []
    for url in voucher_urls:
        assert_problem(await client.get(url, headers=other), 404)
    assert_problem(await client.post(redeem[0], json=redeem[1], headers=other), 404)
    assert_problem(await client.post(cancel[0], headers=other), 404)

    # Another company: not its voucher (404), not its KvK (403).
    for url in voucher_urls:
        assert_problem(await client.get(url, headers=actors["company_b"]), 404)
    assert_problem(await issue(client, actors["company_b"], sid, C), 403)

    # Allowed: holder, its municipality, auditor; admin reads schemes.
    for who in ("company_a", "municipality", "auditor"):
        assert (await client.get(voucher_urls[0], headers=actors[who])).json()["code"] == code
    assert (await client.get(scheme_urls[0], headers=actors["admin"])).status_code == 200
    listed = (await client.get("/api/v1/voucher-schemes", headers=actors["admin"])).json()
    assert [s["id"] for s in listed["items"]] == [sid]

    # Nothing above changed anything.
    assert (await client.get(scheme_urls[1], headers=mun)).json()["total"] == 1
    assert (await client.get(voucher_urls[0], headers=mun)).json()["status"] == "issued"


async def test_codes_are_normalised_and_typos_refused(client, actors) -> None:
    sid = (await create_scheme(client, actors))["id"]
    code = (await issued(client, actors["municipality"], sid, A))["code"]
    assert len(code) == 24 and code.count("-") == 4
    mun = actors["municipality"]
    for variant in (code.lower(), code.replace("-", ""), " ".join(code.split("-")),
                    code.replace("0", "o").replace("1", "l")):
        response = await client.get(f"/api/v1/vouchers/{variant}", headers=mun)
        assert response.status_code == 200, variant
        assert response.json()["code"] == code
    # One symbol changed: the check symbol catches it before the database is asked.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    wrong = code[:-1] + next(s for s in alphabet if s != code[-1])
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = client.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert_problem(await client.get(f"/api/v1/vouchers/{wrong}", headers=mun), 404,
                       "voucher-code-invalid")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements and not any("vouchers" in s for s in statements)  # only the token lookup
    for junk in ("x", "U" * 20, "1" * 200, "%00", "ABCD-EFGH"):
        assert_problem(await client.get(f"/api/v1/vouchers/{junk}", headers=mun), 404)
    # A well-formed code nobody holds: a plain 404.
    from pso.voucher_codes import display, new_code

    assert_problem(await client.get(f"/api/v1/vouchers/{display(new_code())}", headers=mun),
                   404, "not-found")


async def test_unknown_scheme_ids(client, actors) -> None:
    mun = actors["municipality"]
    for sid in ("999", "99999999999999999999", "0"):
        assert_problem(await client.get(f"/api/v1/voucher-schemes/{sid}", headers=mun), 404)
        assert_problem(await issue(client, mun, sid, A), 404)  # type: ignore[arg-type]
    assert_problem(await client.get("/api/v1/voucher-schemes/abc", headers=mun), 404)


# --- bad input -----------------------------------------------------------------------


async def test_scheme_validation_lists_every_field(client, actors, session_maker) -> None:
    bad = {
        "title": "",
        "municipalityCode": "Apeldoorn",
        "voucherAmount": "-5",
        "budget": "1.234",
        "applicationOpensOn": "2026-13-01",
        "applicationClosesOn": "gisteren",
        "voucherValidityDays": 0,
        "maxFte": "0",
        "eligibleMunicipalityCodes": ["GM0200", "XX", 7],
        "colour": "blue",
    }
    body = assert_problem(await client.post("/api/v1/voucher-schemes", json=bad,
                                            headers=actors["municipality"]), 400, "invalid-input")
    names = {p["name"] for p in body["invalidParams"]}
    assert names == {"title", "municipalityCode", "voucherAmount", "budget", "applicationOpensOn",
                     "applicationClosesOn", "voucherValidityDays", "maxFte",
                     "eligibleMunicipalityCodes[1]", "eligibleMunicipalityCodes[2]", "colour"}
    assert await count_rows(session_maker, "voucher_schemes") == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicationClosesOn": "2025-12-31"}, "applicationClosesOn"),
        ({"budget": "1499.99"}, "budget"),
        ({"voucherValidityDays": 3651}, "voucherValidityDays"),
        ({"voucherValidityDays": 1.5}, "voucherValidityDays"),
        ({"voucherAmount": "1500.001"}, "voucherAmount"),
        ({"voucherAmount": 0.1 + 0.2}, "voucherAmount"),
        ({"voucherAmount": True}, "voucherAmount"),
        ({"voucherAmount": "1.500,00"}, "voucherAmount"),
        ({"voucherAmount": "NaN"}, "voucherAmount"),
        ({"voucherAmount": "Infinity"}, "voucherAmount"),
        ({"voucherAmount": "1e999999999"}, "voucherAmount"),
        ({"budget": "1000000000.01"}, "budget"),
        ({"maxFte": "-1"}, "maxFte"),
        ({"eligibleMunicipalityCodes": []}, "eligibleMunicipalityCodes"),
        ({"eligibleMunicipalityCodes": "GM0200"}, "eligibleMunicipalityCodes"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Regeling\x00"}, "title"),
        ({"municipalityCode": None}, "municipalityCode"),
    ],
)
async def test_scheme_bad_values_are_400(client, actors, session_maker, changes, field) -> None:
    response = await client.post("/api/v1/voucher-schemes", json={**SCHEME, **changes},
                                 headers=actors["municipality"])
    body = assert_problem(response, 400, "invalid-input")
    assert field in {p["name"] for p in body["invalidParams"]}, body
    assert await count_rows(session_maker, "voucher_schemes") == 0


async def test_scheme_raw_json_extremes_are_400(client, actors, session_maker) -> None:
    headers = {**actors["municipality"], "Content-Type": "application/json"}
    import json

    base = json.dumps(SCHEME)
    for raw, field in ((base.replace('"4500.00"', "1e400"), None),  # unreadable for the JSON decoder
                       (base.replace('"4500.00"', "-0"), "budget"),
                       (base.replace("90", "1" + "0" * 400), "voucherValidityDays"),
                       (base.replace('"249.99"', "NaN"), None)):
        body = assert_problem(await client.post("/api/v1/voucher-schemes", content=raw.encode(),
                                                headers=headers), 400)
        if field:
            assert field in {p["name"] for p in body["invalidParams"]}, body
    assert await count_rows(session_maker, "voucher_schemes") == 0


async def test_scheme_input_is_normalised(client, actors) -> None:
    scheme = await create_scheme(client, actors, voucherAmount=1500.5, budget=3001,
                                 maxFte="249", municipalityCode="gm0200",
                                 eligibleMunicipalityCodes=["gm0200", "GM0200", " GM0203 "])
    assert scheme["voucherAmount"] == "1500.50" and scheme["budget"] == "3001.00"
    assert scheme["maxFte"] == "249.00" and scheme["municipalityCode"] == HERE
    assert scheme["eligibleMunicipalityCodes"] == [HERE, NEIGHBOUR]


@pytest.mark.parametrize(
    "payload",
    [b"{", b"[]", b"null", b'"x"', b"\xff\xfe", b'{"a":' * 5000, b'{"kvk": 10000001, "fte": 1}',
     b'{"kvk": "10000001", "fte": "1e99999999999"}', b'{"kvk": "10000001"}',
     b'{"kvk": "1000000\\u0000", "fte": "1"}', b'{"kvk": "10000001", "fte": -1}',
     b'{"kvk": "10000001", "fte": 1, "amount": "99999"}'],
)
async def test_hostile_issue_bodies_are_400(client, actors, session_maker, payload) -> None:
    sid = (await create_scheme(client, actors))["id"]
    response = await client.post(f"/api/v1/voucher-schemes/{sid}/vouchers", content=payload,
                                 headers={**actors["municipality"],
                                          "Content-Type": "application/json"})
    body = assert_problem(response, 400)
    assert body["invalidParams"]
    assert await count_rows(session_maker, "vouchers") == 0


async def test_bad_redemption_and_cancellation_input(client, actors, session_maker) -> None:
    sid = (await create_scheme(client, actors))["id"]
    code = (await issued(client, actors["municipality"], sid, A))["code"]
    url = f"/api/v1/vouchers/{code}/redemption"
    auditor = actors["auditor"]
    for body, fields in (
        ({"invoiceAmount": "100"}, {"certificateNumber", "assessmentId"}),
        ({"invoiceAmount": "0", "assessmentId": 1}, {"invoiceAmount"}),
        ({"invoiceAmount": "10.999", "certificateNumber": "PSO-26-1"},
         {"invoiceAmount", "certificateNumber"}),
        ({"invoiceAmount": "10", "assessmentId": 10**30}, {"assessmentId"}),
        ({"assessmentId": 1}, {"invoiceAmount"}),
    ):
        problem = assert_problem(await client.post(url, json=body, headers=auditor), 400)
        assert fields <= {p["name"] for p in problem["invalidParams"]}, problem
    # Proof that does not exist or belongs to someone else: refused, nothing paid.
    _, number_b = await certified(client, actors, B)
    aid_b, _ = await certified(client, actors, B)
    for proof in ({"certificateNumber": number_b}, {"assessmentId": aid_b},
                  {"certificateNumber": "PSO-2026-999999"}, {"assessmentId": 999999}):
        assert_problem(await client.post(url, json=redemption("10", **proof), headers=auditor),
                       409, "redemption-proof-invalid")
    cancel = f"/api/v1/vouchers/{code}/cancellation"
    mun = {**actors["municipality"], "Content-Type": "application/json"}
    for payload in (b"{", b"[]", b'{"reason": 5}', b'{"why": "x"}',
                    b'{"reason": "' + b"x" * 501 + b'"}'):
        assert_problem(await client.post(cancel, content=payload, headers=mun), 400)
    got = await client.get(f"/api/v1/vouchers/{code}", headers=auditor)
    assert got.json()["status"] == "issued"
    assert await count_rows(session_maker, "vouchers") == 1


# --- idempotency ---------------------------------------------------------------------


async def test_issue_and_redeem_are_idempotent(client, actors, session_maker) -> None:
    sid = (await create_scheme(client, actors))["id"]
    key = {**actors["municipality"], "Idempotency-Key": "aanvraag-42"}
    first = await issue(client, key, sid, A)
    assert first.status_code == 201
    repeat = await issue(client, key, sid, A)
    assert repeat.status_code == 201 and repeat.json() == first.json()
    assert repeat.headers.get("Idempotent-Replayed") == "true"
    assert await count_rows(session_maker, "vouchers") == 1
    assert_problem(await issue(client, key, sid, C), 409, "idempotency-key-reused")
    assert await count_rows(session_maker, "vouchers") == 1

    aid, _ = await certified(client, actors, A)
    pay = {**actors["auditor"], "Idempotency-Key": "factuur-2026-17"}
    url = f"/api/v1/vouchers/{first.json()['code']}/redemption"
    paid = await client.post(url, json=redemption("800", assessmentId=aid), headers=pay)
    assert paid.status_code == 200 and paid.json()["redeemedAmount"] == "800.00"
    again = await client.post(url, json=redemption("800", assessmentId=aid), headers=pay)
    assert again.status_code == 200 and again.json() == paid.json()
    other = await client.post(url, json=redemption("900", assessmentId=aid), headers=pay)
    assert_problem(other, 409, "idempotency-key-reused")
    log = await client.get("/api/v1/audit-events", params={"entityType": "voucher"},
                           headers=actors["admin"])
    assert sorted(e["action"] for e in log.json()["items"]) == ["voucher.issued",
                                                                "voucher.redeemed"]
    assert (await figures(client, actors, sid))["committed"] == "800.00"


# --- demo data -----------------------------------------------------------------------


async def test_demo_scheme_has_every_status(tmp_path) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app
    from pso.cli.database import prepare_database
    from pso.settings import Settings

    settings = Settings.from_env({"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
                                  "PSO_ENV": "test"})
    tokens = await prepare_database(settings, demo=True)
    token = next(t for label, t in tokens.items() if label.startswith("Gemeente"))
    async with AsyncTestClient(app=create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        schemes = (await client.get("/api/v1/voucher-schemes", headers=headers)).json()["items"]
        assert len(schemes) == 1 and schemes[0]["municipalityCode"] == HERE
        assert schemes[0]["counts"] == {"issued": 1, "redeemed": 1, "cancelled": 1, "expired": 1,
                                        "requested": 1, "refused": 0}
        # 1500 reserved by the issued voucher + 1250 paid + 1500 reserved by the request
        assert schemes[0]["committed"] == "4250.00" and schemes[0]["requiresApproval"] is True
        vouchers = (await client.get(f"/api/v1/voucher-schemes/{schemes[0]['id']}/vouchers",
                                     headers=headers)).json()["items"]
        redeemed = next(v for v in vouchers if v["status"] == "redeemed")
        assert redeemed["certificateNumber"].startswith("PSO-")
        assert max(date.fromisoformat(v["issuedOn"]) for v in vouchers) <= clock.today()
        assert timedelta(0) < clock.today() - date.fromisoformat(
            next(v for v in vouchers if v["status"] == "expired")["expiresOn"])


async def test_a_voucher_holds_its_budget_through_its_last_valid_day(client, actors, day) -> None:
    sid = (await create_scheme(client, actors))["id"]
    voucher = await issued(client, actors["municipality"], sid, A)
    last = date.fromisoformat(voucher["expiresOn"])
    day.set(last)  # still valid today: the amount stays reserved
    got = await client.get(f"/api/v1/vouchers/{voucher['code']}", headers=actors["municipality"])
    assert got.json()["status"] == "issued"
    assert await figures(client, actors, sid) == {
        "committed": "1500.00", "redeemed": "0.00", "available": "3000.00",
        "n_issued": 1, "n_redeemed": 0, "n_cancelled": 0, "n_expired": 0,
    }
    day.set(last + timedelta(days=1))  # expired: the money is available again
    assert await figures(client, actors, sid) == {
        "committed": "0.00", "redeemed": "0.00", "available": "4500.00",
        "n_issued": 0, "n_redeemed": 0, "n_cancelled": 0, "n_expired": 1,
    }


async def test_admins_do_not_act_for_municipalities(client, actors) -> None:
    """Admins see everything, but issuing, redeeming, cancelling and creating schemes
    belong to a municipality (or company, or auditor): admin is refused like any other role."""
    admin = actors["admin"]
    assert_problem(await client.post("/api/v1/voucher-schemes", json=SCHEME, headers=admin),
                   403, "forbidden")
    sid = (await create_scheme(client, actors))["id"]
    assert_problem(await issue(client, admin, sid, A), 403, "forbidden")
    voucher = await issued(client, actors["municipality"], sid, A)
    url = f"/api/v1/vouchers/{voucher['code']}"
    assert_problem(await client.post(f"{url}/redemption", json={"invoiceAmount": "100"},
                                     headers=admin), 403, "forbidden")
    assert_problem(await client.post(f"{url}/cancellation", headers=admin), 403, "forbidden")
    assert (await client.get(url, headers=actors["municipality"])).json()["status"] == "issued"

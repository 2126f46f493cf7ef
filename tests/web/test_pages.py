"""The web pages over HTTP (no browser): forms, errors at their fields, sessions and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pso.clock import today
from tests.api.test_certification import KVK, actors, approve  # noqa: F401 (fixture)

pytestmark = pytest.mark.anyio

QUALITY = {f"quality.{q}": "ja" for q in ("suitableWork", "integration", "development",
                                          "guidance")}


def employee(i: int, hours: str = "40", **extra: str) -> dict[str, str]:
    return {f"employees[{i}].reference": f"mw-{i}",
            f"employees[{i}].startingPosition": "wajong",
            f"employees[{i}].contractType": "regular",
            f"employees[{i}].hoursPerWeek": hours,
            f"employees[{i}].employmentStart": "01-01-2024",
            **{f"employees[{i}].{k}": v for k, v in extra.items()}}


def calculator_form(**fields: str) -> dict[str, str]:
    return {"period.start": "2025-01-01", "period.end": "2025-12-31", "totalFte": "20",
            "fullTimeHoursPerWeek": "40", **QUALITY, **employee(0), **employee(1, "32,5"),
            **fields}


def no_inline_code(html: str) -> None:
    """The CSP forbids inline scripts and styles; pages must not need them."""
    assert "<script" not in html and "style=" not in html and " on" + "click" not in html


async def test_home_names_every_audience_and_its_way_in(client) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    for text in ("Voor bedrijven", "Voor certificerende instellingen", "Voor inkopers",
                 "Voor gemeenten", 'href="/rekentool"', 'href="/aanbesteding"',
                 'href="/gemeente"', 'href="/register"'):
        assert text in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    no_inline_code(page.text)


async def test_calculator_scores_with_the_engine(client) -> None:
    empty = await client.get("/rekentool")
    assert empty.status_code == 200 and 'name="employees[2].reference"' in empty.text
    no_inline_code(empty.text)
    page = await client.post("/rekentool", data=calculator_form(action="score"))
    assert page.status_code == 200, page.text
    # 1 + 0.8125 FTE of 20 = 9.06 %: trede 2 (7.30 %), 0.38 FTE short of trede 3.
    assert 'rung-badge-label">Trede 2<' in page.text
    assert "9,06 %" in page.text and "0,38 FTE" in page.text
    assert "<svg" in page.text and "Uw score: 9,06 %" in page.text
    assert "0,8125" in page.text  # per-employee breakdown, Dutch decimals
    no_inline_code(page.text)


async def test_calculator_errors_sit_at_their_fields_and_input_is_kept(client) -> None:
    form = calculator_form(**{"employees[1].hoursPerWeek": "veertig", "totalFte": ""})
    page = await client.post("/rekentool", data=form)
    assert page.status_code == 400
    error = re.search(r'id="f-employees-1-hoursPerWeek-error">(.*?)</p>', page.text, re.DOTALL)
    assert error and "Moet een getal zijn" in error.group(1)
    assert 'id="f-totalFte-error"' in page.text
    assert 'aria-describedby="f-totalFte-hint f-totalFte-error" aria-invalid="true"' in page.text
    assert 'href="#f-employees-1-hoursPerWeek"' in page.text  # the summary links to the field
    assert 'value="veertig"' in page.text and 'value="mw-0"' in page.text


async def test_add_and_remove_rows_keep_input(client) -> None:
    page = await client.post("/rekentool", data=calculator_form(action="add_employee"))
    assert 'name="employees[2].reference"' in page.text and 'value="mw-1"' in page.text
    page = await client.post("/rekentool", data={**calculator_form(),
                                                 "action": "remove_employee:0"})
    assert 'value="mw-0"' not in page.text and 'value="mw-1"' in page.text
    assert "Medewerker 1" in page.text


async def test_upload_names_the_bad_row_and_keeps_other_input(client) -> None:
    csv = ("referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"
           "mw-a;wajong;regulier;40;2024-01-01\nmw-b;wajong;regulier;;2024-01-01\n")
    page = await client.post("/rekentool", data=calculator_form(action="upload"),
                             files={"file": ("lijst.csv", csv.encode(), "text/csv")})
    assert page.status_code == 400
    assert "Rij 3, kolom uren per week: is verplicht" in page.text
    assert 'value="20"' in page.text and 'value="mw-1"' in page.text


async def test_uploaded_list_is_carried_and_scored(client) -> None:
    csv = ("referentie,uitgangspositie,contractvorm,uren per week,in dienst\n"
           "mw-a,wajong,regulier,40,2024-01-01\nmw-b,wajong,regulier,40,2024-01-01\n")
    form = calculator_form(action="upload")
    for key in [k for k in form if k.startswith("employees[")]:
        form[key] = ""
    page = await client.post("/rekentool", data=form,
                             files={"file": ("lijst.csv", csv.encode(), "text/csv")})
    assert page.status_code == 200 and "2 medewerker(s) ingelezen" in page.text
    carried = re.search(r'name="upload" value="([^"]+)"', page.text).group(1)
    import html

    page = await client.post("/rekentool", data={**form, "action": "score",
                                                 "upload": html.unescape(carried)})
    assert 'rung-badge-label">Trede 2<' in page.text  # 2 of 20 FTE = 10 %
    assert "mw-a" in page.text and "mw-b" in page.text


async def test_verification_page_reads_the_live_status(client, actors) -> None:  # noqa: F811
    # On SQLite the page reads through the synchronous reader: it must see every commit.
    number = (await approve(client, actors, 2))["certificates"][0]["number"]
    page = await client.get(f"/register/{number}")
    assert page.status_code == 200 and "Ingetrokken" not in page.text
    await client.post(f"/api/v1/certificates/{number}/revocation", json={"reason": "Fout"},
                      headers=actors["auditor"])
    page = await client.get(f"/register/{number}")
    assert "Ingetrokken" in page.text and "Reden: Fout" in page.text
    missing = await client.get("/register/PSO-2020-000999")
    assert missing.status_code == 404


async def test_register_search_filters_and_pages(client, actors, monkeypatch) -> None:  # noqa: F811
    first = (await approve(client, actors, 2))["certificates"][0]["number"]
    second = (await approve(client, actors, 1))["certificates"][0]["number"]
    await client.post(f"/api/v1/certificates/{first}/revocation", json={"reason": "Fout"},
                      headers=actors["auditor"])
    page = await client.get("/register", params={"q": "groen"})
    assert page.status_code == 200 and "2 certificaten" in page.text
    page = await client.get("/register", params={"status": "revoked"})
    assert first in page.text and second not in page.text and "Ingetrokken" in page.text
    page = await client.get("/register", params={"rung": "nonsense", "page": "x"})
    assert page.status_code == 200 and "2 certificaten" in page.text
    monkeypatch.setattr("pso.web.register.PAGE_SIZE", 1)
    page = await client.get("/register", params={"q": KVK, "page": "2"})
    assert "Pagina 2 van 2" in page.text and 'rel="prev"' in page.text
    verify = await client.get(f"/register/{first}", params={"on": "31-02-2026"})
    assert verify.status_code == 200 and "Geen geldige datum" in verify.text
    verify = await client.get(f"/register/{first}")
    assert "Ingetrokken" in verify.text and "Reden: Fout" in verify.text
    no_inline_code(verify.text)


async def test_tender_page_ranks_and_exports_csv(client, actors) -> None:  # noqa: F811
    number = (await approve(client, actors, 2))["certificates"][0]["number"]  # trede 2
    form = {"deadline": today().isoformat(), "policy.mode": "percentage",
            "policy.values.trede2": "5", "policy.penaltyFactor": "1,5",
            "bids[0].bidder": "Zonder certificaat", "bids[0].kvk": "87654321",
            "bids[0].price": "98.000,00",
            "bids[1].bidder": "Groen", "bids[1].kvk": KVK, "bids[1].price": "100.000",
            "bids[1].certificateNumber": number}
    page = await client.post("/aanbesteding", data=form)
    assert page.status_code == 200, page.text
    ranking = page.text[page.text.index("<tbody>"):]
    assert ranking.index("Groen") < ranking.index("Zonder certificaat")
    assert "€ 95.000,00" in ranking and "€ 7.500,00" in ranking  # 5 % off; penalty 1.5×
    csv = await client.post("/aanbesteding", data={**form, "action": "csv"})
    assert csv.headers["content-disposition"].startswith("attachment")
    assert "1;Groen;12345678;100000,00;Trede 2" in csv.content.decode("utf-8-sig")
    bad = await client.post("/aanbesteding", data={**form, "bids[1].kvk": "123",
                                                   "policy.values.trede2": "150"})
    assert bad.status_code == 400
    assert 'id="f-bids-1-kvk-error"' in bad.text and 'id="f-policy-values-trede2-error"' in bad.text


SCHEME = {"title": "Vouchers webtest", "municipalityCode": "GM0363", "voucherAmount": "1000.00",
          "budget": "2000.00", "voucherValidityDays": 90, "maxFte": "249.99",
          "eligibleMunicipalityCodes": ["GM0363"]}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_municipality_login_issue_cancel_and_csrf(client, actors, make_token) -> None:  # noqa: F811
    def post(url: str, **kw):
        return client.post(url, follow_redirects=False, **kw)

    town = await make_token("municipality", municipality_code="GM0363")
    other = await make_token("municipality", municipality_code="GM0200")
    day = today()
    scheme = await client.post("/api/v1/voucher-schemes", headers=town, json={
        **SCHEME, "applicationOpensOn": (day - timedelta(days=1)).isoformat(),
        "applicationClosesOn": (day + timedelta(days=30)).isoformat()})
    assert scheme.status_code == 201, scheme.text
    sid = scheme.json()["id"]

    login = await client.get("/gemeente")
    assert login.status_code == 200 and 'name="token"' in login.text
    set_cookie = login.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "path=/gemeente" in set_cookie and "secure" not in set_cookie  # plain http here
    assert login.headers["cache-control"] == "no-store"
    csrf = csrf_of(login.text)

    assert (await post("/gemeente/inloggen", data={"token": "x"})).status_code == 400
    wrong = await post("/gemeente/inloggen", data={"token": "pso_nope", "csrf": csrf})
    assert wrong.status_code == 401 and "onbekend, verlopen of ingetrokken" in wrong.text
    company = actors["company"]["Authorization"].removeprefix("Bearer ")
    refused = await post("/gemeente/inloggen", data={"token": company, "csrf": csrf})
    assert refused.status_code == 403 and "hoort niet bij een gemeente" in refused.text

    token = town["Authorization"].removeprefix("Bearer ")
    done = await post("/gemeente/inloggen", data={"token": token, "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/gemeente"
    overview = await client.get("/gemeente")
    assert "Vouchers webtest" in overview.text and "Budget € 2.000,00" in overview.text
    assert csrf_of(overview.text) != csrf  # a new session after logging in
    no_inline_code(overview.text)

    scheme_url = f"/gemeente/regelingen/{sid}"
    page = await client.get(scheme_url)
    csrf = csrf_of(page.text)
    forged = await post(f"{scheme_url}/vouchers", data={"kvk": KVK, "fte": "12,5"})
    assert forged.status_code == 303  # no CSRF token: refused, nothing issued
    assert "Geen vouchers" in (await client.get(scheme_url)).text
    issued = await post(f"{scheme_url}/vouchers",
                               data={"kvk": KVK, "fte": "12,5", "csrf": csrf})
    assert issued.status_code == 303, issued.text
    page = await client.get(scheme_url)
    assert "uitgegeven aan Groen" in page.text and "Uitgegeven" in page.text
    twice = await post(f"{scheme_url}/vouchers", data={"kvk": KVK, "fte": "1",
                                                              "csrf": csrf})
    assert twice.status_code == 409 and "al een voucher" in twice.text
    invalid = await post(f"{scheme_url}/vouchers", data={"kvk": "12", "fte": "",
                                                                "csrf": csrf})
    assert invalid.status_code == 400 and 'id="f-kvk-error"' in invalid.text

    code = re.search(r'action="/gemeente/vouchers/([^/]+)/intrekking"', page.text).group(1)
    cancelled = await post(f"/gemeente/vouchers/{code}/intrekking",
                                  data={"csrf": csrf, "reason": "Op verzoek",
                                        "back": scheme_url})
    assert cancelled.status_code == 303
    page = await client.get(scheme_url)
    assert "is ingetrokken" in page.text and "Op verzoek" in page.text

    # Another municipality's scheme is not shown; a tampered cookie is no session.
    client.cookies.clear()
    client.cookies.set("pso_gemeente", "x.y", domain="testserver.local", path="/gemeente")
    assert 'name="token"' in (await client.get("/gemeente")).text
    other_token = other["Authorization"].removeprefix("Bearer ")
    csrf = csrf_of((await client.get("/gemeente")).text)
    await post("/gemeente/inloggen", data={"token": other_token, "csrf": csrf})
    away = await client.get(scheme_url, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/gemeente"

    csrf = csrf_of((await client.get("/gemeente")).text)
    out = await post("/gemeente/uitloggen", data={"csrf": csrf})
    assert out.status_code == 303
    assert 'name="token"' in (await client.get("/gemeente")).text


async def test_session_cookie_is_secure_over_https(settings) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    async with AsyncTestClient(app=create_app(settings), base_url="https://pso.test") as https:
        page = await https.get("/gemeente")
    assert "secure" in page.headers["set-cookie"].lower()

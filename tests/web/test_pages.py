"""The web pages over HTTP (no browser): forms, errors at their fields, sessions and CSRF."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from pso.clock import today
from tests.api.test_certification import KVK, actors, approve  # noqa: F401 (fixture)
from tests.web.prg import answered
from tests.web.test_accounts import make_account, sign_in
from tests.wording import is_sentence, page_errors

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
    assert not re.search(r'<script(?![^>]*\bsrc="/static/)', html)
    assert "style=" not in html and " on" + "click" not in html


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
    assert "Rij 3, kolom uren per week: Dit veld is verplicht." in page.text
    assert 'value="20"' in page.text and 'value="mw-1"' in page.text


async def test_uploaded_list_is_carried_and_scored(client) -> None:
    csv = ("referentie,uitgangspositie,contractvorm,uren per week,in dienst\n"
           "mw-a,wajong,regulier,40,2024-01-01\nmw-b,wajong,regulier,40,2024-01-01\n")
    form = calculator_form(action="upload")
    for key in [k for k in form if k.startswith("employees[")]:
        form[key] = ""
    page = await client.post("/rekentool", data=form,
                             files={"file": ("lijst.csv", csv.encode(), "text/csv")})
    assert page.status_code == 200 and "2 medewerkers ingelezen" in page.text
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
    assert verify.status_code == 400 and "bestaat niet" in verify.text
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


async def test_municipality_login_issue_cancel_and_csrf(client, actors, make_token,  # noqa: F811
                                                       session_maker) -> None:
    async def post(url: str, **kw):
        return await answered(client, await client.post(url, follow_redirects=False, **kw))

    town = await make_token("municipality", municipality_code="GM0363")
    day = today()
    scheme = await client.post("/api/v1/voucher-schemes", headers=town, json={
        **SCHEME, "applicationOpensOn": (day - timedelta(days=1)).isoformat(),
        "applicationClosesOn": (day + timedelta(days=30)).isoformat()})
    assert scheme.status_code == 201, scheme.text
    sid = scheme.json()["id"]

    await make_account(session_maker, "municipality", "gemeente@example.nl", party="GM0363")
    await make_account(session_maker, "municipality", "andere@example.nl", party="GM0200")
    await make_account(session_maker, "company", "hr@example.nl")
    anonymous = await client.get("/gemeente", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/inloggen?volgende=/gemeente"
    assert (await client.get("/gemeente/inloggen")).status_code in (404, 405)  # token form gone

    await sign_in(client, "hr@example.nl")
    refused = await client.get("/gemeente")
    assert refused.status_code == 403 and "niet bedoeld voor uw rol" in refused.text
    client.cookies.clear()

    login = await client.get("/inloggen")
    csrf = csrf_of(login.text)
    done = await sign_in(client, "gemeente@example.nl")
    assert done.status_code == 303 and done.headers["location"] == "/gemeente"
    overview = await client.get("/gemeente")
    assert "Vouchers webtest" in overview.text and "Budget € 2.000,00" in overview.text
    assert "Partij GM0363" in overview.text
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

    # Cancelling goes through a confirmation page, whose form does it.
    code = re.search(r'href="/gemeente/vouchers/([^/]+)/intrekken"', page.text).group(1)
    confirm = await client.get(f"/gemeente/vouchers/{code}/intrekken")
    assert confirm.status_code == 200 and "Ja, voucher intrekken" in confirm.text
    assert f'action="/gemeente/vouchers/{code}/intrekking"' in confirm.text
    cancelled = await post(f"/gemeente/vouchers/{code}/intrekking",
                                  data={"csrf": csrf, "reason": "Op verzoek",
                                        "back": scheme_url})
    assert cancelled.status_code == 303
    page = await client.get(scheme_url)
    assert "is ingetrokken" in page.text and "Op verzoek" in page.text

    # Another municipality's scheme is not shown; a tampered cookie is no session.
    client.cookies.clear()
    client.cookies.set("pso_sessie", "x.y")
    assert (await client.get("/gemeente", follow_redirects=False)).status_code == 303
    await sign_in(client, "andere@example.nl")
    away = await client.get(scheme_url, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/gemeente"

    csrf = csrf_of((await client.get("/gemeente")).text)
    out = await post("/uitloggen", data={"csrf": csrf})
    assert out.status_code == 303
    assert (await client.get("/gemeente", follow_redirects=False)).status_code == 303


async def test_session_cookie_is_secure_over_https(settings) -> None:
    from litestar.testing import AsyncTestClient

    from pso.app import create_app

    async with AsyncTestClient(app=create_app(settings), base_url="https://pso.test") as https:
        page = await https.get("/inloggen")
    assert "secure" in page.headers["set-cookie"].lower()


async def test_verification_page_refuses_dates_that_do_not_exist(client, make_token) -> None:
    from tests.factories import issue_certificate

    number = await issue_certificate(client, make_token)
    for on, says in (("31-02-2026", "De datum 31-02-2026 bestaat niet."),
                     ("2026-13-01", "De datum 2026-13-01 bestaat niet."),
                     ("morgen", "Geen geldige datum"), ("2026-02-30x", "Geen geldige datum")):
        page = await client.get(f"/register/{number}", params={"on": on})
        assert page.status_code == 400, on
        assert says in page.text, on
        # No verdict that could be read as the status on the day that was asked.
        assert 'class="verdict-label"' not in page.text and "Status vandaag" not in page.text
        assert 'role="alert"' in page.text
    good = await client.get(f"/register/{number}", params={"on": "28-02-2026"})
    assert good.status_code == 200 and "Status op 28 februari 2026" in good.text
    api = await client.get(f"/api/v1/certificates/{number}", params={"on": "2026-02-31"})
    assert api.status_code == 400
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_singular_and_plural_and_no_internal_state_names(client, make_token) -> None:
    from scoring import parse_submission, score
    from tests.factories import submission

    one = submission(1)
    one["purchases"] = [{"supplierName": "SW Noord", "supplierKvk": "12345678",
                         "supplierKind": "sw_company", "invoiceAmount": "100",
                         "supplierTurnover": "1000", "supplierFte": "10",
                         "supplierDirectPct": "50"}]
    text = " ".join(score(parse_submission(one))["explanation"])
    assert "bij 1 leverancier:" in text and "(s)" not in text
    two = {**one, "purchases": one["purchases"] * 2}
    assert "bij 2 leveranciers:" in " ".join(score(parse_submission(two))["explanation"])
    from pso.text.messages import dutch

    assert dutch("String should have at least 3 characters") == "Minstens 3 tekens."
    assert dutch("List should have at least 1 item after validation, not 0") == \
        "Geef er minstens één op."
    # A wrong-state conflict names the state in Dutch, never `draft` or `submitted`.
    company, admin = await make_token("company", kvk="12345678"), await make_token("admin")
    await client.post("/api/v1/organizations", headers=admin, json={
        "kvk": "12345678", "name": "Bakkerij", "municipalityCode": "GM0200", "kind": "company"})
    created = await client.post("/api/v1/organizations/12345678/assessments",
                                json={"submission": submission(1)}, headers=company)
    url = f"/api/v1/assessments/{created.json()['id']}"
    await client.post(f"{url}/submit", headers=company)
    again = await client.post(f"{url}/submit", headers=company)
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "ingediend" in detail and "concept" in detail, detail
    assert "draft" not in detail and "submitted" not in detail


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def assert_headings_in_order(html: str, where: str) -> None:
    """One h1 first; each next heading at most one level deeper (no h1 -> h3 jumps)."""
    levels = heading_levels(html)
    assert levels and levels[0] == 1 and levels.count(1) == 1, (where, levels)
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (where, levels)


async def test_headings_are_in_order_on_every_page(client, make_token) -> None:
    from tests.factories import issue_certificate

    number = await issue_certificate(client, make_token)
    pages = {url: await client.get(url) for url in (
        "/", "/rekentool", "/register", f"/register/{number}", "/register/PSO-2026-999999",
        f"/register/{number}?on=31-02-2026", "/aanbesteding", "/gemeente")}
    pages["/nope"] = await client.get("/nope", headers={"Accept": "text/html"})
    pages["/rekentool (uitkomst)"] = await client.post("/rekentool", data={
        "period.start": "2024-01-01", "period.end": "2024-12-31", "totalFte": "1,5",
        "quality.suitableWork": "on", "action": "calculate"})
    pages["/aanbesteding (uitkomst)"] = await client.post("/aanbesteding", data={
        "deadline": "2026-12-01", "policy.mode": "percentage", "policy.values.trede1": "5",
        "bids-0-bidder": "Bouw", "bids[0].bidder": "Bouw", "bids[0].kvk": "12345678",
        "bids[0].price": "1000", "action": "evaluate"})
    for where, page in pages.items():
        assert_headings_in_order(page.text, where)


async def test_policy_fields_show_their_unit(client) -> None:
    page = (await client.get("/aanbesteding")).text
    field = page[page.index('for="f-policy-values-trede2"'):]
    label = field[:field.index("</label>")]
    assert 'class="unit unit-pct"' in label and "%" in label
    assert 'class="unit unit-eur"' in label and "€" in label


async def test_an_ineligible_result_leads_with_the_reason(client) -> None:
    page = await client.post("/rekentool", data={
        "period.start": "2024-01-01", "period.end": "2024-12-31", "totalFte": "1,5",
        "quality.suitableWork": "on", "quality.integration": "on",
        "quality.development": "on", "quality.guidance": "on", "action": "calculate"})
    assert page.status_code == 200, page.text
    result = page.text[page.text.index('id="uitslag"'):]
    reason = result.index("minimaal 2 FTE")
    assert "Geen trede mogelijk" in result[:reason]
    assert "ladder-chart" not in result  # no chart of norms it cannot reach
    assert result.index("Geen trede mogelijk") < result.index("Totale bijdrage")


async def test_error_summary_lists_errors_in_page_order(client) -> None:
    """Rule errors (a duplicate KvK) are found after field errors (a bad price further
    down); the summary still reads top to bottom like the form."""
    page = await client.post("/aanbesteding", data={
        "deadline": "2026-12-01", "policy.mode": "percentage", "policy.values.trede1": "5",
        "bids[0].bidder": "Alfa", "bids[0].kvk": "12345678", "bids[0].price": "1000",
        "bids[1].bidder": "Bravo", "bids[1].kvk": "12345678", "bids[1].price": "1000",
        "bids[2].bidder": "Charlie", "bids[2].kvk": "87654321", "bids[2].price": "veel",
        "action": "evaluate"})
    assert page.status_code == 400, page.status_code
    summary = page.text[page.text.index('class="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    links = re.findall(r'<a href="#([^"]+)"', summary)
    assert links.index("f-bids-1-kvk") < links.index("f-bids-2-price"), links


async def test_form_errors_are_sentences_in_one_style(client) -> None:
    """Engine rules, field checks and file errors all read as Dutch sentences: a capital
    first, a full stop last, never two styles side by side in one summary."""
    calculator = await client.post("/rekentool", data=calculator_form(**{
        "period.start": "2025-12-31", "period.end": "2025-01-01", "totalFte": "0",
        "fullTimeHoursPerWeek": "60", "employees[0].hoursPerWeek": "0",
        "employees[1].employmentStart": "2025-02-31", "action": "calculate"}))
    tender = await client.post("/aanbesteding", data={
        "deadline": "2026-02-31", "policy.mode": "percentage", "policy.values.trede1": "500",
        "bids[0].bidder": "", "bids[0].kvk": "1234", "bids[0].price": "veel",
        "bids[1].bidder": "Bravo", "bids[1].kvk": "12345678", "bids[1].price": "-1",
        "action": "evaluate"})
    upload = await client.post("/rekentool", data=calculator_form(action="upload"), files={
        "file": ("lijst.csv", b"referentie;uren per week\nmw-1;negentig\n", "text/csv")})
    for page in (calculator, tender, upload):
        assert page.status_code == 400, page.status_code
        texts = page_errors(page.text)
        assert len(texts) >= 2, texts
        assert [t for t in texts if not is_sentence(t)] == [], texts
    assert "Einde van de periode: De einddatum ligt vóór de begindatum." in \
        page_errors(calculator.text)

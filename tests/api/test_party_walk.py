"""The party rule (docs/architecture.md "Access"), walked over the app's own API routes: every
GET under /api/v1 whose path names a party's object (an assessment and its evidence, a voucher
scheme and voucher, a tender and its social-return contract, an organisation's KvK number),
a route added later included without a list to keep. Party A owns the objects; a token of
party B with the same role gets 404 (403 where the path names another KvK number, or the role
is refused by the guard) and never sees A's names or numbers, while A itself gets 200.
Roles the policy lets see every row (`EVERY`: admins, auditors on vouchers, companies on
schemes) are no party rule and are not walked. The same for the portals' pages with an id
(/mijn, /inkoop, /gemeente, /beoordeling), signed in with a session cookie: B gets a 404 or
is sent to a page of its own, and neither shows A's identifiers. Both databases."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from litestar.routes import HTTPRoute

from pso.clock import today
from pso.services import access, accounts
from tests.api.test_contract_monitoring import buyer_token
from tests.api.test_social_return_lines import PLACEMENT, TERMS
from tests.api.test_social_return_terms import awarded_tender
from tests.factories import organization, submission
from tests.web.test_form_wording import totp_client

pytestmark = pytest.mark.anyio

KVK_A, KVK_B = "41000001", "42000002"
NAME_A, NAME_B = "Alfabouw Wandelroute B.V.", "Betawerk Wandelroute B.V."
TOWN_A, TOWN_B = "GM0200", "GM0599"
BODY_A, BODY_B = "CI-ALFA", "CI-BETA"
SCHEME_TITLE = "Voucher Alfa-gemeente wandeling"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROLES = ("company", "municipality", "procurement", "auditor")

# The object a path's first party parameter names, as a resource of pso.services.access.
RESOURCE_OF_PARAMETER = {"assessment_id": "assessment", "scheme_id": "scheme", "code": "voucher",
                         "tender_id": "tender", "number": "certificate", "kvk": None}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def party_routes(app, secured: set[str]) -> list[tuple[str, str | None]]:
    """(path, resource) of every GET under /api/v1 with a path parameter naming a party's
    object; public operations (the register's certificate pages) are left out."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1/"):
            continue
        if not any("GET" in handler.http_methods for handler in route.route_handlers):
            continue
        names = PARAMETER.findall(route.path)
        party = [name for name in names if name in RESOURCE_OF_PARAMETER]
        if not party or PARAMETER.sub(r"{\1}", route.path) not in secured:
            continue
        resource = RESOURCE_OF_PARAMETER[party[0]]
        if resource == "tender" and "/social-return" in route.path:
            resource = "contract"
        found.append((route.path, resource))
    return sorted(found, key=lambda item: item[0])


async def secured_gets(client) -> set[str]:
    """The GET paths the OpenAPI document marks as needing a token."""
    doc = (await client.get("/api/v1/openapi.json")).json()
    base = doc["servers"][0]["url"]
    return {base + path for path, item in doc["paths"].items()
            if item.get("get", {}).get("security")}


def refuses(resource: str | None, role: str) -> bool:
    """Whether the party rule applies: the policy does not let this role see every row."""
    if resource is None:  # a KvK number in the path: only a company is bound to its own
        return role == "company"
    return access.POLICY[resource].get(role, access.NONE) is not access.EVERY


async def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def seed(client, make_token, session_maker) -> tuple[dict, dict, dict, list[str]]:
    """Party A's objects, and the tokens of A and B per role: (values of the path
    parameters, A's tokens, B's tokens, A's identifiers)."""
    admin = await make_token("admin")
    a = {"company": await make_token("company", kvk=KVK_A),
         "municipality": await make_token("municipality", municipality_code=TOWN_A),
         "procurement": await buyer_token(session_maker, "inkoop-a@example.nl", "43000003"),
         "auditor": await make_token("auditor", body=BODY_A, name="Ans Alfa")}
    b = {"company": await make_token("company", kvk=KVK_B),
         "municipality": await make_token("municipality", municipality_code=TOWN_B),
         "procurement": await buyer_token(session_maker, "inkoop-b@example.nl", "44000004"),
         "auditor": await make_token("auditor", body=BODY_B, name="Bert Beta")}
    deciding = await make_token("auditor", body=BODY_A, name="Dirk Alfa")
    for kvk, name, town in ((KVK_A, NAME_A, TOWN_A), (KVK_B, NAME_B, TOWN_B)):
        await ok(await client.post("/api/v1/organizations", json=organization(kvk, name, town),
                                   headers=admin), 201)
    # An application of A with evidence, taken by A's body and approved: a certificate.
    aid = (await ok(await client.post(f"/api/v1/organizations/{KVK_A}/assessments",
                                      json={"submission": submission(2)},
                                      headers=a["company"]), 201))["id"]
    document = await ok(await client.post(
        f"/api/v1/assessments/{aid}/documents", headers=a["company"],
        files={"file": ("loonstrook-alfa.pdf", PDF, "application/pdf")}), 201)
    await ok(await client.post(f"/api/v1/assessments/{aid}/submit", headers=a["company"]))
    await ok(await client.post(f"/api/v1/assessments/{aid}/review", headers=a["auditor"]))
    await ok(await client.post(f"/api/v1/assessments/{aid}/review-completed",
                               headers=a["auditor"]))
    decided = await ok(await client.post(f"/api/v1/assessments/{aid}/decision",
                                         json={"outcome": "approved"}, headers=deciding))
    number = decided["certificates"][0]["number"]
    # A's municipality: a scheme and a voucher for A's company.
    scheme = await ok(await client.post("/api/v1/voucher-schemes", headers=a["municipality"], json={
        "title": SCHEME_TITLE, "municipalityCode": TOWN_A, "voucherAmount": "1500.00",
        "budget": "4500.00", "applicationOpensOn": (today() - timedelta(days=30)).isoformat(),
        "applicationClosesOn": (today() + timedelta(days=300)).isoformat(),
        "voucherValidityDays": 90, "maxFte": "249.99", "eligibleMunicipalityCodes": [TOWN_A]}),
        201)
    voucher = await ok(await client.post(f"/api/v1/voucher-schemes/{scheme['id']}/vouchers",
                                         json={"kvk": KVK_A, "fte": "10"},
                                         headers=a["municipality"]), 201)
    # A's buyer: a tender awarded to A's company, its social-return terms, a reported line
    # with its evidence.
    bid = {"bidder": NAME_A, "kvk": KVK_A, "price": "250000.00", "declaredRung": "trede2"}
    tid = await awarded_tender(client, {"buyer": a["procurement"]}, bid)
    await ok(await client.put(f"/api/v1/tenders/{tid}/social-return", json=TERMS,
                              headers=a["procurement"]))
    line = await ok(await client.post(f"/api/v1/tenders/{tid}/social-return/lines",
                                      json=PLACEMENT, headers=a["company"]), 201)
    evidence = await ok(await client.post(
        f"/api/v1/tenders/{tid}/social-return/lines/{line['id']}/documents",
        headers=a["company"], files={"file": ("bewijs-alfa.pdf", PDF, "application/pdf")}), 201)
    lines = f"/api/v1/tenders/{tid}/social-return/lines"
    await ok(await client.post(f"{lines}/{line['id']}/review", json={"decision": "accepted"},
                               headers=a["procurement"]))
    await ok(await client.post(f"/api/v1/tenders/{tid}/social-return/settlement",
                               json={"early": True, "reason": "Opdracht eerder klaar."},
                               headers=a["procurement"]), 201)
    values = {"kvk": KVK_A, "assessment_id": aid, "number": number, "scheme_id": scheme["id"],
              "code": voucher["code"], "tender_id": tid, "line_id": line["id"],
              "assessment_document_id": document["id"], "line_document_id": evidence["id"]}
    identifiers = [KVK_A, NAME_A, number, voucher["code"], SCHEME_TITLE,
                   "Schoonmaak stadskantoor", "SR-2026-001", "loonstrook-alfa", "bewijs-alfa",
                   PLACEMENT["pseudonym"]]
    return values, a, b, identifiers


def concrete(path: str, values: dict) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "document_id":
            name = "line_document_id" if "/lines/" in path else "assessment_document_id"
        return str(values[name])

    return PARAMETER.sub(value, path)


def shown(response: httpx.Response, url: str, identifiers: list[str]) -> list[str]:
    """A's identifiers in an answer (those in the address itself, which a problem's
    `instance` repeats, left out)."""
    body = response.content.decode("utf-8", "replace")
    return [found for found in identifiers if found not in url and found in body]


async def test_another_party_with_the_same_role_gets_404_on_every_party_route(
    client, make_token, session_maker
) -> None:
    walked = party_routes(client.app, await secured_gets(client))
    values, a, b, identifiers = await seed(client, make_token, session_maker)
    owned: dict[str, set[str]] = {}
    revealing: set[str] = set()  # A's own answer shows A's identifiers: the check can fail
    checked = 0
    for path, resource in walked:
        url = concrete(path, values)
        for role in ROLES:
            if not refuses(resource, role):
                continue
            own = await client.get(url, headers=a[role])
            other = await client.get(url, headers=b[role])
            case = (path, role, own.status_code, other.status_code)
            assert not shown(other, url, identifiers), (*case, shown(other, url, identifiers))
            assert other.status_code < 500 and own.status_code < 500, case
            if own.status_code == 200:
                owned.setdefault(path, set()).add(role)
                if shown(own, url, identifiers):
                    revealing.add(path)
                # As if it did not exist; a KvK number in the path is a named party: 403.
                assert other.status_code == (403 if resource is None else 404), case
            else:  # the role is refused (guard) or has no rule: so is B's
                assert other.status_code in (403, 404), case
            checked += 1
    paths = {path for path, _ in walked}
    # Every kind of object is reached (21 routes, 76 role checks when written); a route
    # added later is walked without a list to keep.
    assert len(walked) >= 21 and checked >= 76, (len(walked), checked)
    # The control: A itself gets 200 on every walked route (34 route and role pairs), so the
    # walk cannot pass by refusing everyone, a new route included.
    assert not paths - set(owned), sorted(paths - set(owned))
    assert sum(map(len, owned.values())) >= 34, owned
    # A's own JSON and CSV answers show A's names or numbers (PDFs and downloads are
    # compressed or bare bytes): B's would, were they to leak.
    assert len(revealing) >= 14, sorted(revealing)
    v1 = "/api/v1"
    assert owned[f"{v1}/assessments/{{assessment_id:int}}"] == {"company", "auditor"}
    assert owned[f"{v1}/assessments/{{assessment_id:int}}/documents/{{document_id:int}}"] == {
        "company", "auditor"}
    assert owned[f"{v1}/voucher-schemes/{{scheme_id:int}}"] == {"municipality"}
    assert owned[f"{v1}/vouchers/{{code:str}}"] == {"company", "municipality"}
    assert owned[f"{v1}/tenders/{{tender_id:int}}"] == {"procurement"}
    assert owned[f"{v1}/tenders/{{tender_id:int}}/social-return"] == {"procurement", "company"}
    assert owned[f"{v1}/organizations/{{kvk:str}}"] == {"company"}


# --- the portals: every page with an id, signed in with a session cookie ---------------

PORTALS = ("/mijn", "/inkoop", "/gemeente", "/beoordeling")
WEB_VALUES = {"aid": "assessment_id", "doc_id": "assessment_document_id", "step": None}


def portal_pages(app) -> list[tuple[str, str]]:
    """(path, role) of every GET page in a portal with a path parameter."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(PORTALS):
            continue
        if "{" not in route.path or not any("GET" in h.http_methods for h in route.route_handlers):
            continue
        top = "/" + route.path.strip("/").split("/")[0]
        found.append((route.path, next(r for r in accounts.HOMES if accounts.home_of(r) == top)))
    return sorted(found)


def page_url(path: str, values: dict) -> str:
    def value(match: re.Match[str]) -> str:
        name = WEB_VALUES.get(match.group(1), match.group(1))
        if name is None:
            return "1"
        if name == "document_id":
            name = "line_document_id" if "/regels/" in path else "assessment_document_id"
        return str(values[name])

    return PARAMETER.sub(value, path)


async def test_another_party_with_the_same_role_never_sees_a_portal_page(
    client, settings, make_token, session_maker
) -> None:
    pages = portal_pages(client.app)
    values, _, _, identifiers = await seed(client, make_token, session_maker)
    parties = {"company": (KVK_A, KVK_B), "municipality": (TOWN_A, TOWN_B),
               "procurement": ("43000003", "44000004"), "auditor": (BODY_A, BODY_B)}
    browsers: dict[tuple[str, str], object] = {}
    owned: list[str] = []
    try:
        for role, (own, other) in parties.items():
            for side, party in (("a", own), ("b", other)):
                browsers[role, side] = await totp_client(
                    settings, session_maker, role, f"{role}-{side}@example.nl", party)
        for path, role in pages:
            url = page_url(path, values)
            mine = await browsers[role, "a"].get(url, follow_redirects=False)
            theirs = await browsers[role, "b"].get(url, follow_redirects=False)
            case = (path, role, mine.status_code, theirs.status_code)
            if mine.status_code == 200:
                owned.append(path)
            # Not found: a 404, or back to a page of B's own with a notice.
            assert theirs.status_code in (303, 403, 404), case
            assert not shown(theirs, url, identifiers), (*case, shown(theirs, url, identifiers))
            # Open schemes are listed for every company (SCHEME: EVERY), so is their title.
            hidden = [i for i in identifiers if not (role == "company" and i == SCHEME_TITLE)]
            landed = await browsers[role, "b"].get(url)
            assert landed.status_code in (200, 403, 404), (*case, landed.status_code)
            assert landed.status_code != 200 or landed.url.path != url, case
            assert not shown(landed, url, hidden), (*case, shown(landed, url, hidden))
    finally:
        for browser in browsers.values():
            await browser.__aexit__(None, None, None)
    # 26 pages when written, 24 of them shown to A (the correction and a wizard step of an
    # approved application send A on): a page added later is walked without a list.
    assert len(pages) >= 26, pages
    assert len(owned) >= 24, owned
    assert {"/mijn/aanvraag/{assessment_id:int}", "/beoordeling/aanvragen/{aid:int}",
            "/gemeente/regelingen/{scheme_id:int}", "/gemeente/vouchers/{code:str}/pdf",
            "/inkoop/aanbestedingen/{tender_id:int}", "/mijn/vouchers/{code:str}/pdf",
            "/mijn/social-return/{tender_id:int}/eindverantwoording.csv"} <= set(owned)

"""The NL API Design Rules (Logius), one test per core rule that can be checked, named after
the rule (`/core/no-trailing-slash` -> test_core_no_trailing_slash), against the running API
and the OpenAPI document it serves. docs/api-design-rules.md says for every core rule
whether it is applied or why not; the last test keeps that page complete.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from pso import API_VERSION
from pso.app import create_app
from pso.settings import Settings, SettingsError
from tests.api.test_foundation import assert_problem
from tests.api.test_vouchers import SCHEME
from tests.conftest import empty_tables
from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

DOC = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
RULES_PAGE = Path(__file__).parents[2] / "docs" / "api-design-rules.md"
# The core set (ADR 2.1 and the 2.2 draft).
CORE_RULES = (
    "naming-resources", "naming-collections", "interface-language", "no-trailing-slash",
    "path-segments-kebab-case", "query-keys-camel-case", "hide-implementation",
    "date-time/format", "date-time/timezone", "date-time/date-omit-time-portion",
    "http-methods", "http-safety", "http-response-code", "stateless", "nested-child",
    "resource-operations", "error-handling/problem-details", "error-handling/invalid-input",
    "error-handling/all-errors", "doc-openapi", "doc-openapi-contact", "doc-language",
    "publish-openapi", "deprecation-schedule", "transition-period", "uri-version",
    "changelog", "semver", "version-header", "transport/tls", "transport/no-sensitive-uris",
    "transport/security-headers", "transport/cors", "modules/geospatial", "modules/signing",
    "modules/encryption",
)
# The ADR linter's pattern for paths (a `.` is only let through for the exception below).
KEBAB = re.compile(r"^(/|(/_[a-z0-9]+|/(([a-z0-9\-]+|{[^}]+})(/([a-z0-9\-]+|{[^}]+}))*)"
                   r"(/_[a-z]+)?))$")
# Explained in docs/api-design-rules.md (/core/path-segments-kebab-case): kept for clients.
FILE_EXTENSIONS = {"/voucher-schemes/{scheme_id}/vouchers.csv",
                   "/tenders/{tender_id}/social-return/settlement.pdf",
                   "/tenders/{tender_id}/social-return/settlement.csv"}
CAMEL = re.compile(r"^[a-z][a-z\d]*([A-Z][a-z\d]*)*$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
ORIGIN = "https://inkoop.gemeente.example"


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def responses(doc: dict):
    for path, method, operation in operations(doc):
        for status, response in operation["responses"].items():
            yield path, method, status, response


async def app_client(migrated_urls, **env: str) -> AsyncTestClient:
    await empty_tables(migrated_urls["sqlite"])
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": migrated_urls["sqlite"],
                                  "PSO_RATE_LIMIT": "0", **env})
    return AsyncTestClient(app=create_app(settings))


@pytest.fixture
async def doc(client) -> dict:
    response = await client.get(DOC)
    assert response.status_code == 200
    return response.json()


async def test_core_doc_openapi(doc) -> None:
    validate(doc)  # OpenAPI 3.1 schema, $refs resolvable, defaults of the declared type
    assert doc["openapi"].startswith("3.")
    sroi = doc["components"]["schemas"]["SroiIn"]["properties"]["ratePct"]
    policy = doc["components"]["schemas"]["PolicyIn"]["properties"]["penaltyFactor"]
    assert (sroi["default"], policy["default"]) == (5, 1.5)


async def test_core_publish_openapi(client) -> None:
    for headers in ({}, {"Origin": "https://anywhere.example"}):
        response = await client.get(DOC, headers=headers)  # no token
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    # The document describes itself, under its server's base.
    assert "/openapi.json" in response.json()["paths"]


async def test_core_doc_openapi_contact(doc) -> None:
    contact = doc["info"]["contact"]
    assert contact["name"] and contact["url"].startswith("http")


async def test_core_doc_language(doc) -> None:
    """Dutch, stated in the description; every operation summarised and described, every
    tag it uses described."""
    assert "in het Nederlands" in doc["info"]["description"]
    bare = [(m, p) for p, m, op in operations(doc)
            if not op.get("summary") or not op.get("description")]
    assert bare == []
    tags = {t["name"]: t.get("description") for t in doc["tags"]}
    used = {tag for _, _, op in operations(doc) for tag in op["tags"]}
    assert used <= tags.keys() and all(tags[t] for t in used), used
    english = [(m, p) for p, m, op in operations(doc)
               if re.search(r"\b(the|and|with|returns?|upload)\b", op["description"])]
    assert english == []


async def test_core_semver(client, doc) -> None:
    assert SEMVER.match(doc["info"]["version"])
    assert doc["info"]["version"] == API_VERSION


async def test_core_uri_version(client, doc) -> None:
    major = doc["info"]["version"].split(".")[0]
    assert [s["url"] for s in doc["servers"]] == [f"/api/v{major}"]
    # Paths are relative to that server: server + path is what answers.
    assert not any(path.startswith("/api/") for path in doc["paths"])
    base = doc["servers"][0]["url"]
    assert (await client.get(base + "/health/live")).status_code == 200
    assert (await client.get("/health/live")).status_code == 404


async def test_core_version_header(client, doc, make_token) -> None:
    undeclared = [(m, p, s) for p, m, s, r in responses(doc)
                  if "API-Version" not in r.get("headers", {})]
    assert undeclared == []
    answers = [
        await client.get("/api/v1/health/live"),
        await client.get("/api/v1/certificates/"),  # trailing slash: 404 of our own
        await client.get("/api/v1/nope"),  # router 404
        await client.delete("/api/v1/health/live"),  # 405
        await client.get("/api/v1/audit-events"),  # 401
        await client.post("/api/v1/score", json={}),  # 400
        await client.options("/api/v1/score", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST"}),  # preflight
        await client.get("/api/v1/audit-events", headers=await make_token("admin")),
    ]
    assert {a.headers["API-Version"] for a in answers} == {doc["info"]["version"]}


async def test_core_no_trailing_slash(client, doc) -> None:
    assert [p for p in doc["paths"] if p.endswith("/")] == []
    base = doc["servers"][0]["url"]
    plain = [p for p, m, _ in operations(doc) if m == "get" and "{" not in p]
    assert len(plain) >= 8
    for path in plain:
        assert (await client.get(base + path + "/")).status_code == 404, path
    body = assert_problem(await client.get("/api/v1/certificates/"), 404, "not-found")
    assert "schuine streep" in body["detail"]
    assert (await client.get("/api/v1/certificates")).status_code == 200
    assert_problem(await client.post("/api/v1/score/", json=submission(1)), 404)


async def test_core_path_segments_kebab_case(doc) -> None:
    # /openapi.json is the location /core/publish-openapi prescribes (the linter skips it).
    wrong = {p for p in doc["paths"] if not KEBAB.match(p)} - {"/openapi.json"}
    assert wrong == FILE_EXTENSIONS  # each one explained in docs/api-design-rules.md
    page = RULES_PAGE.read_text(encoding="utf-8")
    assert all(p.rsplit("/", 1)[1] in page for p in FILE_EXTENSIONS)


async def test_alternative_without_file_extension(client, make_token) -> None:
    """The `.csv` path has a twin without extension (`Accept: text/csv` or `?format=csv`)
    giving the same file."""
    municipality = await make_token("municipality", municipality_code="GM0200")
    scheme = await client.post("/api/v1/voucher-schemes", headers=municipality,
                               json={**SCHEME, "municipalityCode": "GM0200"})
    assert scheme.status_code == 201, scheme.text
    url = f"/api/v1/voucher-schemes/{scheme.json()['id']}/vouchers"
    legacy = await client.get(url + ".csv", headers=municipality)
    plain = await client.get(url, params={"format": "csv"}, headers=municipality)
    negotiated = await client.get(url, headers={**municipality, "Accept": "text/csv"})
    assert legacy.status_code == plain.status_code == negotiated.status_code == 200
    assert legacy.content == plain.content == negotiated.content
    assert negotiated.headers["content-type"].startswith("text/csv")
    for accept in ("application/json", "*/*", "application/json, text/csv;q=0.5"):
        answer = await client.get(url, headers={**municipality, "Accept": accept})
        assert answer.json()["items"] == [], accept


async def test_core_query_keys_camel_case(doc) -> None:
    keys = {(p, prm["name"]) for p, _, op in operations(doc)
            for prm in op.get("parameters", []) if prm["in"] == "query"}
    assert {("/certificates", "pageSize"), ("/audit-events", "entityType")} <= keys
    assert [k for k in keys if not CAMEL.match(k[1])] == []


async def test_core_http_methods(client, doc) -> None:
    assert {m for _, m, _ in operations(doc)} <= {"get", "post", "put", "patch", "delete"}
    response = await client.request("PROPFIND", "/api/v1/certificates")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert (await client.head("/api/v1/certificates")).status_code == 200


async def test_core_error_handling_problem_details(client, doc) -> None:
    errors = [(p, m, s, r) for p, m, s, r in responses(doc)
              if s == "default" or int(s) >= 400]
    assert errors
    for path, method, status, response in errors:
        ref = response["content"]["application/problem+json"]["schema"]["$ref"]
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"type", "status", "title", "detail"} <= set(schema["required"]), (method, path)
    for answer in (await client.get("/api/v1/nope"), await client.get("/api/v1/certificates/"),
                   await client.delete("/api/v1/health/live")):
        assert_problem(answer, answer.status_code)


async def test_core_error_handling_invalid_input(client, doc) -> None:
    missing = [(m, p) for p, m, op in operations(doc)
               if (op.get("parameters") or "requestBody" in op) and "400" not in op["responses"]
               and p != "/openapi.json"]
    assert missing == []
    assert_problem(await client.get("/api/v1/certificates", params={"pageSize": "x"}), 400)
    assert_problem(await client.get("/api/v1/certificates/PSO-1", params={"on": "gisteren"}),
                   400)


async def test_core_error_handling_all_errors(client) -> None:
    body = submission(1)
    body["totalFte"] = "-1"
    body["employees"][0]["hoursPerWeek"] = "veel"
    problem = assert_problem(await client.post("/api/v1/score", json=body), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {"totalFte",
                                                             "employees[0].hoursPerWeek"}


async def test_core_date_time_format(client, doc, make_token) -> None:
    def formats(schema: dict) -> set[str]:
        return set(re.findall(r"'format': '(date(?:-time)?)'", str(schema)))

    dated = {name: prop for schema in doc["components"]["schemas"].values()
             for name, prop in schema.get("properties", {}).items()
             if re.search(r"(On|At|Until|Since|Date)$|^(at|deadline|contractEnd)$", name)}
    assert len(dated) >= 10
    assert [name for name, prop in dated.items() if not formats(prop)] == []
    admin = await make_token("admin")
    assert (await client.post("/api/v1/organizations", json=organization("12345678"),
                              headers=admin)).status_code == 201
    event = (await client.get("/api/v1/audit-events", headers=admin)).json()["items"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", event["at"]), event["at"]


async def test_core_stateless(client, make_token) -> None:
    """No session: API answers set no cookie, and a browser's session cookie is no token."""
    admin = await make_token("admin")
    answers = [await client.get("/api/v1/certificates"),
               await client.post("/api/v1/score", json=submission(1)),
               await client.post("/api/v1/organizations", json=organization("12345678"),
                                 headers=admin),
               await client.get("/api/v1/audit-events", headers=admin)]
    assert [a.headers.get_list("set-cookie") for a in answers] == [[]] * 4
    response = await client.get("/api/v1/audit-events", cookies={"pso_sessie": "x" * 43})
    assert_problem(response, 401)


async def test_core_transport_security_headers(client, make_token) -> None:
    """Every API answer may carry personal data, so none is stored by a cache: with or
    without a token. Only public register data a handler marks cacheable itself (the
    certificate PDF), asked for without a token, may be."""
    admin = await make_token("admin")
    answers = [
        await client.post("/api/v1/score", json=submission(1)),  # a workforce, anonymous
        await client.get("/api/v1/certificates"),
        await client.get(DOC),
        await client.get("/api/v1/nope"),
        await client.get("/api/v1/organizations/12345678", headers=admin),
        await client.get("/api/v1/audit-events", headers=admin),
    ]
    for answer in answers:
        assert answer.status_code < 500
        assert answer.headers["Cache-Control"] == "no-store", answer.url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Content-Type"]


async def test_core_transport_tls(migrated_urls) -> None:
    """HSTS on every answer once the service is public over https, never over http (a
    browser would refuse the plain development server for a year)."""
    async with await app_client(migrated_urls, PSO_PUBLIC_URL="https://pso.example.nl") as c:
        for answer in (await c.get("/api/v1/health/live"), await c.get("/api/v1/nope"),
                       await c.get("/"), await c.get("/static/web/site.css")):
            assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    async with await app_client(migrated_urls) as c:
        assert "Strict-Transport-Security" not in (await c.get("/api/v1/health/live")).headers


async def test_core_transport_no_sensitive_uris(doc) -> None:
    schemes = doc["components"]["securitySchemes"]
    assert all(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    secret = [(p, prm["name"]) for p, _, op in operations(doc)
              for prm in op.get("parameters", [])
              if re.search(r"token|password|wachtwoord|secret|bsn", prm["name"], re.IGNORECASE)]
    assert secret == []


async def test_core_transport_cors(migrated_urls, make_token) -> None:
    async with await app_client(migrated_urls, PSO_CORS_ORIGINS=f"{ORIGIN}, https://b.example"
                                ) as c:
        # Public operations: any website may read them.
        for answer in (await c.get(DOC, headers={"Origin": "https://elsewhere.example"}),
                       await c.get("/api/v1/certificates"),
                       await c.post("/api/v1/score", json={}, headers={"Origin": ORIGIN})):
            assert answer.headers["Access-Control-Allow-Origin"] == "*"
            assert "API-Version" in answer.headers["Access-Control-Expose-Headers"]
        preflight = await c.options("/api/v1/score", headers={
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
        # Guarded operations: listed origins only, echoed, with Vary: Origin.
        listed = await c.get("/api/v1/audit-events", headers={"Origin": ORIGIN})
        assert listed.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert listed.headers["Vary"] == "Origin"
        other = await c.get("/api/v1/audit-events", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        # A literal path beats the public template beside it (expiring vs {number}).
        expiring = await c.get("/api/v1/certificates/expiring",
                               headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in expiring.headers
        # Preflight of a guarded operation: answered before authentication for a listed
        # origin, left to the app (no CORS headers: the browser refuses) for others.
        ask = {"Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization, content-type"}
        ok = await c.options("/api/v1/tenders", headers={"Origin": ORIGIN, **ask})
        assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
        refused = await c.options("/api/v1/tenders", headers={"Origin": "https://evil.example",
                                                              **ask})
        assert "Access-Control-Allow-Origin" not in refused.headers
        every = [listed, other, expiring, ok, refused, preflight]
        assert not any("Access-Control-Allow-Credentials" in a.headers for a in every)
        # Pages are not the API: no CORS there.
        assert "Access-Control-Allow-Origin" not in (await c.get("/register")).headers
    async with await app_client(migrated_urls) as c:  # no PSO_CORS_ORIGINS: public only
        assert "Access-Control-Allow-Origin" not in (
            await c.get("/api/v1/audit-events", headers={"Origin": ORIGIN})).headers
        assert (await c.get(DOC)).headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("value", ["*", "https://a.example/path", "a.example", "null",
                                   "ftp://a.example"])
def test_cors_origins_setting_takes_only_origins(value: str) -> None:
    with pytest.raises(SettingsError, match="PSO_CORS_ORIGINS"):
        Settings.from_env({"PSO_ENV": "test", "PSO_CORS_ORIGINS": value})
    assert Settings.from_env({"PSO_ENV": "test",
                              "PSO_CORS_ORIGINS": " https://A.example:8443/ ,http://b.example"}
                             ).cors_origins == ("https://a.example:8443", "http://b.example")


def link_header(response) -> dict[str, str]:
    found = re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers.get("Link", ""))
    return {rel: url for url, rel in found}


async def test_link_header_on_paged_lists(client, doc, make_token) -> None:
    """Not a core rule: RFC 8288 Link (first/prev/next/last) beside the body's paging."""
    admin = await make_token("admin")
    for i in range(5):  # five audit events
        kvk = f"1234567{i}"
        assert (await client.post("/api/v1/organizations", json=organization(kvk),
                                  headers=admin)).status_code == 201
    url = "/api/v1/audit-events?entityType=organization&pageSize=2"
    first = await client.get(url, headers=admin)
    assert first.json()["total"] == 5
    assert link_header(first) == {
        "first": "/api/v1/audit-events?entityType=organization&pageSize=2&page=1",
        "next": "/api/v1/audit-events?entityType=organization&pageSize=2&page=2",
        "last": "/api/v1/audit-events?entityType=organization&pageSize=2&page=3"}
    links = link_header(await client.get(url + "&page=2", headers=admin))
    assert (links["prev"], links["next"]) == (links["first"], links["last"])
    last = await client.get(links["last"], headers=admin)
    assert "next" not in link_header(last) and len(last.json()["items"]) == 1
    # Every paged list of the document declares it, and the register's cursor is its next.
    paged = {p for p, m, s, r in responses(doc) if "Link" in r.get("headers", {})}
    assert {"/certificates", "/audit-events", "/assessments", "/tenders",
            "/voucher-schemes/{scheme_id}/vouchers"} <= paged
    register = await client.get("/api/v1/certificates?pageSize=2&q=organisatie")
    assert link_header(register).get("next") == register.json()["next"]


async def test_every_core_rule_is_listed() -> None:
    """docs/api-design-rules.md: each core rule with `toegepast` or `leg uit`."""
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| `/core/([a-z/-]+)` \| (toegepast|leg uit)[^|]*\| (.+) \|$",
        RULES_PAGE.read_text(encoding="utf-8"), re.MULTILINE)}
    assert sorted(rows) == sorted(CORE_RULES)


async def test_doubled_leading_slash_is_still_the_api(client) -> None:
    """`//api/v1/...` reaches the API (the router collapses slashes), so its rules hold."""
    answer = await client.get("http://testserver.local//api/v1/certificates")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert_problem(await client.get("http://testserver.local//api/v1/certificates/"), 404)

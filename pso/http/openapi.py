"""The OpenAPI document: its configuration and the finishing touches on what Litestar makes.

Litestar documents a 400 of its own shape (`status_code`, `detail`, `extra`) as
application/json, but every error this service sends is RFC 9457 problem details
(pso.errors). This replaces those, and documents what any operation may answer besides
(`default`: 401, 404, 413, 503, ...) and the 429 of rate-limited operations, so clients
and fuzzers can check every error against one schema. It also declares the headers every
response carries (`API-Version`) and paged lists add (`Link`), and makes the paths
relative to the one server entry, `/api/v1` (NL API Design Rules, docs/api-design-rules.md).
The document is Dutch (/core/doc-language): summaries, descriptions (the handlers'
docstrings) and tags.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, Contact, SecurityScheme, Tag

from pso import API_VERSION
from pso.errors import PROBLEM_JSON
from pso.http.ratelimit import is_limited

BASE_PATH = "/api/v1"  # the major version is in the URI; info.version has the full semver
DESCRIPTION = (
    "API van de PSO-dienst (Prestatieladder Socialer Ondernemen): rekentool, certificering, "
    "openbaar register, aanbestedingen (fictieve korting, SROI) en gemeentelijke vouchers. "
    "Fouten volgen RFC 9457 (application/problem+json). Authenticatie met een Bearer-token. "
    "Elk antwoord draagt de header API-Version met het volledige versienummer; gepagineerde "
    "lijsten geven hun vervolgpagina's ook in de header Link (RFC 8288). De documentatie is "
    "in het Nederlands; veldnamen zijn Engels (camelCase), zoals in de specificatie van de "
    "dienst."
)
TAGS = {
    "Status": "Leeft de dienst en antwoordt de database: voor load balancers en bewaking.",
    "Rekentool": "De openbare rekentool: sociale bijdrage en trede berekenen en een "
                 "medewerkerslijst omzetten. Er wordt niets opgeslagen.",
    "Organisaties": "Aanvragende organisaties op KvK-nummer: de hoofdaanvrager met zijn "
                    "dochterondernemingen.",
    "Aanvragen": "Certificeringsaanvragen: het bedrijf vult de opgave in en dient in, de "
                 "auditor beoordeelt, vraagt informatie, corrigeert en besluit.",
    "Certificering": "Certificerende instellingen, waaraan een bedrijf zijn aanvraag richt.",
    "Register": "Het openbare register van certificaten: zoeken, controleren, downloaden en "
                "het PDF-certificaat; auditors schorsen en trekken in.",
    "Aanbesteding": "Fictieve korting en SROI-verplichting berekenen, en eigen aanbestedingen "
                    "vastleggen, beoordelen, gunnen en bewaken.",
    "Vouchers": "Gemeentelijke voucherregelingen: vouchers aanvragen, uitgeven, goedkeuren, "
                "verzilveren en intrekken.",
    "Audit": "Het onveranderlijke logboek van alle wijzigingen (alleen voor beheerders).",
    "Social return": "Social return na de gunning: afspraken, waarderingsmodellen "
                     "(bouwblokken), gerealiseerde regels van de opdrachtnemer en hun "
                     "beoordeling door de inkoper.",
}
HEADERS: dict[str, Any] = {
    "API-Version": {
        "description": "Het volledige versienummer van de API (semver), gelijk aan info.version.",
        "schema": {"type": "string", "example": API_VERSION},
    },
    "Link": {
        "description": "RFC 8288: de eerste, vorige, volgende en laatste pagina "
                       "(rel=first, prev, next, last), voor zover die er zijn.",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "`*`: elke website mag dit document lezen (CORS).",
        "schema": {"type": "string"},
    },
}
PAGE_FIELDS = {"page", "pageSize", "total"}


def openapi_config(public_url: str) -> OpenAPIConfig:
    """What Litestar needs to make the document; `public_url` is PSO_PUBLIC_URL."""
    return OpenAPIConfig(
        title="PSO-dienst API",
        version=API_VERSION,
        description=DESCRIPTION,
        contact=Contact(name="Beheer PSO-dienst", url=f"{public_url}/"),
        tags=[Tag(name=name, description=text) for name, text in TAGS.items()],
        use_handler_docstrings=True,  # a handler's (Dutch) docstring is its description
        # The document itself is served by pso.api.health.openapi_document; Litestar's
        # own router would swallow every unknown /api/v1/... path with an HTML 404.
        path="/_schema",
        render_plugins=[JsonRenderPlugin()],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http", scheme="bearer",
                    description="Token van `pso users add`; alleen de SHA-256 wordt bewaard.",
                )
            }
        ),
    )

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` is `urn:pso:problem:<slug>`.",
    "required": ["type", "status", "title", "detail"],
    "properties": {
        "type": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
        "requestId": {"type": "string"},
    },
    # Some problems carry more, e.g. currentStatus (409) or retryAfter (429).
    "additionalProperties": True,
}


# Operations that also answer in other formats (`?format=` or Accept); Litestar documents
# only the JSON of their return type.
ALTERNATIVE_MEDIA: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/api/v1/tenders/{tender_id}/evaluation"): ("text/csv", "application/pdf"),
    ("get", "/api/v1/voucher-schemes/{scheme_id}/vouchers"): ("text/csv",),
}
MEDIA_SCHEMAS = {
    "text/csv": {"type": "string", "description": "UTF-8 met BOM, puntkomma, decimale komma"},
    "application/pdf": {"type": "string", "format": "binary"},
}


def _problem(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
            **extra}


def optional_bodies(app: Any) -> frozenset[tuple[str, str]]:
    """(method, OpenAPI path) of operations whose `data` has a default: the body may be left
    out (a suspension without reason), so the document must not call it required."""
    from litestar.routes import HTTPRoute

    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for handler in route.route_handlers:
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None and data.has_default:
                found.update((method.lower(), path) for method in handler.http_methods)
    return frozenset(found)


def with_problem_details(document: dict[str, Any],
                         optional: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any]:
    """Rewrite error responses of `document` (in place) and return it; the request bodies
    of `optional` operations become `required: false` (see optional_bodies)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM_SCHEMA)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                if (method, path) in optional:
                    operation["requestBody"]["required"] = False
                media = ", ".join(operation["requestBody"].get("content", {})) or "JSON"
                responses.setdefault("415", _problem(
                    f"Mediatype niet ondersteund: stuur de gegevens als {media}"))
            for media in ALTERNATIVE_MEDIA.get((method, path), ()):
                content = responses.get("200", {}).get("content")
                if content is not None:
                    content.setdefault(media, {"schema": MEDIA_SCHEMAS[media]})
            for status, response in list(responses.items()):
                if status.isdigit() and int(status) >= 400 and PROBLEM_JSON not in (
                        response.get("content") or {}):
                    responses[status] = _problem(
                        "Ongeldige invoer: alle fouten in invalidParams" if status == "400"
                        else response.get("description", "Fout"))
            if is_limited(method.upper(), path):
                responses.setdefault("429", _problem(
                    "Te veel verzoeken (PSO_RATE_LIMIT per minuut per client)",
                    headers={"Retry-After": {"description": "seconden",
                                             "schema": {"type": "integer"}}}))
            responses.setdefault("default", _problem("Fout (RFC 9457 problem details)"))
    return document


def _schema_of(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return document["components"]["schemas"].get(ref.rsplit("/", 1)[1], {})
    return schema


def _is_page(document: dict[str, Any], response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return PAGE_FIELDS <= set(_schema_of(document, schema).get("properties", {}))


OPENAPI_OPERATION: dict[str, Any] = {
    "tags": ["Status"],
    "summary": "Dit OpenAPI-document",
    "description": "De beschrijving van deze API (OpenAPI 3.1, JSON). Openbaar, zonder "
                   "token, en door elke website te lezen (CORS `*`).",
    "operationId": "OpenapiDocument",
    "responses": {"200": {
        "description": "Het OpenAPI-document",
        "headers": {"Access-Control-Allow-Origin": {
            "$ref": "#/components/headers/Access-Control-Allow-Origin"}},
        "content": {"application/json": {"schema": {"type": "object"}}},
    }},
}


def finished(document: dict[str, Any], optional: frozenset[tuple[str, str]] = frozenset()
             ) -> dict[str, Any]:
    """The document as served: problem details (with_problem_details), the response headers
    declared, the paths relative to the one server `/api/v1`, and every tag described."""
    with_problem_details(document, optional)
    document.setdefault("components", {}).setdefault("headers", {}).update(
        copy.deepcopy(HEADERS))
    document["paths"][f"{BASE_PATH}/openapi.json"] = {"get": copy.deepcopy(OPENAPI_OPERATION)}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            for status, response in operation["responses"].items():
                headers = response.setdefault("headers", {})
                headers.setdefault("API-Version", {"$ref": "#/components/headers/API-Version"})
                if status == "200" and method == "get" and _is_page(document, response):
                    headers.setdefault("Link", {"$ref": "#/components/headers/Link"})
    document["paths"] = {_relative(path): item for path, item in document["paths"].items()}
    document["servers"] = [{"url": BASE_PATH, "description": "Deze omgeving (versie 1)"}]
    used = {tag for item in document["paths"].values() for operation in item.values()
            if isinstance(operation, dict) for tag in operation.get("tags", ())}
    described = {tag["name"] for tag in document.get("tags", ())}
    document["tags"] = [*document.get("tags", ()),
                        *({"name": tag} for tag in sorted(used - described))]
    return document


def _relative(path: str) -> str:
    if not path.startswith(BASE_PATH + "/"):
        raise ValueError(f"{path} is not under {BASE_PATH}: the one server entry would not fit")
    return path.removeprefix(BASE_PATH)

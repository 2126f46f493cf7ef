"""Finishing touches on the generated OpenAPI document: errors as they really are.

Litestar documents a 400 of its own shape (`status_code`, `detail`, `extra`) as
application/json, but every error this service sends is RFC 9457 problem details
(pso.errors). This replaces those, and documents what any operation may answer besides
(`default`: 401, 404, 413, 503, ...) and the 429 of rate-limited operations, so clients
and fuzzers can check every error against one schema.
"""

from __future__ import annotations

import re
from typing import Any

from pso.errors import PROBLEM_JSON
from pso.ratelimit import is_limited

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

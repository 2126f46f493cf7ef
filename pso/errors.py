"""RFC 9457 problem details for every error the service returns."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal, get_args, get_origin

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.typing import FieldDefinition
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pso.text.messages import dutch, field_name

log = logging.getLogger("pso.errors")

PROBLEM_JSON = "application/problem+json"

# Titles for statuses that carry no problem of our own (Dutch: what users read).
TITLES = {
    400: "Ongeldige invoer",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    429: "Te veel verzoeken",
    500: "Interne fout",
    503: "Dienst tijdelijk niet beschikbaar",
}
SLUGS = {
    400: "invalid-input",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
    500: "internal-error",
    503: "service-unavailable",
}


def problem_type(slug: str) -> str:
    return f"urn:pso:problem:{slug}"


class ProblemError(Exception):
    """Raise anywhere to answer with a problem-details body."""

    status = 400
    slug = "invalid-input"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        invalid_params: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        self.title = title or TITLES.get(self.status, "Fout")
        self.invalid_params = invalid_params
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": problem_type(self.slug),
            "status": self.status,
            "title": self.title,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.invalid_params is not None:
            body["invalidParams"] = self.invalid_params
        body.update(self.extra)
        return body


class InvalidInput(ProblemError):
    status = 400
    slug = "invalid-input"

    def __init__(self, invalid_params: list[dict[str, str]], detail: str | None = None) -> None:
        n = len(invalid_params)
        super().__init__(
            detail or (f"{n} veld{'en' if n != 1 else ''} ongeldig."),
            invalid_params=invalid_params,
        )


class Conflict(ProblemError):
    """A business rule refuses the request; each rule has its own slug."""

    status = 409

    def __init__(self, slug: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, slug=slug, **extra)


class NotFound(ProblemError):
    status = 404
    slug = "not-found"


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"

    def __init__(self, detail: str = "Een geldig toegangstoken is vereist.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="pso"'})


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def wants_page(request: Request | None) -> bool:
    """A browser asking for a web page (not the API) gets the error as a Dutch HTML page."""
    if request is None or request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem_response(problem: ProblemError, request: Request | None = None) -> Response[Any]:
    if request is not None and wants_page(request) and problem.status != 500:
        return Template(
            "web/error.html",
            context={"problem": problem.body(request.url.path)},
            status_code=problem.status,
            headers=problem.headers,
        )
    return Response(
        content=problem.body(request.url.path if request is not None else None),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def handle_problem(request: Request, exc: ProblemError) -> Response[Any]:
    return problem_response(exc, request)


def handle_validation(request: Request, exc: ValidationException) -> Response[Any]:
    params: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict):
            key, message = item.get("key"), str(item.get("message", ""))
            parameter = None if item.get("source") == "body" else _parameter(request, key)
            name = field_name(_public_name(parameter) or key)
            reason = dutch(message)
            choices = _choices(parameter)
            if reason == "Onbekende waarde." and choices:
                reason = "Onbekende waarde; kies uit: " + ", ".join(choices) + "."
            elif re.fullmatch(r"'\w+'", message):  # a KeyError: the field is missing
                reason = "Dit veld is verplicht."
            elif reason.startswith("Geen geldige datum") and _looks_like_a_day(request, name):
                reason = "Deze datum bestaat niet."
            params.append({"name": name, "reason": reason})
    if not params:
        params.append({"name": "body", "reason": unreadable(exc.detail)})
    return problem_response(InvalidInput(params), request)


def _looks_like_a_day(request: Request, name: str) -> bool:
    """2026-02-31 has the right form but is no day: say so rather than "not a date"."""
    value = request.query_params.get(name) or request.path_params.get(name)
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def _parameter(request: Request, key: Any) -> FieldDefinition | None:
    """The handler's parameter a msgspec message is about (its key is the Python name)."""
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    if signature is None or not isinstance(key, str):
        return None
    return signature.parameters.get(key)


def _public_name(parameter: FieldDefinition | None) -> str | None:
    """The name the caller used: the query alias (`format`), not the Python name (`fmt`)."""
    if parameter is None:
        return None
    kwarg = parameter.kwarg_definition
    return getattr(kwarg, "query", None) or getattr(kwarg, "header", None) or parameter.name


def _choices(parameter: FieldDefinition | None) -> list[str]:
    """The values a Literal (or Optional Literal) parameter accepts, in declared order."""
    if parameter is None:
        return []
    out: list[str] = []
    stack = [parameter.annotation]
    while stack:
        annotation = stack.pop(0)
        if get_origin(annotation) is Literal:
            out.extend(str(v) for v in get_args(annotation))
        else:
            stack.extend(get_args(annotation))
    return out


# What the JSON decoder says, in Dutch; anything else gets the general sentence.
_UNREADABLE = [
    (re.compile(r"JSON is malformed.*\(byte (\d+)\)"), r"Geen geldige JSON (fout bij byte \1)."),
    (re.compile(r"Input data was truncated"), "Geen geldige JSON: de invoer houdt halverwege op."),
    (re.compile(r"(?i)multipart"), "Geen geldige multipart/form-data."),
]


def unreadable(detail: str) -> str:
    for pattern, sentence in _UNREADABLE:
        if found := pattern.search(detail or ""):
            return found.expand(sentence)
    return "Het verzoek kon niet worden gelezen: geen geldige JSON of een verkeerd type."


def handle_http(request: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail or TITLES.get(status, "")
    if status == 413:
        detail = "De inhoud van het verzoek is groter dan toegestaan."
    elif status == 404:
        detail = "Deze bron bestaat niet."
    elif status == 405:
        detail = "Deze methode is hier niet toegestaan."
    invalid = None
    if status == 400:
        invalid = [{"name": "body", "reason": unreadable(detail)}]
        detail = "Het verzoek kon niet worden gelezen."
    problem = ProblemError(
        detail, status=status, slug=SLUGS.get(status, f"http-{status}"), invalid_params=invalid
    )
    problem.headers = dict(exc.headers or {})
    if status == 401:
        problem.headers.setdefault("WWW-Authenticate", 'Bearer realm="pso"')
    return problem_response(problem, request)


def handle_integrity(request: Request, exc: IntegrityError) -> Response[Any]:
    # A unique constraint lost a race with a concurrent request.
    log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
    return problem_response(
        Conflict("conflict", "De wijziging botst met gegevens die al bestaan."), request
    )


def handle_database_down(request: Request, exc: Exception) -> Response[Any]:
    log.warning("database unavailable (request %s): %s", request_id(request), exc)
    return problem_response(
        ProblemError(
            "De database is tijdelijk niet bereikbaar. Probeer het zo opnieuw.",
            status=503,
            slug="service-unavailable",
            headers={"Retry-After": "5"},
        ),
        request,
    )


def handle_unexpected(request: Request, exc: Exception) -> Response[Any]:
    if isinstance(exc, RecursionError):  # raised while decoding absurdly nested JSON
        return problem_response(
            InvalidInput([{"name": "body", "reason": "De JSON is te diep genest."}]), request
        )
    if isinstance(exc, UnicodeDecodeError):  # e.g. a binary multipart field without filename
        return problem_response(
            InvalidInput([{"name": "body", "reason": "De tekst is geen geldige UTF-8."}]), request
        )
    if isinstance(exc, (OperationalError, OSError, ConnectionError)) or _is_connection_error(exc):
        return handle_database_down(request, exc)
    rid = request_id(request)
    log.exception("unexpected error (request %s) on %s %s", rid, request.method, request.url.path)
    return problem_response(
        ProblemError(
            "Er ging iets mis aan onze kant. Vermeld het request-id als u contact opneemt.",
            status=500,
            slug="internal-error",
            requestId=rid,
        ),
        request,
    )


_CONNECTION_ERRORS = {
    "ConnectionDoesNotExistError", "CannotConnectNowError", "InterfaceError",
    "ConnectionFailureError", "AdminShutdownError", "CrashShutdownError",
}
# SQLSTATE: class 08 connection exception; 57P01-03 shutdown / starting up; 53300 too many
# connections. All mean "not reachable right now", never "your request was wrong".
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def _is_connection_error(exc: BaseException) -> bool:
    """Walks the wrapped errors too: SQLAlchemy wraps the driver's error (`orig`), which
    wraps asyncpg's own (`__cause__`), e.g. "the database system is starting up"."""
    current: BaseException | None = exc
    for _ in range(5):
        if current is None:
            return False
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, (OSError, PoolTimeout)):
            return True
        if type(current).__name__ in _CONNECTION_ERRORS:
            return True
        state = getattr(current, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


EXCEPTION_HANDLERS = {
    ProblemError: handle_problem,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    IntegrityError: handle_integrity,
    Exception: handle_unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "ProblemError",
    "Unauthorized",
    "problem_response",
    "problem_type",
]

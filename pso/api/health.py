from __future__ import annotations

from litestar import Request, Response, get
from litestar.datastructures import State

from pso.db.probe import DatabaseProbe
from pso.errors import ProblemError, problem_response
from pso.http.openapi import finished, optional_bodies


@get("/api/v1/health/live", tags=["Status"], summary="Leeft de dienst?", sync_to_thread=False)
def live() -> dict[str, str]:
    """Liveness: antwoordt `ok` zonder de database of iets anders aan te raken."""
    # (Also the benchmarks' baseline: keep it doing nothing.)
    return {"status": "ok"}


@get("/api/v1/health", tags=["Status"], summary="Gezondheid, inclusief database")
async def health(state: State) -> Response[dict[str, object]]:
    """Readiness: `ok` als de database binnen 3 seconden antwoordt, anders 503 met
    `Retry-After`."""
    probe: DatabaseProbe = state["database_probe"]
    if await probe.reachable():
        return Response({"status": "ok", "database": "ok"})
    problem = ProblemError(
        "De database is niet bereikbaar.", status=503, slug="service-unavailable",
        headers={"Retry-After": "5"}, database="unreachable",
    )
    return problem_response(problem)


@get("/api/v1/openapi.json", include_in_schema=False, sync_to_thread=False)
def openapi_document(request: Request) -> Response[dict[str, object]]:
    """The OpenAPI 3.1 description of this API (pso.http.openapi.finished documents this route)."""
    document = finished(request.app.openapi_schema.to_schema(), optional_bodies(request.app))
    return Response(document, media_type="application/json")


ROUTES = [live, health, openapi_document]

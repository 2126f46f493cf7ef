"""POST /api/v1/score: the public calculator (spec §2.5). Nothing is stored.

The body is read raw and parsed by the scoring engine itself, so numbers stay exact
decimals and every violation comes back at once as a 400 problem with `invalidParams`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody

from pso import clock
from pso.api.score_models import ProblemOut, ScoreOut, litestar_schema
from pso.errors import InvalidInput
from scoring import Submission, SubmissionInvalid, score
from scoring.fast import parse_for_scoring

# Small bodies are scored on the event loop (a typical one takes ~0.1 ms); large ones go to a
# worker thread so a 10,000-employee submission does not hold up other requests.
INLINE_BODY_BYTES = 64 * 1024

EXAMPLE = {
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "totalFte": "25",
    "fullTimeHoursPerWeek": 38,
    "employees": [
        {"reference": "MW-001", "startingPosition": "participatiewet", "contractType": "regular",
         "hoursPerWeek": 32, "employmentStart": "2021-03-01", "wageSubsidyUntil": "2026-12-31"},
        {"reference": "MW-002", "startingPosition": "wajong", "contractType": "secondment",
         "hoursPerWeek": "24", "employmentStart": "2019-09-01", "inTargetGroupRegister": True},
    ],
    "purchases": [
        {"supplierName": "SW-bedrijf Noord", "supplierKvk": "12345678",
         "supplierKind": "sw_company", "invoiceAmount": "45000.00",
         "supplierTurnover": "3000000", "supplierFte": "120", "supplierDirectPct": "65"},
    ],
    "quality": {"suitableWork": True, "integration": True, "development": True,
                "guidance": True},
    "actionPlan": {"boardApproved": True, "targetRung": "trede2", "targetDate": "2026-06-30"},
}


DESCRIPTION = """Berekent de sociale bijdrage en de trede volgens de PSO-rekenregels.

- **Direct**: per medewerker uit de doelgroep de FTE binnen periode, dienstverband en
  telvenster, gewogen naar uitgangspositie en contractvorm; gedeeld door `totalFte`.
- **Indirect**: inkoop bij PSO-gecertificeerde organisaties en SW-bedrijven, naar rato
  toegerekend; hoogstens 80 % van het totaal.
- **Trede**: de hoogste norm (afhankelijk van de omvang) die de totale bijdrage haalt,
  mits aan alle vier kwaliteitseisen is voldaan; anders eventueel aspirant op grond van
  een plan van aanpak. PSO 30+ alleen bij trede 3.
- **Volgende trede**: hoeveel FTE extra nodig is, en een uitleg in gewone taal.

Zonder `rulebook` geldt het rulebook dat van kracht is op de laatste dag van de periode.
Openbaar; er wordt niets opgeslagen. Ongeldige invoer geeft een 400-probleem met alle
fouten tegelijk in `invalidParams`.
"""


@dataclass
class ScoreOperation(Operation):
    """Documents the request body, which the handler reads itself."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="De opgave: personeelsgegevens over één periode. Getallen mogen als "
                        "JSON-getal of als decimale tekst (\"12.5\").",
            content={"application/json": OpenAPIMediaType(
                schema=litestar_schema(Submission.model_json_schema(by_alias=True)),
                example=EXAMPLE,
            )},
        )


def score_body(raw: bytes) -> dict[str, Any]:
    """Parse and score a JSON body; InvalidInput (400) listing every violation.

    A plainly valid body takes the msgspec fast path (scoring/fast.py); any other body the
    pydantic model, which words the errors."""
    try:
        return score(parse_for_scoring(raw), today=clock.today())
    except SubmissionInvalid as exc:
        raise InvalidInput(exc.errors) from None


@post(
    "/api/v1/score",
    status_code=200,
    tags=["Rekentool"],
    summary="Score en trede berekenen (niets opgeslagen)",
    description=DESCRIPTION,
    operation_class=ScoreOperation,
    responses={
        200: ResponseSpec(data_container=ScoreOut, description="De berekening met uitleg"),
        400: ResponseSpec(data_container=ProblemOut, media_type="application/problem+json",
                          description="Ongeldige opgave: alle fouten in invalidParams"),
    },
)
async def score_submission(request: Request) -> Response[dict[str, Any]]:
    """Parse and score the raw body (see DESCRIPTION)."""
    raw = await request.body()
    if len(raw) <= INLINE_BODY_BYTES:
        result = score_body(raw)
    else:
        result = await anyio.to_thread.run_sync(score_body, raw)
    return Response(result, media_type="application/json")


ROUTES = [score_submission]

"""Public procurement calculators: tender evaluation (fictitious discount) and SROI."""

from __future__ import annotations

from litestar import Response, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from pso.clock import today
from pso.http.transaction import provide_db
from pso.procurement.serialize import policy_json, ranked_json
from pso.procurement.sroi import SroiRequest
from pso.schemas.procurement import (
    EvaluationIn,
    EvaluationOut,
    SroiIn,
    SroiOut,
    bid_from,
    policy_from,
)
from pso.services import procurement as service

DB = {"db": Provide(provide_db)}


@post("/api/v1/tender-evaluations", status_code=200, dependencies=DB, tags=["Aanbesteding"],
      summary="Fictieve korting berekenen (niets opgeslagen)")
async def tender_evaluation(data: EvaluationIn, db: AsyncSession) -> Response[EvaluationOut]:
    """Rangschikt de inschrijvingen op fictieve prijs. Per inschrijving telt de trede van het
    certificaat dat op de sluitingsdatum geldig is en bij het KvK-nummer hoort (anders `none`,
    met de reden in `notes`); bij een combinatie de laagste trede van de leden. Bedragen zijn
    teksten met twee decimalen."""
    policy = policy_from(data.policy)
    ranking, _ = await service.evaluate(db, data.deadline, policy,
                                        [bid_from(b) for b in data.bids])
    # Already the JSON shape of EvaluationOut (money as strings): sent as it is, because
    # validating 10,000 rows once more would cost more than the whole evaluation.
    return Response({
        "deadline": data.deadline.isoformat(), "policy": policy_json(policy),
        "provisional": data.deadline >= today(),
        "ranking": [ranked_json(r) for r in ranking],
    })


@post("/api/v1/sroi-calculations", status_code=200, dependencies=DB, tags=["Aanbesteding"],
      summary="SROI-verplichting en korting berekenen (niets opgeslagen)")
async def sroi_calculation(data: SroiIn, db: AsyncSession) -> SroiOut:
    """Verplichting = opdrachtwaarde × percentage (standaard 5 %), eventueel gemaximeerd;
    de korting per trede bepaalt de koper. Waarschuwt als het certificaat op de
    aanbestedingsdatum niet geldig is of vóór het einde van het contract verloopt."""
    request = SroiRequest(
        contract_value=data.contract_value, kvk=data.kvk, tender_date=data.tender_date,
        contract_end=data.contract_end, rate_pct=data.rate_pct, cap=data.cap,
        reductions=dict(data.reductions), certificate_number=data.certificate_number,
        declared_rung=data.declared_rung,
    )
    result = await service.sroi(db, request)
    return SroiOut(
        contract_value=data.contract_value, rate_pct=data.rate_pct, cap=data.cap,
        capped=result.capped, obligation=result.obligation, rung=result.rung,
        verified=result.verified, certificate_number=data.certificate_number,
        valid_until=result.valid_until, reduction_pct=result.reduction_pct,
        reduction=result.reduction, remaining_obligation=result.remaining_obligation,
        warnings=result.warnings,
    )


ROUTES = [tender_evaluation, sroi_calculation]

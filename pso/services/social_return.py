"""Social return after the award (SPEC §8.2): the terms of an awarded contract.

The buyer records, after the award, the contract sum, a rate (optionally capped) or a fixed
amount, the reduction per rung, the valuation model, the period and the settlement rule. The
PSO reduction is computed here from the rung the tender was awarded on (`tender_awards`),
with the same arithmetic as the public calculator (`pso.procurement.sroi`); the model is
stored whole with the terms, so the contract keeps the version it was agreed under.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.base import utcnow
from pso.db.models import (
    SocialReturnSettlement,
    SocialReturnTerms,
    SroiModel,
    Tender,
    TenderAward,
)
from pso.errors import Conflict, Forbidden, InvalidInput
from pso.procurement.social_return import TermsInput, combination_errors
from pso.procurement.sroi import DEFAULT_RATE, expiry_warning, obligation_of, reduction_for
from pso.services import tenders
from scoring.text import UNSAFE_REASON, unsafe_text
from sroi.model import (
    ModelError,
    ValuationModel,
    build,
    model_json,
    packaged_model,
    packaged_models,
)

DEFAULT_PENALTY_FACTOR = Decimal(1)
RULES = ("penalty", "buyout")
MODEL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def models() -> list[ValuationModel]:
    """The published models, by id (the first is the form's default)."""
    return sorted(packaged_models().values(), key=lambda m: m.id)


async def own_models(session: AsyncSession, actor: Actor) -> list[ValuationModel]:
    """The actor's buying organisation's own models, by id."""
    if actor.party_id is None:
        return []
    rows = await session.scalars(select(SroiModel).where(SroiModel.party_id == actor.party_id)
                                 .order_by(SroiModel.model_key))
    return [build(row.data) for row in rows]


async def choosable(session: AsyncSession, actor: Actor) -> list[ValuationModel]:
    """What a buyer may agree a contract under: the published models, then its own."""
    return models() + await own_models(session, actor)


async def find_model(session: AsyncSession, actor: Actor,
                     model_id: str) -> ValuationModel | None:
    """A published model, or one of the actor's organisation's own (never another's)."""
    found = packaged_model(model_id)
    if found is None and actor.party_id is not None:
        row = await session.scalar(select(SroiModel).where(
            SroiModel.party_id == actor.party_id, SroiModel.model_key == model_id))
        found = build(row.data) if row is not None else None
    return found


async def create_model(session: AsyncSession, actor: Actor, raw: dict[str, Any]) -> ValuationModel:
    """A buyer organisation's own model: `basedOn` names the model it copies (published or
    its own), whose fields fill what the body leaves out; checked like the packaged files."""
    if actor.party_id is None:
        raise Forbidden("Alleen een inkopende organisatie kan een eigen waarderingsmodel "
                        "vastleggen.")
    data = dict(raw)
    based_on = data.pop("basedOn", None)
    if based_on is not None:
        base = await find_model(session, actor, str(based_on)[:60])
        if base is None:
            raise InvalidInput([{"name": "basedOn", "reason": "Onbekend waarderingsmodel om "
                                 "te kopiëren."}])
        data = {**model_json(base), **data}
    errors = [{"name": name, "reason": UNSAFE_REASON} for name, text in _texts(data)
              if unsafe_text(text)]
    if not (isinstance(data.get("id"), str) and MODEL_ID.fullmatch(data["id"])):
        errors.append({"name": "id", "reason": "Een id bestaat uit kleine letters, cijfers en "
                       "streepjes, hoogstens 60 tekens, bijvoorbeeld utrecht-eigen-2027."})
    try:
        model = build(data)
    except ModelError as exc:
        errors += [e for e in exc.errors if e["name"] not in {x["name"] for x in errors}]
    if errors:
        raise InvalidInput(errors)
    if packaged_model(model.id) is not None:
        raise InvalidInput([{"name": "id", "reason": "Dit id hoort bij een gepubliceerd model; "
                             "kies een eigen id."}])
    if await find_model(session, actor, model.id) is not None:
        raise Conflict("sroi-model-exists", f"Uw organisatie heeft al een model {model.id}; "
                       "een nieuwe versie krijgt een nieuw id.")
    row = SroiModel(party_id=actor.party_id, model_key=model.id, data=model_json(model),
                    based_on=str(based_on)[:60] if based_on is not None else None,
                    created_by=actor.name)
    session.add(row)
    await session.flush()
    await record(session, actor, "sroi_model.created", "sroi_model", row.id,
                 {"model": model.id, "basedOn": row.based_on, "blocks": len(model.blocks)})
    return model


def _texts(value: Any, name: str = "") -> list[tuple[str, str]]:
    """Every text in a JSON value with its field path."""
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, f"{name}.{k}" if name else k)]
    if isinstance(value, list):
        return [t for i, v in enumerate(value) for t in _texts(v, f"{name}[{i}]")]
    return []


def model_of(terms: SocialReturnTerms) -> ValuationModel:
    """The model as the contract agreed it (its stored copy, not today's file)."""
    return build(terms.model)


async def award_of(session: AsyncSession, tender_id: int) -> TenderAward | None:
    return await session.scalar(select(TenderAward).where(TenderAward.tender_id == tender_id))


async def terms_of(session: AsyncSession, tender_id: int) -> SocialReturnTerms | None:
    return await session.scalar(select(SocialReturnTerms)
                                .where(SocialReturnTerms.tender_id == tender_id))


async def _settled(session: AsyncSession, tender_id: int) -> bool:
    return await session.scalar(select(SocialReturnSettlement.id).where(
        SocialReturnSettlement.tender_id == tender_id)) is not None


async def find(session: AsyncSession, actor: Actor,
               tender_id: int) -> tuple[Tender, TenderAward | None, SocialReturnTerms | None]:
    """The tender (404 unless it is the buyer's own), its award and its terms, if any."""
    tender = await tenders.get_for(session, actor, tender_id, bids=False)
    return tender, await award_of(session, tender.id), await terms_of(session, tender.id)


def _check_combination(data: TermsInput) -> None:
    errors = combination_errors(
        fixed=data.fixed_amount is not None, rate=data.rate_pct is not None,
        cap=data.cap is not None, rule=data.settlement_rule,
        factor=data.penalty_factor is not None, percentage=data.buyout_pct is not None)
    if errors:
        raise InvalidInput(errors)


def _settlement(data: TermsInput) -> dict[str, str]:
    if data.settlement_rule == "buyout":
        return {"rule": "buyout", "percentage": f"{data.buyout_pct:.2f}"}
    factor = DEFAULT_PENALTY_FACTOR if data.penalty_factor is None else data.penalty_factor
    return {"rule": "penalty", "factor": f"{factor.normalize():f}"}


def _period(data: TermsInput, award: TenderAward) -> tuple[date, date]:
    start = data.period_start or award.contract_start
    end = data.period_end or award.contract_end
    if end < start:
        name = "periodEnd" if data.period_end else "periodStart"
        raise InvalidInput([{"name": name, "reason": "Het einde van de periode ligt vóór het "
                             "begin."}])
    return start, end


def _obligation(data: TermsInput, contract_sum: Decimal) -> tuple[Decimal, Decimal | None]:
    """(obligation, rate used)."""
    if data.fixed_amount is not None:
        if data.fixed_amount > contract_sum:
            raise InvalidInput([{"name": "fixedAmount", "reason": "Het vaste bedrag is hoger "
                                 "dan de contractsom."}])
        return data.fixed_amount, None
    rate = DEFAULT_RATE if data.rate_pct is None else data.rate_pct
    return obligation_of(contract_sum, rate, data.cap)[0], rate


async def set_terms(session: AsyncSession, actor: Actor, tender_id: int,
                    data: TermsInput) -> SocialReturnTerms:
    """Record (or replace) the terms of an awarded tender; 409 `tender-not-awarded` before."""
    _check_combination(data)
    tender = await tenders.get_for(session, actor, tender_id, bids=False, lock=True)
    award = await award_of(session, tender.id)
    if await _settled(session, tender.id):
        raise Conflict("contract-settled", "Dit contract is al afgerekend; de afspraken "
                       "staan vast.")
    if award is None:
        raise Conflict("tender-not-awarded", "Deze aanbesteding is nog niet gegund; leg eerst "
                       "de gunning vast.")
    model = await find_model(session, actor, data.model_id)
    if model is None:
        raise InvalidInput([{"name": "modelId", "reason": "Onbekend waarderingsmodel; kies uit: "
                             + ", ".join(m.id for m in await choosable(session, actor))
                             + "."}])
    contract_sum = award.price if data.contract_sum is None else data.contract_sum
    obligation, rate = _obligation(data, contract_sum)
    start, end = _period(data, award)
    settlement = _settlement(data)
    pct, reduction = reduction_for(obligation, award.rung, data.reductions)
    values: dict[str, Any] = {
        "award_id": award.id, "contract_sum": contract_sum, "rate_pct": rate,
        "cap": data.cap, "fixed_amount": data.fixed_amount,
        "reductions": {k: f"{v:.2f}" for k, v in sorted(data.reductions.items())},
        "rung": award.rung, "verified": award.verified, "obligation": obligation,
        "reduction_pct": pct, "reduction": reduction, "remaining": obligation - reduction,
        "model_id": model.id, "model": model_json(model), "period_start": start,
        "period_end": end, "settlement": settlement}
    terms = await terms_of(session, tender.id)
    action = "social_return.terms_changed" if terms else "social_return.terms_set"
    if terms is None:
        terms = SocialReturnTerms(tender_id=tender.id, created_by=actor.name,
                                  updated_by=actor.name, **values)
        session.add(terms)
    else:
        for key, value in values.items():
            setattr(terms, key, value)
        terms.updated_at, terms.updated_by = utcnow(), actor.name
    await session.flush()
    await record(session, actor, action, "tender", tender.id, audit_summary(terms))
    return terms


def audit_summary(terms: SocialReturnTerms) -> dict[str, Any]:
    money = ("contract_sum", "rate_pct", "cap", "fixed_amount", "obligation", "reduction_pct",
             "reduction", "remaining")
    return {**{k: None if getattr(terms, k) is None else f"{getattr(terms, k):.2f}"
               for k in money},
            "rung": terms.rung, "reductions": terms.reductions, "model": terms.model_id,
            "period_start": terms.period_start.isoformat(),
            "period_end": terms.period_end.isoformat(), "settlement": terms.settlement}


def warnings(award: TenderAward, terms: SocialReturnTerms) -> list[str]:
    """A watched certificate that ends before the period does (the reduction hangs on it)."""
    out = []
    if terms.reduction > 0:
        for cert in award.certificates:
            until = date.fromisoformat(cert["validUntil"])
            if until < terms.period_end:
                out.append(expiry_warning(cert["number"], until, terms.period_end))
    return out

"""Public procurement calculations against the live register; nothing is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pso.procurement.evaluation import (
    Bid,
    Fact,
    Policy,
    Ranked,
    bidder_kvks,
    certificate_numbers,
    rank,
)
from pso.procurement.sroi import SroiRequest, SroiResult, calculate
from pso.services.register_facts import facts_on


async def evaluate(session: AsyncSession, deadline: date, policy: Policy,
                   bids: Sequence[Bid]) -> tuple[list[Ranked], dict[str, Fact]]:
    """Ranking of `bids` with every certificate judged on `deadline` (one register query)."""
    facts = await facts_on(session, deadline, certificate_numbers(bids), bidder_kvks(bids))
    return rank(policy, deadline, bids, facts), facts


async def sroi(session: AsyncSession, request: SroiRequest) -> SroiResult:
    numbers = [request.certificate_number] if request.certificate_number else []
    return calculate(request, await facts_on(session, request.tender_date, numbers))

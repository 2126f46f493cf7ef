"""Certifying bodies (SPEC §7.3): a party of kind `certifying_body` (code, name) plus its
accreditation text and whether a decision must come from another auditor than the reviewer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.models import CertifyingBody, Party
from pso.errors import Conflict, InvalidInput

KIND = "certifying_body"


@dataclass(frozen=True)
class BodyView:
    id: int
    code: str
    name: str
    accreditation: str
    separate_decision: bool


def view(party: Party, body: CertifyingBody | None) -> BodyView:
    return BodyView(party.id, party.code, party.name, body.accreditation if body else "",
                    body.separate_decision if body else True)


async def list_bodies(session: AsyncSession) -> list[BodyView]:
    rows = await session.execute(
        select(Party, CertifyingBody).outerjoin(CertifyingBody, CertifyingBody.party_id == Party.id)
        .where(Party.kind == KIND).order_by(Party.name, Party.code))
    return [view(party, body) for party, body in rows]


async def find(session: AsyncSession, code: str) -> Party | None:
    return await session.scalar(
        select(Party).where(Party.kind == KIND, Party.code == code.strip().upper()))


async def get_view(session: AsyncSession, party_id: int | None) -> BodyView | None:
    if party_id is None:
        return None
    row = (await session.execute(
        select(Party, CertifyingBody).outerjoin(CertifyingBody, CertifyingBody.party_id == Party.id)
        .where(Party.id == party_id, Party.kind == KIND))).first()
    return view(*row) if row else None


async def require(session: AsyncSession, code: str, field: str = "certifyingBody") -> Party:
    party = await find(session, code) if code else None
    if party is None:
        raise InvalidInput([{"name": field,
                             "reason": "Onbekende certificerende instelling; kies er een uit de "
                                       "lijst (GET /api/v1/certifying-bodies)."}])
    return party


async def create(session: AsyncSession, actor: Actor, *, code: str, name: str,
                 accreditation: str = "", separate_decision: bool = True) -> BodyView:
    code = code.strip().upper()
    party = await find(session, code)
    if party is not None:
        if await session.get(CertifyingBody, party.id) is not None:
            raise Conflict("certifying-body-exists",
                           f"Er is al een certificerende instelling met code {code}.")
        party.name = name  # made earlier for an account (placeholder name): complete it
    else:
        party = Party(kind=KIND, code=code, name=name)
        session.add(party)
        await session.flush()
    body = CertifyingBody(party_id=party.id, accreditation=accreditation,
                          separate_decision=separate_decision)
    session.add(body)
    await session.flush()
    await record(session, actor, "certifying_body.created", "certifying_body", code,
                 {"name": name, "separateDecision": separate_decision})
    return view(party, body)


async def separate_decision(session: AsyncSession, party_id: int | None) -> bool:
    """On by default, also for a body without settings and for unaddressed applications."""
    if party_id is None:
        return True
    body = await session.get(CertifyingBody, party_id)
    return body.separate_decision if body is not None else True

"""Certifying bodies (SPEC §7.3): a party of kind `certifying_body` (code, name) plus its
accreditation text and whether a decision must come from another auditor than the reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from pso.audit import record
from pso.auth import Actor
from pso.db.models import Account, CertifyingBody, Party
from pso.errors import Conflict, InvalidInput, NotFound

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


def _with_settings() -> Select[Party, CertifyingBody]:
    """Every body party with its settings, if it has them yet (a party made for an account
    has none). CertifyingBody.party's joined inner load would turn the outer join into an
    inner one, so it is not loaded here: the party is the first column anyway."""
    return (select(Party, CertifyingBody)
            .outerjoin(CertifyingBody, CertifyingBody.party_id == Party.id)
            .options(lazyload(CertifyingBody.party)).where(Party.kind == KIND))


async def list_bodies(session: AsyncSession, *, staffed: bool = False) -> list[BodyView]:
    """All bodies; with `staffed` only those with an auditor who can take an application
    (an active auditor account), which are the ones offered to companies."""
    query = _with_settings()
    if staffed:
        query = query.where(exists().where(Account.party_id == Party.id,
                                           Account.role == "auditor",
                                           Account.revoked_at.is_(None)))
    rows = await session.execute(query.order_by(Party.name, Party.code))
    return [view(party, body) for party, body in rows]


async def find(session: AsyncSession, code: str) -> Party | None:
    return await session.scalar(
        select(Party).where(Party.kind == KIND, Party.code == code.strip().upper()))


async def get_view(session: AsyncSession, party_id: int | None) -> BodyView | None:
    if party_id is None:
        return None
    row = (await session.execute(_with_settings().where(Party.id == party_id))).first()
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


async def update(session: AsyncSession, actor: Actor, code: str, *, name: str | None = None,
                 accreditation: str | None = None,
                 separate_decision: bool | None = None) -> BodyView:
    """Change what is given (None: unchanged); the code stays what it was made with. The
    audit entry names the values that changed (none changed: no entry)."""
    party = await find(session, code)
    if party is None:
        raise NotFound(f"Geen certificerende instelling met code {code.strip().upper()}.")
    body = await session.get(CertifyingBody, party.id)
    if body is None:  # made for an account only: its settings start at the defaults
        body = CertifyingBody(party_id=party.id, accreditation="", separate_decision=True)
        session.add(body)
    before = {"name": party.name, "accreditation": body.accreditation,
              "separateDecision": body.separate_decision}
    given = {"name": name, "accreditation": accreditation, "separateDecision": separate_decision}
    changes: dict[str, Any] = {k: v for k, v in given.items()
                               if v is not None and v != before[k]}
    party.name = changes.get("name", party.name)
    body.accreditation = changes.get("accreditation", body.accreditation)
    body.separate_decision = changes.get("separateDecision", body.separate_decision)
    await session.flush()
    if changes:  # the log holds what changed, not what was sent again
        await record(session, actor, "certifying_body.updated", "certifying_body", party.code,
                     changes)
    return view(party, body)


async def accreditation(session: AsyncSession, party_id: int | None) -> str:
    """What the body's certificates say about its accreditation ("" when none is known)."""
    body = await session.get(CertifyingBody, party_id) if party_id is not None else None
    return body.accreditation if body is not None else ""


async def separate_decision(session: AsyncSession, party_id: int | None) -> bool:
    """On by default, also for a body without settings and for unaddressed applications."""
    if party_id is None:
        return True
    body = await session.get(CertifyingBody, party_id)
    return body.separate_decision if body is not None else True

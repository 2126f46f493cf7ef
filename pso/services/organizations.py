"""Applying organisations (SPEC §7.2): the main applicant plus its subsidiaries."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.models import Organization, OrganizationSubsidiary
from pso.db.paging import paginate
from pso.errors import Conflict, InvalidInput, NotFound
from pso.services.access import ensure_kvk_access
from pso.text.search import words

MAX_SUBSIDIARIES = 200
KVK_SHAPE = re.compile(r"[0-9]{8}")


async def find(session: AsyncSession, kvk: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.kvk == kvk))


async def find_by_any_kvk(session: AsyncSession, kvk: str) -> Organization | None:
    """The applying organisation whose main applicant or one of whose subsidiaries has `kvk`."""
    org = await find(session, kvk)
    if org is not None:
        return org
    return await session.scalar(
        select(Organization).join(OrganizationSubsidiary,
                                  OrganizationSubsidiary.organization_id == Organization.id)
        .where(OrganizationSubsidiary.kvk == kvk))


def organization_ids(kvk: str) -> CompoundSelect[Any]:
    """The id of the applying organisation of `kvk` (main applicant or subsidiary), as a
    subquery. Two indexed look-ups: an OR of both in one condition made PostgreSQL test every
    certificate of a 100,000-row register (150 ms per KvK search)."""
    return union(
        select(Organization.id).where(Organization.kvk == kvk),
        select(OrganizationSubsidiary.organization_id).where(OrganizationSubsidiary.kvk == kvk))


def kvk_matches(kvk: str) -> ColumnElement[bool]:
    """SQL condition: `Organization` is the applying organisation of `kvk` (main or subsidiary)."""
    return Organization.id.in_(organization_ids(kvk))


def subsidiaries_of(org: Organization) -> list[dict[str, str]]:
    return [{"kvk": s.kvk, "name": s.name} for s in org.subsidiaries]


async def _check_subsidiaries(session: AsyncSession, org_kvk: str, org_id: int | None,
                              items: list[dict[str, Any]]) -> None:
    """Every subsidiary KvK once, not the main applicant's, not someone else's."""
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        kvk = item["kvk"]
        if kvk == org_kvk:
            problems.append({"name": f"subsidiaries[{i}].kvk",
                             "reason": "Dit is het KvK-nummer van de hoofdaanvrager zelf."})
        elif kvk in seen:
            problems.append({"name": f"subsidiaries[{i}].kvk",
                             "reason": "Dit KvK-nummer staat al eerder in de lijst."})
        seen.add(kvk)
    if problems:
        raise InvalidInput(problems)
    if not seen:
        return
    elsewhere = (await session.scalars(select(OrganizationSubsidiary.kvk).where(
        OrganizationSubsidiary.kvk.in_(seen),
        OrganizationSubsidiary.organization_id != (org_id or -1)))).all()
    if elsewhere:
        raise Conflict(
            "subsidiary-taken",
            "Dit KvK-nummer hoort al bij een andere aanvragende organisatie: "
            + ", ".join(sorted(elsewhere)) + ".", kvks=sorted(elsewhere))
    held = set() if org_id is None else set((await session.scalars(
        select(OrganizationSubsidiary.kvk).where(
            OrganizationSubsidiary.organization_id == org_id))).all())
    # An organisation registered (and perhaps certified) under its own KvK becomes someone's
    # subsidiary only with its consent, which an admin records (assign_subsidiary).
    registered = (await session.scalars(select(Organization.kvk).where(
        Organization.kvk.in_(seen - held)))).all()
    if registered:
        raise Conflict("subsidiary-taken", registered_text(sorted(registered)),
                       kvks=sorted(registered))


def registered_text(kvks: list[str]) -> str:
    which = ("KvK-nummer " + kvks[0] + " is een eigen geregistreerde organisatie"
             if len(kvks) == 1 else
             "De KvK-nummers " + ", ".join(kvks) + " zijn eigen geregistreerde organisaties")
    return (which + " en kan alleen met haar instemming dochteronderneming worden; vraag de "
            "beheerder van de PSO-dienst om die instemming vast te leggen en de koppeling te "
            "maken.")


async def assign_subsidiary(session: AsyncSession, actor: Actor, kvk: str, sub: dict[str, str],
                            reason: str) -> Organization:
    """An admin's decision: `sub` becomes a subsidiary of `kvk`, also when it is registered
    (or certified) itself, e.g. with that organisation's written consent. Audited with the
    reason; a KvK that is another organisation's subsidiary is refused (one parent)."""
    org = await get_for(session, actor, kvk)
    if sub["kvk"] == kvk:
        raise InvalidInput([{"name": "kvk",
                             "reason": "Dit is het KvK-nummer van de hoofdaanvrager zelf."}])
    owner = await session.scalar(select(OrganizationSubsidiary).where(
        OrganizationSubsidiary.kvk == sub["kvk"]))
    if owner is not None:
        if owner.organization_id == org.id:
            raise Conflict("subsidiary-exists", f"KvK-nummer {sub['kvk']} is al een "
                                                "dochteronderneming van deze organisatie.")
        raise Conflict("subsidiary-taken", f"KvK-nummer {sub['kvk']} hoort al bij een andere "
                                           "aanvragende organisatie; haal het daar eerst weg.",
                       kvks=[sub["kvk"]])
    registered = await find(session, sub["kvk"])
    org.subsidiaries = sorted([*org.subsidiaries,
                               OrganizationSubsidiary(kvk=sub["kvk"], name=sub["name"])],
                              key=lambda s: s.kvk)
    await session.flush()
    await record(session, actor, "organization.subsidiary_assigned", "organization", org.kvk,
                 {"kvk": sub["kvk"], "name": sub["name"], "reason": reason,
                  "registeredOrganization": registered is not None})
    return org


async def create(session: AsyncSession, actor: Actor, data: dict[str, Any]) -> Organization:
    ensure_kvk_access(actor, data["kvk"])
    if await find(session, data["kvk"]) is not None:
        raise Conflict(
            "organization-exists", f"Er is al een organisatie met KvK-nummer {data['kvk']}."
        )
    subsidiaries = list(data.pop("subsidiaries", None) or [])
    await _check_subsidiaries(session, data["kvk"], None, subsidiaries)
    # Listed as another organisation's subsidiary does not lock the owner of the KvK out:
    # it registers (and applies) under its own number; the listing is in the audit event.
    parent = await find_by_any_kvk(session, data["kvk"])
    org = Organization(**data, subsidiaries=[OrganizationSubsidiary(**s) for s in
                                             sorted(subsidiaries, key=lambda s: s["kvk"])])
    session.add(org)
    await session.flush()
    await record(session, actor, "organization.created", "organization", org.kvk,
                 {**data, "subsidiaries": subsidiaries,
                  **({"alsoSubsidiaryOf": parent.kvk} if parent is not None else {})})
    return org


async def update(session: AsyncSession, actor: Actor, kvk: str,
                 data: dict[str, Any]) -> Organization:
    """Replace name, municipality, kind and the subsidiaries (the whole list) of `kvk`."""
    org = await get_for(session, actor, kvk)
    subsidiaries = list(data.pop("subsidiaries", None) or [])
    await _check_subsidiaries(session, kvk, org.id, subsidiaries)
    for key in ("name", "municipality_code", "kind"):
        setattr(org, key, data[key])
    existing = {s.kvk: s for s in org.subsidiaries}
    keep = []
    for item in subsidiaries:
        row = existing.get(item["kvk"])
        if row is None:
            row = OrganizationSubsidiary(kvk=item["kvk"], name=item["name"])
        row.name = item["name"]
        keep.append(row)
    org.subsidiaries = sorted(keep, key=lambda s: s.kvk)  # the order every read gives
    await session.flush()
    await record(session, actor, "organization.updated", "organization", org.kvk,
                 {**data, "subsidiaries": subsidiaries})
    return org


async def get_for(session: AsyncSession, actor: Actor, kvk: str) -> Organization:
    ensure_kvk_access(actor, kvk)
    org = await find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    return org


async def search(session: AsyncSession, q: str = "", *, page: int = 1,
                 page_size: int = 20) -> tuple[list[Organization], int]:
    """Applying organisations by name, A to Z. Eight digits find the organisation of that
    KvK number (main applicant or subsidiary); other text needs every word in the name."""
    query = select(Organization)
    needle = q.strip()
    if KVK_SHAPE.fullmatch(needle):
        query = query.where(kvk_matches(needle))
    else:
        for word in words(needle):
            query = query.where(Organization.search_name.contains(word, autoescape=True))
    return await paginate(session, query, Organization.search_name, Organization.kvk,
                          page=page, page_size=page_size)

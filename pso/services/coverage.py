"""Which certificates cover a KvK number (SPEC §7.2): the one look-up.

A certificate covers its main applicant and the subsidiaries it was issued for: its own
frozen list (`certificates.subsidiaries`, as rows in `certificate_subsidiaries`), never the
organisation's subsidiaries of today. A KvK number added on /mijn/organisatie later is
covered from the next certificate on; one removed later stays covered by the certificates
that name it. The register, the verification page, tender evaluations, SROI, contract
monitoring and the PSO 30+ look-up all ask here (or read the same frozen list from the
certificate row, `Fact.belongs_to`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, CompoundSelect, select, union
from sqlalchemy.orm import aliased

from pso.db.models import Certificate, CertificateSubsidiary, Organization


def certificate_ids(kvks: str | BindParameter[str] | Collection[str]) -> CompoundSelect[Any]:
    """The ids of the certificates that cover any of `kvks`, as a subquery: two indexed
    look-ups (the main applicant by `organizations.kvk`, then its certificates; the frozen
    subsidiaries by `certificate_subsidiaries.kvk`). A UNION, not an OR: an OR of both made
    PostgreSQL test every certificate of a large register."""
    wanted = [kvks] if isinstance(kvks, str | BindParameter) else list(kvks)
    own = aliased(Certificate)  # never correlated with the certificates of the outer query
    main = select(own.id).join(Organization, Organization.id == own.organization_id)
    sub = select(CertificateSubsidiary.certificate_id)
    if len(wanted) == 1:
        main = main.where(Organization.kvk == wanted[0])
        sub = sub.where(CertificateSubsidiary.kvk == wanted[0])
    else:
        main = main.where(Organization.kvk.in_(wanted))
        sub = sub.where(CertificateSubsidiary.kvk.in_(wanted))
    return union(main, sub)


def covers(kvks: str | BindParameter[str] | Collection[str]) -> ColumnElement[bool]:
    """SQL condition on `Certificate`: it covers one of `kvks`."""
    return Certificate.id.in_(certificate_ids(kvks))


def covered_kvks(main_kvk: str, subsidiaries: list[dict[str, str]] | None) -> tuple[str, ...]:
    """The subsidiaries' KvK numbers on a certificate row (besides `main_kvk`), sorted."""
    return tuple(sorted({s["kvk"] for s in subsidiaries or () if s["kvk"] != main_kvk}))

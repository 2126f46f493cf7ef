"""Who sees what: the one access policy of every service read (issue 25).

Per resource a table role → `Rule`: a Python predicate `sees(actor, row)` and its SQL twin
`where(actor)` side by side, so a single object (`get_for`) and a list (`list_for`) are
decided by the same rule. A role that is not in a resource's table is denied (`NONE`: False,
and `false()` in SQL), so an unknown or new role sees nothing until a rule names it. Route
guards still refuse a wrong role early (403); the services no longer depend on them.

`tests/services/test_access_matrix.py` pins the roles × resources matrix and
`tests/services/test_access_parity.py` checks, per resource on random rows in both databases,
that the predicate and the filter select the same rows.

403 or 404 (docs/architecture.md, "Access"): an object of another party is answered 404, as
if it did not exist, so ids and codes cannot be probed: assessments and their documents,
vouchers, voucher schemes, tenders and social-return contracts. 403 is for a wrong role
(the guards), for a request that names a party the actor does not belong to (another KvK
number or municipality code: there is no object to hide), and for acting on a certificate
of another certifying body (certificates are public in the register, so there is nothing
to hide either).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql import ColumnElement

from pso.auth import Actor
from pso.db.models import (
    Assessment,
    AssessmentDocument,
    AssessmentStatus,
    Certificate,
    Organization,
    Tender,
    TenderAward,
    Voucher,
    VoucherScheme,
)
from pso.errors import Forbidden


@dataclass(frozen=True)
class Rule:
    """One role's access to one resource: `sees` decides one loaded row, `where` is the same
    rule as a where-clause for a query of that resource."""

    sees: Callable[[Actor, Any], bool]
    where: Callable[[Actor], ColumnElement[bool]]


EVERY = Rule(lambda actor, row: True, lambda actor: true())
NONE = Rule(lambda actor, row: False, lambda actor: false())


def _equals(column: Any, value: Any) -> ColumnElement[bool]:
    """`column = value`, and plainly false for a missing value (SQL `= NULL` is never true
    either, but spelled out the predicate and the filter read alike)."""
    return column == value if value is not None else false()


# --- assessments (applications) and their evidence documents ---------------------------


def _own_organization(actor: Actor) -> ColumnElement[bool]:
    if actor.kvk is None:
        return false()
    return Assessment.organization_id.in_(
        select(Organization.id).where(Organization.kvk == actor.kvk)
    )


def _body_sees(actor: Actor, body_id: int | None) -> bool:
    """A certifying body's own (and what is addressed to no body yet: first-release
    clients; taking such an application into review addresses it)."""
    return body_id is None or (actor.party_id is not None and body_id == actor.party_id)


def _body_where(column: Any, actor: Actor) -> ColumnElement[bool]:
    return or_(column.is_(None), _equals(column, actor.party_id))


ASSESSMENT: dict[str, Rule] = {
    "admin": EVERY,
    "system": EVERY,
    # A company its own organisation's applications, drafts included.
    "company": Rule(
        lambda a, row: a.kvk is not None and row.organization.kvk == a.kvk, _own_organization
    ),
    # An auditor the submitted applications addressed to its body (or to none).
    "auditor": Rule(
        lambda a, row: row.status != AssessmentStatus.DRAFT and _body_sees(a, row.certifying_body_id),
        lambda a: and_(Assessment.status != AssessmentStatus.DRAFT, _body_where(Assessment.certifying_body_id, a)),
    ),
}


# --- certificates: the ones an actor manages -------------------------------------------
# The register shows every certificate to anyone; this rule decides the workbench's lists,
# the expiry overview and suspension, reinstatement and revocation.

CERTIFICATE: dict[str, Rule] = {
    "admin": EVERY,
    "system": EVERY,
    "auditor": Rule(
        lambda a, row: _body_sees(a, row.certifying_body_id),
        lambda a: _body_where(Certificate.certifying_body_id, a),
    ),
}


# --- vouchers and voucher schemes ------------------------------------------------------

VOUCHER: dict[str, Rule] = {
    "system": EVERY,
    "auditor": EVERY,  # redeems on proof of an assessment (SPEC §6.1)
    "company": Rule(
        lambda a, row: a.kvk is not None and row.organization.kvk == a.kvk,
        lambda a: Voucher.organization_id.in_(
            select(Organization.id).where(_equals(Organization.kvk, a.kvk))
        ),
    ),
    "municipality": Rule(
        lambda a, row: (
            a.municipality_code is not None and row.scheme.municipality_code == a.municipality_code
        ),
        lambda a: Voucher.scheme_id.in_(
            select(VoucherScheme.id).where(
                _equals(VoucherScheme.municipality_code, a.municipality_code)
            )
        ),
    ),
}

SCHEME: dict[str, Rule] = {
    "admin": EVERY,
    "system": EVERY,
    "company": EVERY,  # a company applies to any municipality's scheme
    "municipality": Rule(
        lambda a, row: (
            a.municipality_code is not None and row.municipality_code == a.municipality_code
        ),
        lambda a: _equals(VoucherScheme.municipality_code, a.municipality_code),
    ),
}


# --- tenders and their social-return contracts -----------------------------------------


def _buyer_sees(actor: Actor, tender: Tender) -> bool:
    """A tender belongs to its buying organisation (every person of it, in the browser or
    with a personal token); a first-release token's tender to that token."""
    return (actor.party_id is not None and tender.party_id == actor.party_id) or (
        actor.id is not None and tender.owner_id == actor.id
    )


def _buyer_where(actor: Actor) -> ColumnElement[bool]:
    return or_(_equals(Tender.party_id, actor.party_id), _equals(Tender.owner_id, actor.id))


TENDER: dict[str, Rule] = {
    "admin": EVERY,
    "system": EVERY,
    "procurement": Rule(_buyer_sees, _buyer_where),
}

# A contract is an awarded tender, the row a (tender, award) pair: the buyer sees its own
# tenders' contracts, the contractor (a company account of the winner's KvK number) its own.
# The filter is on a query that joins Tender and TenderAward.
CONTRACT: dict[str, Rule] = {
    "admin": EVERY,
    "system": EVERY,
    "procurement": Rule(lambda a, row: _buyer_sees(a, row[0]), _buyer_where),
    "company": Rule(
        lambda a, row: a.kvk is not None and row[1].kvk == a.kvk,
        lambda a: _equals(TenderAward.kvk, a.kvk),
    ),
}

# Evidence follows its application: the row is a (document, assessment) pair.
def _of_assessment(rule: Rule) -> Rule:
    """A document's rule from its application's `rule`."""
    return Rule(
        lambda a, row: row[0].assessment_id == row[1].id and rule.sees(a, row[1]),
        lambda a: AssessmentDocument.assessment_id.in_(
            select(Assessment.id).where(rule.where(a))
        ),
    )


DOCUMENT: dict[str, Rule] = {role: _of_assessment(rule) for role, rule in ASSESSMENT.items()}

POLICY: dict[str, dict[str, Rule]] = {
    "assessment": ASSESSMENT,
    "document": DOCUMENT,
    "certificate": CERTIFICATE,
    "voucher": VOUCHER,
    "scheme": SCHEME,
    "tender": TENDER,
    "contract": CONTRACT,
}


def rule(resource: str, actor: Actor) -> Rule:
    """The actor's rule for a resource; NONE for a role the table does not name."""
    return POLICY[resource].get(actor.role, NONE)


def may_see_assessment(actor: Actor, assessment: Assessment) -> bool:
    return rule("assessment", actor).sees(actor, assessment)


def assessment_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("assessment", actor).where(actor)


def may_see_document(actor: Actor, document: AssessmentDocument, assessment: Assessment) -> bool:
    return rule("document", actor).sees(actor, (document, assessment))


def document_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("document", actor).where(actor)


def may_see_certificate(actor: Actor, certificate: Certificate) -> bool:
    return rule("certificate", actor).sees(actor, certificate)


def certificate_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("certificate", actor).where(actor)


def may_see_voucher(actor: Actor, voucher: Voucher) -> bool:
    return rule("voucher", actor).sees(actor, voucher)


def voucher_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("voucher", actor).where(actor)


def may_see_scheme(actor: Actor, scheme: VoucherScheme) -> bool:
    return rule("scheme", actor).sees(actor, scheme)


def scheme_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("scheme", actor).where(actor)


def may_see_tender(actor: Actor, tender: Tender) -> bool:
    return rule("tender", actor).sees(actor, tender)


def tender_filter(actor: Actor) -> ColumnElement[bool]:
    return rule("tender", actor).where(actor)


def may_see_contract(actor: Actor, tender: Tender, award: TenderAward) -> bool:
    return rule("contract", actor).sees(actor, (tender, award))


def contract_filter(actor: Actor) -> ColumnElement[bool]:
    """On a query that joins Tender and TenderAward."""
    return rule("contract", actor).where(actor)


# --- a party named in the request (no object to hide: 403) ----------------------------


def ensure_kvk_access(actor: Actor, kvk: str) -> None:
    """A company acts only for its own KvK number; what other roles may do is decided by
    the rule of the object they act on."""
    if actor.role == "company" and actor.kvk != kvk:
        raise Forbidden("Dit token hoort bij een andere organisatie.")


def ensure_municipality_access(actor: Actor, municipality_code: str) -> None:
    """A municipality creates schemes only for itself."""
    if actor.role == "municipality" and actor.municipality_code != municipality_code:
        raise Forbidden("Dit token hoort bij een andere gemeente.")
